package rootly_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"librootly.dev/rootly"
)

func fixture(t *testing.T, rel string) []byte {
	t.Helper()
	dir := os.Getenv("ROOTLY_TEST_FIXTURES")
	if dir == "" {
		dir = filepath.Join("..", "..", "tests", "fixtures")
	}
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func open(t *testing.T) *rootly.Context {
	t.Helper()
	c, err := rootly.Open("memory:", "gotest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestAlertToPostmortem(t *testing.T) {
	c := open(t)
	body := fixture(t, "alertmanager-real/firing-single.json")
	items, err := c.Ingest("alertmanager", body, nil)
	must(t, err)
	if len(items) != 1 || items[0].Outcome != "created" || items[0].Fingerprint != "9bad08016c98e137" {
		t.Fatalf("items %+v", items)
	}
	inc, err := c.Incident(items[0].IncidentRef)
	must(t, err)
	if inc.Title != "checkout-api p99 latency is above 2s" || inc.SeverityName() != "SEV1" ||
		inc.Status != rootly.StatusInTriage || len(inc.Services) != 1 || inc.Labels["alertname"] != "HighLatency" {
		t.Fatalf("incident %+v", inc)
	}
	again, err := c.Ingest("alertmanager", body, nil)
	must(t, err)
	if again[0].Outcome != "deduplicated" {
		t.Fatalf("again %+v", again)
	}
	must(t, c.Acknowledge(inc.Ref, "alice"))
	for _, s := range []rootly.Status{rootly.StatusStarted, rootly.StatusMitigated, rootly.StatusResolved} {
		must(t, c.Transition(inc.Ref, s, rootly.TransitionOptions{Actor: "alice", Note: "to " + s.String()}))
	}
	done, err := c.Incident(inc.ID)
	must(t, err)
	if done.Status != rootly.StatusResolved || done.AcknowledgedAt == 0 || done.StatusAt[rootly.StatusMitigated] == 0 {
		t.Fatalf("done %+v", done)
	}
	md, err := c.Postmortem(inc.Ref, rootly.Markdown)
	must(t, err)
	if !strings.Contains(md, "TTR") || !strings.Contains(md, inc.Title) {
		t.Fatal(md)
	}
	// The declaring alert rides on incident.created (no alert.attached of its own).
	if !strings.Contains(md, "; alert: checkout-api p99 latency is above 2s [9bad08016c98e137, firing]") {
		t.Fatal(md)
	}
	tl, err := c.Timeline(inc.Ref, 1)
	must(t, err)
	var created struct {
		Alert struct {
			AlertID string `json:"alert_id"`
		} `json:"alert"`
	}
	must(t, json.Unmarshal(tl[0].Body, &created))
	if tl[0].Kind != "incident.created" || created.Alert.AlertID != items[0].AlertID || tl[1].Kind == "alert.attached" {
		t.Fatalf("%+v", tl)
	}
	js, err := c.Postmortem(inc.Ref, rootly.JSON)
	must(t, err)
	var pm map[string]any
	must(t, json.Unmarshal([]byte(js), &pm))
	alerts, err := c.IncidentAlerts(inc.Ref)
	must(t, err)
	if len(alerts) != 1 || alerts[0].IncidentID != inc.ID || alerts[0].Source != "alertmanager" {
		t.Fatalf("alerts %+v", alerts)
	}
	a, err := c.Alert(items[0].AlertID)
	must(t, err)
	if a.Fingerprint != items[0].Fingerprint || a.StartsAt == 0 {
		t.Fatalf("alert %+v", a)
	}
}

func TestEverySource(t *testing.T) {
	for source, path := range map[string]string{
		"alertmanager": "alertmanager/webhook-v4-firing.json",
		"grafana":      "grafana/webhook-firing.json",
		"pagerduty":    "pagerduty/events-v2-trigger.json",
		"datadog":      "datadog/webhook-default-rendered-triggered.json",
		"opsgenie":     "opsgenie/webhook-create.json",
		"cloudwatch":   "aws-sns-cloudwatch/notification-alarm.json",
	} {
		c := open(t)
		items, err := c.Ingest(source, fixture(t, path), nil)
		if err != nil || len(items) == 0 || items[0].Outcome != "created" {
			t.Fatalf("%s: %v %+v", source, err, items)
		}
	}
}

func TestErrors(t *testing.T) {
	c := open(t)
	_, err := c.Incident("INC-404")
	var re *rootly.Error
	if !errors.Is(err, rootly.ErrNotFound) || !errors.As(err, &re) || !strings.Contains(re.Message, "INC-404") {
		t.Fatalf("not found: %#v", err)
	}
	if re.Code.Name() != "ROOTLY_ENOTFOUND" {
		t.Fatal(re.Code.Name())
	}
	_, err = c.Ingest("alertmanager", []byte(`{"version": "4", "status": "firing", "alerts": [`), nil)
	if !errors.Is(err, rootly.ErrInvalid) || errors.Is(err, rootly.ErrNotFound) {
		t.Fatalf("invalid: %v", err)
	}
	_, err = c.Ingest("nagios", []byte(`{}`), nil)
	if !errors.Is(err, rootly.ErrNotSupported) {
		t.Fatalf("unknown source: %v", err)
	}
	_, err = c.CreateIncident(rootly.IncidentOptions{})
	if !errors.Is(err, rootly.ErrInvalid) || !strings.Contains(err.Error(), "title") {
		t.Fatalf("no title: %v", err)
	}
	inc, err := c.CreateIncident(rootly.IncidentOptions{Title: "x", NoSeverity: true})
	must(t, err)
	err = c.Transition(inc.Ref, rootly.StatusClosed, rootly.TransitionOptions{})
	if !errors.Is(err, rootly.ErrIllegal) || !strings.Contains(err.Error(), "started") {
		t.Fatalf("illegal: %v", err)
	}
	must(t, c.Transition(inc.Ref, rootly.StatusClosed, rootly.TransitionOptions{Override: true}))
	if list, _ := c.Incidents(rootly.Filter{}); len(list) != 1 {
		t.Fatal(list)
	}
	c.Close()
	if _, err := c.Incident(inc.Ref); err != rootly.ErrClosed {
		t.Fatal(err)
	}
}

func TestIncidentOperations(t *testing.T) {
	c := open(t)
	inc, err := c.CreateIncident(rootly.IncidentOptions{Title: "payments 500s", Severity: 2, Services: []string{"payments"},
		Teams: []string{"core"}, Labels: map[string]string{"env": "prod"}, Fields: map[string]any{"region": "eu"}})
	must(t, err)
	if inc.Severity != 2 || inc.Teams[0] != "core" || inc.Labels["env"] != "prod" {
		t.Fatalf("%+v", inc)
	}
	v, err := c.IncidentField(inc.Ref, "region")
	must(t, err)
	if v != "eu" {
		t.Fatal(v)
	}
	must(t, c.AssignRole(inc.Ref, "commander", "alice", ""))
	must(t, c.AddNote(inc.Ref, "looking", "alice"))
	must(t, c.AddChatMessage(inc.Ref, "bob", "rolled back", 0, "#inc"))
	sev := 1
	prod := "staging"
	must(t, c.UpdateIncident(inc.Ref, rootly.Update{Title: "payments down", Severity: &sev,
		Labels: map[string]*string{"env": &prod}, Fields: map[string]any{"region": nil, "cost": 3}}))
	inc, err = c.Incident(inc.Ref)
	must(t, err)
	if inc.Title != "payments down" || inc.Severity != 1 || inc.Labels["env"] != "staging" || inc.Roles["commander"] != "alice" {
		t.Fatalf("%+v", inc)
	}
	if _, err := c.IncidentField(inc.Ref, "region"); !errors.Is(err, rootly.ErrNotFound) {
		t.Fatal(err)
	}
	must(t, c.UnassignRole(inc.Ref, "commander", ""))

	id, err := c.CreateTask(inc.Ref, rootly.TaskOptions{Title: "page dba", Assignee: "carol", Priority: "high"})
	must(t, err)
	fid, err := c.CreateTask(inc.Ref, rootly.TaskOptions{Title: "runbook", Kind: rootly.KindFollowUp})
	must(t, err)
	must(t, c.AssignTask(id, "dave", ""))
	must(t, c.CompleteTask(id, "dave"))
	must(t, c.CancelTask(fid, ""))
	if err := c.CompleteTask(id, ""); !errors.Is(err, rootly.ErrIllegal) {
		t.Fatal(err)
	}
	tasks, err := c.Tasks(inc.Ref)
	must(t, err)
	if len(tasks) != 2 || tasks[0].Status != "done" || tasks[0].CompletedBy != "dave" || tasks[1].Kind != "follow_up" ||
		tasks[1].Status != "cancelled" {
		t.Fatalf("%+v", tasks)
	}

	tl, err := c.Timeline(inc.Ref, 1)
	must(t, err)
	kinds := []string{}
	for _, e := range tl {
		kinds = append(kinds, e.Kind)
	}
	if tl[0].Kind != "incident.created" || tl[0].PrevHash != strings.Repeat("0", 64) || tl[1].PrevHash != tl[0].Hash {
		t.Fatalf("%v", kinds)
	}
	vr, err := c.Verify(inc.Ref)
	must(t, err)
	if !vr.OK || vr.Events != int64(len(tl)) {
		t.Fatalf("%+v", vr)
	}
	if _, err := c.Verify("INC-9"); !errors.Is(err, rootly.ErrNotFound) {
		t.Fatal(err)
	}
	must(t, c.Check())
}

func TestMetrics(t *testing.T) {
	c := open(t)
	a, err := c.CreateIncident(rootly.IncidentOptions{Title: "a", Severity: 1, Services: []string{"api"}})
	must(t, err)
	_, err = c.CreateIncident(rootly.IncidentOptions{Title: "b", Severity: 2, Services: []string{"db"}})
	must(t, err)
	must(t, c.Acknowledge(a.Ref, ""))
	must(t, c.Transition(a.Ref, rootly.StatusStarted, rootly.TransitionOptions{}))
	must(t, c.Transition(a.Ref, rootly.StatusResolved, rootly.TransitionOptions{}))
	m, err := c.IncidentMetrics(a.Ref)
	must(t, err)
	if m.TTA < 0 || m.TTR < 0 || m.TTM < 0 {
		t.Fatalf("%+v", m)
	}
	rep, err := c.Metrics(0, 0, rootly.GroupService)
	must(t, err)
	if len(rep.Rows) != 2 || rep.Rows[0].Group != "api" || rep.Rows[0].TTR.Count != 1 ||
		!strings.Contains(rep.Prometheus, "rootly_incident_ttr_seconds") || !json.Valid([]byte(rep.JSON)) {
		t.Fatalf("%+v", rep)
	}
}

func TestBatch(t *testing.T) {
	c := open(t)
	must(t, c.Batch(func() error {
		for i := 0; i < 3; i++ {
			if _, err := c.CreateIncident(rootly.IncidentOptions{Title: "b"}); err != nil {
				return err
			}
		}
		return nil
	}))
	boom := errors.New("boom")
	if err := c.Batch(func() error {
		_, _ = c.CreateIncident(rootly.IncidentOptions{Title: "rolled back"})
		return boom
	}); err != boom {
		t.Fatal(err)
	}
	list, err := c.Incidents(rootly.Filter{NewestFirst: true, Limit: 10})
	must(t, err)
	if len(list) != 3 {
		t.Fatalf("%d incidents", len(list))
	}
}

func TestConfig(t *testing.T) {
	cfg, err := rootly.LoadConfig(filepath.Join("..", "..", "tests", "python", "data", "config.yaml"))
	must(t, err)
	if cfg.Routes != 1 || cfg.Sources != 1 {
		t.Fatalf("%+v", cfg)
	}
	c := open(t)
	must(t, c.Configure(cfg))
	body := fixture(t, "alertmanager-real/firing-single.json")
	if _, err := c.Ingest("alertmanager", body, nil); !errors.Is(err, rootly.ErrAuth) {
		t.Fatalf("no token: %v", err)
	}
	_, err = c.Ingest("alertmanager", body, map[string]string{"Authorization": "Bearer am-token-2026"})
	must(t, err)
	must(t, c.Configure(nil))
	_, err = rootly.ParseConfig([]byte("version: 1\nroutes:\n  - name: x\n    action: explode\n"), "yaml")
	var ce *rootly.ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, rootly.ErrInvalid) || len(ce.Problems) == 0 || ce.Problems[0].Line == 0 {
		t.Fatalf("%#v", err)
	}
	if _, err := rootly.LoadConfig("/nonexistent.yaml"); !errors.Is(err, rootly.ErrNotFound) {
		t.Fatal(err)
	}
}

func TestSignatures(t *testing.T) {
	body := []byte(`{"x":1}`)
	now := int64(1_764_000_000_000)
	o := rootly.SignatureOptions{Scheme: rootly.SchemeSlack, Secrets: []string{"new", "old"}}
	sig, ts, err := rootly.Sign(o, body, now)
	must(t, err)
	hs := map[string]string{"X-Slack-Signature": sig, "X-Slack-Request-Timestamp": ts}
	must(t, rootly.VerifySignature(o, hs, body, now))
	if err := rootly.VerifySignature(rootly.SignatureOptions{Secrets: []string{"other"}}, hs, body, now); !errors.Is(err, rootly.ErrAuth) {
		t.Fatal(err)
	}
	if err := rootly.VerifySignature(o, hs, body, now+3_600_000); !errors.Is(err, rootly.ErrAuth) {
		t.Fatal(err)
	}
	g := rootly.SignatureOptions{Scheme: rootly.SchemeHMACSHA256, Secrets: []string{"k"}, Header: "X-Hub-Signature-256", Prefix: "sha256="}
	sig, ts, err = rootly.Sign(g, body, now)
	must(t, err)
	if !strings.HasPrefix(sig, "sha256=") || ts != "" {
		t.Fatal(sig, ts)
	}
	must(t, rootly.VerifySignature(g, map[string]string{"X-Hub-Signature-256": sig}, body, now))
	fp, err := rootly.Fingerprint(map[string]string{"alertname": "x"})
	must(t, err)
	if len(fp) != 16 {
		t.Fatal(fp)
	}
	if s, err := rootly.ParseSeverity("critical"); err != nil || s != 1 {
		t.Fatal(s, err)
	}
	if _, err := rootly.ParseSeverity("meh"); !errors.Is(err, rootly.ErrInvalid) {
		t.Fatal(err)
	}
}

func TestContextsInGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := rootly.Open("memory:", "")
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for i := 0; i < 25; i++ {
				if _, err := c.CreateIncident(rootly.IncidentOptions{Title: "t"}); err != nil {
					errs <- err
					return
				}
				if _, err := c.Incident("INC-999"); !errors.Is(err, rootly.ErrNotFound) {
					errs <- err
					return
				}
			}
		}()
	}
	// one context shared by goroutines: calls are serialised
	shared := open(t)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := shared.CreateIncident(rootly.IncidentOptions{Title: "s"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if l, _ := shared.Incidents(rootly.Filter{}); len(l) != 40 {
		t.Fatal(len(l))
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func TestClock(t *testing.T) {
	now := int64(1_700_000_000_000)
	c, err := rootly.OpenWith(rootly.Options{Storage: "memory:", Clock: func() int64 { return now }})
	must(t, err)
	defer c.Close()
	inc, err := c.CreateIncident(rootly.IncidentOptions{Title: "x"})
	must(t, err)
	if inc.CreatedAt != now {
		t.Fatal(inc.CreatedAt)
	}
	now += 60_000
	must(t, c.Acknowledge(inc.Ref, ""))
	m, err := c.IncidentMetrics(inc.Ref)
	must(t, err)
	if m.TTA != 60_000 {
		t.Fatal(m.TTA)
	}
	p, err := rootly.OpenWith(rootly.Options{Store: rootly.NewMemStore(), Clock: func() int64 { panic("clock broke") }})
	must(t, err)
	defer p.Close()
	if got, _ := p.Now(); got < 1_700_000_000_000 {
		t.Fatal(got)
	}
}

func TestSNSAndVersion(t *testing.T) {
	env := fixture(t, "aws-sns-cloudwatch/notification-alarm.json")
	s, err := rootly.SNSStringToSign(env)
	must(t, err)
	if !strings.HasPrefix(s, "Message\n") {
		t.Fatal(s)
	}
	u, err := rootly.SNSSigningCertURL(env)
	must(t, err)
	if !strings.HasPrefix(u, "https://sns.") {
		t.Fatal(u)
	}
	if _, err := rootly.SNSStringToSign([]byte(`{}`)); !errors.Is(err, rootly.ErrInvalid) {
		t.Fatal(err)
	}
	if err := rootly.SNSVerify(env, []byte("not a certificate")); err == nil {
		t.Fatal("verified with no certificate")
	}
	if v := rootly.Version(); !strings.Contains(v, ".") {
		t.Fatal(v)
	}
}
