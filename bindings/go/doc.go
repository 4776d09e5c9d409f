// Package rootly embeds librootly, the incident lifecycle of an SRE team,
// in a Go program: alerts from Alertmanager, Grafana, PagerDuty, Datadog,
// Opsgenie and CloudWatch are deduplicated, grouped and routed; incidents
// are declared and moved through their lifecycle; everything lands on a
// hash-chained timeline; a postmortem is written.
//
//	ctx, err := rootly.Open("memory:", "bot")
//	if err != nil { ... }
//	defer ctx.Close()
//	items, err := ctx.Ingest("alertmanager", body, nil)
//	inc, err := ctx.Incident(items[0].IncidentRef)
//	err = ctx.Transition(inc.Ref, rootly.StatusStarted, rootly.TransitionOptions{Actor: "alice"})
//	md, err := ctx.Postmortem(inc.Ref, rootly.Markdown)
//
// The package is a layer over the SWIG-generated cgo package internal/raw
// (from bindings/swig/rootly.i, the interface the Python binding shares).
// Failures are error values (*Error, comparable with errors.Is against
// ErrNotFound, ErrInvalid, ...); nothing panics across the C boundary.
// Values returned (Incident, Task, Event ...) are Go copies: no C pointer
// is kept by Go. A storage backend can be written in Go (see Store).
//
// Threads: a Context serialises its calls with a mutex, and each call runs
// on one locked OS thread, so librootly's per-thread last error belongs to
// that call. Separate contexts work in parallel.
//
// Build: `#cgo pkg-config: librootly` -- install librootly (cmake --install)
// or point PKG_CONFIG_PATH at a librootly.pc. Times are milliseconds since
// the Unix epoch (UTC).
package rootly
