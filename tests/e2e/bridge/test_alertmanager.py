"""The real Prometheus Alertmanager 0.25 notifying rootly-bridge's webhook.

Alerts are posted into Alertmanager with its API v2; Alertmanager groups
them and POSTs webhook v4 notifications to /v1/alerts/alertmanager with a
bearer token (http_config.authorization), as an operator would set it up.
"""

import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bridgelib as bl  # noqa: E402

BRIDGE_CONFIG = """
version: 1
sources:
  alertmanager:
    auth: {scheme: bearer, secrets: ["am-e2e-token"]}
"""

AM_CONFIG = """
global:
  resolve_timeout: 5s
route:
  receiver: rootly
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: rootly
    webhook_configs:
      - url: http://%(bridge)s/v1/alerts/alertmanager
        send_resolved: true
        max_alerts: 0
        http_config:
          authorization:
            type: Bearer
            credentials: am-e2e-token
"""


def ts(offset):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))


def alert(name, ends=None, **labels):
    a = {"labels": dict({"alertname": name}, **labels),
         "annotations": {"summary": "%s on %s" % (name, labels.get("service", "?"))},
         "startsAt": ts(-30)}
    if ends is not None:
        a["endsAt"] = ends
    return a


class AlertmanagerToBridge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        bl.require("prometheus-alertmanager", os.access(bl.ALERTMANAGER, os.X_OK))
        cls.tmp = bl.Scratch("bridge-am")
        cfg = os.path.join(cls.tmp.path, "rootly.yaml")
        with open(cfg, "w") as f:
            f.write(BRIDGE_CONFIG)
        cls.bridge = bl.Bridge(cls.tmp.path, config=cfg).start()
        cls.am, cls.am_addr = bl.start_alertmanager(cls.tmp.path, AM_CONFIG % {"bridge": cls.bridge.addr})

    @classmethod
    def tearDownClass(cls):
        bl.stop_proc(cls.am)
        rc = cls.bridge.stop()
        cls.tmp.cleanup()
        assert rc == 0, "bridge exit status %r" % rc

    def post_am(self, alerts):
        r = bl.request(self.am_addr, "POST", "/api/v2/alerts", alerts)
        self.assertEqual(r.status, 200, r)

    def find(self, title):
        found = [i for i in bl.incidents(self.bridge, "?limit=1000") if i["title"] == title]
        return found[0] if found else None

    def test_1_firing_alert_declares_incident(self):
        self.post_am([alert("DiskFull", severity="critical", service="storage-api", team="infra")])
        inc = bl.wait_until("the incident", lambda: self.find("DiskFull on storage-api"))
        self.assertEqual(inc["severity"], 1)
        self.assertEqual(inc["services"], ["storage-api"])
        self.assertEqual(inc["teams"], ["infra"])
        self.assertEqual(inc["status"], "in_triage")
        self.assertEqual(inc["created_by"], "alertmanager")

    def test_2_group_of_three_then_resolved(self):
        group = [alert("HighLatency", severity="warning", service="checkout-api", team="payments",
                       instance="checkout-api-%d" % i) for i in range(3)]
        self.post_am(group)
        def three():
            inc = self.find("HighLatency on checkout-api")
            return inc if inc and inc["alert_count"] == 3 else None
        inc = bl.wait_until("one incident with 3 alerts", three)
        titles = [i["title"] for i in bl.incidents(self.bridge, "?limit=1000")]
        self.assertEqual(titles.count("HighLatency on checkout-api"), 1, "the group is one incident")
        self.assertEqual(inc["severity"], 3)
        doc = self.bridge.req("GET", "/v1/incidents/" + inc["ref"]).json()
        self.assertEqual(len(doc["alerts"]), 3)
        self.assertEqual({a["status"] for a in doc["alerts"]}, {"firing"})

        # Resolve: the same alerts with endsAt in the past.
        for a in group:
            a["endsAt"] = ts(-1)
        self.post_am(group)
        def resolved():
            d = self.bridge.req("GET", "/v1/incidents/" + inc["ref"]).json()
            return d if {a["status"] for a in d["alerts"]} == {"resolved"} else None
        bl.wait_until("the resolved notification", resolved)
        tl = self.bridge.req("GET", "/v1/incidents/%s/timeline" % inc["ref"]).json()
        kinds = [e["kind"] for e in tl]
        self.assertEqual(kinds.count("alert.resolved"), 3, kinds)
        self.assertIn("alerts.all_resolved", kinds)
        self.assertTrue(self.bridge.req("GET", "/v1/incidents/%s/timeline?verify=1" % inc["ref"]).json()["verified"])

    def test_3_alertmanager_saw_only_successes(self):
        self.post_am([alert("Canary", severity="info", service="canary")])
        bl.wait_until("the canary", lambda: self.find("Canary on canary"))
        text = bl.request(self.am_addr, "GET", "/metrics").body.decode()
        sent = re.search(r'alertmanager_notifications_total\{integration="webhook"\} (\d+)', text)
        failed = re.search(r'alertmanager_notifications_failed_total\{integration="webhook"\} (\d+)', text)
        self.assertTrue(sent and int(sent.group(1)) >= 3, text[:2000])
        self.assertEqual(int(failed.group(1)), 0, "the bridge answered every notification 2xx")
        log = self.bridge.log_text()
        self.assertIn("path=/v1/alerts/alertmanager status=200", log)
        self.assertNotIn("status=401", log)


if __name__ == "__main__":
    bl.main()
