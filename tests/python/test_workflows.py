"""Workflows, dry run, the outbox, and a transport written in Python."""

import pathlib

import pytest

import rootly

DATA = pathlib.Path(__file__).resolve().parent / "data"


class ChatTransport(rootly.Transport):
    name = "py-chat"
    capabilities = ("chat",)

    def __init__(self, fail=None):
        super().__init__()
        self.seen = []
        self.fail = fail
        self.closed = False

    def deliver(self, d):
        self.seen.append(d)
        if self.fail:
            raise self.fail
        if d.action == "chat.create_channel":
            return {"channel_id": "C%d" % len(self.seen), "channel_name": d.params.get("name")}
        return {"ts": "1.0"}

    def close(self):
        self.closed = True


@pytest.fixture
def wctx():
    with rootly.Context("memory:", actor="pytest") as c:
        c.configure(rootly.Config.load(DATA / "workflows.yaml"))
        yield c


def test_workflows_and_dry_run(wctx):
    [wf] = wctx.workflows()
    assert wf["name"] == "triage" and wf["enabled"]
    inc = wctx.create_incident("db down")
    plan = wctx.dry_run(inc)
    assert plan["workflows"][0]["workflow"] == "triage"
    actions = [a["action"] for a in plan["workflows"][0]["actions"]]
    assert actions[0] == "create_channel"
    with pytest.raises(rootly.InvalidError):
        wctx.dry_run(inc, "solar_eclipse")
    runs = wctx.workflow_runs(inc)
    assert runs and runs[0]["workflow"] == "triage"
    wctx.set_workflow_enabled("triage", False)
    assert not wctx.workflows()[0]["enabled"]
    with pytest.raises(rootly.NotFoundError):
        wctx.set_workflow_enabled("nope", True)
    assert wctx.tick() == 0
    assert wctx.permitted("alice", "cancel_workflow_run")
    assert not wctx.permitted("bob", "cancel_workflow_run")
    with pytest.raises(rootly.PermissionDeniedError):
        wctx.cancel_workflow_run(inc, runs[0]["run_id"], "bob")
    wctx.cancel_workflow_run(inc, runs[0]["run_id"], "alice")
    assert wctx.workflow_runs(inc)[0]["cancelled"]


def test_python_transport_delivers(wctx):
    t = ChatTransport()
    wctx.add_transport(t)
    inc = wctx.create_incident("payments down")
    pending = wctx.outbox("pending")
    assert pending and wctx.outbox_next_due() is not None
    handled = 0
    for _ in range(5):  # post_message may wait for the channel
        handled += wctx.dispatch()
        if not wctx.outbox("pending"):
            break
    assert handled >= 2
    assert [d.action for d in t.seen][:2] == ["chat.create_channel", "chat.post_message"]
    first = t.seen[0]
    assert first.params["name"] == "inc-%d" % inc.number and first.attempt == 1 and first.idempotency_key
    assert all(i["state"] == "delivered" for i in wctx.outbox())
    assert wctx.incident_json(inc)["integrations"]["chat"]["channel_id"] == "C1"
    assert "action.delivered" in wctx.timeline(inc).kinds()
    wctx.close()
    assert t.closed


@pytest.mark.parametrize("exc,state", [
    (rootly.DeliveryFailed("channel name taken", http_status=409), "failed"),
    (rootly.RetryLater("rate limited", retry_after_ms=60_000), "pending"),
    (RuntimeError("transport bug"), "pending"),
])
def test_python_transport_failures(wctx, exc, state):
    t = ChatTransport(fail=exc)
    wctx.add_transport(t)
    wctx.create_incident("x")
    wctx.dispatch(max=1)
    item = next(i for i in wctx.outbox() if i["action"] == "chat.create_channel")
    assert item["state"] in (state, "dead")
    text = str(item)
    assert str(exc) in text or type(exc).__name__ in text
    if state == "failed":
        wctx.outbox_retry(item["id"])
        assert next(i for i in wctx.outbox() if i["id"] == item["id"])["state"] == "pending"


def test_builtin_transport_by_uri(wctx, tmp_path):
    log = tmp_path / "deliveries.jsonl"
    wctx.add_transport("file:%s" % log)
    wctx.create_incident("x")
    wctx.dispatch()
    assert "chat.create_channel" in log.read_text()
    with pytest.raises(rootly.InvalidError):
        wctx.add_transport("carrier-pigeon:")
    with pytest.raises(TypeError):
        wctx.add_transport(42)
