"""Crash test: kill -9 rootly-bridge under load, again and again.

Each trial starts the bridge on the same database, runs client threads
that POST distinct alerts to /api/v2/alerts (1 to 10 per request) over
keep-alive connections, and kills the bridge with SIGKILL at a random
moment. Then, with the bridge dead:

  * every alert of every request that was answered 2xx is in the store
    (its Alertmanager fingerprint is in the `alert` collection);
  * PRAGMA integrity_check is "ok";
  * `rootly check` verifies the store and every incident's timeline
    (every N trials and after the last one, ROOTLY_CRASH_CHECK_EVERY).

The next trial's start is the restart: the bridge must come up on the
crashed database. At the end one more bridge answers for a sample of the
acknowledged alerts through its API.

ROOTLY_CRASH_TRIALS (default 100; CI runs 10), ROOTLY_CRASH_SEED.
"""

import os
import random
import signal
import sqlite3
import sys
import threading
import time
import http.client
import json

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bridgelib as bl  # noqa: E402


def fingerprint(labels):
    """Alertmanager's: FNV-1a 64 over sorted name 0xff value 0xff."""
    h = 0xcbf29ce484222325
    for k in sorted(labels):
        for part in (k.encode(), b"\xff", labels[k].encode(), b"\xff"):
            for byte in part:
                h ^= byte
                h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


class Client(threading.Thread):
    def __init__(self, addr, tid, trial, rng, stop):
        super().__init__(daemon=True)
        self.addr, self.tid, self.trial, self.rng, self.stop = addr, tid, trial, rng, stop
        self.acked = []      # fingerprints of alerts answered 2xx
        self.requests = 0
        self.non2xx = 0

    def run(self):
        host, port = self.addr.rsplit(":", 1)
        conn = None
        n = 0
        while not self.stop.is_set():
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, int(port), timeout=10)
                k = self.rng.randint(1, 10)
                labels = []
                for _ in range(k):
                    n += 1
                    labels.append({"alertname": "Crash", "severity": "warning", "service": "crash-svc",
                                   "uid": "t%d-c%d-%d" % (self.trial, self.tid, n)})
                body = json.dumps([{"labels": l, "annotations": {"summary": "crash " + l["uid"]}}
                                   for l in labels]).encode()
                conn.request("POST", "/api/v2/alerts", body, {"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                self.requests += 1
                if 200 <= r.status < 300:
                    self.acked.extend(fingerprint(l) for l in labels)
                else:
                    self.non2xx += 1
            except (OSError, http.client.HTTPException):
                # The bridge died (or is not up yet): whatever was in
                # flight was not acknowledged.
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.005)
        if conn is not None:
            conn.close()


def stored_fingerprints(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=30)
    try:
        # Schema v2 (src/store/sqlite_schema.c): the alerts' own table, made
        # by the first alert stored.
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'r_alert'").fetchone():
            return set()
        return {row[0] for row in con.execute("SELECT key FROM r_alert")}
    finally:
        con.close()


def integrity(path):
    con = sqlite3.connect(path, timeout=30)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def main():
    trials = int(os.environ.get("ROOTLY_CRASH_TRIALS", "100"))
    check_every = int(os.environ.get("ROOTLY_CRASH_CHECK_EVERY", "10"))
    seed = int(os.environ.get("ROOTLY_CRASH_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    tmp = bl.Scratch("bridge-crash")
    db = os.path.join(tmp.path, "crash.db")
    all_acked = []
    failures = 0
    t_start = time.monotonic()
    print("# crash test: %d trials, seed %d, db %s" % (trials, seed, db), flush=True)
    try:
        for trial in range(1, trials + 1):
            b = bl.Bridge(tmp.path, db=db, args=["--log-level", "warn"], log_name="bridge-%d.log" % trial).start()
            stop = threading.Event()
            clients = [Client(b.addr, i, trial, random.Random(rng.random()), stop) for i in range(4)]
            for c in clients:
                c.start()
            time.sleep(rng.uniform(0.05, 0.5) * bl.SLOW)
            b.proc.send_signal(signal.SIGKILL)
            b.proc.wait()
            b.log.close()
            stop.set()
            for c in clients:
                c.join()
            acked = [f for c in clients for f in c.acked]
            all_acked.extend(acked)
            stored = stored_fingerprints(db)
            missing = [f for f in acked if f not in stored]
            ok = integrity(db)
            problems = []
            if missing:
                problems.append("%d acknowledged alerts missing (e.g. %s)" % (len(missing), missing[:3]))
            if ok != "ok":
                problems.append("integrity_check: %s" % ok)
            if trial % check_every == 0 or trial == trials:
                rc, out, err = bl.cli("sqlite:" + db, "check")
                if rc != 0:
                    problems.append("rootly check: %s %s" % (out.strip(), err.strip()))
            reqs = sum(c.requests for c in clients)
            if problems:
                failures += 1
                print("not ok %d - %s" % (trial, "; ".join(problems)), flush=True)
            else:
                print("ok %d - %d requests, %d alerts acknowledged, all stored" % (trial, reqs, len(acked)),
                      flush=True)
        # A last restart, through the API.
        b = bl.Bridge(tmp.path, db=db, log_name="bridge-final.log").start()
        try:
            stored = stored_fingerprints(db)
            lost = [f for f in all_acked if f not in stored]
            r = b.req("GET", "/readyz")
            # A sample of acknowledged alerts, read back through the API:
            # each one's incident lists it, and its timeline verifies.
            sample = rng.sample(all_acked, min(20, len(all_acked))) if all_acked else []
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
            bad_api = []
            try:
                for fp in sample:
                    # The alert's incident is its record's group_key (the
                    # stored text leaves incident_id out: docs/data-model.md).
                    row = con.execute("SELECT group_key FROM r_alert WHERE key = ?", (fp,)).fetchone()
                    inc_id = row[0] if row else None
                    doc = b.req("GET", "/v1/incidents/%s" % inc_id).json() if inc_id else {}
                    ver = b.req("GET", "/v1/incidents/%s/timeline?verify=1" % inc_id).json() if inc_id else {}
                    if fp not in [a["fingerprint"] for a in doc.get("alerts", [])] or not ver.get("verified"):
                        bad_api.append(fp)
            finally:
                con.close()
        finally:
            rc = b.stop()
        if lost or bad_api or r.status != 200 or rc != 0:
            failures += 1
            print("not ok final - lost %d, not served by the API %s, readyz %d, exit %r" % (
                len(lost), bad_api[:3], r.status, rc))
        else:
            print("ok final - %d acknowledged alerts over %d trials, all stored; after a last restart the API "
                  "serves %d sampled ones with verified timelines; the bridge exits 0" % (
                      len(all_acked), trials, len(sample)))
        print("# %.1f s" % (time.monotonic() - t_start))
    finally:
        if failures:
            print("# keeping %s for inspection" % tmp.path)
        else:
            tmp.cleanup()
    if not all_acked:
        print("not ok - no request was ever acknowledged: the test tested nothing")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
