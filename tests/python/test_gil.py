"""librootly runs with the GIL released: a call blocked in SQLite's busy
wait must let other Python threads run. Here the main thread holds the
database's write lock, a second thread calls create_incident (which waits
up to busy_timeout for the lock), and the main thread -- still running
Python -- releases the lock. Were the GIL held during the call, the main
thread could not run, and the call would fail with EBUSY at the timeout."""

import sqlite3
import threading
import time

import rootly


def test_gil_released_during_storage_calls(tmp_path):
    db = tmp_path / "gil.db"
    uri = "sqlite:%s?busy_timeout=20000" % db
    with rootly.Context(uri) as c:
        c.create_incident("creates the schema")
    con = sqlite3.connect(db, isolation_level=None, timeout=10)
    con.execute("BEGIN IMMEDIATE")  # the write lock
    result = {}
    started = threading.Event()

    def writer():
        with rootly.Context(uri) as c2:
            started.set()
            t0 = time.monotonic()
            try:
                result["ref"] = c2.create_incident("waits for the lock").ref
            except rootly.Error as e:  # pragma: no cover - reported below
                result["error"] = e
            result["waited"] = time.monotonic() - t0

    t = threading.Thread(target=writer)
    t.start()
    started.wait(10)
    spins = 0
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:  # pure Python, needs the GIL
        spins += 1
    con.execute("COMMIT")
    t.join(30)
    con.close()
    assert "error" not in result, result
    assert result["ref"] == "INC-2"
    assert spins > 1000
    assert result["waited"] >= 0.4  # it really was blocked while we spun
