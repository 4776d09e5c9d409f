"""A storage backend written in Python under a whole Context: the flow
works on it, and an exception raised inside it reaches the caller as an
error code with its message (never a crash), leaving nothing half-written."""

import gc
import threading

import pytest

import rootly


class FlakyStore(rootly.DictStore):
    """A DictStore whose `fail_on`-th call of `method` raises `exc`."""

    def __init__(self, method, fail_on, exc):
        super().__init__()
        self.method, self.fail_on, self.exc, self.calls = method, fail_on, exc, 0
        orig = getattr(rootly.DictStore, method)

        def wrapped(*a):
            self.calls += 1
            if self.calls == self.fail_on:
                raise self.exc
            return orig(self, *a)
        setattr(self, method, wrapped)


def test_flow_on_python_store(fixtures):
    store = rootly.DictStore()
    with rootly.Context(store=store, actor="py") as ctx:
        [item] = ctx.ingest("alertmanager", (fixtures / "alertmanager-real" / "firing-single.json").read_bytes())
        inc = ctx.get_incident(item.incident_ref)
        inc = inc.acknowledge().transition("started")
        inc.add_note("on a Python store")
        inc.add_task("follow up", kind="follow_up")
        ctx.resolve(inc)
        assert ctx.verify(inc).ok
        ctx.check()
        assert "on a Python store" in ctx.postmortem(inc)
        assert [i.outcome for i in ctx.ingest("alertmanager", (fixtures / "alertmanager-real" /
                                                                 "firing-single.json").read_bytes())] \
            == ["deduplicated"]
    assert store.closed
    assert set(store.records) >= {"incident", "alert", "task"}
    assert any(s.startswith("timeline/") for s in store.streams)


def test_python_store_persists_across_contexts():
    store = rootly.DictStore()
    with rootly.Context(store=store) as a:
        ref = a.create_incident("kept").ref
    copy = store.copy()
    with rootly.Context(store=copy) as b:
        assert b.get_incident(ref).title == "kept"
        assert b.create_incident("next").number == 2


@pytest.mark.parametrize("exc,cls,code", [
    (RuntimeError("disk on fire"), rootly.StorageError, rootly.EIO),
    (KeyError("k"), rootly.StorageError, rootly.EIO),
    (NotImplementedError(), rootly.StorageError, rootly.EIO),
    (rootly.ConflictError("someone else wrote"), rootly.ConflictError, rootly.ECONFLICT),
    (rootly.TimeoutError("slow disk"), rootly.TimeoutError, -8),
])
def test_exception_becomes_error(exc, cls, code):
    store = FlakyStore("put", 1, exc)
    with rootly.Context(store=store) as ctx:
        with pytest.raises(cls) as ei:
            ctx.create_incident("first put fails")
        e = ei.value
        assert e.code == code
        assert "put" in e.message and type(exc).__name__ in e.message
        if str(exc):
            assert str(exc).strip("'") in e.message
        # nothing half-written, and the context is still usable
        assert ctx.list_incidents() == []
        inc = ctx.create_incident("second works")
        assert inc.number >= 1 and [i.title for i in ctx.list_incidents()] == ["second works"]


@pytest.mark.parametrize("method", ["begin", "commit", "get", "find", "append", "read", "next_value"])
def test_every_slot_failing_is_an_error(method):
    store = FlakyStore(method, 1, ValueError("boom in " + method))
    with rootly.Context(store=store) as ctx:
        failed = None
        for _ in range(3):
            try:
                inc = ctx.create_incident("x")
                ctx.add_note(inc, "n")
                ctx.timeline(inc)
                ctx.list_incidents()
            except rootly.Error as e:
                failed = e
                break
        assert failed is not None, method
        assert "boom in " + method in failed.message
        ctx.check()  # the store stays consistent


def test_unimplemented_store():
    class Empty(rootly.Store):
        pass

    with pytest.raises(rootly.StorageError) as ei:
        with rootly.Context(store=Empty()) as ctx:
            ctx.create_incident("x")
    assert "NotImplementedError" in ei.value.message


def test_bad_return_value_is_an_error():
    class Liar(rootly.DictStore):
        def put(self, collection, record, expected_revision):
            super().put(collection, record, expected_revision)
            return "not a number"

    with rootly.Context(store=Liar()) as ctx:
        with pytest.raises(rootly.StorageError) as ei:
            ctx.create_incident("x")
        assert "put" in ei.value.message


def test_store_argument_checks():
    with pytest.raises(TypeError):
        rootly.Context(store=object())
    with pytest.raises(ValueError):
        rootly.Context("memory:", store=rootly.DictStore())


def test_store_lifetime_without_close():
    """The context keeps the store alive; collecting both in any order is safe."""
    closed = []

    class Tracked(rootly.DictStore):
        def close(self):
            closed.append(True)
            super().close()

    for _ in range(20):
        ctx = rootly.Context(store=Tracked())
        ctx.create_incident("x")
        del ctx
        gc.collect()
    assert len(closed) == 20


def test_store_from_threads():
    """Python stores are called with the GIL taken by the binding."""
    errors = []

    def work():
        try:
            with rootly.Context(store=rootly.DictStore()) as c:
                for i in range(30):
                    c.add_note(c.create_incident("t%d" % i), "n")
                assert len(c.list_incidents()) == 30
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
