package rootly_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"librootly.dev/rootly"
)

type chat struct {
	seen []rootly.Delivery
	fail error
}

func (c *chat) Name() string                    { return "go-chat" }
func (c *chat) Capabilities() rootly.Capability { return rootly.CapChat }
func (c *chat) Deliver(d rootly.Delivery) (map[string]any, error) {
	c.seen = append(c.seen, d)
	if c.fail != nil {
		return nil, c.fail
	}
	if d.Action == "chat.create_channel" {
		return map[string]any{"channel_id": "CGO1", "channel_name": d.Params["name"]}, nil
	}
	return nil, nil
}

func workflowCtx(t *testing.T) *rootly.Context {
	c := open(t)
	cfg, err := rootly.LoadConfig(filepath.Join("..", "..", "tests", "python", "data", "workflows.yaml"))
	must(t, err)
	must(t, c.Configure(cfg))
	return c
}

func TestWorkflowsAndGoTransport(t *testing.T) {
	c := workflowCtx(t)
	wfs, err := c.Workflows()
	must(t, err)
	if len(wfs) != 1 || wfs[0]["name"] != "triage" {
		t.Fatal(wfs)
	}
	tr := &chat{}
	must(t, c.AddTransport(tr))
	inc, err := c.CreateIncident(rootly.IncidentOptions{Title: "db down"})
	must(t, err)
	plan, err := c.DryRun(inc.Ref, "")
	must(t, err)
	if plan["trigger"] != "incident_created" {
		t.Fatal(plan)
	}
	due, err := c.OutboxNextDue()
	must(t, err)
	if due == 0 {
		t.Fatal("nothing pending")
	}
	for i := 0; i < 5; i++ {
		_, err := c.Dispatch(0)
		must(t, err)
		if p, _ := c.Outbox("pending"); len(p) == 0 {
			break
		}
	}
	if len(tr.seen) < 2 || tr.seen[0].Action != "chat.create_channel" || tr.seen[0].IdempotencyKey == "" {
		t.Fatalf("%+v", tr.seen)
	}
	doc, err := c.IncidentJSON(inc.Ref)
	must(t, err)
	if !strings.Contains(jsonString(doc), "CGO1") {
		t.Fatal(doc)
	}
	runs, err := c.WorkflowRuns(inc.Ref)
	must(t, err)
	if len(runs) != 1 {
		t.Fatal(runs)
	}
	if ok, _ := c.Permitted("bob", "cancel_workflow_run"); ok {
		t.Fatal("bob may not cancel")
	}
	if err := c.CancelWorkflowRun(inc.Ref, runs[0]["run_id"].(string), "bob"); !errors.Is(err, rootly.ErrPermission) {
		t.Fatal(err)
	}
	n, err := c.Tick(0)
	must(t, err)
	if n != 0 {
		t.Fatal(n)
	}
}

func TestGoTransportFailures(t *testing.T) {
	for _, tc := range []struct {
		err   error
		state string
	}{
		{errors.New("name taken"), "failed"},
		{&rootly.RetryError{Reason: "rate limited", RetryAfterMS: 60000}, "pending"},
	} {
		c := workflowCtx(t)
		must(t, c.AddTransport(&chat{fail: tc.err}))
		_, err := c.CreateIncident(rootly.IncidentOptions{Title: "x"})
		must(t, err)
		_, err = c.Dispatch(1)
		must(t, err)
		items, err := c.Outbox(tc.state)
		must(t, err)
		if len(items) == 0 || !strings.Contains(jsonString(items), tc.err.Error()) {
			t.Fatalf("%v: %v", tc.err, items)
		}
	}
}

func jsonString(v any) string {
	b, _ := jsonMarshal(v)
	return string(b)
}
