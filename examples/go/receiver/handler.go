package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"librootly.dev/rootly"
)

// MaxBody is the largest payload accepted.
const MaxBody = 4 << 20

// NewHandler serves the receiver's endpoints over ctx.
func NewHandler(ctx *rootly.Context) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook/{source}", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			reply(w, http.StatusRequestEntityTooLarge, map[string]string{"error": err.Error()})
			return
		}
		headers := map[string]string{}
		for k, v := range r.Header {
			if len(v) > 0 {
				headers[k] = v[0]
			}
		}
		items, err := ctx.Ingest(r.PathValue("source"), body, headers)
		if err != nil {
			reply(w, statusOf(err), map[string]string{"error": err.Error()})
			return
		}
		reply(w, http.StatusOK, map[string]any{"items": items})
	})
	mux.HandleFunc("GET /incidents", func(w http.ResponseWriter, r *http.Request) {
		incs, err := ctx.Incidents(rootly.Filter{})
		if err != nil {
			reply(w, statusOf(err), map[string]string{"error": err.Error()})
			return
		}
		out := []map[string]any{}
		for _, i := range incs {
			out = append(out, map[string]any{"ref": i.Ref, "title": i.Title, "status": i.Status.String(),
				"severity": i.SeverityName(), "services": i.Services, "alerts": i.AlertsCount})
		}
		reply(w, http.StatusOK, map[string]any{"incidents": out})
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		rep, err := ctx.Metrics(0, 0, rootly.GroupService)
		if err != nil {
			reply(w, statusOf(err), map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		io.WriteString(w, rep.Prometheus)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	return mux
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, rootly.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, rootly.ErrAuth):
		return http.StatusUnauthorized
	case errors.Is(err, rootly.ErrNotSupported), errors.Is(err, rootly.ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
