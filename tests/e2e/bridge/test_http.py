"""rootly-bridge over HTTP: every endpoint, its answers, limits and errors.

Run: ROOTLY_BRIDGE=... ROOTLY_CLI=... ROOTLY_FIXTURES=... python3 test_http.py
"""

import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bridgelib as bl  # noqa: E402

CONFIG = """
version: 1
sources:
  alertmanager:
    auth: {scheme: bearer, secrets: ["am-token"]}
  grafana:
    auth: {scheme: grafana, secrets: ["grafana-hmac-test-secret"]}
  pagerduty-webhook:
    auth: {scheme: pagerduty_v3, secrets: ["pd-whsec-NEW-1a2b3c4d5e6f70819293"]}
  opsgenie:
    auth: {scheme: basic, secrets: ["og:secret"]}
  datadog: {}
  cloudwatch: {}
  partner:
    type: generic
    auth: {scheme: hmac_sha256, secrets: ["whsec-1"], prefix: "sha256="}
    mapping: {alerts: /alerts, dedup_key: /id, summary: /title, severity: /level, status: /state}
users:
  root: {roles: [incident_manager]}
  alice: {roles: [responder]}
permissions:
  incident_manager: [skip_lifecycle_steps, change_severity, cancel_workflow_run]
  responder: []
transports:
  webhook: {type: webhook, timeout: 2s}
outbox:
  poll: 100ms
workflows:
  - name: notify-hook
    triggers: [incident_created]
    conditions: [{field: services, operator: contains, value: hooked-svc}]
    actions:
      - {type: webhook, url: "http://127.0.0.1:%(hook_port)d/hook", body: {incident: "{{ incident.ref }}"}}
"""

BEARER = {"Authorization": "Bearer am-token"}


def am_v2(name, **labels):
    labels = dict({"alertname": name, "severity": "critical", "service": "checkout-api", "team": "payments"}, **labels)
    return [{"labels": labels, "annotations": {"summary": name + " is failing"}}]


S = None  # the shared bridge


def prepare_mode():
    """The bridge's --prepare-on for this run (ROOTLY_BRIDGE_ARGS), or its
    default, auto."""
    args = os.environ.get("ROOTLY_BRIDGE_ARGS", "").split()
    return args[args.index("--prepare-on") + 1] if "--prepare-on" in args else "auto"


class Hook(http.server.BaseHTTPRequestHandler):
    """The outside service a workflow's webhook action calls."""
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Hook.received.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class HookServer:
    def start(self):
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        self.port = self.srv.server_port
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


HOOK = HookServer()


def setUpModule():
    global S, TMP
    TMP = bl.Scratch("bridge-http")
    cfg = os.path.join(TMP.path, "rootly.yaml")
    HOOK.start()
    with open(cfg, "w") as f:
        f.write(CONFIG % {"hook_port": HOOK.port})
    S = bl.Bridge(TMP.path, config=cfg).start()


def tearDownModule():
    rc = S.stop()
    HOOK.stop()
    log = S.log_text()
    TMP.cleanup()
    if rc != 0:
        raise AssertionError("bridge exit status %r after SIGTERM; log:\n%s" % (rc, log[-3000:]))


def error_body_ok(tc, r, status, word=None):
    tc.assertEqual(r.status, status, r)
    tc.assertTrue(r.header("content-type").startswith("application/json"), r.headers)
    doc = r.json()
    if word:
        tc.assertIn(word, json.dumps(doc))
    # Never internals: no SQL, file paths or source files.
    text = r.body.decode()
    for leak in ("sqlite", "SQLITE", TMP.path, ".c:", "errno"):
        tc.assertNotIn(leak, text)
    return doc


class Health(unittest.TestCase):
    def test_healthz_readyz(self):
        r = S.req("GET", "/healthz")
        self.assertEqual((r.status, r.json()), (200, {"status": "ok"}))
        r = S.req("GET", "/readyz")
        self.assertEqual(r.status, 200)

    def test_unknown_path_and_method(self):
        error_body_ok(self, S.req("GET", "/nope"), 404, "not_found")
        r = S.req("GET", "/api/v2/alerts")
        error_body_ok(self, r, 405, "POST")
        self.assertIn("POST", r.header("allow"))
        error_body_ok(self, S.req("POST", "/v1/incidents", b"{}"), 405)
        error_body_ok(self, S.req("POST", "/v1/alerts/bad%20name", b"{}"), 404)
        error_body_ok(self, S.req("GET", "/v1/incidents/INC-1/whatever"), 404)


