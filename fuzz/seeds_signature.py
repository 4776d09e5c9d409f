#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/signature/ (fuzz_signature.c
describes the input format: selector byte, header lines, empty line, body).

Run from the repository root: python3 fuzz/seeds_signature.py [SNS_KEY_PEM]
The SNS seeds signed with the key of fuzz_signature.c's certificate are
only rewritten when that key is given; it was thrown away after making
seed-sns-signed-v1/-v2, which stay as committed.
"""
import base64, hashlib, hmac, json, os, subprocess, sys

FIX = "tests/fixtures"
OUT = "fuzz/corpus/signature"
NOW_S = 1773480450  # FUZZ_NOW / 1000

SLACK = "3c1f0d2e9a8b7c6d5e4f30211a2b3c4d"
PD_NEW, PD_OLD = "pd-whsec-NEW-1a2b3c4d5e6f70819293", "pd-whsec-OLD-0f9e8d7c6b5a49382716"
GRAFANA = "grafana-hmac-test-secret"
GENERIC = "fuzz-generic-secret"


def mac(secret, msg):
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def fixture(rel):
    with open(os.path.join(FIX, rel), "rb") as f:
        return f.read()


def seed(name, sel, headers, body):
    data = bytes([sel]) + b"".join(f"{k}: {v}\n".encode() for k, v in headers) + b"\n" + body
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    slack_body = fixture("slack/slash-command.txt")
    vec = json.loads(fixture("slack/signing-worked-example.json"))
    sig = vec["cases"][0]["headers"]["X-Slack-Signature"]
    ts = vec["cases"][0]["headers"]["X-Slack-Request-Timestamp"]
    seed("seed-slack-vector", 0, [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sig)], slack_body)
    seed("seed-slack-vector-rotation", 8, [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sig)], slack_body)
    ent = vec["cases"][1]
    seed("seed-slack-enterprise", 0, list(ent["headers"].items()), ent["body"].encode())
    seed("seed-slack-replayed", 0, [("X-Slack-Request-Timestamp", "1773480000"),
        ("X-Slack-Signature", "v0=" + mac(SLACK, b"v0:1773480000:" + slack_body))], slack_body)
    seed("seed-slack-tampered", 0, [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sig)],
         vec["cases"][5]["body"].encode())
    seed("seed-slack-bad-timestamp", 0, [("X-Slack-Request-Timestamp", "1773480420abc"), ("X-Slack-Signature", sig)], slack_body)
    seed("seed-slack-lowercase-names", 0, [("x-slack-request-timestamp", ts), ("x-slack-signature", sig)], slack_body)
    seed("seed-slack-duplicate", 0, [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sig),
        ("X-Slack-Signature", sig)], slack_body)

    pd_body = fixture("pagerduty/webhook-v3-incident-triggered.json")
    pdv = json.loads(fixture("pagerduty/webhook-v3-signature-vector.json"))
    pd_sig = pdv["headers"]["X-PagerDuty-Signature"]
    seed("seed-pagerduty-vector", 1, [("X-Webhook-Id", pdv["headers"]["X-Webhook-Id"]),
        ("X-PagerDuty-Signature", pd_sig)], pd_body)
    seed("seed-pagerduty-vector-rotation", 9, [("X-PagerDuty-Signature", pd_sig)], pd_body)
    seed("seed-pagerduty-v2-only", 1, [("X-PagerDuty-Signature", pdv["negative_cases"][1]["X-PagerDuty-Signature"])], pd_body)
    good = "v1=" + mac(PD_NEW, pd_body)
    seed("seed-pagerduty-16-entries", 1, [("X-PagerDuty-Signature", ", ".join(["v2=00"] * 15 + [good]))], pd_body)
    seed("seed-pagerduty-17-entries", 1, [("X-PagerDuty-Signature", ",".join(["v1=zz"] * 16 + [good]))], pd_body)
    seed("seed-pagerduty-uppercase", 1, [("X-PagerDuty-Signature", "v1=" + mac(PD_NEW, pd_body).upper())], pd_body)

    gf_body = fixture("grafana/webhook-firing.json")
    gv = json.loads(fixture("grafana/hmac-signature-vector.json"))
    seed("seed-grafana-plain", 2, list(gv["without_timestamp"]["headers"].items()), gf_body)
    seed("seed-grafana-timestamp", 3, list(gv["with_timestamp"]["headers"].items()), gf_body)
    seed("seed-grafana-missing-timestamp", 3, list(gv["without_timestamp"]["headers"].items()), gf_body)

    gen_body = b'{"action":"opened","number":42}'
    seed("seed-generic-github", 4, [("X-Hub-Signature-256", "sha256=" + mac(GENERIC, gen_body))], gen_body)
    seed("seed-generic-no-prefix", 4, [("X-Hub-Signature-256", mac(GENERIC, gen_body))], gen_body)
    seed("seed-generic-timestamp", 5, [("Webhook-Timestamp", str(NOW_S)),
        ("Webhook-Signature", "v1=" + mac(GENERIC, f"{NOW_S}:".encode() + gen_body))], gen_body)
    seed("seed-generic-empty-body", 4, [("X-Hub-Signature-256", "sha256=" + mac(GENERIC, b""))], b"")

    for name in ["notification-alarm", "notification-ok", "subscription-confirmation", "unsubscribe-confirmation",
                 "notification-edge-no-subject-plaintext", "bad-missing-type", "bad-message-not-string-wrong-types",
                 "bad-truncated"]:
        seed("seed-sns-" + name, 6, [], fixture(f"aws-sns-cloudwatch/{name}.json"))

    if len(sys.argv) > 1:
        key = sys.argv[1]
        env = json.loads(fixture("aws-sns-cloudwatch/notification-alarm.json"))
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
        sts = "".join(f"{k}\n{env[k]}\n" for k in keys if k in env).encode()
        for ver, dgst, sel in (("1", "-sha1", 7), ("2", "-sha256", 6)):
            sig = subprocess.run(["openssl", "dgst", dgst, "-sign", key], input=sts, capture_output=True, check=True).stdout
            env["SignatureVersion"] = ver
            env["Signature"] = base64.b64encode(sig).decode()
            seed("seed-sns-signed-v" + ver, sel, [], json.dumps(env, indent=2).encode())


if __name__ == "__main__":
    main()
