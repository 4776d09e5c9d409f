package rootly

import (
	"encoding/json"
	"errors"
	"fmt"

	"librootly.dev/rootly/internal/raw"
)

// Capability is a kind of outside service a transport speaks to.
type Capability uint

// Capabilities (rootly/sys/transport.h).
const (
	CapChat       Capability = 1 << 0
	CapTicket     Capability = 1 << 1
	CapStatuspage Capability = 1 << 2
	CapWebhook    Capability = 1 << 3
	CapKB         Capability = 1 << 4
	CapAll        Capability = 0x7f
)

// Delivery is one outbox item to deliver.
type Delivery struct {
	ItemID         string
	IncidentID     string
	Action         string         // "chat.create_channel", "ticket.create", ...
	Params         map[string]any // the action's parameters, templates rendered
	IdempotencyKey string         // stable across retries of the item
	Attempt        int            // 1 for the first delivery
}

// RetryError is a failure that may pass: the item is retried with backoff
// (after RetryAfterMS when > 0).
type RetryError struct {
	Reason       string
	RetryAfterMS int64
}

// Error is the reason.
func (e *RetryError) Error() string { return e.Reason }

// Transport delivers outbox items to an outside service. Deliver returns
// the result (merged into the incident; nil for none), a *RetryError, or
// any other error, which is a permanent failure. A panic is recovered and
// reported as a retryable failure. Register with Context.AddTransport.
type Transport interface {
	Name() string
	Capabilities() Capability
	Deliver(d Delivery) (result map[string]any, err error)
}

type transportAdapter struct {
	t        Transport
	director raw.TransportBackend
}

// The Raw_* methods implement the director interface of
// rootly_swig::TransportBackend (called by the C shim).
func (a *transportAdapter) Raw_name() string       { return a.t.Name() }
func (a *transportAdapter) Raw_capabilities() uint { return uint(a.t.Capabilities()) }
func (a *transportAdapter) Raw_close()             {}
func (a *transportAdapter) release()               { raw.DeleteDirectorTransportBackend(a.director) }

func (a *transportAdapter) Raw_deliver(itemID, incidentID, action, params, key string, attempt int, reply raw.DeliveryReply) (rc int) {
	defer func() {
		if r := recover(); r != nil {
			reply.Retry(fmt.Sprintf("panic: %v", r), int64(-1))
			rc = 0
		}
	}()
	d := Delivery{ItemID: itemID, IncidentID: incidentID, Action: action, IdempotencyKey: key, Attempt: attempt}
	if params != "" {
		if err := json.Unmarshal([]byte(params), &d.Params); err != nil {
			reply.Permanent("params: " + err.Error())
			return 0
		}
	}
	result, err := a.t.Deliver(d)
	var re *RetryError
	switch {
	case errors.As(err, &re):
		after := re.RetryAfterMS
		if after <= 0 {
			after = -1
		}
		reply.Retry(re.Reason, after)
	case err != nil:
		reply.Permanent(err.Error())
	case result == nil:
		reply.Ok()
	default:
		b, err := json.Marshal(result)
		if err != nil {
			reply.Permanent("result: " + err.Error())
			return 0
		}
		reply.Ok(string(b))
	}
	return 0
}

// AddTransport registers t (a Transport written in Go) on the context; it
// serves its capabilities before configured transports.
func (c *Context) AddTransport(t Transport) error {
	a := &transportAdapter{t: t}
	a.director = raw.NewDirectorTransportBackend(a)
	err := c.do(func(h raw.Rootly_ctx) error { return lastError(raw.Rootly_swig_ctx_add_transport(h, a.director)) })
	if err != nil {
		a.release()
		return err
	}
	c.mu.Lock()
	c.transports = append(c.transports, a)
	c.mu.Unlock()
	return nil
}

// AddTransportURI registers a built-in transport ("record:", "file:PATH",
// "slack:URL", "jira:URL", "statuspage:URL", "webhook:", "kb:URL").
func (c *Context) AddTransportURI(uri string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_swig_ctx_add_transport_uri(h, uri) })
}
