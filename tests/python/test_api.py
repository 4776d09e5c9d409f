"""The Python package over the whole public API: every source, lifecycle,
roles, notes, chat, tasks, timeline and verification, metrics, postmortem,
configuration, signatures, batches and errors."""

import json
import pathlib
import threading

import pytest

import rootly

DATA = pathlib.Path(__file__).resolve().parent / "data"

# One good payload per source (name given to ingest -> fixture).
SOURCES = [
    ("alertmanager", "alertmanager/webhook-v4-firing.json"),
    ("alertmanager-v2", "alertmanager/api-v2-postable-alerts.json"),
    ("grafana", "grafana/webhook-firing.json"),
    ("pagerduty", "pagerduty/events-v2-trigger.json"),
    ("pagerduty-webhook", "pagerduty/webhook-v3-incident-triggered.json"),
    ("datadog", "datadog/webhook-default-rendered-triggered.json"),
    ("opsgenie", "opsgenie/webhook-create.json"),
    ("cloudwatch", "aws-sns-cloudwatch/notification-alarm.json"),
]

BAD = [
    ("alertmanager", "alertmanager/bad-webhook-truncated.json"),
    ("grafana", "grafana/bad-wrong-types.json"),
    ("pagerduty", "pagerduty/bad-events-v2-missing-required.json"),
    ("datadog", "datadog/bad-truncated.json"),
    ("opsgenie", "opsgenie/bad-webhook-truncated.json"),
    ("cloudwatch", "aws-sns-cloudwatch/bad-missing-type.json"),
]


@pytest.mark.parametrize("source,path", SOURCES)
def test_ingest_every_source(ctx, fixtures, source, path):
    items = ctx.ingest(source, (fixtures / path).read_bytes())
    assert items, source
    created = [i for i in items if i.outcome == "created"]
    assert created, [i.outcome for i in items]
    inc = ctx.get_incident(created[0].incident_ref)
    assert inc.alerts_count >= 1
    alerts = inc.alerts()
    assert alerts and all(isinstance(a, rootly.Alert) for a in alerts)
    assert alerts[0].incident_id == inc.id
    assert ctx.get_alert(created[0].alert_id).fingerprint == created[0].fingerprint


def test_group_notification_folds_attaches(ctx, fixtures):
    # The declaring alert is on incident.created; the other alerts of the
    # same notification are ONE alert.attached (count, alerts in order).
    items = ctx.ingest("alertmanager", (fixtures / "alertmanager-real/firing-group-of-3.json").read_bytes())
    assert [i.outcome for i in items] == ["created", "attached", "attached"]
    tl = ctx.timeline(items[0].incident_ref)
    assert tl.kinds() == ["incident.created", "alert.attached"]
    assert tl[0].body["alert"]["alert_id"] == items[0].alert_id
    folded = tl[1].body
    assert folded["count"] == 2 and folded["alert_id"] == items[1].alert_id
    assert [a["alert_id"] for a in folded["alerts"]] == [items[1].alert_id, items[2].alert_id]
    assert ctx.verify(items[0].incident_ref).ok
    assert "2 alerts attached from alertmanager" in ctx.postmortem(items[0].incident_ref)


@pytest.mark.parametrize("source,path", BAD)
def test_bad_payloads_refused(ctx, fixtures, source, path):
    with pytest.raises(rootly.InvalidError) as ei:
        ctx.ingest(source, (fixtures / path).read_bytes())
    assert ei.value.message and ei.value.code == rootly.EINVALID
    assert ctx.list_incidents() == []


def test_unknown_source(ctx):
    with pytest.raises(rootly.NotSupportedError) as ei:
        ctx.ingest("nagios", b"{}")
    assert "nagios" in ei.value.message


def test_ingest_dict_and_resolve(ctx, fixtures):
    firing = json.loads((fixtures / "alertmanager-real" / "firing-single.json").read_text())
    [item] = ctx.ingest("alertmanager", firing)
    resolved = (fixtures / "alertmanager-real" / "resolved-single.json").read_bytes()
    [again] = ctx.ingest("alertmanager", memoryview(resolved))
    assert again.outcome == "resolved" and again.incident_id == item.incident_id
    assert ctx.ingest_count("alertmanager", firing) == 1


