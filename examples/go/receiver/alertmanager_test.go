package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"librootly.dev/rootly"
)

// The real Prometheus Alertmanager notifying this receiver: alerts posted
// to its API v2 are grouped and delivered as webhook v4 with a bearer
// token; the receiver feeds them to librootly. Skipped without the binary
// (a failure when ROOTLY_REQUIRE_PEERS=1, as scripts/test-all.sh sets).
func TestAlertmanagerE2E(t *testing.T) {
	am, err := exec.LookPath("prometheus-alertmanager")
	if err != nil {
		if am, err = exec.LookPath("alertmanager"); err != nil {
			if os.Getenv("ROOTLY_REQUIRE_PEERS") == "1" {
				t.Fatal("prometheus-alertmanager is required (ROOTLY_REQUIRE_PEERS=1) but missing")
			}
			t.Skip("prometheus-alertmanager is not installed")
		}
	}
	ctx, err := rootly.Open("memory:", "receiver")
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	cfg, err := rootly.ParseConfig([]byte("version: 1\nsources:\n  alertmanager:\n    auth: {scheme: bearer, secrets: [am-go-token]}\n"), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := ctx.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(ctx))
	defer srv.Close()

	dir := t.TempDir()
	amCfg := fmt.Sprintf(`route: {receiver: rootly, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers:
  - name: rootly
    webhook_configs:
      - url: %s/webhook/alertmanager
        send_resolved: true
        http_config: {authorization: {type: Bearer, credentials: am-go-token}}
`, srv.URL)
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(amCfg), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	log, _ := os.Create(filepath.Join(dir, "am.log"))
	defer log.Close()
	cmd := exec.Command(am, "--config.file="+filepath.Join(dir, "am.yml"), "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--web.external-url=http://"+addr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	wait := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if ok() {
				return
			}
		}
		b, _ := os.ReadFile(filepath.Join(dir, "am.log"))
		t.Fatalf("timed out waiting for %s\n%s", what, b)
	}
	wait("alertmanager", func() bool {
		r, err := http.Get("http://" + addr + "/-/ready")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode == 200
	})
	post := func(endsAt string) {
		var alerts []map[string]any
		for _, svc := range []string{"checkout-api", "cart-api"} {
			a := map[string]any{"labels": map[string]string{"alertname": "GoE2E", "severity": "critical", "service": svc},
				"annotations": map[string]string{"summary": svc + " is slow"},
				"startsAt":    time.Now().Add(-30 * time.Second).UTC().Format(time.RFC3339)}
			if endsAt != "" {
				a["endsAt"] = endsAt
			}
			alerts = append(alerts, a)
		}
		b, _ := json.Marshal(alerts)
		r, err := http.Post("http://"+addr+"/api/v2/alerts", "application/json", bytes.NewReader(b))
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("post alerts: %v %v", err, r)
		}
		r.Body.Close()
	}
	post("")
	var ref string
	wait("an incident with both alerts", func() bool {
		incs, _ := ctx.Incidents(rootly.Filter{})
		if len(incs) == 1 && incs[0].AlertsCount == 2 {
			ref = incs[0].Ref
			return true
		}
		return false
	})
	post(time.Now().Add(-time.Second).UTC().Format(time.RFC3339))
	wait("the resolved alerts", func() bool {
		alerts, _ := ctx.IncidentAlerts(ref)
		for _, a := range alerts {
			if a.Status != "resolved" {
				return false
			}
		}
		return len(alerts) == 2
	})
	events, err := ctx.Timeline(ref, 1)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if !strings.Contains(strings.Join(kinds, " "), "alert.resolved") {
		t.Fatal(kinds)
	}
}
