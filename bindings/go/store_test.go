package rootly_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"librootly.dev/rootly"
)

func TestFlowOnGoStore(t *testing.T) {
	s := rootly.NewMemStore()
	c, err := rootly.OpenStore(s, "go")
	must(t, err)
	items, err := c.Ingest("alertmanager", fixture(t, "alertmanager-real/firing-single.json"), nil)
	must(t, err)
	ref := items[0].IncidentRef
	must(t, c.Acknowledge(ref, ""))
	must(t, c.Transition(ref, rootly.StatusStarted, rootly.TransitionOptions{}))
	must(t, c.AddNote(ref, "on a Go store", ""))
	_, err = c.CreateTask(ref, rootly.TaskOptions{Title: "t"})
	must(t, err)
	must(t, c.Transition(ref, rootly.StatusResolved, rootly.TransitionOptions{}))
	vr, err := c.Verify(ref)
	must(t, err)
	if !vr.OK {
		t.Fatalf("%+v", vr)
	}
	must(t, c.Check())
	md, err := c.Postmortem(ref, rootly.Markdown)
	must(t, err)
	if !strings.Contains(md, "on a Go store") {
		t.Fatal(md)
	}
	c.Close()
	if !s.Closed || strings.Join(s.Collections(), ",") != "alert,incident,task" {
		t.Fatalf("closed %v collections %v", s.Closed, s.Collections())
	}
	// the store outlives the context and can be opened again
	c2, err := rootly.OpenStore(s, "")
	must(t, err)
	defer c2.Close()
	inc, err := c2.Incident(ref)
	must(t, err)
	if inc.Status != rootly.StatusResolved {
		t.Fatal(inc.Status)
	}
}

// failing wraps a MemStore; the n-th call of method fails with err, or panics.
type failing struct {
	*rootly.MemStore
	method string
	n      int
	calls  int
	err    error
	panics bool
}

func (f *failing) hit(m string) error {
	if m != f.method {
		return nil
	}
	f.calls++
	if f.calls != f.n {
		return nil
	}
	if f.panics {
		panic("store exploded in " + m)
	}
	return f.err
}

func (f *failing) Put(c string, r rootly.Record, e int64) (int64, error) {
	if err := f.hit("Put"); err != nil {
		return 0, err
	}
	return f.MemStore.Put(c, r, e)
}

func (f *failing) Append(s string, seq int64, d []byte) error {
	if err := f.hit("Append"); err != nil {
		return err
	}
	return f.MemStore.Append(s, seq, d)
}

func (f *failing) Begin() error {
	if err := f.hit("Begin"); err != nil {
		return err
	}
	return f.MemStore.Begin()
}

func TestGoStoreErrors(t *testing.T) {
	cases := []struct {
		f    *failing
		code rootly.Code
		text string
	}{
		{&failing{method: "Put", n: 1, err: errors.New("disk on fire")}, rootly.CodeIO, "disk on fire"},
		{&failing{method: "Put", n: 1, err: &rootly.Error{Code: rootly.CodeConflict, Message: "raced"}}, rootly.CodeConflict, "raced"},
		{&failing{method: "Append", n: 1, err: fmt.Errorf("wrapped: %w", &rootly.Error{Code: rootly.CodeTimeout, Message: "slow"})}, rootly.CodeTimeout, "slow"},
		{&failing{method: "Begin", n: 1, err: errors.New("no tx")}, rootly.CodeIO, "no tx"},
		{&failing{method: "Put", n: 1, panics: true}, rootly.CodeIO, "store exploded in Put"},
	}
	for _, tc := range cases {
		tc.f.MemStore = rootly.NewMemStore()
		c, err := rootly.OpenStore(tc.f, "")
		must(t, err)
		_, err = c.CreateIncident(rootly.IncidentOptions{Title: "x"})
		var re *rootly.Error
		if !errors.As(err, &re) || re.Code != tc.code || !strings.Contains(re.Message, tc.text) {
			t.Fatalf("%s: got %#v", tc.f.method, err)
		}
		// nothing half-written; the context still works
		if l, _ := c.Incidents(rootly.Filter{}); len(l) != 0 {
			t.Fatalf("%s: %d incidents after a failure", tc.f.method, len(l))
		}
		_, err = c.CreateIncident(rootly.IncidentOptions{Title: "y"})
		must(t, err)
		must(t, c.Check())
		c.Close()
	}
}

// Absent (nil) and "" are different values of an optional field: a Go
// store keeps them apart and a filter for "" matches only "".
func TestStoreRecordAbsentVersusEmpty(t *testing.T) {
	s := rootly.NewMemStore()
	empty := "" // changed after Put: the store keeps its own copy
	for _, r := range []rootly.Record{
		{ID: "a", JSON: "{}", Status: &empty, Time: 1},
		{ID: "b", JSON: "{}", Time: 2},
		{ID: "c", JSON: "{}", Status: rootly.String("open"), Key: rootly.String(""), Time: 3},
	} {
		if _, err := s.Put("alert", r, 0); err != nil {
			t.Fatal(err)
		}
	}
	empty = "changed"
	ids := func(q rootly.Query) string {
		recs, err := s.Find("alert", q)
		must(t, err)
		var out []string
		for _, r := range recs {
			out = append(out, r.ID)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		q    rootly.Query
		want string
	}{
		{rootly.Query{}, "a,b,c"},
		{rootly.Query{Status: rootly.String("")}, "a"},
		{rootly.Query{Status: rootly.String("open")}, "c"},
		{rootly.Query{Key: rootly.String("")}, "c"},
		{rootly.Query{ID: rootly.String("b")}, "b"},
		{rootly.Query{ID: rootly.String("")}, ""},
	} {
		if got := ids(c.q); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.q, got, c.want)
		}
	}
	a, err := s.Get("alert", "a")
	must(t, err)
	b, err := s.Get("alert", "b")
	must(t, err)
	if a.Status == nil || *a.Status != "" || a.Key != nil || b.Status != nil {
		t.Fatalf("a %+v b %+v", a, b)
	}
	*a.Status = "mutated" // a copy: the stored record is unchanged
	if again, _ := s.Get("alert", "a"); *again.Status != "" {
		t.Fatal(*again.Status)
	}
}