def test_lifecycle_roles_notes_chat(ctx):
    inc = ctx.create_incident("payments 500s", severity="SEV2", services=["payments"], teams=["core"],
                              summary="errors on checkout")
    assert inc.is_open and inc.severity_name == "SEV2"
    inc = inc.acknowledge(actor="alice")
    assert inc.acknowledged_at
    inc.assign_role("commander", "alice")
    inc.add_note("looking at the deploy", actor="alice")
    ctx.add_chat_message(inc, "bob", "rolled back", channel="#inc-1")
    inc = inc.transition("started").transition("mitigated", note="rollback done")
    assert inc.roles == {"commander": "alice"}
    ctx.unassign_role(inc, "commander")
    assert ctx.get_incident(inc.ref).roles == {}
    with pytest.raises(rootly.InvalidError):
        ctx.assign_role(inc, "wizard", "bob")
    ctx.add_role("wizard")
    ctx.assign_role(inc, "wizard", "bob")
    assert ctx.get_incident(inc.ref).roles == {"wizard": "bob"}
    with pytest.raises(rootly.InvalidError):
        ctx.add_note(inc, "")
    ctx.resolve(inc)
    ctx.close_incident(inc)
    assert ctx.get_incident(inc.ref).status == "closed"
    with pytest.raises(rootly.IllegalTransitionError):
        ctx.start(inc)
    assert rootly.Context.transition_allowed("in_triage", "started")
    assert not rootly.Context.transition_allowed("closed", "started")
    md = inc.postmortem()
    assert "rolled back" in md and "payments 500s" in md


def test_update_incident(ctx):
    inc = ctx.create_incident("a", labels={"env": "prod", "x": "1"}, fields={"region": "eu"})
    inc = inc.update(title="b", severity="critical", services=["api"], labels={"x": None, "y": "2"},
                     fields={"region": None, "cost": 3})
    assert inc.title == "b" and inc.severity == 1 and inc.services == ("api",)
    assert inc.labels == {"env": "prod", "y": "2"}
    assert ctx.incident_field(inc, "cost") == 3
    with pytest.raises(rootly.NotFoundError):
        ctx.incident_field(inc, "region")
    kinds = ctx.timeline(inc).kinds()
    assert kinds.count("incident.updated") == 1
    before = len(ctx.timeline(inc))
    ctx.update_incident(inc, title="b")  # no-op writes nothing
    assert len(ctx.timeline(inc)) == before


def test_tasks(ctx):
    inc = ctx.create_incident("t")
    t1 = inc.add_task("page dba", assignee="carol", priority="high")
    t2 = ctx.create_task(inc, "write runbook", kind="follow_up", due_at=1_900_000_000_000)
    assert (t1.kind, t1.priority, t1.assignee, t1.status) == ("task", "high", "carol", "open")
    assert t2.kind == "follow_up" and t2.due_at == 1_900_000_000_000
    t1.assign("dave")
    t1.complete(actor="dave")
    t2.cancel()
    tasks = {t.id: t for t in inc.tasks()}
    assert tasks[t1.id].status == "done" and tasks[t1.id].completed_by == "dave"
    assert tasks[t1.id].assignee == "dave"
    assert tasks[t2.id].status == "cancelled"
    with pytest.raises(rootly.IllegalTransitionError):
        t1.complete()
    with pytest.raises(rootly.NotFoundError):
        ctx.complete_task("nope")
    with pytest.raises(ValueError):
        ctx.create_task(inc, "x", kind="chore")


def test_timeline_and_verify(ctx):
    inc = ctx.create_incident("tl")
    ctx.add_note(inc, "one")
    ctx.add_note(inc, "two")
    with ctx.timeline(inc) as tl:
        assert len(tl) == 3 and tl.kinds() == ["incident.created", "note", "note"]
        assert [e.seq for e in tl] == [1, 2, 3]
        assert tl[1].body["text"] == "one"
        assert tl[0].prev_hash == "0" * 64 and tl[1].prev_hash == tl[0].hash
        assert tl.to_json()[2]["kind"] == "note"
    with pytest.raises(ValueError):
        tl.to_json()  # closed
    assert [e.seq for e in ctx.timeline(inc, from_seq=3)] == [3]
    v = ctx.verify(inc)
    assert v and v.ok and v.events == 3 and v.first_bad_seq == 0
    with pytest.raises(rootly.NotFoundError):
        ctx.verify("INC-404")
    ctx.check()


