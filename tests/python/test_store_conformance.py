"""The storage conformance suite (tests/conformance/test_store_conformance.c)
ported to Python, run through each store's C vtable: the built-in memory:
and sqlite: backends, and rootly.DictStore -- a store written in Python,
reached through the C++ director shim, exactly as librootly reaches it.
The built-in backends pass the C suite; passing the same cases here shows
the Python store (and the trampolines) keep the same contract."""

import pytest

import rootly
from rootly import Query, RawStore, Record

OK, EINVALID, ENOTFOUND, ECONFLICT = 0, rootly.EINVALID, rootly.ENOTFOUND, rootly.ECONFLICT
EUSER = -30


@pytest.fixture(params=["memory", "sqlite", "python"])
def st(request, tmp_path):
    if request.param == "memory":
        target = "memory:"
    elif request.param == "sqlite":
        target = "sqlite:%s" % (tmp_path / "store.db")
    else:
        target = rootly.DictStore()
    s = RawStore(target)
    yield s
    s.close()


def rec(id, json="{}", status=None, key=None, group_key=None, service=None, severity=None, time=0):
    return Record(id=id, json=json, status=status, key=key, group_key=group_key, service=service,
                  severity=severity, time=time)


def put(st, coll, r, expected=-1):
    return st.put(coll, r, expected)


def ids(st, coll, q=None):
    rc, recs = st.find(coll, q)
    assert rc == OK
    return " ".join(r.id for r in recs)


def stream(st, name, from_seq=1, max=0):
    rc, entries = st.read(name, from_seq, max)
    assert rc == OK
    return " ".join("%d:%s" % (s, d.decode("latin-1")) for s, d in entries)


def same(got, want, revision):
    assert got is not None
    for f in ("id", "json", "status", "key", "group_key", "service", "severity", "time"):
        assert getattr(got, f) == getattr(want, f), f
    assert got.revision == revision


def test_put_get_revision(st):
    r = rec("i1", '{"a":1}', "started", "INC-1", "g", "api", "SEV1", 1234)
    assert put(st, "incident", r, 0) == (OK, 1)
    rc, got = st.get("incident", "i1")
    assert rc == OK
    same(got, r, 1)
    r2 = rec("i1", '{"a":2}', "mitigated", None, None, "db", None, 99)
    assert put(st, "incident", r2, 1) == (OK, 2)
    same(st.get("incident", "i1")[1], r2, 2)
    assert put(st, "incident", r, -1)[0] == OK
    same(st.get("incident", "i1")[1], r, 3)


def test_put_conflicts(st):
    r = rec("a", '{"v":1}', "firing", "fp", time=10)
    other = rec("a", '{"v":"other"}', "resolved", "fp2", "g", time=20)
    assert put(st, "alert", r, 5)[0] == ECONFLICT
    assert st.get("alert", "a")[0] == ENOTFOUND
    assert put(st, "alert", r, 0) == (OK, 1)
    assert put(st, "alert", other, 0)[0] == ECONFLICT
    assert put(st, "alert", r, 1) == (OK, 2)
    assert put(st, "alert", other, 1)[0] == ECONFLICT
    assert put(st, "alert", other, 3)[0] == ECONFLICT
    same(st.get("alert", "a")[1], r, 2)
    assert ids(st, "alert", Query(key="fp")) == "a"
    assert ids(st, "alert", Query(key="fp2")) == ""
    assert put(st, "alert", other, -1) == (OK, 3)
    assert put(st, "alert", rec("b"), -1) == (OK, 1)


def test_put_invalid(st):
    assert put(st, "c", rec(None))[0] == EINVALID
    assert put(st, "c", rec("x", None))[0] == EINVALID
    assert put(st, "c", rec("x"), -2)[0] == EINVALID
    assert put(st, None, rec("x"))[0] == EINVALID
    assert st.get("c", "x")[0] == ENOTFOUND
    assert ids(st, "c") == ""


def test_get_notfound_and_delete(st):
    assert st.get("nope", "x") == (ENOTFOUND, None)
    put(st, "c", rec("x"), 0)
    assert st.get("c", "y")[0] == ENOTFOUND
    assert st.get("other", "x")[0] == ENOTFOUND
    assert st.delete("c", "y") == ENOTFOUND
    assert st.delete("nope", "y") == ENOTFOUND
    r = rec("d", "{}", "open", "k", "g", "s", "SEV2", 5)
    put(st, "task", r, 0)
    put(st, "task", rec("e", time=6), 0)
    assert st.delete("task", "d") == OK
    assert st.delete("task", "d") == ENOTFOUND
    assert ids(st, "task") == "e"
    assert ids(st, "task", Query(key="k")) == ""
    assert put(st, "task", r, 0) == (OK, 1)
    assert ids(st, "task") == "d e"


