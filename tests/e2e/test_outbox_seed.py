#!/usr/bin/env python3
"""The seed scenario (issue 4) through the real Slack transport: the `rootly`
CLI ingests the critical checkout-api alert with the seed workflows
(tests/fixtures/config/workflows-seed.yaml), and `rootly dispatch` delivers
the outbox over HTTP to the fake Slack (tests/fakes/fake_services.py),
which checks every request. The channel is named by the convention (and
gets -2 when the name is taken), the invite reaches the channel the first
step created, the conference link is posted and pinned, and the channel id
and message ts come back into the incident and onto the timeline.

usage: test_outbox_seed.py ROOTLY_CLI FAKE_SERVICES FIXTURES
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

CLI, FAKE, FIX = sys.argv[1:4]
FAILS = []


def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def call(port, path, obj=None):
    data = json.dumps(obj).encode() if obj is not None else None
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data,
                                 method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def main():
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        fake = subprocess.Popen([sys.executable, FAKE, "--port-file", port_file, "--fixtures", FIX,
                                 "--slack-token", "xoxb-seed"])
        try:
            for _ in range(200):
                if os.path.exists(port_file):
                    break
                time.sleep(0.02)
            port = int(open(port_file).read())
            cfg = os.path.join(tmp, "rootly.yaml")
            with open(os.path.join(FIX, "config", "workflows-seed.yaml")) as f:
                text = f.read()
            with open(cfg, "w") as f:
                f.write(text)
                f.write('\ntransports:\n  chat: { type: slack, url: "http://127.0.0.1:%d/slack/api", '
                        'token: "${SEED_SLACK_TOKEN}" }\n' % port)
            db = os.path.join(tmp, "rootly.db")
            env = dict(os.environ, SEED_SLACK_TOKEN="xoxb-seed")

            def run(*args):
                r = subprocess.run([CLI, "--db", db, "--config", cfg] + list(args), capture_output=True,
                                   text=True, env=env, timeout=120)
                return r.returncode, r.stdout, r.stderr

            # Someone already has the conventional name: the transport adds -2.
            call(port, "/_script", {"slack.conversations.create": ["name_taken"]})
            rc, out, err = run("ingest", "alertmanager", os.path.join(FIX, "alertmanager", "seed-critical-checkout.json"))
            check(rc == 0 and json.loads(out)[0]["incident"] == "INC-1", "the critical alert declares INC-1 (%s)" % err)
            rc, out, err = run("dispatch")
            check(rc == 0 and out.startswith("3 item(s) handled"), "dispatch handles the three chat items: %s %s" % (out, err))
            stats = call(port, "/_stats")
            check(stats["violations"] == [], "every request has the documented shape: %s" % stats["violations"])
            check(stats["by_route"].get("slack.conversations.create") == 2, "name_taken, then created with -2")
            check(stats["channels"] == ["inc-20260315-api-latency-2"], "channel named by the convention: %s"
                  % stats["channels"])
            check(stats["by_route"].get("slack.conversations.setTopic") == 1, "topic set")
            check(stats["by_route"].get("slack.conversations.invite") == 1, "responders invited")
            check(stats["by_route"].get("slack.chat.postMessage") == 1 and stats["by_route"].get("slack.pins.add") == 1,
                  "conference link posted and pinned")
            rc, out, err = run("show", "INC-1", "--json")
            inc = json.loads(out)
            chat = inc.get("integrations", {}).get("chat", {})
            check(chat.get("channel_name") == "inc-20260315-api-latency-2" and chat.get("channel_id") == "C0001",
                  "channel id and name stored in the incident: %s" % chat)
            check(chat.get("last_message_ts", "").startswith("1773480471."), "message ts stored")
            rc, out, err = run("timeline", "INC-1", "--json")
            tl = json.loads(out)
            kinds = [e["kind"] for e in tl]
            check(kinds.count("action.delivered") == 3, "three action.delivered events on the timeline")
            check("xoxb-seed" not in out, "the token is not on the timeline")
            rc, out, err = run("outbox", "list", "--state", "delivered")
            check(rc == 0 and len(json.loads(out)) == 3 and "xoxb-seed" not in out, "three items delivered, no token stored")
            rc, out, err = run("check")
            check(rc == 0, "store and timelines verify")
        finally:
            fake.kill()
            fake.wait()
    print("%d failure(s)" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
