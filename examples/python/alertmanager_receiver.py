#!/usr/bin/env python3
"""Receive Alertmanager (and other) webhooks with the standard library's
http.server and feed them to librootly.

    python3 examples/python/alertmanager_receiver.py --listen 127.0.0.1:9095 \\
        --storage sqlite:rootly.db [--config rootly.yaml]

Point Alertmanager at it:

    receivers:
      - name: rootly
        webhook_configs:
          - url: http://127.0.0.1:9095/webhook/alertmanager
            send_resolved: true

Endpoints:
    POST /webhook/<source>   ingest one payload (source: alertmanager,
                             grafana, pagerduty, datadog, opsgenie,
                             cloudwatch, ... or a source of the configuration)
                             -> 200 {"items": [...]}; 400 malformed (the
                             message names the field); 401 authentication;
                             404 unknown source; 413 too large
    GET  /incidents          the incidents, as JSON
    GET  /metrics            TTA/TTM/TTR in the Prometheus text format
    GET  /healthz            "ok"

The request headers are passed to librootly, which checks tokens and
signatures when the configuration asks for them. Requests are handled one
at a time per context (the rootly.Context serialises calls).
"""

import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import rootly

MAX_BODY = 4 * 1024 * 1024


class Receiver(BaseHTTPRequestHandler):
    ctx: rootly.Context  # set by serve()
    server_version = "rootly-receiver/1"

    def log_message(self, fmt, *args):  # quieter than the default
        if self.server.verbose:  # type: ignore[attr-defined]
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def reply(self, code, obj=None, text=None, ctype="application/json"):
        body = (text if text is not None else json.dumps(obj)).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "webhook" or not parts[1]:
            return self.reply(404, {"error": "POST /webhook/<source>"})
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self.reply(413, {"error": "body larger than %d bytes" % MAX_BODY})
        body = self.rfile.read(length)
        try:
            items = self.ctx.ingest(parts[1], body, headers=dict(self.headers.items()))
        except rootly.InvalidError as e:
            return self.reply(400, {"error": e.message})
        except rootly.AuthError as e:
            return self.reply(401, {"error": e.message})
        except rootly.NotSupportedError as e:
            return self.reply(404, {"error": e.message})
        except rootly.Error as e:
            return self.reply(500, {"error": e.message, "code": e.name})
        self.reply(200, {"items": [i._asdict() for i in items]})

    def do_GET(self):
        if self.path == "/healthz":
            return self.reply(200, text="ok\n", ctype="text/plain")
        if self.path == "/incidents":
            incs = [{"ref": i.ref, "title": i.title, "status": i.status, "severity": i.severity_name,
                     "services": list(i.services), "alerts": i.alerts_count} for i in self.ctx.list_incidents()]
            return self.reply(200, {"incidents": incs})
        if self.path == "/metrics":
            with self.ctx.metrics(group_by="service") as m:
                return self.reply(200, text=m.to_prometheus(), ctype="text/plain; version=0.0.4")
        self.reply(404, {"error": "not found"})


def serve(ctx, host, port, verbose=False):
    """An HTTP server bound to (host, port) feeding ctx; call serve_forever()."""
    handler = type("BoundReceiver", (Receiver,), {"ctx": ctx})
    httpd = ThreadingHTTPServer((host, port), handler)
    httpd.verbose = verbose  # type: ignore[attr-defined]
    return httpd


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", default="127.0.0.1:9095", help="HOST:PORT (default %(default)s)")
    ap.add_argument("--storage", default="sqlite:rootly.db", help="storage URI (default %(default)s)")
    ap.add_argument("--config", help="a rootly configuration file (YAML or JSON)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    host, _, port = args.listen.rpartition(":")
    with rootly.Context(args.storage, actor="receiver") as ctx:
        if args.config:
            try:
                ctx.configure(rootly.Config.load(args.config))
            except rootly.ConfigError as e:
                sys.exit("%s\n%s" % (e.message, e.report))
        httpd = serve(ctx, host or "127.0.0.1", int(port), args.verbose)
        print("listening on http://%s:%d (storage %s)" % (httpd.server_address[0], httpd.server_address[1],
                                                          args.storage), flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()


if __name__ == "__main__":
    main()
