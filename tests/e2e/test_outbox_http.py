#!/usr/bin/env python3
"""End to end: the outbox delivers every action through the real HTTP
transports (libcurl) to the fake Slack/Jira/Statuspage/webhook/kb services,
without a loop (rootly_ctx_dispatch) and on a libuv loop; the fakes check
every request's shape. Covers name_taken, 429 + Retry-After, 5xx, a client
timeout (the fake sleeps past it), a permanent 4xx, and results written back.

usage: test_outbox_http.py OUTBOX_DRIVER FAKE_SERVICES FIXTURES
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

DRIVER, FAKE, FIXTURES = sys.argv[1:4]
FAILS = []


def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def start_fake(tmp):
    port_file = os.path.join(tmp, "port")
    proc = subprocess.Popen([sys.executable, FAKE, "--port-file", port_file, "--fixtures", FIXTURES])
    for _ in range(200):
        if os.path.exists(port_file):
            return proc, int(open(port_file).read())
        time.sleep(0.02)
    proc.kill()
    raise SystemExit("fake services did not start")


def call(port, path, obj=None):
    data = json.dumps(obj).encode() if obj is not None else None
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data,
                                 method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def write_config(tmp, port, timeout="400ms"):
    base = "http://127.0.0.1:%d" % port
    cfg = os.path.join(tmp, "rootly.yaml")
    with open(cfg, "w") as f:
        f.write("""version: 1
transports:
  chat: {{ type: slack, url: "{b}/slack/api", token: "${{E2E_SLACK_TOKEN}}" }}
  ticket: {{ type: jira, url: "{b}/jira", email: "bot@example.com", token: "${{E2E_JIRA_TOKEN}}" }}
  statuspage: {{ type: statuspage, url: "{b}/statuspage/v1", token: "sp-test-token" }}
  webhook: {{ type: webhook, timeout: {t} }}
  kb: {{ type: kb, url: "{b}/kb" }}
outbox:
  backoff_base: 50ms
  backoff_cap: 200ms
  max_attempts: 5
  lease: 1s
  timeout: {t}
  poll: 50ms