class AlertmanagerV2(unittest.TestCase):
    def test_post_dedup_resolve(self):
        r = S.req("POST", "/api/v2/alerts", am_v2("V2Dedup"))
        self.assertEqual((r.status, r.body), (200, b""))
        before = len(bl.incidents(S, "?limit=10000"))
        r = S.req("POST", "/api/v2/alerts", am_v2("V2Dedup"))
        self.assertEqual(r.status, 200, "a duplicate is 2xx")
        self.assertEqual(len(bl.incidents(S, "?limit=10000")), before, "a duplicate declares nothing")
        inc = [i for i in bl.incidents(S) if i["title"] == "V2Dedup is failing"]
        self.assertEqual(len(inc), 1)
        self.assertEqual(inc[0]["severity"], 1)
        self.assertEqual(inc[0]["services"], ["checkout-api"])
        self.assertEqual(inc[0]["teams"], ["payments"])
        past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5))
        body = am_v2("V2Dedup")
        body[0]["endsAt"] = past
        body[0]["startsAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        self.assertEqual(S.req("POST", "/api/v2/alerts", body).status, 200)
        doc = S.req("GET", "/v1/incidents/" + inc[0]["ref"]).json()
        self.assertEqual([a["status"] for a in doc["alerts"]], ["resolved"])

    def test_alertmanager_answers(self):
        r = S.req("POST", "/api/v2/alerts", [{"annotations": {}}])
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json()["code"], 602)
        self.assertIn("labels", r.json()["message"])
        body = am_v2("V2Range")
        body[0]["startsAt"] = "2026-01-02T00:00:00Z"
        body[0]["endsAt"] = "2026-01-01T00:00:00Z"
        r = S.req("POST", "/api/v2/alerts", body)
        self.assertEqual((r.status, r.json()), (400, "start time must be before end time"))
        r = S.req("POST", "/api/v2/alerts", b'[{"labels":')
        self.assertEqual(r.status, 400, r)
        self.assertIn("invalid JSON", r.json()["message"])
        self.assertEqual(S.req("POST", "/api/v2/alerts", b"[]").status, 200)
        # Alertmanager's 200: no body, Content-Length 0 (sent with no body
        # buffer at all, server.c respond)
        r = S.req("POST", "/api/v2/alerts", am_v2("V2EmptyAnswer"))
        self.assertEqual((r.status, r.body), (200, b""))
        self.assertEqual({k.lower(): v for k, v in r.headers}.get("content-length"), "0")
        r = S.req("POST", "/api/v2/alerts", b"")
        self.assertEqual((r.status, r.json()["code"]), (400, 400))
        r = S.req("POST", "/api/v2/alerts", [{"labels": {"bad-name": "x"}}])
        self.assertEqual(r.status, 400, r)
        self.assertIn("invalid label name", r.json())

    def test_json_depth(self):
        deep = b"[" * 200 + b"]" * 200
        r = S.req("POST", "/api/v2/alerts", deep)
        self.assertIn(r.status, (400, 422), r)
        self.assertIn("nest", r.body.decode().lower())


