package rootly

import (
	"encoding/json"
	"strings"
	"unsafe"

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
	var packed string
	err = c.do(func(h raw.Rootly_ctx) error {
		// One cgo call for the whole payload (see rootly_go_ingest_packed).
		packed = raw.Rootly_go_ingest_packed(h, source, view(body), hs)
		if packed == "" && setFailed() {
			return failed()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	items = make([]IngestItem, 0, strings.Count(packed, "\x1e"))
	for len(packed) > 0 {
		var rec string
		rec, packed, _ = strings.Cut(packed, "\x1e")
		var f [7]string
		for k := 0; k < 7; k++ {
			f[k], rec, _ = strings.Cut(rec, "\x1f")
		}
		items = append(items, IngestItem{Outcome: Outcome(f[0]), AlertID: f[1], Fingerprint: f[2], IncidentID: f[3],
			IncidentRef: f[4], Status: f[5], Reason: f[6]})
	}
	return
}

// IngestCount ingests like Ingest but only returns the number of alerts
// (for high-rate receivers that do not need each outcome).
func (c *Context) IngestCount(source string, body []byte) (n int, err error) {
	err = c.do(func(h raw.Rootly_ctx) error {
		r := raw.Rootly_go_ingest_count(h, source, view(body))
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

// view is body as a string without a copy. The raw layer hands its bytes
// to C for the duration of the call only (cgo's rule), and nothing writes
// to them meanwhile.
func view(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(body), len(body))
}
