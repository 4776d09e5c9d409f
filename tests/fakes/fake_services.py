#!/usr/bin/env python3
"""Fake Slack Web API, Jira Cloud REST v3, Statuspage and webhook/runbook
receivers on 127.0.0.1 (standard library only), for the outbox tests.

Every request is checked against the documented shape (method, path,
headers including auth, body fields: docs/transports.md); a violation is
answered 400 and listed under "violations" in GET /_stats, so a test fails
on it. Answers come from tests/fixtures/{slack-web-api,jira,statuspage}.

Routes (the base URLs the transports get):
  POST /slack/api/<method>                  Bearer token
  POST /jira/rest/api/3/issue               Basic email:token
  POST|PATCH /statuspage/v1/pages/<page>/incidents[/<id>]   OAuth token
  POST|PUT|PATCH /hook/<anything>           Idempotency-Key header
  GET  /kb?service=NAME
Control:
  GET  /_stats   {"requests": n, "by_route": {...}, "keys": {key: count},
                  "violations": [...], "channels": [...]}
  POST /_script  {"<route>": [behaviour, ...]} appended to each route's queue
                 route = slack.<method> | jira | statuspage | hook | kb
                 behaviour = "ok" | "error:<slack code>" | "status:<n>" |
                   "ratelimit:<seconds>" (429 + Retry-After) |
                   "sleep:<seconds>" (then answer normally) | "name_taken"
  POST /_reset
Start: fake_services.py --port-file FILE [--fixtures DIR] [--slack-token T]
       [--jira-email E --jira-token T] [--statuspage-token T]
The port (random, 127.0.0.1) is written to FILE once the server listens.
Slack behaviours also: "partial" (invite partial errors), "html" (502 page);
kb: "notfound" (404).
"""
import argparse
import base64
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

LOCK = threading.Lock()
STATE = {}


def reset():
    STATE.clear()
    STATE.update(requests=0, by_route={}, keys={}, violations=[], channels=[], script={},
                 issues=0, sp_incidents=0, messages=0, bodies=[])


reset()
ARGS = None


def fixture(rel):
    with open(os.path.join(ARGS.fixtures, rel), "rb") as f:
        return json.loads(f.read().decode("utf-8"))