class Sources(unittest.TestCase):
    def test_alertmanager_webhook_bearer(self):
        body = bl.fixture("alertmanager", "webhook-v4-firing.json")
        error_body_ok(self, S.req("POST", "/v1/alerts/alertmanager", body), 401, "Authorization")
        error_body_ok(self, S.req("POST", "/v1/alerts/alertmanager", body, {"Authorization": "Bearer nope"}), 401)
        r = S.req("POST", "/v1/alerts/alertmanager", body, BEARER)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["status"], "ok")
        self.assertIn(doc["alerts"][0]["outcome"], ("created", "attached"))
        r = S.req("POST", "/v1/alerts/alertmanager", body, BEARER)
        self.assertEqual(r.status, 200)
        self.assertEqual({a["outcome"] for a in r.json()["alerts"]}, {"deduplicated"})
        bad = bl.fixture("alertmanager", "bad-webhook-invalid-status-enum.json")
        doc = error_body_ok(self, S.req("POST", "/v1/alerts/alertmanager", bad, BEARER), 400, "invalid")
        self.assertIn("status", doc["message"])

    def test_grafana_signature(self):
        body = bl.fixture("grafana", "webhook-firing.json")
        vec = json.loads(bl.fixture("grafana", "hmac-signature-vector.json"))
        sig = vec["without_timestamp"]["headers"]
        self.assertEqual(S.req("POST", "/v1/alerts/grafana", body, sig).status, 200)
        error_body_ok(self, S.req("POST", "/v1/alerts/grafana", body + b" ", sig), 401)

    def test_pagerduty_webhook_signature(self):
        vec = json.loads(bl.fixture("pagerduty", "webhook-v3-signature-vector.json"))
        body = bl.fixture("pagerduty", vec["body_file"])
        r = S.req("POST", "/v1/alerts/pagerduty-webhook", body,
                  {"X-PagerDuty-Signature": vec["headers"]["X-PagerDuty-Signature"]})
        self.assertEqual(r.status, 200, r)
        error_body_ok(self, S.req("POST", "/v1/alerts/pagerduty-webhook", body), 401)

    def test_opsgenie_basic(self):
        body = bl.fixture("opsgenie", "webhook-create.json")
        good = {"Authorization": "Basic " + base64.b64encode(b"og:secret").decode()}
        self.assertEqual(S.req("POST", "/v1/alerts/opsgenie", body, good).status, 200)
        bad = {"Authorization": "Basic " + base64.b64encode(b"og:wrong").decode()}
        error_body_ok(self, S.req("POST", "/v1/alerts/opsgenie", body, bad), 401)

    def test_datadog_cloudwatch(self):
        r = S.req("POST", "/v1/alerts/datadog", bl.fixture("datadog", "webhook-default-rendered-triggered.json"))
        self.assertEqual(r.status, 200, r)
        r = S.req("POST", "/v1/alerts/cloudwatch", bl.fixture("aws-sns-cloudwatch", "notification-alarm.json"))
        self.assertEqual(r.status, 200, r)
        error_body_ok(self, S.req("POST", "/v1/alerts/datadog", bl.fixture("datadog", "bad-truncated.json")), 400)

    def test_generic_hmac(self):
        body = json.dumps({"alerts": [{"id": "gen-1", "title": "disk full", "level": "critical",
                                       "state": "firing"}]}).encode()
        sig = "sha256=" + hmac.new(b"whsec-1", body, hashlib.sha256).hexdigest()
        r = S.req("POST", "/v1/alerts/partner", body, {"X-Webhook-Signature-256": sig})
        self.assertEqual(r.status, 200, r)
        error_body_ok(self, S.req("POST", "/v1/alerts/partner", body), 401)

    def test_unknown_source(self):
        error_body_ok(self, S.req("POST", "/v1/alerts/nosuch", b"{}"), 404, "unknown_source")


class PagerDutyEnqueue(unittest.TestCase):
    def test_trigger_and_errors(self):
        body = bl.fixture("pagerduty", "events-v2-trigger.json")
        r = S.req("POST", "/v2/enqueue", body)
        self.assertEqual(r.status, 202, r)
        doc = r.json()
        self.assertEqual(doc["status"], "success")
        self.assertEqual(doc["message"], "Event processed")
        self.assertEqual(doc["dedup_key"], json.loads(body)["dedup_key"])
        self.assertEqual(S.req("POST", "/v2/enqueue", body).status, 202, "a duplicate is 2xx")
        r = S.req("POST", "/v2/enqueue", bl.fixture("pagerduty", "events-v2-trigger-edge-minimal.json"))
        self.assertEqual(r.status, 202, r)
        self.assertTrue(r.json()["dedup_key"])
        r = S.req("POST", "/v2/enqueue", bl.fixture("pagerduty", "bad-events-v2-wrong-types-enums.json"))
        self.assertEqual(r.status, 400, r)
        doc = r.json()
        self.assertEqual((doc["status"], doc["message"]), ("invalid event", "Event object is invalid"))
        self.assertGreater(len(doc["errors"]), 1)
        self.assertTrue(any("event_action" in e for e in doc["errors"]), doc)


