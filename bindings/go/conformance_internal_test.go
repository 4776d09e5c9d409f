package rootly

import (
	"fmt"
	"strings"
	"testing"

	"librootly.dev/rootly/internal/raw"
)

// The same script of store calls, through the C vtable, against the
// built-in memory: and sqlite: backends and against MemStore (a Go store
// reached through the director shim): every answer must agree. The
// built-in backends pass the C conformance suite, so agreeing with them
// is conformance for the essential cases.
func storeScript(t *testing.T, st raw.RawStore) string {
	var b strings.Builder
	reply := raw.NewStoreReply()
	defer raw.DeleteStoreReply(reply)
	log := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	put := func(coll, id, json, status, key, group, svc, sev string, tm, expected int64) {
		rc := st.Record_put(coll, id, json, status, key, group, svc, sev, tm, expected, reply)
		log("put %s/%s exp=%d -> %d rev=%d", coll, id, expected, rc, reply.Value())
	}
	find := func(what string, id, status, key, group, svc, sev string, from, to int64, limit uint64, desc bool) {
		rc := st.Record_find("alert", true, id, status, key, group, svc, sev, from, to, limit, desc, reply)
		ids := []string{}
		for i := int64(0); i < reply.Records_count(); i++ {
			r := reply.Record(i)
			ids = append(ids, fmt.Sprintf("%s@%d", r.Id(), r.Revision()))
			raw.DeleteStoredRecord(r)
		}
		log("find %s -> %d [%s]", what, rc, strings.Join(ids, " "))
	}
	get := func(coll, id string) {
		rc := st.Record_get(coll, id, reply)
		s := ""
		if reply.Records_count() == 1 {
			r := reply.Record(0)
			s = fmt.Sprintf("%s %s rev=%d st=%s key=%s t=%d", r.Id(), r.Json(), r.Revision(), r.Status(), r.Key(), r.Time())
			raw.DeleteStoredRecord(r)
		}
		log("get %s/%s -> %d %s", coll, id, rc, s)
	}
	stream := func(name string, from int64, max uint64) {
		rc := st.Stream_read(name, from, max, reply)
		parts := []string{}
		for i := int64(0); i < reply.Entries_count(); i++ {
			parts = append(parts, fmt.Sprintf("%d:%q", reply.Entry_seq(i), reply.Entry_text(i)))
		}
		log("read %s from %d max %d -> %d [%s]", name, from, max, rc, strings.Join(parts, " "))
	}

	put("alert", "a1", `{"n":1}`, "firing", "fp1", "g1", "api", "critical", 100, 0)
	put("alert", "a2", `{"n":2}`, "resolved", "fp2", "g1", "api", "warning", 200, 0)
	put("alert", "a3", `{"n":3}`, "firing", "fp3", "g2", "db", "critical", 300, 0)
	put("alert", "a4", `{"n":4}`, "firing", "fp1", "g2", "db", "warning", 200, 0)
	put("alert", "a1", `{"n":1}`, "firing", "fp1", "g1", "api", "critical", 100, 0) // exists
	put("alert", "a1", `{"n":11}`, "firing", "fp1", "g1", "api", "critical", 100, 1)
	put("alert", "a1", `{"n":12}`, "firing", "fp1", "g1", "api", "critical", 100, 1) // stale
	put("alert", "a9", `{}`, "firing", "fp9", "g9", "x", "y", 1, 4)                  // absent
	put("alert", "a5", `{"n":5}`, "firing", "fp5", "g1", "api", "critical", 400, -1)
	get("alert", "a1")
	get("alert", "nope")
	get("other", "a1")
	find("all", "", "", "", "", "", "", 0, 0, 0, false)
	find("desc", "", "", "", "", "", "", 0, 0, 0, true)
	find("firing", "", "firing", "", "", "", "", 0, 0, 0, false)
	find("fp1", "", "", "fp1", "", "", "", 0, 0, 0, false)
	find("g1 api crit", "", "", "", "g1", "api", "critical", 0, 0, 0, false)
	find("time", "", "", "", "", "", "", 200, 400, 0, false)
	find("limit", "", "", "", "", "", "", 0, 0, 2, true)
	find("id", "a3", "", "", "", "", "", 0, 0, 0, false)
	log("delete -> %d %d", st.Record_delete("alert", "a2"), st.Record_delete("alert", "a2"))
	find("after delete", "", "", "", "", "", "", 0, 0, 0, false)

	for i, d := range []string{"e1", "e\x00two", ""} {
		log("append %d -> %d", i+1, st.Stream_append("s", int64(i+1), d))
	}
	log("append gap -> %d", st.Stream_append("s", int64(9), "x"))
	log("append dup -> %d", st.Stream_append("s", int64(2), "x"))
	stream("s", 1, 0)
	stream("s", 2, 1)
	stream("none", 1, 0)
	log("last -> %d %d", st.Stream_last("s", reply), reply.Value())
	for i := 0; i < 3; i++ {
		log("next -> %d %d", st.Sequence_next("n", reply), reply.Value())
	}

	log("commit none -> %d rollback none -> %d", st.Commit(), st.Rollback())
	log("begin -> %d", st.Begin())
	put("alert", "t1", `{}`, "open", "k", "g", "s", "v", 5, 0)
	log("begin -> %d", st.Begin())
	put("alert", "t2", `{}`, "open", "k", "g", "s", "v", 6, 0)
	log("append -> %d", st.Stream_append("s", int64(4), "in"))
	log("next -> %d %d", st.Sequence_next("n", reply), reply.Value())
	log("rollback -> %d", st.Rollback())
	find("after inner rollback", "", "open", "", "", "", "", 0, 0, 0, false)
	log("last -> %d %d", st.Stream_last("s", reply), reply.Value())
	log("commit -> %d", st.Commit())
	log("next -> %d %d", st.Sequence_next("n", reply), reply.Value())
	find("committed", "", "open", "", "", "", "", 0, 0, 0, false)
	log("check -> %d", st.Check())
	return b.String()
}

func TestStoreConformanceAgainstBuiltins(t *testing.T) {
	run := func(name string, open func(raw.RawStore) int) string {
		st := raw.NewRawStore()
		defer raw.DeleteRawStore(st)
		if rc := open(st); rc != 0 {
			t.Fatalf("%s: open -> %d", name, rc)
		}
		return storeScript(t, st)
	}
	want := run("memory", func(st raw.RawStore) int { return st.Open("memory:") })
	sqlite := run("sqlite", func(st raw.RawStore) int { return st.Open("sqlite:" + t.TempDir() + "/s.db") })
	if sqlite != want {
		t.Fatalf("sqlite differs from memory:\n%s\n---\n%s", sqlite, want)
	}
	ms := NewMemStore()
	a := newStoreAdapter(ms)
	got := run("go", func(st raw.RawStore) int { return st.Wrap(a.director) })
	a.release()
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range wl {
			if i >= len(gl) || gl[i] != wl[i] {
				t.Fatalf("Go store differs at line %d:\n go:     %q\n memory: %q\n\n%s", i+1, at(gl, i), wl[i], got)
			}
		}
		t.Fatalf("Go store output longer:\n%s", got)
	}
	if !ms.Closed {
		t.Fatal("the vtable's free did not close the Go store")
	}
	if !strings.Contains(want, "-> -6") || !strings.Contains(want, "-> -3") {
		t.Fatalf("script exercised no conflict or not-found:\n%s", want)
	}
}

func at(l []string, i int) string {
	if i < len(l) {
		return l[i]
	}
	return "<missing>"
}