""".format(b=base, t=timeout))
    return cfg


ENV = dict(os.environ, E2E_SLACK_TOKEN="xoxb-test-token", E2E_JIRA_TOKEN="jira-test-token")


def drv(db, cfg, *args, check_rc=True):
    r = subprocess.run([DRIVER, db, cfg] + list(args), capture_output=True, text=True, env=ENV, timeout=120)
    if check_rc and r.returncode != 0:
        raise SystemExit("driver %s failed: %s" % (args, r.stderr))
    return r.stdout.strip()


def run_until_settled(db, cfg, mode, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if mode == "loop":
            drv(db, cfg, "loop", "1500")
        else:
            drv(db, cfg, "dispatch")
        items = json.loads(drv(db, cfg, "list"))
        if all(i["state"] in ("delivered", "failed", "dead") for i in items):
            return items
        time.sleep(0.05)
    return json.loads(drv(db, cfg, "list"))


def scenario(port, tmp, mode):
    call(port, "/_reset", {})
    # The channel name is taken twice, the first webhook call is rate
    # limited (Retry-After: 1), Jira answers 503 once, the fake sleeps past
    # the client timeout once on statuspage, Slack invite answers partial
    # "already_in_channel"-free errors never.
    call(port, "/_script", {
        "slack.conversations.create": ["name_taken", "name_taken"],
        "hook": ["ratelimit:1"],
        "jira": ["status:503"],
        "statuspage": ["sleep:1.5"],
    })
    db = os.path.join(tmp, "%s.db" % mode)
    cfg = write_config(tmp, port)
    inc = drv(db, cfg, "init")
    # Pre-take the channel name twice at the fake, so -2 and -3 are needed.
    drv(db, cfg, "scenario", inc, "http://127.0.0.1:%d" % port)
    t0 = time.time()
    items = run_until_settled(db, cfg, mode)
    elapsed = time.time() - t0
    states = {i["action"] + "#" + str(i["step"]): i["state"] for i in items}
    check(all(s == "delivered" for s in states.values()), "%s: every action delivered: %s" % (mode, states))
    stats = call(port, "/_stats")
    check(stats["violations"] == [], "%s: no request violated the documented shape: %s" % (mode, stats["violations"]))
    check(stats["by_route"].get("slack.conversations.create") == 3, "%s: name_taken twice, then created" % mode)
    check(stats["by_route"].get("hook") == 2, "%s: webhook retried after 429" % mode)
    check(stats["by_route"].get("jira") == 2, "%s: jira retried after 503" % mode)
    check(stats["by_route"].get("statuspage", 0) >= 3, "%s: statuspage timed out once, then create + update" % mode)
    check(elapsed >= 0.9, "%s: Retry-After: 1 honoured (took %.2fs)" % (mode, elapsed))
    hook_keys = [k for k in stats["keys"] if k.endswith(":6")]
    check(len(hook_keys) == 1 and stats["keys"][hook_keys[0]] == 1, "%s: webhook processed once under its key" % mode)
    doc = json.loads(drv(db, cfg, "incident", inc))
    integ = doc.get("integrations", {})
    check(integ.get("chat", {}).get("channel_name") == "inc-20260315-api-latency-3", "%s: channel got suffix -3" % mode)
    check(integ.get("chat", {}).get("channel_id", "").startswith("C"), "%s: channel id stored" % mode)
    check(integ.get("chat", {}).get("last_message_ts", "").startswith("1773480471."), "%s: message ts stored" % mode)
    check(integ.get("ticket", {}).get("key", "").startswith("OPS-"), "%s: ticket key stored" % mode)
    check(integ.get("ticket", {}).get("url", "").endswith("/browse/" + integ.get("ticket", {}).get("key", "?")),
          "%s: ticket url" % mode)
    check(integ.get("statuspage", {}).get("incident_id", "").startswith("sp"), "%s: statuspage incident id" % mode)
    check(doc.get("runbook_url") == "https://runbooks.example.com/checkout-api", "%s: runbook attached" % mode)
    check(integ.get("webhooks", [{}])[0].get("status") == 200, "%s: webhook status stored" % mode)
    tl = json.loads(drv(db, cfg, "timeline", inc))
    kinds = [e["kind"] for e in tl]
    check(kinds.count("action.delivered") == 8, "%s: 8 action.delivered events" % mode)
    text = json.dumps(tl)
    check("xoxb-test-token" not in text and "jira-test-token" not in text and "sp-test-token" not in text,
          "%s: no token on the timeline" % mode)
    listing = drv(db, cfg, "list")
    check("xoxb-test-token" not in listing and "sp-test-token" not in listing, "%s: no token in the outbox" % mode)


def failures(port, tmp):
    call(port, "/_reset", {})
    db = os.path.join(tmp, "fail.db")
    cfg = write_config(tmp, port)
    inc = drv(db, cfg, "init")
    call(port, "/_script", {"hook": ["status:500"] * 10, "slack.conversations.create": ["error:missing_scope"]})
    drv(db, cfg, "hooks", inc, "0", "1", "http://127.0.0.1:%d" % port)
    # a permanent Slack error: enqueue via scenario's first step only
    items = run_until_settled(db, cfg, "dispatch", 10)
    hook = [i for i in items if i["action"] == "webhook.call"][0]
    check(hook["state"] == "dead" and hook["attempts"] == 5, "5xx five times: dead after max_attempts (%s, %s)"
          % (hook["state"], hook["attempts"]))
    check("HTTP 500" in (hook.get("last_error") or ""), "dead item keeps the last error")
    tl = json.loads(drv(db, cfg, "timeline", inc))
    check([e["kind"] for e in tl].count("action.dead_lettered") == 1, "dead letter on the timeline")
    # wrong token: the transport sees invalid_auth (permanent), never retries
    bad = os.path.join(tmp, "bad.yaml")
    with open(cfg) as f:
        text = f.read().replace("${E2E_SLACK_TOKEN}", "xoxb-wrong")
    with open(bad, "w") as f:
        f.write(text)
    db2 = os.path.join(tmp, "bad.db")
    inc2 = drv(db2, bad, "init")
    drv(db2, bad, "scenario", inc2, "http://127.0.0.1:%d" % port)
    items = run_until_settled(db2, bad, "dispatch", 10)
    ch = [i for i in items if i["action"] == "chat.create_channel"][0]
    check(ch["state"] == "failed" and "invalid_auth" in ch["last_error"], "invalid_auth is permanent")
    inv = [i for i in items if i["action"] == "chat.invite"][0]
    check(inv["state"] == "failed" and "integrations.chat.channel_id" in inv["last_error"],
          "the invite's placeholder has no channel: failed with the path named")


def fake_checks_itself(port):
    """The fake's shape checks can fail: a malformed Slack call (no JSON
    Content-Type) must be answered 400 and listed as a violation, or every
    "no violations" check below would prove nothing."""
    call(port, "/_reset", {})
    req = urllib.request.Request("http://127.0.0.1:%d/slack/api/chat.postMessage" % port,
                                 data=b"channel=C1&text=hi", method="POST",
                                 headers={"Authorization": "Bearer xoxb-test-token",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(req, timeout=10)
        status = 200
    except urllib.error.HTTPError as e:
        status = e.code
    stats = call(port, "/_stats")
    check(status == 400 and len(stats["violations"]) == 1 and "Content-Type" in stats["violations"][0],
          "the fake reports a request of the wrong shape: %s" % stats["violations"])
    call(port, "/_reset", {})


def main():
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_fake(tmp)
        try:
            fake_checks_itself(port)
            scenario(port, tmp, "dispatch")
            scenario(port, tmp, "loop")
            failures(port, tmp)
        finally:
            proc.kill()
            proc.wait()
    print("%d failure(s)" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
