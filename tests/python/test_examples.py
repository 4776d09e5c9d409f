"""examples/python/alertmanager_receiver.py: a real HTTP round trip on
127.0.0.1 with Alertmanager payloads."""

import importlib.util
import json
import pathlib
import threading
import urllib.error
import urllib.request

import pytest

import rootly

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "alertmanager_receiver.py"


@pytest.fixture
def receiver():
    spec = importlib.util.spec_from_file_location("alertmanager_receiver", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with rootly.Context("memory:", actor="receiver") as ctx:
        httpd = mod.serve(ctx, "127.0.0.1", 0)
        t = threading.Thread(target=httpd.serve_forever, daemon=True)
        t.start()
        yield "http://127.0.0.1:%d" % httpd.server_address[1], ctx
        httpd.shutdown()
        httpd.server_close()


def post(url, body, headers=None):
    req = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_receiver_round_trip(receiver, fixtures):
    url, ctx = receiver
    status, out = post(url + "/webhook/alertmanager", (fixtures / "alertmanager-real" / "firing-group-of-3.json").read_bytes(),
                       {"Content-Type": "application/json"})
    assert status == 200 and len(out["items"]) == 3
    assert {i["outcome"] for i in out["items"]} <= {"created", "attached"}
    status, out = post(url + "/webhook/alertmanager", (fixtures / "alertmanager-real" / "resolved-single.json").read_bytes())
    assert status == 200
    status, out = post(url + "/webhook/alertmanager", b'{"version": "4", "alerts": [')
    assert status == 400 and out["error"]
    status, out = post(url + "/webhook/nagios", b"{}")
    assert status == 404
    with urllib.request.urlopen(url + "/incidents", timeout=10) as r:
        incs = json.loads(r.read())["incidents"]
    assert incs and incs[0]["ref"] == "INC-1"
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        assert b"rootly_incident" in r.read()
    assert len(ctx.list_incidents()) == len(incs)