def test_collections_isolated(st):
    put(st, "one", rec("same", '{"c":1}', "s", "k", "g", time=1), 0)
    put(st, "two", rec("same", '{"c":2}', "s", "k", "g", time=1), 0)
    assert st.get("one", "same")[1].json == '{"c":1}'
    assert st.delete("two", "same") == OK
    assert ids(st, "two", Query(key="k")) == ""
    assert ids(st, "one", Query(key="k")) == "same"


def seed(st):
    for r in (rec("a1", '{"n":1}', "firing", "fp1", "g1", "api", "critical", 100),
              rec("a2", '{"n":2}', "resolved", "fp2", "g1", "api", "warning", 200),
              rec("a3", '{"n":3}', "firing", "fp3", "g2", "db", "critical", 300),
              rec("a4", '{"n":4}', "firing", "fp1", "g2", "db", "warning", 200),
              rec("a5", '{"n":5}', "resolved", None, None, None, None, 0),
              rec("a6", '{"n":6}', "firing", "fp4", "g1", "api", "critical", 400)):
        assert put(st, "alert", r, 0)[0] == OK
    put(st, "incident", rec("z1", "{}", "firing", "fp1", "g1", "api", "critical", 150), 0)


@pytest.mark.parametrize("q,want", [
    (None, "a5 a1 a2 a4 a3 a6"),
    (Query(id="a3"), "a3"),
    (Query(id="a3", status="resolved"), ""),
    (Query(id="z1"), ""),
    (Query(status="firing"), "a1 a4 a3 a6"),
    (Query(status=""), ""),
    (Query(key="fp1"), "a1 a4"),
    (Query(group_key="g1"), "a1 a2 a6"),
    (Query(service="db"), "a4 a3"),
    (Query(severity="critical"), "a1 a3 a6"),
    (Query(time_from=200), "a2 a4 a3 a6"),
    (Query(time_to=300), "a5 a1 a2 a4"),
    (Query(time_from=200, time_to=300), "a2 a4"),
    (Query(status="firing", service="api", severity="critical", time_from=150), "a6"),
    (Query(group_key="g1", time_to=400, descending=True), "a2 a1"),
    (Query(descending=True), "a6 a3 a4 a2 a1 a5"),
    (Query(limit=2), "a5 a1"),
    (Query(limit=2, descending=True), "a6 a3"),
    (Query(limit=1, status="firing", descending=True), "a6"),
    (Query(limit=3, time_from=200, time_to=1000), "a2 a4 a3"),
])
def test_find(st, q, want):
    seed(st)
    assert ids(st, "alert", q) == want
    assert ids(st, "nope", q) == ""


def test_find_update_reindexes(st):
    seed(st)
    assert put(st, "alert", rec("a1", "{}", "resolved", "fpX", "g9", "web", "info", 500), 1)[0] == OK
    assert ids(st, "alert", Query(key="fp1")) == "a4"
    assert ids(st, "alert", Query(key="fpX")) == "a1"
    assert ids(st, "alert", Query(group_key="g9", service="web", severity="info")) == "a1"
    assert ids(st, "alert") == "a5 a2 a4 a3 a6 a1"


def test_callback_stops(st):
    seed(st)
    st.stop_after(1, 42)
    assert st.get("alert", "a1")[0] == 42
    st.stop_after(2, 7)
    rc, recs = st.find("alert")
    assert rc == 7 and [r.id for r in recs] == ["a5", "a1"] and st.calls == 2
    st.stop_after(1, EUSER)
    rc, recs = st.find("alert", Query(descending=True))
    assert rc == EUSER and [r.id for r in recs] == ["a6"]
    for i, d in enumerate((b"x", b"y", b"z"), 1):
        assert st.append("s", i, d) == OK
    st.stop_after(2, -99)
    rc, entries = st.read("s")
    assert rc == -99 and entries == [(1, b"x"), (2, b"y")]
    st.stop_after(0, 0)
    assert ids(st, "alert", Query(status="resolved")) == "a5 a2"
    assert stream(st, "s") == "1:x 2:y 3:z"