SLACK_NAME = re.compile(r"^[a-z0-9_-]{1,80}$")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    # --- plumbing -----------------------------------------------------------
    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, obj=None, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(obj).encode() if obj is not None else b"")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _violation(self, msg):
        with LOCK:
            STATE["violations"].append("%s %s: %s" % (self.command, self.path, msg))
        self._send(400, {"error": "shape", "message": msg})

    def _next(self, route):
        with LOCK:
            q = STATE["script"].get(route) or []
            return q.pop(0) if q else "ok"

    def _count_key(self, key):
        if key:
            with LOCK:
                STATE["keys"][key] = STATE["keys"].get(key, 0) + 1

    def _json(self, raw):
        try:
            return json.loads(raw.decode("utf-8"))
        except Exception:
            return None

    def _generic(self, b, slack=False):
        """Apply a behaviour common to every route; True when answered."""
        if b.startswith("sleep:"):
            time.sleep(float(b[6:]))
            return False
        if b.startswith("status:"):
            code = int(b[7:])
            self._send(code, {"message": "scripted %d" % code})
            return True
        if b.startswith("ratelimit:"):
            body = {"ok": False, "error": "ratelimited"} if slack else {"message": "rate limited"}
            self._send(429, body, {"Retry-After": b[10:]})
            return True
        return False

    # --- dispatch -----------------------------------------------------------
    def do_GET(self):
        u = urlparse(self.path)
        if u.path == "/_stats":
            with LOCK:
                self._send(200, STATE)
            return
        if u.path == "/kb":
            self._route("kb")
            svc = parse_qs(u.query).get("service", [""])[0]
            b = self._next("kb")
            if self._generic(b):
                return
            if not svc:
                return self._violation("kb: missing service")
            if b == "notfound":
                return self._send(404, {"message": "no runbook"})
            return self._send(200, {"url": "https://runbooks.example.com/%s" % svc})
        self._send(404, {"message": "no route"})

    def do_POST(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def _route(self, name):
        with LOCK:
            STATE["requests"] += 1
            STATE["by_route"][name] = STATE["by_route"].get(name, 0) + 1

    def _dispatch(self):
        raw = self._body()
        u = urlparse(self.path)
        p = u.path
        if p == "/_script":
            script = self._json(raw)
            # A script the fake cannot follow is refused (the test's call
            # raises), never half applied: a test must not pass because
            # the behaviour it scripted never happened.
            if not isinstance(script, dict) or not all(
                    isinstance(v, list) and all(isinstance(b, str) for b in v) for v in script.values()):
                return self._send(400, {"message": "script: expected {route: [behaviour, ...]}"})
            with LOCK:
                for k, v in script.items():
                    STATE["script"].setdefault(k, []).extend(v)
            return self._send(200, {"ok": True})
        if p == "/_reset":
            with LOCK:
                reset()
            return self._send(200, {"ok": True})
        if p.startswith("/slack/api/"):
            return self._slack(p[len("/slack/api/"):], raw)
        if p == "/jira/rest/api/3/issue":
            return self._jira(raw)
        m = re.match(r"^/statuspage/v1/pages/([A-Za-z0-9_-]+)/incidents(?:/([A-Za-z0-9_-]+))?$", p)
        if m:
            return self._statuspage(m.group(1), m.group(2), raw)
        if p.startswith("/hook/"):
            return self._hook(raw)
        self._send(404, {"message": "no route %s" % p})

    # --- Slack ----------------------------------------------------------------
    def _slack(self, method, raw):
        self._route("slack." + method)
        if self.command != "POST":
            return self._violation("slack: method must be POST")
        if self.headers.get("Authorization") != "Bearer " + ARGS.slack_token:
            return self._send(200, {"ok": False, "error": "invalid_auth"})
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            return self._violation("slack: Content-Type must be application/json")
        body = self._json(raw)
        if not isinstance(body, dict):
            return self._violation("slack: body is not a JSON object")
        b = self._next("slack." + method)
        if self._generic(b, slack=True):
            return
        if b.startswith("error:"):
            return self._send(200, {"ok": False, "error": b[6:]})
        if b == "html":
            return self._send(502, raw=b"<html><body>502 Bad Gateway</body></html>")
        if method == "conversations.create":
            name = body.get("name")
            if not isinstance(name, str) or not SLACK_NAME.match(name):
                return self._send(200, fixture("slack-web-api/conversations.create-response-invalid_name_specials.json"))
            if not isinstance(body.get("is_private", False), bool):
                return self._violation("conversations.create: is_private must be a boolean")
            with LOCK:
                taken = name in STATE["channels"] or b == "name_taken"
                if not taken:
                    STATE["channels"].append(name)
            if taken:
                return self._send(200, fixture("slack-web-api/conversations.create-response-name_taken.json"))
            r = fixture("slack-web-api/conversations.create-response-ok.json")
            r["channel"]["name"] = r["channel"]["name_normalized"] = name
            r["channel"]["id"] = "C%04d" % len(STATE["channels"])
            return self._send(200, r)
        if method == "conversations.setTopic":
            if not isinstance(body.get("channel"), str) or not isinstance(body.get("topic"), str):
                return self._violation("setTopic: channel and topic are required strings")
            return self._send(200, fixture("slack-web-api/conversations.setTopic-response-ok.json"))
        if method == "conversations.invite":
            users = body.get("users")
            if not isinstance(body.get("channel"), str) or not isinstance(users, str) or \
                    not all(re.match(r"^[UW][A-Z0-9]+$", x) for x in users.split(",")):
                return self._violation("invite: channel and comma-separated user ids required")
            if b == "partial":
                return self._send(200, fixture("slack-web-api/conversations.invite-response-partial-errors.json"))
            return self._send(200, fixture("slack-web-api/conversations.invite-response-ok.json"))
        if method == "chat.postMessage":
            if not isinstance(body.get("channel"), str) or not isinstance(body.get("text"), str):
                return self._violation("postMessage: channel and text required")
            md = body.get("metadata") or {}
            key = (md.get("event_payload") or {}).get("idempotency_key")
            if md.get("event_type") != "rootly_outbox" or not key:
                return self._violation("postMessage: metadata.event_payload.idempotency_key missing")
            self._count_key(key)
            with LOCK:
                STATE["messages"] += 1
                ts = "1773480471.%06d" % STATE["messages"]
            r = fixture("slack-web-api/chat.postMessage-response-ok.json")
            r["ts"] = r["message"]["ts"] = ts
            r["channel"] = body["channel"]
            return self._send(200, r)
        if method == "pins.add":
            if not isinstance(body.get("channel"), str) or not re.match(r"^\d+\.\d+$", str(body.get("timestamp"))):
                return self._violation("pins.add: channel and a message timestamp required")
            return self._send(200, fixture("slack-web-api/pins.add-response-ok.json"))
        return self._send(200, {"ok": False, "error": "unknown_method"})

    # --- Jira -----------------------------------------------------------------
    def _jira(self, raw):
        self._route("jira")
        want = "Basic " + base64.b64encode(("%s:%s" % (ARGS.jira_email, ARGS.jira_token)).encode()).decode()
        if self.headers.get("Authorization") != want:
            return self._send(401, {"errorMessages": ["Client must be authenticated"], "errors": {}})
        body = self._json(raw)
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            return self._violation("jira: body must be {fields: {...}}")
        f = body["fields"]
        errs = {}
        if not isinstance(f.get("project"), dict) or not (f["project"].get("key") or f["project"].get("id")):
            errs["project"] = "project is required"
        if not isinstance(f.get("issuetype"), dict) or not (f["issuetype"].get("name") or f["issuetype"].get("id")):
            errs["issuetype"] = "issue type is required"
        s = f.get("summary")
        if not isinstance(s, str) or not s or len(s) > 255:
            errs["summary"] = "You must specify a summary of the issue."
        d = f.get("description")
        if d is not None and not self._adf_ok(d):
            errs["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
        for lab in f.get("labels", []) or []:
            if not isinstance(lab, str) or " " in lab:
                errs["labels"] = "labels may not contain spaces"
        if errs:
            with LOCK:
                STATE["violations"].append("jira: %s" % errs)
            return self._send(400, {"errorMessages": [], "errors": errs})
        props = body.get("properties") or []
        key = None
        for pr in props:
            if pr.get("key") == "rootly.outbox":
                key = (pr.get("value") or {}).get("idempotency_key")
        if not key:
            return self._violation("jira: properties rootly.outbox idempotency_key missing")
        b = self._next("jira")
        if self._generic(b):
            return
        self._count_key(key)
        with LOCK:
            STATE["issues"] += 1
            n = STATE["issues"]
        r = fixture("jira/create-issue-response-201.json")
        r["id"] = str(10986 + n)
        r["key"] = "%s-%d" % (f["project"].get("key", "P"), 4820 + n)
        return self._send(201, r)

    def _adf_ok(self, d):
        if not isinstance(d, dict) or d.get("type") != "doc" or d.get("version") != 1 or \
                not isinstance(d.get("content"), list):
            return False

        def node(n):
            if not isinstance(n, dict) or not isinstance(n.get("type"), str):
                return False
            if n["type"] == "text":
                return isinstance(n.get("text"), str) and len(n["text"]) > 0
            return all(node(c) for c in n.get("content", []))
        return all(node(c) for c in d["content"])

    # --- Statuspage -------------------------------------------------------------
    def _statuspage(self, page, inc_id, raw):
        self._route("statuspage")
        if self.headers.get("Authorization") != "OAuth " + ARGS.statuspage_token:
            return self._send(401, fixture("statuspage/error-response-401.json"))
        if (inc_id is None) != (self.command == "POST") or self.command not in ("POST", "PATCH"):
            return self._violation("statuspage: POST creates, PATCH .../incidents/{id} updates")
        body = self._json(raw)
        if not isinstance(body, dict) or not isinstance(body.get("incident"), dict):
            return self._violation("statuspage: body must be wrapped in {\"incident\": {...}}")
        i = body["incident"]
        if self.command == "POST" and (not isinstance(i.get("name"), str) or not i["name"]):
            return self._send(422, fixture("statuspage/error-response-422.json"))
        if i.get("status") not in ("investigating", "identified", "monitoring", "resolved",
                                   "scheduled", "in_progress", "verifying", "completed"):
            return self._send(422, {"message": "Status is invalid"})
        comps = i.get("components")
        if comps is not None:
            ok = {"operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"}
            if not isinstance(comps, dict) or any(v not in ok for v in comps.values()) or \
                    sorted(i.get("component_ids") or []) != sorted(comps.keys()):
                return self._violation("statuspage: components/component_ids mismatch or bad status")
        if self.command == "POST":
            md = i.get("metadata") or {}
            if not all(isinstance(v, dict) for v in md.values()):
                return self._violation("statuspage: metadata values must be objects")
            key = (md.get("rootly") or {}).get("idempotency_key")
            if not key:
                return self._violation("statuspage: metadata.rootly.idempotency_key missing")
        b = self._next("statuspage")
        if self._generic(b):
            return
        if self.command == "POST":
            self._count_key(key)
            with LOCK:
                STATE["sp_incidents"] += 1
                new_id = "sp%04d" % STATE["sp_incidents"]
        else:
            new_id = inc_id
        r = fixture("statuspage/create-incident-response-201.json")
        r["id"] = new_id
        r["page_id"] = page
        return self._send(201 if self.command == "POST" else 200, r)

    # --- webhooks ---------------------------------------------------------------
    def _hook(self, raw):
        self._route("hook")
        key = self.headers.get("Idempotency-Key")
        if not key:
            return self._violation("webhook: Idempotency-Key header missing")
        if self._json(raw) is None and raw != b"null":
            return self._violation("webhook: body is not JSON")
        b = self._next("hook")
        if self._generic(b):
            return
        # Count only deliveries answered 2xx: what the receiver "processed".
        self._count_key(key)
        with LOCK:
            if len(STATE["bodies"]) < 1000:
                STATE["bodies"].append({"key": key, "path": self.path, "headers": {
                    k: v for k, v in self.headers.items() if k.lower().startswith("x-")}})
        self._send(200, {"ok": True})


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (its timeout, a SIGKILL) is part of the tests.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
    ap.add_argument("--slack-token", default="xoxb-test-token")
    ap.add_argument("--jira-email", default="bot@example.com")
    ap.add_argument("--jira-token", default="jira-test-token")
    ap.add_argument("--statuspage-token", default="sp-test-token")
    ARGS = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
