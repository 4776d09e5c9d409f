"""Post N distinct alerts (100 per request, 4 connections) to ADDR's
/api/v2/alerts; exit 1 if any answer is not 2xx. Used for the RSS
measurement: python3 fill.py ADDR N RUN_ID"""
import http.client
import json
import sys
import threading

addr, total, run = sys.argv[1], int(sys.argv[2]), sys.argv[3]
host, port = addr.rsplit(":", 1)
bad = []


def worker(tid, count):
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    n = 0
    while n < count:
        k = min(100, count - n)
        alerts = []
        for _ in range(k):
            n += 1
            i = "%s-f%d-%d" % (run, tid, n)
            alerts.append({"labels": {"alertname": "BenchAlert", "severity": "warning", "service": "svc-%d" % (n % 50),
                                      "instance": i, "job": "bench"},
                           "annotations": {"summary": "bench alert " + i, "description": "a distinct alert of the benchmark"},
                           "startsAt": "2026-11-26T10:00:00Z", "generatorURL": "http://prometheus:9090/graph?g0.expr=up"})
        conn.request("POST", "/api/v2/alerts", json.dumps(alerts), {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status // 100 != 2:
            bad.append(r.status)
    conn.close()


threads = [threading.Thread(target=worker, args=(t, total // 4)) for t in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if bad:
    print("non-2xx answers: %d (%s)" % (len(bad), sorted(set(bad))), file=sys.stderr)
    sys.exit(1)
