"""Smoke test of the minimal SWIG module (issue 2, point 8): the API's
out-parameters, strings and errors wrap cleanly.

Run from a build tree: PYTHONPATH=<build>/python python3 -m pytest -q tests/python
(ctest's "python" test does exactly that).
"""

import json
import os
import pathlib
import threading

import pytest

import rootly

FIXTURES = pathlib.Path(os.environ.get(
    "ROOTLY_TEST_FIXTURES", pathlib.Path(__file__).resolve().parent.parent / "fixtures"))
FIRING = FIXTURES / "alertmanager-real" / "firing-single.json"


@pytest.fixture
def ctx():
    with rootly.Context("memory:", actor="pytest") as c:
        yield c


def test_version():
    major, minor, patch = rootly.version()
    assert rootly.__version__ == "%d.%d.%d" % (major, minor, patch)
    assert rootly.STATUSES == ("in_triage", "started", "mitigated", "resolved", "closed", "cancelled")
    assert rootly.strerror(-3)
    assert rootly.err_name(-3) == "ROOTLY_ENOTFOUND"


def test_exception_hierarchy():
    assert issubclass(rootly.NotFoundError, rootly.Error)
    assert issubclass(rootly.NotFoundError, KeyError)
    assert issubclass(rootly.InvalidError, rootly.Error)
    assert issubclass(rootly.InvalidError, ValueError)
    for cls in (rootly.IllegalTransitionError, rootly.ConflictError, rootly.StorageError):
        assert issubclass(cls, rootly.Error)
    assert issubclass(rootly.Error, Exception)


def test_alert_to_postmortem(ctx):
    items = ctx.ingest("alertmanager", FIRING.read_bytes())
    assert len(items) == 1
    item = items[0]
    assert item.outcome == "created"
    assert item.status == "firing"
    assert item.fingerprint == "9bad08016c98e137"
    assert item.incident_ref and item.incident_ref.startswith("INC-")

    inc = ctx.get_incident(item.incident_ref)
    assert inc.id == item.incident_id
    assert inc.ref == item.incident_ref
    assert inc.title == "checkout-api p99 latency is above 2s"
    assert inc.status == "in_triage"
    assert inc.severity_name == "SEV1"           # severity=critical
    assert inc.services == ("checkout-api",)
    assert inc.teams == ("e-commerce-backend",)
    assert inc.alerts_count == 1
    assert inc.labels.get("alertname") == "HighLatency"
    assert ctx.get_incident(inc.id) == inc       # by id or by number

    # The same alert again is deduplicated, not a second incident.
    again = ctx.ingest("alertmanager", FIRING.read_text())
    assert [i.outcome for i in again] == ["deduplicated"]
    assert len(ctx.list_incidents()) == 1

    ctx.acknowledge(inc.ref, actor="alice")
    for status in ("started", "mitigated", "resolved"):
        ctx.transition(inc.ref, status, actor="alice", note="moving to " + status)
        assert ctx.get_incident(inc.ref).status == status

    done = ctx.get_incident(inc.ref)
    assert done.acknowledged_at is not None
    assert set(done.status_at) >= {"in_triage", "started", "mitigated", "resolved"}
    assert done.revision > inc.revision
    assert not done.is_open

    md = ctx.postmortem(inc.ref)
    assert isinstance(md, str)
    assert "TTR" in md
    assert inc.title in md
    pm = json.loads(ctx.postmortem(inc.ref, format="json"))
    assert pm["metrics"]["ttr_ms"] >= 0
    assert pm["metrics"]["tta_ms"] >= 0


def test_bad_json_raises_invalid(ctx):
    with pytest.raises(rootly.InvalidError) as ei:
        ctx.ingest("alertmanager", b'{"version": "4", "status": "firing", "alerts": [')
    err = ei.value
    assert isinstance(err, ValueError)
    assert err.code == -5
    assert err.name == "ROOTLY_EINVALID"
    assert err.message and str(err) == err.message
    assert ctx.list_incidents() == []           # nothing stored


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "alertmanager").glob("bad-webhook-*.json")))
def test_bad_fixtures_refused(ctx, name):
    with pytest.raises(rootly.InvalidError) as ei:
        ctx.ingest("alertmanager", (FIXTURES / "alertmanager" / name).read_bytes())
    assert ei.value.message
    assert ctx.list_incidents() == []


def test_unknown_incident_raises_not_found(ctx):
    with pytest.raises(rootly.NotFoundError) as ei:
        ctx.get_incident("INC-999")
    assert isinstance(ei.value, KeyError)
    assert ei.value.name == "ROOTLY_ENOTFOUND"
    assert ei.value.message
    with pytest.raises(rootly.NotFoundError):
        ctx.transition("INC-999", "started")
    with pytest.raises(rootly.NotFoundError):
        ctx.postmortem("INC-999")


def test_illegal_transition(ctx):
    inc = ctx.create_incident("disk full on db-1", severity="SEV2", services=["db"], teams=["storage"],
                              labels={"env": "prod"}, fields={"region": "eu"})
    assert inc.ref.startswith("INC-")
    assert inc.severity == 2 and inc.services == ("db",) and inc.labels == {"env": "prod"}
    assert ctx.incident_json(inc.ref)["fields"] == {"region": "eu"}
    with pytest.raises(rootly.IllegalTransitionError) as ei:
        ctx.transition(inc.ref, "closed")
    assert "resolved" in ei.value.message or "started" in ei.value.message
    assert ctx.get_incident(inc.ref).status == "in_triage"
    ctx.transition(inc.ref, "closed", override=True)
    assert ctx.get_incident(inc.ref).status == "closed"


def test_create_incident_invalid(ctx):
    with pytest.raises(rootly.InvalidError):
        ctx.create_incident("")
    with pytest.raises(TypeError):
        ctx.create_incident("t", services="db")  # a str is not a list of services
    with pytest.raises(TypeError):
        ctx.ingest("alertmanager", 42)


def test_list_filters(ctx):
    a = ctx.create_incident("a", severity=1)
    b = ctx.create_incident("b", severity=3)
    ctx.transition(b.ref, "started")
    assert [i.ref for i in ctx.list_incidents()] == [a.ref, b.ref]
    assert [i.ref for i in ctx.list_incidents("started")] == [b.ref]
    assert [i.ref for i in ctx.list_incidents(severity="SEV1")] == [a.ref]
    assert [i.ref for i in ctx.list_incidents(newest_first=True, limit=1)] == [b.ref]


def test_closed_context():
    c = rootly.Context("memory:")
    c.close()
    c.close()
    with pytest.raises(ValueError):
        c.get_incident("INC-1")


def test_contexts_in_threads():
    """Calls release the GIL; separate contexts work from separate threads,
    and each thread's errors are its own."""
    errors = []

    def work(n):
        try:
            with rootly.Context("memory:") as c:
                for i in range(20):
                    c.create_incident("t%d-%d" % (n, i))
                    with pytest.raises(rootly.NotFoundError):
                        c.get_incident("INC-999")
                assert len(c.list_incidents()) == 20
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
