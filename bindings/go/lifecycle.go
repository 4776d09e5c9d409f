package rootly

import (
	"encoding/json"

	"librootly.dev/rootly/internal/raw"
)

// TaskKind: a task done during the response, or a postmortem follow-up.
type TaskKind int

const (
	KindTask     TaskKind = 0
	KindFollowUp TaskKind = 1
)

// Task is a task or action item of an incident.
type Task struct {
	ID          string
	IncidentID  string
	Title       string
	Description string
	Assignee    string // "" when unassigned
	Priority    string
	Kind        string // "task" or "follow_up"
	Status      string // "open", "done", "cancelled"
	CreatedAt   int64
	DueAt       int64
	CompletedAt int64
	CompletedBy string
}

// TaskOptions describe a task; Title is required.
type TaskOptions struct {
	Title       string
	Description string
	Assignee    string
	Kind        TaskKind
	Priority    string // "high", "medium" (default), "low"
	DueAt       int64
	Actor       string
}

// CreateTask adds a task to an incident and returns its id.
func (c *Context) CreateTask(ref string, o TaskOptions) (id string, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		id = raw.Rootly_go_task_create(h, ref, o.Title, o.Description, o.Assignee, int(o.Kind), o.Priority, o.DueAt, o.Actor)
		if setFailed() {
			return failed()
		}
		return nil
	})
	return
}

// Tasks lists the tasks of an incident in creation order ("" : every
// incident's open tasks).
func (c *Context) Tasks(ref string) (out []Task, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		l := raw.Rootly_go_task_list(h, ref)
		if l.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_task_list(l)
		n := raw.Rootly_task_list_count(l)
		out = make([]Task, 0, n)
		for i := int64(0); i < n; i++ {
			t := raw.Rootly_task_list_at(l, i)
			out = append(out, Task{
				ID: t.GetId(), IncidentID: t.GetIncident_id(), Title: t.GetTitle(), Description: t.GetDescription(),
				Assignee: t.GetAssignee(), Priority: t.GetPriority(),
				Kind:      raw.Rootly_task_kind_name(t.GetKind()),
				Status:    raw.Rootly_task_status_name(t.GetStatus()),
				CreatedAt: t.GetCreated_at(), DueAt: t.GetDue_at(), CompletedAt: t.GetCompleted_at(),
				CompletedBy: t.GetCompleted_by(),
			})
		}
		return nil
	})
	return
}

// AssignTask (re)assigns a task; "" unassigns.
func (c *Context) AssignTask(id, assignee, actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_task_assign(h, id, assignee, actor) })
}

// CompleteTask marks a task done (ErrIllegal if already done or cancelled).
func (c *Context) CompleteTask(id, actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_task_complete(h, id, actor) })
}

// CancelTask cancels a task.
func (c *Context) CancelTask(id, actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_task_cancel(h, id, actor) })
}

// Event is one timeline event (hash-chained, see rootly/timeline.h).
type Event struct {
	Seq      int64
	At       int64
	ID       string
	Actor    string
	Kind     string // "incident.created", "status.changed", "note", ...
	Body     json.RawMessage
	PrevHash string
	Hash     string
}

// Timeline loads an incident's events with seq >= fromSeq (1: all).
func (c *Context) Timeline(ref string, fromSeq int64) (out []Event, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		tl := raw.Rootly_go_timeline_load(h, ref, fromSeq)
		if tl.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_timeline(tl)
		n := raw.Rootly_timeline_count(tl)
		out = make([]Event, 0, n)
		for i := int64(0); i < n; i++ {
			e := raw.Rootly_timeline_at(tl, i)
			out = append(out, Event{Seq: e.GetSeq(), At: e.GetAt(), ID: e.GetId(), Actor: e.GetActor(), Kind: e.GetKind(),
				Body: json.RawMessage(e.GetBody()), PrevHash: e.GetPrev_hash(), Hash: e.GetHash()})
		}
		return nil
	})
	return
}

// VerifyResult is the outcome of Verify.
type VerifyResult struct {
	OK          bool
	Events      int64  // events checked
	FirstBadSeq int64  // 0 when intact
	Reason      string // what was wrong with FirstBadSeq
}