class Incidents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = S.req("POST", "/api/v2/alerts", am_v2("IncidentApi", severity="warning", service="search"))
        assert r.status == 200, r
        cls.inc = [i for i in bl.incidents(S) if i["title"] == "IncidentApi is failing"][0]

    def test_list_filters(self):
        self.assertTrue(all(i["status"] in ("in_triage", "started", "mitigated") for i in bl.incidents(S, "?open=1")))
        sev3 = bl.incidents(S, "?severity=SEV3&service=search")
        self.assertIn(self.inc["ref"], [i["ref"] for i in sev3])
        self.assertEqual(len(bl.incidents(S, "?limit=1")), 1)
        error_body_ok(self, S.req("GET", "/v1/incidents?severity=SEV9"), 400)
        error_body_ok(self, S.req("GET", "/v1/incidents?limit=0"), 400, "limit")
        error_body_ok(self, S.req("GET", "/v1/incidents?status=sleeping"), 400)

    def test_get_timeline_postmortem(self):
        ref = self.inc["ref"]
        doc = S.req("GET", "/v1/incidents/" + ref).json()
        self.assertEqual(doc["ref"], ref)
        self.assertEqual(len(doc["alerts"]), 1)
        self.assertEqual(S.req("GET", "/v1/incidents/" + doc["id"]).json()["ref"], ref)
        error_body_ok(self, S.req("GET", "/v1/incidents/INC-99999"), 404, "not_found")
        tl = S.req("GET", "/v1/incidents/%s/timeline" % ref).json()
        # one event: the declaring alert rides on incident.created (no
        # alert.attached of its own)
        self.assertEqual([e["kind"] for e in tl], ["incident.created"])
        self.assertEqual(tl[0]["body"]["alert"]["summary"], "IncidentApi is failing")
        v = S.req("GET", "/v1/incidents/%s/timeline?verify=1" % ref).json()
        self.assertTrue(v["verified"])
        self.assertEqual(v["events"], len(tl))
        md = S.req("GET", "/v1/incidents/%s/postmortem" % ref)
        self.assertEqual(md.status, 200)
        self.assertTrue(md.header("content-type").startswith("text/markdown"))
        self.assertTrue(md.body.startswith(b"# Postmortem: " + ref.encode()))
        js = S.req("GET", "/v1/incidents/%s/postmortem" % ref, headers={"Accept": "application/json"})
        self.assertTrue(js.header("content-type").startswith("application/json"))
        self.assertIsInstance(js.json(), dict)

    def test_status_changes(self):
        r = S.req("POST", "/api/v2/alerts", am_v2("StatusApi"))
        ref = [i for i in bl.incidents(S) if i["title"] == "StatusApi is failing"][0]["ref"]
        path = "/v1/incidents/%s/status" % ref
        error_body_ok(self, S.req("POST", path, {"status": "started"}), 400, "actor")
        error_body_ok(self, S.req("POST", path, {"status": "sleeping", "actor": "alice"}), 400, "status")
        error_body_ok(self, S.req("POST", path, b"{oops"), 400, "invalid JSON")
        error_body_ok(self, S.req("POST", path, {"status": "started", "actor": "alice", "override": "yes"}), 400)
        r = S.req("POST", path, {"status": "acknowledged", "actor": "alice"})
        self.assertEqual(r.status, 200, r)
        self.assertGreater(r.json()["acknowledged_at"], 0)
        self.assertEqual(S.req("POST", path, {"status": "started", "actor": "alice"}).status, 200)
        r = S.req("POST", path, {"status": "resolved", "actor": "alice", "note": "rolled back"})
        self.assertEqual((r.status, r.json()["status"]), (200, "resolved"))
        doc = error_body_ok(self, S.req("POST", path, {"status": "in_triage", "actor": "alice"}), 409)
        self.assertEqual(doc["error"], "illegal_transition")
        doc = error_body_ok(self, S.req("POST", path, {"status": "in_triage", "actor": "alice", "override": True}), 403)
        self.assertEqual(doc["error"], "forbidden")
        r = S.req("POST", path, {"status": "started", "actor": "root", "override": True, "note": "reopened"})
        self.assertEqual((r.status, r.json()["status"]), (200, "started"))
        kinds = [(e["kind"], e["actor"]) for e in S.req("GET", path.replace("status", "timeline")).json()]
        self.assertIn(("status.changed", "alice"), kinds)
        self.assertIn(("status.changed", "root"), kinds)
        error_body_ok(self, S.req("POST", "/v1/incidents/INC-99999/status", {"status": "resolved", "actor": "a"}), 404)


