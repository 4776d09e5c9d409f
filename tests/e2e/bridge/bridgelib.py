"""Shared helpers of the rootly-bridge end-to-end tests (standard library only).

The programs under test (rootly-bridge, the rootly CLI, and the real
Prometheus and Alertmanager from Debian's packages) are started on
127.0.0.1 with ports they pick or that we pick free, in a temporary
directory removed at the end. Paths come from the environment that
tests/CMakeLists.bridge.cmake sets:

  ROOTLY_BRIDGE    the rootly-bridge binary
  ROOTLY_CLI       the rootly CLI (store checks)
  ROOTLY_FIXTURES  tests/fixtures
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

BRIDGE = os.environ.get("ROOTLY_BRIDGE", "rootly-bridge")
CLI = os.environ.get("ROOTLY_CLI", "rootly")
FIXTURES = os.environ.get("ROOTLY_FIXTURES", os.path.join(os.path.dirname(__file__), "..", "..", "fixtures"))
ALERTMANAGER = shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
# Under ASan/valgrind everything is slower: one knob stretches every wait.
SLOW = float(os.environ.get("ROOTLY_TEST_SLOW", "1"))
# ctest's SKIP_RETURN_CODE: a suite that skipped something says so instead
# of passing.
SKIPPED_EXIT = 77


def require(what, available):
    """A peer or tool the test needs. Missing: a failure when
    ROOTLY_REQUIRE_PEERS=1 (scripts/test-all.sh installs them all, so CI
    must never pass by skipping), else a skip that ctest reports."""
    if available:
        return
    if os.environ.get("ROOTLY_REQUIRE_PEERS") == "1":
        raise AssertionError("%s is required (ROOTLY_REQUIRE_PEERS=1) but missing" % what)
    raise unittest.SkipTest("%s is not installed" % what)


def main():
    """unittest.main, but exit SKIPPED_EXIT when tests were skipped and none failed."""
    prog = unittest.main(verbosity=2, exit=False)
    r = prog.result
    if not r.wasSuccessful():
        sys.exit(1)
    sys.exit(SKIPPED_EXIT if r.skipped else 0)


def fixture(*parts):
    with open(os.path.join(FIXTURES, *parts), "rb") as f:
        return f.read()


def free_port():
    """A port free right now on 127.0.0.1 (for programs that cannot report theirs)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, fn, timeout=20.0, step=0.1):
    deadline = time.monotonic() + timeout * SLOW
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
            if last:
                return last
        except (OSError, http.client.HTTPException, ValueError) as e:
            last = e
        time.sleep(step)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "Response(%d, %r)" % (self.status, self.body[:300])


