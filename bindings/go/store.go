package rootly

import (
	"errors"
	"fmt"
	"strings"

	"librootly.dev/rootly/internal/raw"
)

// Record is a stored record: a JSON document in a collection, with a
// revision and the indexed fields queries filter on. The optional indexed
// fields are pointers: nil is absent (C NULL), a pointer to "" is the empty
// string, and a store must give back what it was given (String makes a
// pointer from a literal).
type Record struct {
	ID       string
	JSON     string
	Revision int64
	Status   *string
	Key      *string
	GroupKey *string
	Service  *string
	Severity *string
	Time     int64
}

// Query filters Store.Find; zero members do not filter. A string filter
// that is nil does not filter; a non-nil one matches only records whose
// field is set and equal to it (so String("") matches "", not absent).
type Query struct {
	ID, Status, Key, GroupKey, Service, Severity *string
	TimeFrom                                     int64 // inclusive
	TimeTo                                       int64 // exclusive
	Limit                                        int
	Descending                                   bool
}

// String returns a pointer to a copy of s, for the optional fields of
// Record and Query: Query{Status: rootly.String("open")}.
func String(s string) *string { return &s }

// The bits of the shim's Record::present / Query::present and
// StoreReply::add_record_present (bindings/swig/rootly_swig_shim.hpp).
const (
	presentStatus uint = 1 << iota
	presentKey
	presentGroupKey
	presentService
	presentSeverity
	presentID
)

// optIn copies an optional field from C: nil unless bit is set in present.
func optIn(present, bit uint, s string) *string {
	if present&bit == 0 {
		return nil
	}
	c := strings.Clone(s)
	return &c
}

// optOut is an optional field's value for C and its bit in present.
func optOut(p *string, bit uint) (string, uint) {
	if p == nil {
		return "", 0
	}
	return *p, bit
}

// Entry is one stream entry.
type Entry struct {
	Seq  int64
	Data []byte
}

// Store is a storage backend written in Go (rootly/sys/store.h): records
// in collections, append-only streams, named sequences and nestable
// transactions. Give it to OpenStore. Return an *Error (e.g. with
// CodeConflict for a revision or sequence mismatch, CodeNotFound for a
// missing record, CodeInvalid for misuse) or any error (reported as
// CodeIO); a panic is recovered and reported the same way. librootly calls
// a store from one goroutine at a time. Strings, string pointers and
// byte slices passed in are the store's to keep (the adapter passes copies).
type Store interface {
	Begin() error    // open a (nested) transaction level
	Commit() error   // commit the innermost level; CodeInvalid if none
	Rollback() error // undo the innermost level; CodeInvalid if none
	// Get returns the record, or nil (and no error) when there is none.
	Get(collection, id string) (*Record, error)
	// Put inserts or replaces and returns the new revision. expected 0:
	// must not exist; > 0: must equal the stored revision; -1: no check.
	Put(collection string, rec Record, expected int64) (int64, error)
	Delete(collection, id string) error // CodeNotFound if absent
	// Find returns matching records ordered by (Time, ID), Limit applied.
	Find(collection string, q Query) ([]Record, error)
	// Append adds an entry; seq must be last+1 (else CodeConflict).
	Append(stream string, seq int64, data []byte) error
	// Read returns entries with Seq >= fromSeq, ascending, at most max (0: all).
	Read(stream string, fromSeq int64, max int) ([]Entry, error)
	Last(stream string) (int64, error)    // last seq, 0 if none
	NextValue(name string) (int64, error) // increment a counter (first 1)
}

// Checker is implemented by stores that can check their own integrity.
type Checker interface{ Check() error }

// Closer is implemented by stores that release something when the context closes.
type Closer interface{ Close() error }

// storeAdapter implements the SWIG director interface of
// rootly_swig::StoreBackend over a Store. The director lives in SWIG's
// handle table (no Go pointer is stored in C) until release.
type storeAdapter struct {
	s        Store
	director raw.StoreBackend
}

func newStoreAdapter(s Store) *storeAdapter {
	a := &storeAdapter{s: s}
	a.director = raw.NewDirectorStoreBackend(a)
	return a
}

func (a *storeAdapter) release() {
	if a.director != nil {
		raw.DeleteDirectorStoreBackend(a.director)
		a.director = nil
	}
}

// fail records err for the calling thread and returns its code.
func fail(slot string, err error) int {
	code := CodeIO
	var re *Error
	if errors.As(err, &re) && re.Code < 0 {
		code = re.Code
	}
	return raw.Rootly_swig_store_fail(int(code), slot+": "+err.Error())
}

