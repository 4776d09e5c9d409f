// Command receiver embeds librootly in a Go HTTP server: it receives
// Alertmanager (and other) webhooks and feeds them to the library.
//
//	go run ./receiver -listen 127.0.0.1:9096 -storage sqlite:rootly.db [-config rootly.yaml]
//
// Endpoints: POST /webhook/{source}, GET /incidents, GET /metrics, GET /healthz
// (the same as examples/python/alertmanager_receiver.py).
package main

import (
	"flag"
	"log"
	"net/http"

	"librootly.dev/rootly"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9096", "HOST:PORT")
	storage := flag.String("storage", "sqlite:rootly.db", "storage URI")
	config := flag.String("config", "", "a rootly configuration file (YAML or JSON)")
	flag.Parse()

	ctx, err := rootly.Open(*storage, "receiver")
	if err != nil {
		log.Fatal(err)
	}
	defer ctx.Close()
	if *config != "" {
		cfg, err := rootly.LoadConfig(*config)
		if err != nil {
			if ce, ok := err.(*rootly.ConfigError); ok {
				log.Fatalf("%v\n%s", err, ce.Report)
			}
			log.Fatal(err)
		}
		if err := ctx.Configure(cfg); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("listening on http://%s (storage %s)", *listen, *storage)
	log.Fatal(http.ListenAndServe(*listen, NewHandler(ctx)))
}