def test_verify_detects_tampering(tmp_path):
    import sqlite3
    db = tmp_path / "r.db"
    with rootly.Context("sqlite:%s" % db) as c:
        inc = c.create_incident("tamper")
        c.add_note(inc, "original")
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
    table = next(t for t in tables if "stream" in t or "entr" in t)
    cols = [r[1] for r in con.execute("pragma table_info(%s)" % table)]
    data_col = next(c for c in cols if c in ("data", "body", "value", "payload"))
    con.execute("update %s set %s = replace(%s, 'original', 'forged')" % (table, data_col, data_col))
    con.commit()
    con.close()
    with rootly.Context("sqlite:%s" % db) as c:
        v = c.verify(inc.ref)
        assert not v.ok and v.first_bad_seq == 2 and v.reason
        with pytest.raises(rootly.StorageError):
            c.check()


def test_metrics(ctx):
    a = ctx.create_incident("a", severity=1, services=["api"])
    ctx.acknowledge(a)
    ctx.start(a)
    ctx.resolve(a)
    ctx.create_incident("b", severity=2, services=["db"])
    m = ctx.incident_metrics(a)
    assert m.tta_ms is not None and m.ttr_ms is not None and m.ttm_ms is not None
    assert ctx.get_incident("INC-2").metrics().ttr_ms is None
    with ctx.metrics() as rep:
        [row] = list(rep)
        assert row.group == "all" and row.incidents == 2 and row.ttr.count == 1
        assert rep.to_json()
        assert "rootly_incident_ttr_seconds" in rep.to_prometheus()
    with ctx.metrics(group_by="service") as rep:
        assert [r.group for r in rep] == ["api", "db"]
        assert rep.row("db").incidents == 1 and rep.row("nope") is None
    with pytest.raises(ValueError):
        ctx.metrics(group_by="planet")


def test_postmortem_formats(ctx):
    inc = ctx.create_incident("pm")
    assert json.loads(ctx.postmortem(inc, "json"))["metrics"]
    with pytest.raises(ValueError):
        ctx.postmortem(inc, "pdf")


def test_config(ctx, fixtures):
    cfg = rootly.Config.load(DATA / "config.yaml")
    assert cfg.routes_count == 1 and cfg.sources_count == 1
    same = rootly.Config.parse((DATA / "config.json").read_text(), "json")
    assert same.routes_count == cfg.routes_count
    ctx.configure(cfg)
    with pytest.raises(rootly.ExistsError):
        ctx.add_role("incident_analyst")  # declared by the configuration: already there
    # the context took a copy: the Config stays usable, and can be closed
    assert cfg.silences_count >= 0
    with cfg:
        pass
    with pytest.raises(ValueError):
        cfg.routes_count
    ctx.configure(None)
    with pytest.raises(rootly.ConfigError) as ei:
        rootly.Config.load(DATA / "bad-config.yaml")
    err = ei.value
    assert isinstance(err, rootly.InvalidError) and err.problems
    p = err.problems[0]
    assert p.line > 0 and p.message and "bad-config.yaml" in err.report and len(err.problems) == 2
    assert rootly.Config.check("version: 1\n") == []
    assert rootly.Config.check("version: [\n")
    with pytest.raises(rootly.NotFoundError):
        rootly.Config.load("/nonexistent/rootly.yaml")


def test_configured_roles_and_auth(fixtures):
    with rootly.Context("memory:") as c:
        c.configure(rootly.Config.load(DATA / "config.yaml"))
        inc = c.create_incident("x")
        c.assign_role(inc, "incident_analyst", "erin")  # a role the configuration declares
        body = (fixtures / "alertmanager-real" / "firing-single.json").read_bytes()
        with pytest.raises(rootly.AuthError):
            c.ingest("alertmanager", body)  # the source wants a bearer token
        items = c.ingest("alertmanager", body, headers={"Authorization": "Bearer am-token-2026"})
        assert items[0].outcome in ("created", "attached")


def test_signatures():
    body = b'{"hello": "world"}'
    now = 1_764_000_000_000
    for scheme in ("slack", "pagerduty", "grafana"):
        sig, ts = rootly.sign(scheme, ["new", "old"], body, now=now)
        headers = {"X-Slack-Signature": sig, "X-PagerDuty-Signature": sig, "X-Grafana-Alerting-Signature": sig}
        if ts:
            headers["X-Slack-Request-Timestamp"] = ts
        rootly.verify_signature(scheme, ["new", "old"], headers, body, now=now)
        with pytest.raises(rootly.AuthError) as ei:
            rootly.verify_signature(scheme, ["other"], headers, body, now=now)
        assert ei.value.message
    sig, ts = rootly.sign("hmac-sha256", "k", body, header="X-Hub-Signature-256", prefix="sha256=", now=now)
    assert sig.startswith("sha256=") and ts is None
    rootly.verify_signature("hmac-sha256", "k", {"X-Hub-Signature-256": sig}, body, header="X-Hub-Signature-256",
                            prefix="sha256=", now=now)
    # the Slack replay window
    sig, ts = rootly.sign("slack", "s", body, now=now)
    with pytest.raises(rootly.AuthError):
        rootly.verify_signature("slack", "s", {"X-Slack-Signature": sig, "X-Slack-Request-Timestamp": ts}, body,
                                now=now + 3_600_000)
    with pytest.raises(rootly.InvalidError):
        rootly.verify_signature("slack", [], {}, body)
    with pytest.raises(ValueError):
        rootly.sign("carrier-pigeon", "s", body)