def test_streams(st):
    assert st.last("timeline/x") == (OK, 0)
    assert stream(st, "timeline/x") == ""
    for i in (1, 2, 3):
        assert st.append("timeline/x", i, b"e%d" % i) == OK
    assert st.append("timeline/y", 1, b"other") == OK
    assert st.last("timeline/x") == (OK, 3)
    assert stream(st, "timeline/x", 0) == "1:e1 2:e2 3:e3"
    assert stream(st, "timeline/x", 2, 1) == "2:e2"
    assert stream(st, "timeline/x", 1, 2) == "1:e1 2:e2"
    assert stream(st, "timeline/x", 3, 10) == "3:e3"
    assert stream(st, "timeline/x", 4) == ""
    assert stream(st, "timeline") == ""


def test_stream_conflicts_and_binary(st):
    for seq in (2, 0, -1):
        assert st.append("s", seq, b"x") == ECONFLICT
    assert st.last("s") == (OK, 0)
    assert st.append("s", 1, b"a") == OK
    assert st.append("s", 2, b"b") == OK
    for seq in (2, 1, 4):
        assert st.append("s", seq, b"dup") == ECONFLICT
    assert st.begin() == OK
    assert st.append("s", 9, b"x") == ECONFLICT
    assert st.append("s", 3, b"c") == OK
    assert st.commit() == OK
    assert stream(st, "s") == "1:a 2:b 3:c"
    assert st.append("bin", 1, b"a\0b") == OK
    assert st.append("bin", 2, b"") == OK
    assert st.append("bin", 3, b"\xff\x01") == OK
    assert st.read("bin") == (OK, [(1, b"a\0b"), (2, b""), (3, b"\xff\x01")])
    assert st.append("bin", 4, None) == OK  # NULL with length 0
    assert st.last("bin") == (OK, 4)


def test_sequences(st):
    assert [st.next_value(n)[1] for n in ("n", "n", "o", "n", "o")] == [1, 2, 1, 3, 2]
    assert st.begin() == OK
    assert st.next_value("n") == (OK, 4)
    assert st.commit() == OK
    assert st.next_value("n") == (OK, 5)


def test_tx_nested_rollback(st):
    assert st.begin() == OK
    put(st, "c", rec("outer", time=1), 0)
    assert st.begin() == OK
    put(st, "c", rec("inner", time=2), 0)
    assert st.append("s", 1, b"in") == OK
    assert st.rollback() == OK
    assert ids(st, "c") == "outer"
    assert st.last("s") == (OK, 0)
    assert st.begin() == OK
    put(st, "c", rec("inner2", time=3), 0)
    assert st.commit() == OK
    assert st.commit() == OK
    assert ids(st, "c") == "outer inner2"
    assert st.begin() == OK
    put(st, "c", rec("gone", time=4), 0)
    assert st.next_value("n") == (OK, 1)
    assert st.rollback() == OK
    assert ids(st, "c") == "outer inner2"
    assert st.next_value("n") == (OK, 1)


def test_tx_misuse(st):
    assert st.commit() == EINVALID
    assert st.rollback() == EINVALID
    assert st.begin() == OK
    assert st.commit() == OK
    assert st.commit() == EINVALID
    assert st.begin() == OK
    assert st.rollback() == OK
    put(st, "c", rec("after"), 0)
    assert st.get("c", "after")[0] == OK


def test_tx_reads_see_own_writes(st):
    assert st.begin() == OK
    r = rec("r", "{}", "open", "k", "g", time=1)
    put(st, "c", r, 0)
    assert st.append("s", 1, b"x") == OK
    assert st.begin() == OK
    assert ids(st, "c", Query(key="k")) == "r"
    assert put(st, "c", r, 1) == (OK, 2)
    assert st.rollback() == OK
    assert st.get("c", "r")[1].revision == 1
    assert st.rollback() == OK
    assert st.get("c", "r")[0] == ENOTFOUND
    assert st.last("s") == (OK, 0)


def test_unicode_and_large(st):
    r = rec("ü-1", '{"t":"caf\\u00e9 \\"q\\" ✓"}', "ünï", "k'ey", time=1)
    put(st, "c", r, 0)
    same(st.get("c", "ü-1")[1], r, 1)
    big = '{"x":"%s"}' % ("y" * 300000)
    assert put(st, "c", rec("big", big), 0)[0] == OK
    assert st.get("c", "big")[1].json == big


def test_check(st):
    seed(st)
    assert st.check() == OK
    assert st.name
