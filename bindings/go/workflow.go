package rootly

import (
	"encoding/json"

	"librootly.dev/rootly/internal/raw"
)

// jsonCall runs a call that returns JSON text (or sets an error) and decodes it into v.
func (c *Context) jsonCall(v any, fn func(h raw.Rootly_ctx) string) error {
	var text string
	err := c.do(func(h raw.Rootly_ctx) error {
		text = fn(h)
		if setFailed() {
			return failed()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(text), v)
}

// Workflows lists the configured workflows: [{"name", "enabled", "triggers", "actions", ...}].
func (c *Context) Workflows() (out []map[string]any, err error) {
	err = c.jsonCall(&out, func(h raw.Rootly_ctx) string { return raw.Rootly_go_workflow_list(h) })
	return
}

// DryRun says what would run for an incident if trigger ("" :
// incident_created) happened now, changing nothing.
func (c *Context) DryRun(ref, trigger string) (plan map[string]any, err error) {
	err = c.jsonCall(&plan, func(h raw.Rootly_ctx) string { return raw.Rootly_go_workflow_dry_run(h, ref, trigger) })
	return
}

// WorkflowRuns lists an incident's workflow runs, from its timeline.
func (c *Context) WorkflowRuns(ref string) (runs []map[string]any, err error) {
	err = c.jsonCall(&runs, func(h raw.Rootly_ctx) string { return raw.Rootly_go_workflow_runs(h, ref) })
	return
}

// SetWorkflowEnabled enables or disables a workflow on this context.
func (c *Context) SetWorkflowEnabled(name string, enabled bool) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_workflow_set_enabled(h, name, b2i(enabled)) })
}

// CancelWorkflowRun cancels a run (ErrPermission when actor may not).
func (c *Context) CancelWorkflowRun(ref, runID, actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_workflow_cancel_run(h, ref, runID, actor) })
}

// Tick runs the repeating workflows due at now (0: the context's clock)
// and returns the number of runs started.
func (c *Context) Tick(now int64) (fired int, err error) {
	out := []int{0}
	err = c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_swig_workflow_tick(h, now, out) })
	return out[0], err
}

// Permitted reports whether user may perform the override permission.
func (c *Context) Permitted(user, permission string) (bool, error) {
	err := c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_permission_check(h, user, permission) })
	var re *Error
	if err != nil && asError(err, &re) && re.Code == CodePermission {
		return false, nil
	}
	return err == nil, err
}

func asError(err error, re **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*re = e
	}
	return ok
}

// Dispatch delivers the outbox items due now (at most max, 0 = all) and
// returns how many were handled; delivery failures are recorded on the
// items and the timeline, not returned.
func (c *Context) Dispatch(max int) (handled int, err error) {
	out := []int{0}
	err = c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_swig_dispatch(h, int64(max), out) })
	return out[0], err
}

// Outbox lists outbox items in state ("pending", "in_flight", "delivered",
// "failed", "dead"; "" = all).
func (c *Context) Outbox(state string) (items []map[string]any, err error) {
	err = c.jsonCall(&items, func(h raw.Rootly_ctx) string { return raw.Rootly_go_outbox_list(h, state) })
	return
}

// OutboxRetry puts a failed or dead item back to pending.
func (c *Context) OutboxRetry(itemID string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_outbox_retry(h, itemID) })
}

// OutboxNextDue is when the next pending item is due (0: none pending).
func (c *Context) OutboxNextDue() (due int64, err error) {
	out := []int64{0}
	err = c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_swig_outbox_next_due(h, out) })
	return out[0], err
}
