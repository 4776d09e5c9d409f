package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"librootly.dev/rootly"
)

func TestReceiver(t *testing.T) {
	ctx, err := rootly.Open("memory:", "receiver")
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	srv := httptest.NewServer(NewHandler(ctx))
	defer srv.Close()
	dir := os.Getenv("ROOTLY_TEST_FIXTURES")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "tests", "fixtures")
	}
	body, err := os.ReadFile(filepath.Join(dir, "alertmanager-real", "firing-group-of-3.json"))
	if err != nil {
		t.Fatal(err)
	}
	post := func(path string, b []byte) (int, map[string]any) {
		r, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(r.Body).Decode(&out)
		return r.StatusCode, out
	}
	code, out := post("/webhook/alertmanager", body)
	if code != 200 || len(out["items"].([]any)) != 3 {
		t.Fatalf("%d %v", code, out)
	}
	if code, out = post("/webhook/alertmanager", []byte(`{"version":"4","alerts":[`)); code != 400 || out["error"] == "" {
		t.Fatalf("%d %v", code, out)
	}
	if code, _ = post("/webhook/nagios", []byte(`{}`)); code != 404 {
		t.Fatal(code)
	}
	r, err := http.Get(srv.URL + "/incidents")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(b), `"ref":"INC-1"`) {
		t.Fatal(string(b))
	}
	r, err = http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(b), "rootly_incident") {
		t.Fatal(string(b))
	}
}
