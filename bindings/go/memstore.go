package rootly

import (
	"fmt"
	"sort"
)

// MemStore is a complete Store in Go maps: a reference implementation and
// a starting point (each transaction level keeps a snapshot).
type MemStore struct {
	records map[string]map[string]Record
	streams map[string][][]byte
	seqs    map[string]int64
	levels  []memState
	Closed  bool
}

type memState struct {
	records map[string]map[string]Record
	streams map[string][][]byte
	seqs    map[string]int64
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{records: map[string]map[string]Record{}, streams: map[string][][]byte{}, seqs: map[string]int64{}}
}

func (m *MemStore) snapshot() memState {
	s := memState{records: map[string]map[string]Record{}, streams: map[string][][]byte{}, seqs: map[string]int64{}}
	for c, recs := range m.records {
		cp := make(map[string]Record, len(recs))
		for k, v := range recs {
			cp[k] = v
		}
		s.records[c] = cp
	}
	for k, v := range m.streams {
		s.streams[k] = append([][]byte(nil), v...)
	}
	for k, v := range m.seqs {
		s.seqs[k] = v
	}
	return s
}

// Begin opens a transaction level (a snapshot to return to).
func (m *MemStore) Begin() error { m.levels = append(m.levels, m.snapshot()); return nil }

// Commit keeps the innermost level's changes.
func (m *MemStore) Commit() error {
	if len(m.levels) == 0 {
		return &Error{Code: CodeInvalid, Message: "commit: no transaction is open"}
	}
	m.levels = m.levels[:len(m.levels)-1]
	return nil
}

// Rollback returns to the innermost level's snapshot.
func (m *MemStore) Rollback() error {
	if len(m.levels) == 0 {
		return &Error{Code: CodeInvalid, Message: "rollback: no transaction is open"}
	}
	s := m.levels[len(m.levels)-1]
	m.levels = m.levels[:len(m.levels)-1]
	m.records, m.streams, m.seqs = s.records, s.streams, s.seqs
	return nil
}

// cloneOpt copies an optional field, so that the store and its callers
// never share a string they could change through the pointer.
func cloneOpt(p *string) *string {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// clone is r with its optional fields copied.
func (r Record) clone() Record {
	r.Status, r.Key, r.GroupKey = cloneOpt(r.Status), cloneOpt(r.Key), cloneOpt(r.GroupKey)
	r.Service, r.Severity = cloneOpt(r.Service), cloneOpt(r.Severity)
	return r
}

// Get returns (a copy of) the record, or nil.
func (m *MemStore) Get(collection, id string) (*Record, error) {
	if r, ok := m.records[collection][id]; ok {
		c := r.clone()
		return &c, nil
	}
	return nil, nil
}

// Put inserts or replaces a record, checking the expected revision.
func (m *MemStore) Put(collection string, rec Record, expected int64) (int64, error) {
	coll := m.records[collection]
	if coll == nil {
		coll = map[string]Record{}
		m.records[collection] = coll
	}
	old, exists := coll[rec.ID]
	switch {
	case expected == 0 && exists:
		return 0, &Error{Code: CodeConflict, Message: fmt.Sprintf("%s/%s already exists", collection, rec.ID)}
	case expected > 0 && (!exists || old.Revision != expected):
		return 0, &Error{Code: CodeConflict, Message: fmt.Sprintf("%s/%s: stale revision %d", collection, rec.ID, expected)}
	}
	rec = rec.clone()
	rec.Revision = old.Revision + 1
	coll[rec.ID] = rec
	return rec.Revision, nil
}

// Delete removes a record.
func (m *MemStore) Delete(collection, id string) error {
	if _, ok := m.records[collection][id]; !ok {
		return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s/%s: not found", collection, id)}
	}
	delete(m.records[collection], id)
	return nil
}

// Matches reports whether r passes every filter of q: a nil string filter
// passes everything, a set one only a set, equal field (absent != "").
func (q Query) Matches(r Record) bool {
	eq := func(want, have *string) bool { return want == nil || (have != nil && *want == *have) }
	return (q.ID == nil || *q.ID == r.ID) && eq(q.Status, r.Status) && eq(q.Key, r.Key) && eq(q.GroupKey, r.GroupKey) &&
		eq(q.Service, r.Service) && eq(q.Severity, r.Severity) &&
		(q.TimeFrom == 0 || r.Time >= q.TimeFrom) && (q.TimeTo == 0 || r.Time < q.TimeTo)
}

// Find returns the matching records ordered by (Time, ID).
func (m *MemStore) Find(collection string, q Query) ([]Record, error) {
	var out []Record
	for _, r := range m.records[collection] {
		if q.Matches(r) {
			out = append(out, r.clone())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if q.Descending {
			a, b = b, a
		}
		if a.Time != b.Time {
			return a.Time < b.Time
		}
		return a.ID < b.ID
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// Append adds an entry to a stream.
func (m *MemStore) Append(stream string, seq int64, data []byte) error {
	es := m.streams[stream]
	if seq != int64(len(es))+1 {
		return &Error{Code: CodeConflict, Message: fmt.Sprintf("%s: seq %d, expected %d", stream, seq, len(es)+1)}
	}
	m.streams[stream] = append(es, data)
	return nil
}

// Read returns a stream's entries from fromSeq.
func (m *MemStore) Read(stream string, fromSeq int64, max int) ([]Entry, error) {
	es := m.streams[stream]
	if fromSeq < 1 {
		fromSeq = 1
	}
	var out []Entry
	for i := fromSeq; i <= int64(len(es)); i++ {
		if max > 0 && len(out) == max {
			break
		}
		out = append(out, Entry{Seq: i, Data: es[i-1]})
	}
	return out, nil
}

// Last is a stream's last sequence number.
func (m *MemStore) Last(stream string) (int64, error) { return int64(len(m.streams[stream])), nil }

// NextValue increments a named counter.
func (m *MemStore) NextValue(name string) (int64, error) {
	m.seqs[name]++
	return m.seqs[name], nil
}

// Close marks the store closed (the context calls it when it is freed).
func (m *MemStore) Close() error { m.levels = nil; m.Closed = true; return nil }

// Collections lists the collections that hold records (for tests).
func (m *MemStore) Collections() []string {
	var out []string
	for c, recs := range m.records {
		if len(recs) > 0 {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}
