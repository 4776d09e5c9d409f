"""The real Prometheus 2.42 alerting straight into rootly-bridge.

The bridge is listed as Prometheus' Alertmanager (api_version v2), so
Prometheus POSTs its alerts to /api/v2/alerts. One rule always fires
(an incident is declared); another follows a gauge served by a tiny HTTP
server of this test: when the test flips the gauge to 0 the rule stops
firing, Prometheus sends the alert with endsAt in the past, and the
bridge resolves it.
"""

import http.server
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bridgelib as bl  # noqa: E402

PROM_CONFIG = """
global:
  scrape_interval: 1s
  evaluation_interval: 1s
alerting:
  alertmanagers:
    - api_version: v2
      static_configs:
        - targets: ["%(bridge)s"]
rule_files: [rules.yml]
scrape_configs:
  - job_name: flip
    static_configs:
      - targets: ["%(flip)s"]
"""

RULES = """
groups:
  - name: rootly-e2e
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: critical, service: prom-e2e, team: sre}
        annotations: {summary: "AlwaysFiring from Prometheus"}
      - alert: FlipGauge
        expr: rootly_e2e_flip > 0
        labels: {severity: warning, service: flip-svc, team: sre}
        annotations: {summary: "FlipGauge from Prometheus"}
"""

STATE = {"flip": 1}


class Gauge(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("# TYPE rootly_e2e_flip gauge\nrootly_e2e_flip %d\n" % STATE["flip"]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class PrometheusToBridge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        bl.require("prometheus", os.access(bl.PROMETHEUS, os.X_OK))
        cls.tmp = bl.Scratch("bridge-prom")
        cls.gauge = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gauge)
        threading.Thread(target=cls.gauge.serve_forever, daemon=True).start()
        cls.bridge = bl.Bridge(cls.tmp.path).start()
        conf = PROM_CONFIG % {"bridge": cls.bridge.addr, "flip": "127.0.0.1:%d" % cls.gauge.server_port}
        cls.prom, cls.prom_addr = bl.start_prometheus(cls.tmp.path, conf, RULES)

    @classmethod
    def tearDownClass(cls):
        bl.stop_proc(cls.prom)
        cls.gauge.shutdown()
        cls.gauge.server_close()
        rc = cls.bridge.stop()
        cls.tmp.cleanup()
        assert rc == 0, "bridge exit status %r" % rc

    def find(self, title):
        found = [i for i in bl.incidents(self.bridge, "?limit=1000") if i["title"] == title]
        return found[0] if found else None

    def test_1_always_firing_declares(self):
        inc = bl.wait_until("AlwaysFiring's incident", lambda: self.find("AlwaysFiring from Prometheus"), timeout=60)
        self.assertEqual(inc["severity"], 1)
        self.assertEqual(inc["services"], ["prom-e2e"])
        self.assertEqual(inc["teams"], ["sre"])

    def test_2_rule_that_stops_firing_resolves(self):
        inc = bl.wait_until("FlipGauge's incident", lambda: self.find("FlipGauge from Prometheus"), timeout=60)
        alerts = self.bridge.req("GET", "/v1/incidents/" + inc["ref"]).json()["alerts"]
        self.assertEqual([a["status"] for a in alerts], ["firing"])
        STATE["flip"] = 0
        def resolved():
            d = self.bridge.req("GET", "/v1/incidents/" + inc["ref"]).json()
            return d if [a["status"] for a in d["alerts"]] == ["resolved"] else None
        bl.wait_until("FlipGauge to resolve", resolved, timeout=60)
        kinds = [e["kind"] for e in self.bridge.req("GET", "/v1/incidents/%s/timeline" % inc["ref"]).json()]
        self.assertIn("alert.resolved", kinds)
        # Repeated resends of the firing AlwaysFiring alert stay one incident.
        titles = [i["title"] for i in bl.incidents(self.bridge, "?limit=1000")]
        self.assertEqual(titles.count("AlwaysFiring from Prometheus"), 1)
        self.assertEqual(titles.count("FlipGauge from Prometheus"), 1)


if __name__ == "__main__":
    bl.main()