METRIC_LINE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
                         r'(-?[0-9.e+-]+|NaN|\+Inf|-Inf)$')


class Outbox(unittest.TestCase):
    def test_workflow_webhook_delivered(self):
        r = S.req("POST", "/api/v2/alerts", am_v2("Hooked", service="hooked-svc"))
        self.assertEqual(r.status, 200)
        ref = [i for i in bl.incidents(S) if i["title"] == "Hooked is failing"][0]["ref"]
        got = bl.wait_until("the workflow's webhook", lambda: [h for h in Hook.received if h[0] == "/hook"])
        self.assertEqual(json.loads(got[0][2]), {"incident": ref})
        def delivered():
            kinds = [e["kind"] for e in S.req("GET", "/v1/incidents/%s/timeline" % ref).json()]
            return "action.delivered" in kinds
        bl.wait_until("action.delivered on the timeline", delivered)


class Metrics(unittest.TestCase):
    def batched(self):
        text = S.req("GET", "/metrics").body.decode()
        return int(re.search(r"^rootly_bridge_batched_requests_total (\d+)$", text, re.M).group(1))

    def test_refused_payloads_skip_the_batch(self):
        # Parsed before the commit queue (--prepare-on pool or loop; auto,
        # the default, for bodies of 4 KiB or more), a refused payload is
        # answered without entering a group commit; parsed on the commit
        # worker (worker; auto for smaller bodies) it is refused inside one.
        before = self.batched()
        body = bl.fixture("alertmanager", "webhook-v4-firing.json")
        self.assertEqual(S.req("POST", "/api/v2/alerts", b'[{"labels":').status, 400)
        self.assertEqual(S.req("POST", "/api/v2/alerts", [{"annotations": {}}]).status, 422)
        self.assertEqual(S.req("POST", "/v1/alerts/alertmanager", body).status, 401)
        self.assertEqual(S.req("POST", "/v1/alerts/nosuchsource", body).status, 404)
        self.assertEqual(S.req("POST", "/v2/enqueue", b"{}").status, 400)
        mode = prepare_mode()
        self.assertEqual(self.batched() - before, 0 if mode in ("pool", "loop") else 5)
        before = self.batched()
        big = b'[{"labels":{"alertname":"' + b"x" * 5000 + b'"}'
        self.assertEqual(S.req("POST", "/api/v2/alerts", big).status, 400)
        big = json.dumps([{"annotations": {"summary": "y" * 5000}}]).encode()
        self.assertEqual(S.req("POST", "/api/v2/alerts", big).status, 422)
        self.assertEqual(self.batched() - before, 2 if mode == "worker" else 0)

    def test_exposition(self):
        S.req("POST", "/api/v2/alerts", am_v2("MetricsApi"))
        r = S.req("GET", "/metrics")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8")
        text = r.body.decode()
        for line in text.splitlines():
            if line.startswith("#"):
                self.assertRegex(line, r"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+")
            else:
                self.assertRegex(line, METRIC_LINE)
        self.assertRegex(text, r'rootly_bridge_requests_total\{route="/api/v2/alerts",code="200"\} [1-9]')
        self.assertRegex(text, r'rootly_bridge_alerts_total\{source="alertmanager-v2",outcome="created"\} [1-9]')
        self.assertRegex(text, r'rootly_bridge_ingest_requests_total\{source="alertmanager-v2",result="ok"\} [1-9]')
        self.assertRegex(text, r'rootly_bridge_commit_duration_seconds_bucket\{le="\+Inf"\} [1-9]')
        self.assertRegex(text, r'rootly_bridge_open_incidents\{severity="SEV1"\} [1-9]')
        self.assertIn("# TYPE rootly_incident_tta_seconds summary", text)
        self.assertIn("# TYPE rootly_incident_ttr_seconds summary", text)


