package rootly

import (
	"encoding/json"
	"fmt"

	"librootly.dev/rootly/internal/raw"
)

// Status is an incident's lifecycle status.
type Status int

// Lifecycle: in_triage -> started -> mitigated -> resolved -> closed;
// cancelled from any open status.
const (
	StatusInTriage  Status = 0
	StatusStarted   Status = 1
	StatusMitigated Status = 2
	StatusResolved  Status = 3
	StatusClosed    Status = 4
	StatusCancelled Status = 5
)

// String is the status name ("in_triage", ...).
func (s Status) String() string { return raw.Rootly_status_name(raw.Rootly_incident_status(s)) }

// Open reports whether the status is in_triage, started or mitigated.
func (s Status) Open() bool { return s <= StatusMitigated }

// ParseStatus parses "in_triage", "started", ...
func ParseStatus(name string) (Status, error) {
	for s := StatusInTriage; s <= StatusCancelled; s++ {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, &Error{Code: CodeInvalid, Message: fmt.Sprintf("unknown status %q", name)}
}

// TransitionAllowed reports whether the lifecycle allows from -> to without override.
func TransitionAllowed(from, to Status) bool {
	return raw.Rootly_transition_allowed(raw.Rootly_incident_status(from), raw.Rootly_incident_status(to)) != 0
}

// Severity levels: SEV0 is the most severe; SevUnset means none.
const (
	SevUnset = -1
	SevKeep  = -2 // in Update: leave the severity alone
)

// ParseSeverity parses "SEV1", "sev1", "1" or a monitoring word
// (critical -> 1, warning -> 3, ...).
func ParseSeverity(text string) (sev int, err error) {
	err = onThread(func() error {
		out := []int{0}
		if rc := raw.Rootly_swig_severity_parse(text, out); rc < 0 {
			return lastError(rc)
		}
		sev = out[0]
		return nil
	})
	return
}

// SeverityName is "SEV0".."SEV4" ("" when unset).
func SeverityName(sev int) string {
	if sev < 0 || sev > 4 {
		return ""
	}
	return raw.Rootly_severity_name(sev)
}

// Incident is a snapshot of a stored incident.
type Incident struct {
	ID             string
	Number         int64
	Ref            string // "INC-<number>"
	Title          string
	Summary        string
	Severity       int // 0..4, or SevUnset
	Status         Status
	Revision       int64
	CreatedAt      int64
	DetectedAt     int64
	AcknowledgedAt int64            // 0 when not acknowledged
	StatusAt       map[Status]int64 // when it entered each status it has been in
	Services       []string
	Teams          []string
	Labels         map[string]string
	Roles          map[string]string
	GroupKey       string
	AlertsCount    int
}

// copyIncident copies everything out of a rootly_incident (owned or borrowed).
func copyIncident(h raw.Rootly_incident) *Incident {
	inc := &Incident{
		ID:             raw.Rootly_incident_id(h),
		Number:         raw.Rootly_incident_number(h),
		Ref:            raw.Rootly_incident_ref(h),
		Title:          raw.Rootly_incident_title(h),
		Summary:        raw.Rootly_incident_summary(h),
		Severity:       raw.Rootly_incident_severity(h),
		Status:         Status(raw.Rootly_incident_status_get(h)),
		Revision:       raw.Rootly_incident_revision(h),
		CreatedAt:      raw.Rootly_incident_created_at(h),
		DetectedAt:     raw.Rootly_incident_detected_at(h),
		AcknowledgedAt: raw.Rootly_incident_acknowledged_at(h),
		StatusAt:       map[Status]int64{},
		Labels:         map[string]string{},
		Roles:          map[string]string{},
		GroupKey:       raw.Rootly_incident_group_key(h),
		AlertsCount:    int(raw.Rootly_incident_alerts_count(h)),
	}
	for s := StatusInTriage; s <= StatusCancelled; s++ {
		if t := raw.Rootly_incident_status_at(h, raw.Rootly_incident_status(s)); t != 0 {
			inc.StatusAt[s] = t
		}
	}
	for i, n := int64(0), raw.Rootly_incident_services_count(h); i < n; i++ {
		inc.Services = append(inc.Services, raw.Rootly_incident_service_at(h, i))
	}
	for i, n := int64(0), raw.Rootly_incident_teams_count(h); i < n; i++ {
		inc.Teams = append(inc.Teams, raw.Rootly_incident_team_at(h, i))
	}
	for i, n := int64(0), raw.Rootly_incident_labels_count(h); i < n; i++ {
		kv := raw.Rootly_incident_label_at(h, i)
		inc.Labels[kv.GetKey()] = kv.GetValue()
	}
	for i, n := int64(0), raw.Rootly_incident_roles_count(h); i < n; i++ {
		kv := raw.Rootly_incident_role_at(h, i)
		inc.Roles[kv.GetKey()] = kv.GetValue()
	}
	return inc
}

// SeverityName is "SEV1", ... ("" when unset).
func (i *Incident) SeverityName() string { return SeverityName(i.Severity) }

// IncidentOptions describe an incident to declare. Title is required.
type IncidentOptions struct {
	Title      string
	Summary    string
	Severity   int // 0..4; use SevUnset (or set NoSeverity) for none
	NoSeverity bool
	Services   []string
	Teams      []string
	Labels     map[string]string
	Fields     map[string]any // custom fields, stored as JSON
	Status     Status         // StatusInTriage (default) or StatusStarted
	DetectedAt int64          // 0 = now
	Actor      string
}

func strs(v []string) raw.Strings {
	s := raw.NewStrings()
	for _, x := range v {
		s.Add(x)
	}
	return s
}

func pairs(m map[string]string) raw.Pairs {
	p := raw.NewPairs()
	for k, v := range m {
		p.Add(k, v)
	}
	return p
}

func jsonPairs(m map[string]any) (raw.Pairs, error) {
	p := raw.NewPairs()
	for k, v := range m {
		if v == nil {
			p.Add_null(k)
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			raw.DeletePairs(p)
			return nil, &Error{Code: CodeInvalid, Message: fmt.Sprintf("field %q: %v", k, err)}
		}
		p.Add(k, string(b))
	}
	return p, nil
}

// CreateIncident declares an incident; it gets an id and the next number.
func (c *Context) CreateIncident(o IncidentOptions) (inc *Incident, err error) {
	sev := o.Severity
	if o.NoSeverity {
		sev = SevUnset
	}
	fields, err := jsonPairs(o.Fields)
	if err != nil {
		return nil, err
	}
	defer raw.DeletePairs(fields)
	services, teams, labels := strs(o.Services), strs(o.Teams), pairs(o.Labels)
	defer raw.DeleteStrings(services)
	defer raw.DeleteStrings(teams)
	defer raw.DeletePairs(labels)
	err = c.do(func(h raw.Rootly_ctx) error {
		p := raw.Rootly_go_incident_create(h, o.Title, o.Summary, sev, services, teams, labels, fields,
			int(o.Status), o.DetectedAt, o.Actor)
		if p.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_incident(p)
		inc = copyIncident(p)
		return nil
	})
	return
}

// Incident loads an incident by id or number ("INC-7", "7").
func (c *Context) Incident(ref string) (inc *Incident, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		p := raw.Rootly_go_incident_get(h, ref)
		if p.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_incident(p)
		inc = copyIncident(p)
		return nil
	})
	return
}

