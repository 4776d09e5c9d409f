package rootly

import (
	"errors"
	"fmt"
	"strings"

	"librootly.dev/rootly/internal/raw"
)

// Record is a stored record: a JSON document in a collection, with a
// revision and the indexed fields queries filter on ("" means unset).
type Record struct {
	ID       string
	JSON     string
	Revision int64
	Status   string
	Key      string
	GroupKey string
	Service  string
	Severity string
	Time     int64
}

// Query filters Store.Find; zero members do not filter.
type Query struct {
	ID, Status, Key, GroupKey, Service, Severity string
	TimeFrom                                     int64 // inclusive
	TimeTo                                       int64 // exclusive
	Limit                                        int
	Descending                                   bool
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
// a store from one goroutine at a time. Strings and byte slices passed in
// are the store's to keep.
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
	reply.Add_record(r.ID, r.Revision, r.JSON, r.Status, r.Key, r.GroupKey, r.Service, r.Severity, r.Time)
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
	r := Record{ID: strings.Clone(rec.Id()), JSON: strings.Clone(rec.Json()), Status: strings.Clone(rec.Status()),
		Key: strings.Clone(rec.Key()), GroupKey: strings.Clone(rec.Group_key()), Service: strings.Clone(rec.Service()),
		Severity: strings.Clone(rec.Severity()), Time: rec.Time()}
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
	query := Query{ID: strings.Clone(q.Id()), Status: strings.Clone(q.Status()), Key: strings.Clone(q.Key()),
		GroupKey: strings.Clone(q.Group_key()), Service: strings.Clone(q.Service()),
		Severity: strings.Clone(q.Severity()), TimeFrom: q.Time_from(), TimeTo: q.Time_to(),
		Limit: int(q.Limit()), Descending: q.Descending()}
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