class Http2(unittest.TestCase):
    def test_prior_knowledge(self):
        curl = shutil.which("curl")
        bl.require("curl with HTTP/2",
                   curl and "HTTP2" in subprocess.run([curl, "-V"], capture_output=True, text=True).stdout)
        out = subprocess.run([curl, "-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version} %{http_code} %{size_download}",
                              "-X", "POST", "--data-binary", json.dumps(am_v2("H2")), S.url("/api/v2/alerts")],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout, "2 200 0")


class Limits(unittest.TestCase):
    """Each test runs its own bridge with small limits."""

    def bridge(self, *args, db=None):
        tmp = bl.Scratch("bridge-limits")
        self.addCleanup(tmp.cleanup)
        b = bl.Bridge(tmp.path, db=db(tmp.path) if db else None, args=args).start()
        def stop():
            rc = b.stop()
            self.assertEqual(rc, 0, b.log_text()[-2000:])
        self.addCleanup(stop)
        return b

    def test_body_limit_before_reading(self):
        b = self.bridge("--max-body", "1024")
        r = b.req("POST", "/api/v2/alerts", b"[" + b" " * 2000 + b"]")
        self.assertEqual(r.status, 413)
        # Announce 100 MB and send none of it: the answer comes at once.
        host, port = b.addr.split(":")
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(b"POST /api/v2/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
            head = s.recv(4096)
        self.assertTrue(head.startswith(b"HTTP/1.1 413"), head)

    def test_header_limit(self):
        b = self.bridge()
        host, port = b.addr.split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
            head = s.recv(4096)
        self.assertTrue(head.startswith(b"HTTP/1.1 431"), head)
        # Beyond h2o's own bound (about 400 KiB of head) the connection is refused.
        with socket.create_connection((host, int(port)), timeout=10) as s:
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 600000 + b"\r\n\r\n")
                head = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                head = b"reset"
        self.assertFalse(head.startswith(b"HTTP/1.1 200"), head)
        self.assertEqual(b.req("GET", "/healthz").status, 200)

    def test_request_timeout(self):
        b = self.bridge("--request-timeout-ms", "300")
        host, port = b.addr.split(":")
        with socket.create_connection((host, int(port)), timeout=10 * bl.SLOW) as s:
            s.sendall(b"POST /api/v2/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n[")
            t0 = time.monotonic()
            data = s.recv(4096)
            while data and not data.endswith(b"\r\n\r\n") and b"HTTP/1.1" not in data:
                data += s.recv(4096)
            # Closed (or answered with an error), within seconds, not never.
            self.assertLess(time.monotonic() - t0, 8 * bl.SLOW)
            self.assertFalse(data.startswith(b"HTTP/1.1 200"), data)

    def test_connection_cap(self):
        b = self.bridge("--max-connections", "2")
        host, port = b.addr.split(":")
        held = [socket.create_connection((host, int(port)), timeout=10) for _ in range(2)]
        for s in held:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertIn(b"200 OK", s.recv(4096))
        third = socket.create_connection((host, int(port)), timeout=10)
        third.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        third.settimeout(0.7)
        with self.assertRaises(socket.timeout):
            third.recv(4096)
        held[0].close()
        third.settimeout(10 * bl.SLOW)
        self.assertIn(b"200 OK", third.recv(4096))
        third.close()
        held[1].close()

    def test_storage_trouble_is_503(self):
        # A writer holding the database lock: the bridge's commit waits its
        # busy timeout, then the alert is refused with 503 + Retry-After.
        b = self.bridge("--queue-max", "1", db=lambda d: "sqlite:%s/rootly.db?busy_timeout=1000" % d)
        self.assertEqual(b.req("POST", "/api/v2/alerts", am_v2("BeforeLock")).status, 200)
        path = b.db.split(":", 1)[1].split("?")[0]
        con = sqlite3.connect(path, timeout=5, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        try:
            results = {}
            def post(name):
                results[name] = b.req("POST", "/api/v2/alerts", am_v2(name))
            t1 = threading.Thread(target=post, args=("Locked1",))
            t1.start()
            time.sleep(0.1)
            t2 = threading.Thread(target=post, args=("Locked2",))
            t2.start()
            time.sleep(0.05)
            post("Locked3")
            t1.join()
            t2.join()
            # Clients that give up while their request waits for the
            # commit: the answer is dropped, the bridge carries on.
            host, port = b.addr.split(":")
            for _ in range(3):
                with socket.create_connection((host, int(port)), timeout=5) as s:
                    body = json.dumps(am_v2("GaveUp")).encode()
                    s.sendall(b"POST /api/v2/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                    time.sleep(0.05)
            # Not ready while the store refuses commits (the probe fails too).
            ready_locked = b.req("GET", "/readyz")
        finally:
            con.execute("ROLLBACK")
            con.close()
        self.assertEqual(results["Locked1"].status, 503, results)
        self.assertEqual(results["Locked1"].header("retry-after"), "1")
        doc = results["Locked1"].json()
        self.assertEqual(doc["error"], "unavailable")
        self.assertNotIn("lock", doc["message"])
        # With one request in the commit and one queued, the next is refused at once.
        self.assertEqual(results["Locked3"].status, 503)
        self.assertEqual(results["Locked3"].json()["error"], "overloaded")
        self.assertEqual(ready_locked.status, 503)
        self.assertEqual(ready_locked.header("retry-after"), "1")
        # Ready again once the queue drains and a probe commits.
        bl.wait_until("ready after the lock", lambda: b.req("GET", "/readyz").status == 200)
        # Nothing refused was stored; after the lock, everything works again.
        self.assertEqual(b.req("POST", "/api/v2/alerts", am_v2("AfterLock")).status, 200)
        titles = {i["title"] for i in bl.incidents(b)}
        self.assertIn("AfterLock is failing", titles)
        self.assertNotIn("Locked1 is failing", titles)
        self.assertNotIn("Locked3 is failing", titles)
        self.assertEqual(b.req("GET", "/readyz").status, 200)

    def test_sigterm_finishes_and_exits_0(self):
        tmp = bl.Scratch("bridge-term")
        self.addCleanup(tmp.cleanup)
        b = bl.Bridge(tmp.path).start()
        results = []
        def post(i):
            results.append(b.req("POST", "/api/v2/alerts", am_v2("Term%d" % i)).status)
        threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        time.sleep(0.05)
        rc = b.stop()
        for t in threads:
            t.join()
        self.assertEqual(rc, 0, b.log_text()[-2000:])
        self.assertIn("stopped", b.log_text())
        b2 = bl.Bridge(tmp.path, log_name="bridge2.log").start()
        try:
            titles = {i["title"] for i in bl.incidents(b2, "?limit=10000")}
        finally:
            b2.stop()
        ok = results.count(200)
        stored = len([t for t in titles if t.startswith("Term")])
        self.assertGreaterEqual(stored, ok, "every 200 is stored")


    def test_sigterm_drains_the_commit_threads(self):
        """SIGTERM while requests are queued and one is in the commit
        worker's own thread (held there by a writer's lock; one batch per
        request: --batch-max 1): once the lock goes, every request is
        answered 200 and stored, and the exit status is 0. The worker, the
        syncer (and with --prepare-on pool or auto the prepare lane) are one named
        thread each."""
        tmp = bl.Scratch("bridge-drain")
        self.addCleanup(tmp.cleanup)
        path = os.path.join(tmp.path, "rootly.db")
        b = bl.Bridge(tmp.path, db="sqlite:%s?busy_timeout=60000" % path, args=["--batch-max", "1"]).start()
        if not os.environ.get("ROOTLY_BRIDGE_WRAPPER"):
            names = []
            for t in os.listdir("/proc/%d/task" % b.proc.pid):
                with open("/proc/%d/task/%s/comm" % (b.proc.pid, t)) as f:
                    names.append(f.read().strip())
            pool = prepare_mode() in ("pool", "auto")
            self.assertEqual(names.count("br-commit"), 1, names)
            self.assertEqual(names.count("br-sync"), 1, names)
            self.assertEqual(names.count("br-prepare"), 1 if pool else 0, names)
        self.assertEqual(b.req("POST", "/api/v2/alerts", am_v2("DrainFirst")).status, 200)
        n = 12
        results, errors = {}, []
        def post(i):
            alerts = [am_v2("Drain%d_%d" % (i, k))[0] for k in range(50)]
            try:
                results[i] = b.req("POST", "/api/v2/alerts", alerts, timeout=120 * bl.SLOW).status
            except Exception as e:
                errors.append(repr(e))
        con = sqlite3.connect(path, timeout=5, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
        try:
            for t in threads:
                t.start()
            # Every request read: one waits for the lock in the worker, the
            # others in the queue (/metrics runs on the reader context).
            def queued():
                m = re.search(r"^rootly_bridge_queued_requests (\d+)$", b.req("GET", "/metrics").body.decode(), re.M)
                return int(m.group(1)) >= n - 1
            bl.wait_until("the requests to be queued", queued)
            b.proc.send_signal(signal.SIGTERM)
            time.sleep(0.2)
        finally:
            con.execute("ROLLBACK")
            con.close()
        rc = b.stop()
        for t in threads:
            t.join()
        self.assertEqual(rc, 0, b.log_text()[-2000:])
        self.assertEqual(errors, [], b.log_text()[-2000:])
        self.assertEqual(results, {i: 200 for i in range(n)})
        b2 = bl.Bridge(tmp.path, log_name="bridge2.log").start()
        try:
            titles = {i["title"] for i in bl.incidents(b2, "?limit=10000")}
        finally:
            b2.stop()
        for i in range(n):
            for k in range(50):
                self.assertIn("Drain%d_%d is failing" % (i, k), titles)

class Startup(unittest.TestCase):
    def run_bridge(self, *args):
        return subprocess.run([bl.BRIDGE] + list(args), capture_output=True, text=True, timeout=60 * bl.SLOW)

    def test_usage_and_start_failures(self):
        tmp = bl.Scratch("bridge-start")
        self.addCleanup(tmp.cleanup)
        self.assertEqual(self.run_bridge("--bogus", "1").returncode, 2)
        self.assertEqual(self.run_bridge("--max-body", "0").returncode, 2)
        self.assertEqual(self.run_bridge("--prepare-on", "gpu").returncode, 2)
        self.assertEqual(self.run_bridge("--listen", "nowhere", "--db", os.path.join(tmp.path, "w.db")).returncode, 2)
        self.assertFalse(os.path.exists(os.path.join(tmp.path, "w.db")), "a usage error opens nothing")
        r = self.run_bridge("--listen", "127.0.0.1:0", "--db", "sqlite:%s/x.db?cache_kib=1" % tmp.path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cache_kib must be 64 to 1048576", r.stderr)
        bad = os.path.join(tmp.path, "bad.yaml")
        with open(bad, "w") as f:
            f.write("version: 1\nroutes:\n  - match: {severity: critical}\n    contineu: true\n")
        r = self.run_bridge("--listen", "127.0.0.1:0", "--db", os.path.join(tmp.path, "y.db"), "--config", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn("contineu", r.stderr)
        # A smaller page cache is a valid store option.
        b = bl.Bridge(tmp.path, db="sqlite:%s/z.db?cache_kib=2048" % tmp.path).start()
        self.assertEqual(b.req("POST", "/api/v2/alerts", am_v2("SmallCache")).status, 200)
        self.assertEqual(b.stop(), 0)


class Logging(unittest.TestCase):
    def test_one_line_per_request(self):
        S.req("GET", "/healthz?probe=log-check")
        S.req("GET", "/healthz")  # a later request flushes the buffer
        lines = [l for l in S.log_text().splitlines() if "msg=request" in l]
        self.assertTrue(any("method=GET path=/healthz" in l and "status=200" in l for l in lines), lines[-5:])
        for l in lines:
            self.assertRegex(l, r"^ts=\S+ level=(info|warn) msg=request method=\S+ path=\S+ status=\d+ bytes=\d+ duration_ms=[0-9.]+")


if __name__ == "__main__":
    bl.main()