def request(addr, method, path, body=None, headers=None, timeout=30.0):
    host, port = addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout * SLOW)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return Response(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


class Bridge:
    """A rootly-bridge process on 127.0.0.1:<port it picked>."""

    def __init__(self, workdir, db=None, config=None, args=(), env=None, log_name="bridge.log"):
        self.workdir = workdir
        self.db = db or os.path.join(workdir, "rootly.db")
        self.config = config
        self.args = list(args)
        self.env = env
        self.log_path = os.path.join(workdir, log_name)
        self.proc = None
        self.addr = None

    def start(self, listen="127.0.0.1:0"):
        ready = os.path.join(self.workdir, "ready-%d" % time.monotonic_ns())
        # ROOTLY_BRIDGE_WRAPPER, e.g. "valgrind -q --error-exitcode=99", prefixes the bridge.
        cmd = os.environ.get("ROOTLY_BRIDGE_WRAPPER", "").split()
        cmd += [BRIDGE, "--listen", listen, "--db", self.db, "--ready-file", ready]
        if self.config:
            cmd += ["--config", self.config]
        cmd += self.args
        # ROOTLY_BRIDGE_ARGS, e.g. "--prepare-on loop", runs a suite in another mode.
        cmd += os.environ.get("ROOTLY_BRIDGE_ARGS", "").split()
        env = dict(os.environ)
        env.update(self.env or {})
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log, env=env)
        def up():
            if self.proc.poll() is not None:
                raise AssertionError("rootly-bridge exited with %d; log:\n%s" % (self.proc.returncode, self.log_text()))
            return os.path.exists(ready)
        wait_until("rootly-bridge to listen", up)
        with open(ready) as f:
            self.addr = f.read().strip()
        return self

    def url(self, path=""):
        return "http://%s%s" % (self.addr, path)

    def req(self, method, path, body=None, headers=None, timeout=30.0):
        return request(self.addr, method, path, body, headers, timeout)

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        """Signal the bridge and return its exit status."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        self.proc = None
        return rc

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


def cli(db, *args):
    """Run the rootly CLI on a database; returns (status, stdout, stderr)."""
    p = subprocess.run([CLI, "--db", db] + list(args), capture_output=True, text=True, timeout=120 * SLOW)
    return p.returncode, p.stdout, p.stderr


def sqlite_integrity(db):
    import sqlite3
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


class Scratch:
    """A temporary directory, removed at the end unless ROOTLY_KEEP_TMP is set."""

    def __init__(self, name):
        self.path = tempfile.mkdtemp(prefix="rootly-%s." % name)

    def cleanup(self):
        if not os.environ.get("ROOTLY_KEEP_TMP"):
            shutil.rmtree(self.path, ignore_errors=True)


def start_alertmanager(workdir, config_text):
    """The real Alertmanager on loopback, HA gossip off; returns (proc, addr)."""
    port = free_port()
    cfg = os.path.join(workdir, "alertmanager.yml")
    with open(cfg, "w") as f:
        f.write(config_text)
    storage = os.path.join(workdir, "am-data")
    os.makedirs(storage, exist_ok=True)
    log = open(os.path.join(workdir, "alertmanager.log"), "ab")
    addr = "127.0.0.1:%d" % port
    proc = subprocess.Popen([ALERTMANAGER, "--config.file=" + cfg, "--storage.path=" + storage,
                             "--web.listen-address=" + addr, "--cluster.listen-address=",
                             "--web.external-url=http://" + addr, "--log.level=debug"],
                            stdout=log, stderr=log)
    proc.log_file = log
    def ready():
        if proc.poll() is not None:
            raise AssertionError("alertmanager exited with %d" % proc.returncode)
        return request(addr, "GET", "/-/ready", timeout=2).status == 200
    wait_until("alertmanager to be ready", ready, timeout=30)
    return proc, addr


def start_prometheus(workdir, config_text, rules_text):
    port = free_port()
    with open(os.path.join(workdir, "rules.yml"), "w") as f:
        f.write(rules_text)
    cfg = os.path.join(workdir, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write(config_text)
    log = open(os.path.join(workdir, "prometheus.log"), "ab")
    addr = "127.0.0.1:%d" % port
    proc = subprocess.Popen([PROMETHEUS, "--config.file=" + cfg,
                             "--storage.tsdb.path=" + os.path.join(workdir, "prom-data"),
                             "--web.listen-address=" + addr, "--rules.alert.resend-delay=2s",
                             "--log.level=debug"],
                            stdout=log, stderr=log, cwd=workdir)
    proc.log_file = log
    def ready():
        if proc.poll() is not None:
            raise AssertionError("prometheus exited with %d" % proc.returncode)
        return request(addr, "GET", "/-/ready", timeout=2).status == 200
    wait_until("prometheus to be ready", ready, timeout=60)
    return proc, addr


def stop_proc(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc and getattr(proc, "log_file", None):
        proc.log_file.close()


def incidents(bridge, query=""):
    r = bridge.req("GET", "/v1/incidents" + query)
    assert r.status == 200, r
    return r.json()


def quote(s):
    return urllib.parse.quote(s, safe="")