// IncidentJSON is the whole stored incident document (docs/data-model.md).
func (c *Context) IncidentJSON(ref string) (doc map[string]any, err error) {
	var text string
	err = c.do(func(h raw.Rootly_ctx) error {
		p := raw.Rootly_go_incident_get(h, ref)
		if p.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_incident(p)
		text = raw.Rootly_go_incident_to_json(p)
		if setFailed() {
			return failed()
		}
		return nil
	})
	if err == nil {
		err = json.Unmarshal([]byte(text), &doc)
	}
	return
}

// Filter selects incidents in Incidents; zero members do not filter.
type Filter struct {
	Status      *Status
	OpenOnly    bool
	Severity    *int
	Service     string
	Team        string
	CreatedFrom int64 // inclusive
	CreatedTo   int64 // exclusive
	Limit       int
	NewestFirst bool
}

// Incidents lists incidents matching f, oldest first unless f.NewestFirst.
func (c *Context) Incidents(f Filter) (out []*Incident, err error) {
	status, sev := -1, SevUnset
	if f.Status != nil {
		status = int(*f.Status)
	}
	if f.Severity != nil {
		sev = *f.Severity
	}
	err = c.do(func(h raw.Rootly_ctx) error {
		l := raw.Rootly_go_incident_list(h, status, b2i(f.OpenOnly), sev, f.Service, f.Team, f.CreatedFrom,
			f.CreatedTo, int64(f.Limit), b2i(f.NewestFirst))
		if l.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_incident_list(l)
		n := raw.Rootly_incident_list_count(l)
		out = make([]*Incident, 0, n)
		for i := int64(0); i < n; i++ {
			out = append(out, copyIncident(raw.Rootly_incident_list_at(l, i)))
		}
		return nil
	})
	return
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Update lists the changes of UpdateIncident: zero members are left alone;
// a label or field set to nil is removed.
type Update struct {
	Title    string
	Summary  string
	Severity *int
	Services []string // replaces the list when not nil
	Teams    []string
	Labels   map[string]*string
	Fields   map[string]any
	Actor    string
	Override bool
}

// UpdateIncident applies u; one "incident.updated" event lists every change.
func (c *Context) UpdateIncident(ref string, u Update) error {
	sev := SevKeep
	if u.Severity != nil {
		sev = *u.Severity
	}
	var services, teams raw.Strings = raw.SwigcptrStrings(0), raw.SwigcptrStrings(0)
	if u.Services != nil {
		services = strs(u.Services)
		defer raw.DeleteStrings(services)
	}
	if u.Teams != nil {
		teams = strs(u.Teams)
		defer raw.DeleteStrings(teams)
	}
	labels := raw.NewPairs()
	defer raw.DeletePairs(labels)
	for k, v := range u.Labels {
		if v == nil {
			labels.Add_null(k)
		} else {
			labels.Add(k, *v)
		}
	}
	fields, err := jsonPairs(u.Fields)
	if err != nil {
		return err
	}
	defer raw.DeletePairs(fields)
	return c.st(func(h raw.Rootly_ctx) int {
		return raw.Rootly_go_incident_update(h, ref, u.Title, u.Summary, sev, services, teams, labels, fields,
			u.Actor, b2i(u.Override))
	})
}

// TransitionOptions: who moves the incident, an optional note, and whether
// to override the lifecycle (recorded on the timeline).
type TransitionOptions struct {
	Actor    string
	Note     string
	Override bool
}

// Transition moves an incident to status to. An illegal transition is an
// error matching ErrIllegal whose message lists the allowed ones.
func (c *Context) Transition(ref string, to Status, o TransitionOptions) error {
	flags := uint(0)
	if o.Override {
		flags = 1
	}
	return c.st(func(h raw.Rootly_ctx) int {
		return raw.Rootly_incident_transition(h, ref, raw.Rootly_incident_status(to), o.Actor, o.Note, flags)
	})
}

// Acknowledge stamps acknowledged_at (the first acknowledgement counts).
func (c *Context) Acknowledge(ref, actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_incident_acknowledge(h, ref, actor) })
}

// AssignRole gives role to user (replacing any holder).
func (c *Context) AssignRole(ref, role, user, actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_incident_assign_role(h, ref, role, user, actor) })
}

// UnassignRole removes the holder of role.
func (c *Context) UnassignRole(ref, role, actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_incident_unassign_role(h, ref, role, actor) })
}

// AddNote adds a note to the timeline.
func (c *Context) AddNote(ref, text, actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_incident_add_note(h, ref, text, actor) })
}

// AddChatMessage records a message of the incident channel (at 0: now).
func (c *Context) AddChatMessage(ref, author, text string, at int64, channel string) error {
	return c.st(func(h raw.Rootly_ctx) int {
		return raw.Rootly_incident_add_chat_message(h, ref, author, text, at, channel)
	})
}