// Verify recomputes an incident's hash chain. A broken chain is a result
// with OK false, not an error; errors are for a missing incident or storage.
func (c *Context) Verify(ref string) (res VerifyResult, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		v := raw.Rootly_go_timeline_verify(h, ref)
		defer raw.DeleteRootly_go_verified(v)
		rc := v.GetStatus()
		if rc < 0 && Code(rc) != CodeCorrupt {
			return lastError(rc)
		}
		res = VerifyResult{OK: rc == 0, Events: v.GetEvents(), FirstBadSeq: v.GetFirst_bad_seq(), Reason: v.GetReason()}
		return nil
	})
	return
}

// IncidentMetrics are one incident's TTA/TTM/TTR in ms; -1 while not defined.
type IncidentMetrics struct {
	DetectedAt int64
	TTA        int64
	TTM        int64
	TTR        int64
}

// IncidentMetrics computes an incident's response metrics.
func (c *Context) IncidentMetrics(ref string) (m IncidentMetrics, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		r := raw.Rootly_go_incident_metrics(h, ref)
		defer raw.DeleteRootly_go_metrics(r)
		if rc := r.GetStatus(); rc < 0 {
			return lastError(rc)
		}
		m = IncidentMetrics{DetectedAt: r.GetDetected_at(), TTA: r.GetTta_ms(), TTM: r.GetTtm_ms(), TTR: r.GetTtr_ms()}
		return nil
	})
	return
}

// GroupBy groups aggregate metrics.
type GroupBy int

const (
	GroupNone     GroupBy = 0
	GroupSeverity GroupBy = 1
	GroupService  GroupBy = 2
	GroupTeam     GroupBy = 3
)

// Summary is one metric over a set of incidents (ms; Count 0 when never defined).
type Summary struct {
	Count                   int64
	Mean                    float64
	P50, P90, P99, Min, Max int64
}

// MetricsRow is one group of an aggregate.
type MetricsRow struct {
	Group         string // "all", "SEV1", a service or a team
	Incidents     int64
	TTA, TTM, TTR Summary
}

// MetricsReport is an aggregate, with librootly's JSON and Prometheus renderings.
type MetricsReport struct {
	Rows       []MetricsRow
	JSON       string
	Prometheus string // text exposition format 0.0.4
}

func summary(s raw.Rootly_metric_summary) Summary {
	return Summary{Count: s.GetCount(), Mean: s.GetMean(), P50: s.GetP50(), P90: s.GetP90(), P99: s.GetP99(),
		Min: s.GetMin(), Max: s.GetMax()}
}

// Metrics aggregates TTA/TTM/TTR over incidents created in [from, to)
// (0: unbounded), grouped by g.
func (c *Context) Metrics(from, to int64, g GroupBy) (rep MetricsReport, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		r := raw.Rootly_go_metrics_aggregate(h, from, to, int(g))
		if r.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_metrics_report(r)
		for i, n := int64(0), raw.Rootly_metrics_report_count(r); i < n; i++ {
			row := raw.Rootly_metrics_report_at(r, i)
			rep.Rows = append(rep.Rows, MetricsRow{Group: row.GetGroup(), Incidents: row.GetIncidents(),
				TTA: summary(row.GetTta()), TTM: summary(row.GetTtm()), TTR: summary(row.GetTtr())})
		}
		rep.JSON = raw.Rootly_go_metrics_to_json(r)
		if setFailed() {
			return failed()
		}
		rep.Prometheus = raw.Rootly_go_metrics_to_prometheus(r)
		if setFailed() {
			return failed()
		}
		return nil
	})
	return
}

// PostmortemFormat selects Markdown or JSON.
type PostmortemFormat int

const (
	Markdown PostmortemFormat = 0
	JSON     PostmortemFormat = 1
)

// Postmortem renders an incident's postmortem document.
func (c *Context) Postmortem(ref string, f PostmortemFormat) (doc string, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		doc = raw.Rootly_go_postmortem(h, ref, int(f))
		if setFailed() {
			return failed()
		}
		return nil
	})
	return
}

// IncidentField is a custom field's value (JSON), ErrNotFound if unset.
func (c *Context) IncidentField(ref, key string) (v any, err error) {
	var text string
	err = c.do(func(h raw.Rootly_ctx) error {
		p := raw.Rootly_go_incident_get(h, ref)
		if p.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_incident(p)
		text = raw.Rootly_go_incident_field(p, key)
		if setFailed() {
			return failed()
		}
		return nil
	})
	if err == nil {
		err = json.Unmarshal([]byte(text), &v)
	}
	return
}
