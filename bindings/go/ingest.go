package rootly

import (
	"encoding/json"

	"librootly.dev/rootly/internal/raw"
)

// Outcome is what happened to one alert of an ingested payload:
// "created", "attached", "deduplicated", "resolved", "acknowledged",
// "dropped" or "rejected".
type Outcome string

// IngestItem is one alert's outcome.
type IngestItem struct {
	Outcome     Outcome
	AlertID     string // "" when rejected
	Fingerprint string
	IncidentID  string // "" when none
	IncidentRef string // "INC-7"; "" when none
	Status      string // "firing" / "resolved"
	Reason      string // for dropped / rejected / deduplicated
}

// Ingest ingests one payload from source ("alertmanager", "grafana",
// "pagerduty", "pagerduty-webhook", "datadog", "opsgenie", "cloudwatch",
// ...). headers are the request headers, for sources that authenticate or
// sign. A malformed payload is an error matching ErrInvalid naming the
// field or position, and nothing is stored.
func (c *Context) Ingest(source string, body []byte, headers map[string]string) (items []IngestItem, err error) {
	var hs raw.Pairs = raw.SwigcptrPairs(0)
	if len(headers) > 0 {
		hs = pairs(headers)
		defer raw.DeletePairs(hs)
	}
	err = c.do(func(h raw.Rootly_ctx) error {
		r := raw.Rootly_go_ingest(h, source, string(body), hs)
		if r.Swigcptr() == 0 {
			return failed()
		}
		defer raw.DeleteRootly_ingest_result(r)
		n := raw.Rootly_ingest_result_count(r)
		items = make([]IngestItem, 0, n)
		for i := int64(0); i < n; i++ {
			it := raw.Rootly_ingest_result_at(r, i)
			items = append(items, IngestItem{
				Outcome:     Outcome(raw.Rootly_ingest_outcome_name(it.GetOutcome())),
				AlertID:     it.GetAlert_id(),
				Fingerprint: it.GetFingerprint(),
				IncidentID:  it.GetIncident_id(),
				IncidentRef: it.GetIncident_ref(),
				Status:      it.GetStatus(),
				Reason:      it.GetReason(),
			})
		}
		return nil
	})
	return
}

// IngestCount ingests like Ingest but only returns the number of alerts
// (for high-rate receivers that do not need each outcome).
func (c *Context) IngestCount(source string, body []byte) (n int, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		r := raw.Rootly_go_ingest_count(h, source, string(body))
		if r < 0 {
			return lastError(int(r))
		}
		n = int(r)
		return nil
	})
	return
}

// Alert is a stored alert (docs/data-model.md, collection "alert"); Doc
// holds the whole document.
type Alert struct {
	ID          string            `json:"id"`
	Source      string            `json:"source"`
	Fingerprint string            `json:"fingerprint"`
	Status      string            `json:"status"`
	Summary     string            `json:"summary"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	IncidentID  string            `json:"incident_id"`
	StartsAt    int64             `json:"starts_at"`
	EndsAt      int64             `json:"ends_at"`
	Doc         map[string]any    `json:"-"`
}

func parseAlert(doc map[string]any) (Alert, error) {
	var a Alert
	b, _ := json.Marshal(doc)
	err := json.Unmarshal(b, &a)
	a.Doc = doc
	return a, err
}

// Alert loads a stored alert by id.
func (c *Context) Alert(id string) (Alert, error) {
	var text string
	err := c.do(func(h raw.Rootly_ctx) error {
		text = raw.Rootly_go_alert_get_json(h, id)
		if setFailed() {
			return failed()
		}
		return nil
	})
	if err != nil {
		return Alert{}, err
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return Alert{}, err
	}
	return parseAlert(doc)
}

// IncidentAlerts lists the alerts linked to an incident.
func (c *Context) IncidentAlerts(ref string) ([]Alert, error) {
	var text string
	err := c.do(func(h raw.Rootly_ctx) error {
		text = raw.Rootly_go_incident_alerts_json(h, ref)
		if setFailed() {
			return failed()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var docs []map[string]any
	if err := json.Unmarshal([]byte(text), &docs); err != nil {
		return nil, err
	}
	out := make([]Alert, 0, len(docs))
	for _, d := range docs {
		a, err := parseAlert(d)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Fingerprint is Alertmanager's fingerprint of a label set (16 hex digits).
func Fingerprint(labels map[string]string) (fp string, err error) {
	p := pairs(labels)
	defer raw.DeletePairs(p)
	err = onThread(func() error {
		fp = raw.Rootly_go_fingerprint(p)
		if setFailed() {
			return failed()
		}
		return nil
	})
	return
}
