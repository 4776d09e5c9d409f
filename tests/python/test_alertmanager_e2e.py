"""The real Prometheus Alertmanager notifying the Python example receiver
(examples/python/alertmanager_receiver.py) over 127.0.0.1: alerts posted to
Alertmanager's API v2 are grouped and delivered as webhook v4 with a bearer
token; the receiver feeds them to librootly. Skipped when
prometheus-alertmanager is not installed."""

import importlib.util
import json
import os
import pathlib
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

import rootly

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "alertmanager_receiver.py"
SLOW = float(os.environ.get("ROOTLY_TEST_SLOW", "1"))

CONFIG = """
version: 1
sources:
  alertmanager:
    auth: {scheme: bearer, secrets: ["am-py-token"]}
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
      - url: http://%s/webhook/alertmanager
        send_resolved: true
        http_config:
          authorization: {type: Bearer, credentials: am-py-token}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, fn, timeout=30.0):
    deadline = time.monotonic() + timeout * SLOW
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
            if last:
                return last
        except OSError as e:
            last = e
        time.sleep(0.2)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


def ts(offset):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset))


def am_post(addr, alerts):
    req = urllib.request.Request("http://%s/api/v2/alerts" % addr, data=json.dumps(alerts).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


def test_alertmanager_to_python_receiver(tmp_path):
    if not ALERTMANAGER:
        # scripts/test-all.sh installs it and sets ROOTLY_REQUIRE_PEERS=1:
        # there a missing binary must fail, not pass by skipping.
        if os.environ.get("ROOTLY_REQUIRE_PEERS") == "1":
            pytest.fail("prometheus-alertmanager is required (ROOTLY_REQUIRE_PEERS=1) but missing")
        pytest.skip("prometheus-alertmanager is not installed")
    spec = importlib.util.spec_from_file_location("alertmanager_receiver", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with rootly.Context("memory:", actor="receiver") as ctx:
        ctx.configure(rootly.Config.parse(CONFIG))
        httpd = mod.serve(ctx, "127.0.0.1", 0)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        receiver = "127.0.0.1:%d" % httpd.server_address[1]
        (tmp_path / "am.yml").write_text(AM_CONFIG % receiver)
        addr = "127.0.0.1:%d" % free_port()
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        log = open(tmp_path / "alertmanager.log", "wb")
        am = subprocess.Popen([ALERTMANAGER, "--config.file=%s" % (tmp_path / "am.yml"),
                               "--storage.path=%s" % (tmp_path / "data"), "--web.listen-address=" + addr,
                               "--cluster.listen-address=", "--web.external-url=http://" + addr],
                              stdout=log, stderr=log, env=env)
        try:
            def ready():
                assert am.poll() is None, "alertmanager exited: %s" % (tmp_path / "alertmanager.log").read_text()
                with urllib.request.urlopen("http://%s/-/ready" % addr, timeout=2) as r:
                    return r.status == 200
            wait_until("alertmanager", ready)
            labels = {"alertname": "PyE2EHighLatency", "severity": "critical"}
            am_post(addr, [{"labels": dict(labels, service="checkout-api"), "startsAt": ts(-30),
                            "annotations": {"summary": "checkout-api is slow"}},
                           {"labels": dict(labels, service="cart-api"), "startsAt": ts(-30),
                            "annotations": {"summary": "cart-api is slow"}}])
            incs = wait_until("an incident from Alertmanager",
                              lambda: [i for i in ctx.list_incidents() if i.alerts_count == 2])
            inc = incs[0]
            assert inc.severity_name == "SEV1" and inc.labels.get("alertname") == "PyE2EHighLatency"
            assert len(ctx.list_incidents()) == 1  # one group, one incident
            # resolve both: Alertmanager sends a resolved notification
            am_post(addr, [{"labels": dict(labels, service=s), "startsAt": ts(-30), "endsAt": ts(-1)}
                           for s in ("checkout-api", "cart-api")])
            wait_until("the resolved alerts", lambda: all(a.status == "resolved" for a in ctx.incident_alerts(inc)))
            assert "alert.resolved" in ctx.timeline(inc).kinds()
        finally:
            am.terminate()
            try:
                am.wait(timeout=15)
            except subprocess.TimeoutExpired:
                am.kill()
                am.wait()
            log.close()
            httpd.shutdown()
            httpd.server_close()