def test_sns(fixtures):
    env = (fixtures / "aws-sns-cloudwatch" / "notification-alarm.json").read_bytes()
    text = rootly.sns_string_to_sign(env)
    assert text.startswith("Message\n")
    assert rootly.sns_signing_cert_url(env).startswith("https://sns.")
    with pytest.raises(rootly.InvalidError):
        rootly.sns_string_to_sign(b"{}")


def test_helpers():
    assert rootly.fingerprint({"alertname": "HighLatency"}) == rootly.fingerprint([("alertname", "HighLatency")])
    assert len(rootly.fingerprint({})) == 16
    assert rootly.parse_severity("critical") == 1 and rootly.parse_severity("SEV3") == 3
    assert rootly.severity_name(0) == "SEV0"
    with pytest.raises(ValueError):
        rootly.parse_severity("meh")
    with pytest.raises(ValueError):
        rootly.severity_name(9)


def test_batch(ctx):
    with ctx.batch():
        for i in range(5):
            ctx.create_incident("b%d" % i)
    assert len(ctx.list_incidents()) == 5
    with pytest.raises(RuntimeError):
        with ctx.batch():
            ctx.create_incident("rolled back")
            raise RuntimeError("boom")
    assert len(ctx.list_incidents()) == 5
    assert [i.title for i in ctx.incidents(limit=2)] == ["b0", "b1"]


def test_error_attributes(ctx):
    with pytest.raises(rootly.NotFoundError) as ei:
        ctx.get_incident("INC-77")
    e = ei.value
    assert e.code == rootly.ENOTFOUND and e.name == "ROOTLY_ENOTFOUND" and "INC-77" in e.message
    assert repr(e).startswith("NotFoundError(")
    # classes carry their code too (host code raises them)
    assert rootly.ConflictError.code == rootly.ECONFLICT
    with pytest.raises(TypeError):
        ctx.get_incident(42)


def test_errors_are_per_thread(ctx):
    """An error raised on one thread is not the error another thread reads."""
    seen = []

    def other():
        with rootly.Context("memory:") as c2:
            try:
                c2.get_incident("INC-1")
            except rootly.NotFoundError as e:
                seen.append(e.message)

    with pytest.raises(rootly.InvalidError) as ei:
        ctx.create_incident("")
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen and "title" not in seen[0]
    assert "title" in ei.value.message


def test_configure_uses_the_validated_document(tmp_path):
    """A context gets the document Config validated, not the file as it is later."""
    f = tmp_path / "rootly.yaml"
    f.write_text((DATA / "config.yaml").read_text())
    cfg = rootly.Config.load(f)
    assert cfg.path == str(f)
    f.write_text("version: [broken\n")
    with rootly.Context("memory:") as c:
        c.configure(cfg)  # still the valid document
        c.assign_role(c.create_incident("x"), "incident_analyst", "erin")


def test_clock():
    now = [1_700_000_000_000]
    with rootly.Context("memory:", clock=lambda: now[0]) as c:
        assert c.now() == now[0]
        inc = c.create_incident("x")
        assert inc.created_at == now[0]
        now[0] += 60_000
        c.acknowledge(inc)
        assert c.incident_metrics(inc).tta_ms == 60_000
        now[0] += 5 * 60_000
        c.start(inc)
        c.resolve(inc)
        assert c.incident_metrics(inc).ttr_ms == 6 * 60_000
        assert [e.at for e in c.timeline(inc)][-1] == now[0]

    def broken():
        raise RuntimeError("clock broke")
    with rootly.Context(store=rootly.DictStore(), clock=broken) as c:
        assert abs(c.now() - int(__import__("time").time() * 1000)) < 60_000  # falls back to the system time
    with pytest.raises(TypeError):
        rootly.Context(clock=42)