// guard runs one store method; a panic becomes an error code.
func guard(slot string, fn func() error) (rc int) {
	defer func() {
		if r := recover(); r != nil {
			rc = fail(slot, fmt.Errorf("panic: %v", r))
		}
	}()
	if err := fn(); err != nil {
		return fail(slot, err)
	}
	return 0
}

// The Raw_* methods implement the director interface of
// rootly_swig::StoreBackend (called by the C shim, one per vtable slot).
func (a *storeAdapter) Raw_name() string {
	return fmt.Sprintf("go %T", a.s)
}

func (a *storeAdapter) Raw_begin() int    { return guard("Begin", a.s.Begin) }
func (a *storeAdapter) Raw_commit() int   { return guard("Commit", a.s.Commit) }
func (a *storeAdapter) Raw_rollback() int { return guard("Rollback", a.s.Rollback) }

func addRecord(reply raw.StoreReply, r *Record) {
	status, b1 := optOut(r.Status, presentStatus)
	key, b2 := optOut(r.Key, presentKey)
	group, b3 := optOut(r.GroupKey, presentGroupKey)
	service, b4 := optOut(r.Service, presentService)
	severity, b5 := optOut(r.Severity, presentSeverity)
	reply.Add_record_present(r.ID, r.Revision, r.JSON, status, key, group, service, severity, r.Time,
		b1|b2|b3|b4|b5)
}

func (a *storeAdapter) Raw_record_get(collection, id string, reply raw.StoreReply) int {
	return guard("Get", func() error {
		r, err := a.s.Get(collection, id)
		if err == nil && r != nil {
			addRecord(reply, r)
		}
		return err
	})
}

func (a *storeAdapter) Raw_record_put(collection string, rec raw.Record, expected int64, reply raw.StoreReply) int {
	p := rec.Present()
	r := Record{ID: strings.Clone(rec.Id()), JSON: strings.Clone(rec.Json()),
		Status: optIn(p, presentStatus, rec.Status()), Key: optIn(p, presentKey, rec.Key()),
		GroupKey: optIn(p, presentGroupKey, rec.Group_key()), Service: optIn(p, presentService, rec.Service()),
		Severity: optIn(p, presentSeverity, rec.Severity()), Time: rec.Time()}
	return guard("Put", func() error {
		rev, err := a.s.Put(collection, r, expected)
		if err == nil {
			reply.Set_value(rev)
		}
		return err
	})
}

func (a *storeAdapter) Raw_record_delete(collection, id string, reply raw.StoreReply) int {
	return guard("Delete", func() error { return a.s.Delete(collection, id) })
}

func (a *storeAdapter) Raw_record_find(collection string, q raw.Query, reply raw.StoreReply) int {
	p := q.Present()
	query := Query{ID: optIn(p, presentID, q.Id()), Status: optIn(p, presentStatus, q.Status()),
		Key: optIn(p, presentKey, q.Key()), GroupKey: optIn(p, presentGroupKey, q.Group_key()),
		Service: optIn(p, presentService, q.Service()), Severity: optIn(p, presentSeverity, q.Severity()),
		TimeFrom: q.Time_from(), TimeTo: q.Time_to(), Limit: int(q.Limit()), Descending: q.Descending()}
	return guard("Find", func() error {
		recs, err := a.s.Find(collection, query)
		if err != nil {
			return err
		}
		for i := range recs {
			addRecord(reply, &recs[i])
		}
		return nil
	})
}

func (a *storeAdapter) Raw_stream_append(stream string, seq int64, data string, reply raw.StoreReply) int {
	b := []byte(data) // a copy: the store keeps it
	return guard("Append", func() error { return a.s.Append(stream, seq, b) })
}

func (a *storeAdapter) Raw_stream_read(stream string, fromSeq int64, max uint64, reply raw.StoreReply) int {
	return guard("Read", func() error {
		es, err := a.s.Read(stream, fromSeq, int(max))
		if err != nil {
			return err
		}
		for _, e := range es {
			reply.Add_entry(e.Seq, string(e.Data))
		}
		return nil
	})
}

func (a *storeAdapter) Raw_stream_last(stream string, reply raw.StoreReply) int {
	return guard("Last", func() error {
		v, err := a.s.Last(stream)
		if err == nil {
			reply.Set_value(v)
		}
		return err
	})
}

func (a *storeAdapter) Raw_sequence_next(name string, reply raw.StoreReply) int {
	return guard("NextValue", func() error {
		v, err := a.s.NextValue(name)
		if err == nil {
			reply.Set_value(v)
		}
		return err
	})
}

func (a *storeAdapter) Raw_check(reply raw.StoreReply) int {
	if c, ok := a.s.(Checker); ok {
		return guard("Check", c.Check)
	}
	return 0
}

func (a *storeAdapter) Raw_close() {
	if c, ok := a.s.(Closer); ok {
		_ = guard("Close", c.Close)
	}
}
