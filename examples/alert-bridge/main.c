/*
 * rootly-bridge: receive alerts over HTTP and run them through librootly.
 *
 *   rootly-bridge --listen 127.0.0.1:9095 --db rootly.db [--config FILE]
 *                 [--log-level error|warn|info|debug] [limits...]
 *
 * Exit status: 0 after SIGTERM/SIGINT once every accepted request was
 * answered; 1 when the store, the configuration or the socket fails;
 * 2 for a usage error. docs/bridge.md describes the endpoints.
 */
#include "bridge.h"
#include "outbox.h"
#include "server.h"

#include <malloc.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static void usage(FILE *f)
{
	fputs("usage: rootly-bridge [--listen ADDR:PORT] [--db PATH|URI] [--config FILE]\n"
		"                     [--log-level error|warn|info|debug] [--ready-file PATH]\n"
		"                     [--max-body BYTES] [--max-header-bytes BYTES] [--max-connections N]\n"
		"                     [--batch-max N]"
		"                     [--batch-max-ms MS] [--queue-max N] [--request-timeout-ms MS]\n"
		"                     [--idle-timeout-ms MS] [--prepare-on auto|pool|loop|worker] [--no-outbox]\n"
		"  --listen ADDR:PORT    address to serve (default 127.0.0.1:9095; port 0 picks one)\n"
		"  --db PATH|URI         the store: a SQLite file (default rootly.db) or a URI (memory:)\n"
		"  --config FILE         configuration (sources and their auth, routes), YAML or JSON\n"
		"  --log-level LEVEL     info logs one line per request (default info)\n"
		"  --ready-file PATH     write ADDR:PORT there once listening\n"
		"  --max-body BYTES      largest request body; 413 above (default 1048576)\n"
		"  --max-header-bytes B  largest request line + headers; 431 above (default 65536)\n"
		"  --max-connections N   connections served at once (default 1024)\n"
		"  --batch-max N         requests in one group commit (default 512)\n"
		"  --batch-max-ms MS     time spent filling one group commit (default 50)\n"
		"  --queue-max N         queued requests before answering 503 (default 8192)\n"
		"  --request-timeout-ms  HTTP/1 time to receive a request (default 10000)\n"
		"  --idle-timeout-ms     HTTP/2 idle connection timeout (default 30000)\n"
		"  --prepare-on WHERE    where alert payloads are authenticated and parsed: auto (the\n"
		"                        prepare thread for bodies of 4 KiB or more, the commit worker\n"
		"                        for smaller ones; default), worker (the commit worker, inside\n"
		"                        its batch), pool (a prepare thread of its own) or loop (the\n"
		"                        HTTP thread)\n"
		"  --no-outbox           do not deliver outbox items (another process does)\n", f);
}

static int parse_uint(const char *flag, const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n = strtoul(v ? v : "", &end, 10);
	if (!v || !*v || *end || n == 0 || n > max) {
		fprintf(stderr, "rootly-bridge: %s: expected an integer from 1 to %lu\n", flag, max);
		return -1;
	}
	*out = n;
	return 0;
}

int main(int argc, char **argv)
{
	/* SQLite's memory statistics take a process-wide mutex on every
	 * allocation it makes (2-3% of the commit thread's time); this program
	 * reads none of them. A program's call, made before SQLite is first
	 * used: a library cannot make it for its host. */
	if (!getenv("BR_SQLITE_MEMSTATUS"))
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	br_options o = {
		.listen = "127.0.0.1:9095", .db = "rootly.db", .log_level = BR_LOG_INFO,
		.max_body = 1024 * 1024, .max_header = 64 * 1024, .max_conns = 1024, .batch_max = 512, .batch_max_ms = 50,
		.queue_max = 8192, .req_timeout_ms = 10000, .idle_timeout_ms = 30000, .list_limit = 100,
		.prepare_on = BR_PREPARE_AUTO,
	};
	const char *ready_file = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		char flag[64];
		const char *eq = strchr(a, '=');
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--no-outbox")) {
			o.no_outbox = true;
			continue;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "rootly-bridge: unexpected argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
		if (eq && (size_t)(eq - a) < sizeof(flag)) {
			memcpy(flag, a, (size_t)(eq - a));
			flag[eq - a] = '\0';
			v = eq + 1;
		} else {
			snprintf(flag, sizeof(flag), "%s", a);
			v = i + 1 < argc ? argv[++i] : NULL;
		}
		unsigned long n;
		if (!v) {
			fprintf(stderr, "rootly-bridge: %s needs a value\n", flag);
			return 2;
		}
		if (!strcmp(flag, "--listen")) o.listen = v;
		else if (!strcmp(flag, "--db")) o.db = v;
		else if (!strcmp(flag, "--config")) o.config = v;
		else if (!strcmp(flag, "--ready-file")) ready_file = v;
		else if (!strcmp(flag, "--log-level")) {
			static const char *const names[] = { "error", "warn", "info", "debug" };
			o.log_level = -1;
			for (int l = 0; l < 4; l++)
				if (!strcmp(v, names[l]))
					o.log_level = l;
			if (o.log_level < 0) {
				fprintf(stderr, "rootly-bridge: --log-level: expected error, warn, info or debug\n");
				return 2;
			}
		}
		else if (!strcmp(flag, "--prepare-on")) {
			static const char *const names[] = { "pool", "loop", "worker", "auto" };
			o.prepare_on = -1;
			for (int k = 0; k < 4; k++)
				if (!strcmp(v, names[k]))
					o.prepare_on = k;
			if (o.prepare_on < 0) {
				fprintf(stderr, "rootly-bridge: --prepare-on: expected auto, pool, loop or worker\n");
				return 2;
			}
		}
		else if (!strcmp(flag, "--max-body")) { if (parse_uint(flag, v, 1ul << 30, &n)) return 2; o.max_body = n; }
		else if (!strcmp(flag, "--max-header-bytes")) { if (parse_uint(flag, v, 300000, &n)) return 2; o.max_header = n; }
		else if (!strcmp(flag, "--max-connections")) { if (parse_uint(flag, v, 100000, &n)) return 2; o.max_conns = (unsigned)n; }
		else if (!strcmp(flag, "--batch-max")) { if (parse_uint(flag, v, 100000, &n)) return 2; o.batch_max = (unsigned)n; }
		else if (!strcmp(flag, "--batch-max-ms")) { if (parse_uint(flag, v, 60000, &n)) return 2; o.batch_max_ms = (unsigned)n; }
		else if (!strcmp(flag, "--queue-max")) { if (parse_uint(flag, v, 10000000, &n)) return 2; o.queue_max = (unsigned)n; }
		else if (!strcmp(flag, "--request-timeout-ms")) { if (parse_uint(flag, v, 3600000, &n)) return 2; o.req_timeout_ms = (unsigned)n; }
		else if (!strcmp(flag, "--idle-timeout-ms")) { if (parse_uint(flag, v, 3600000, &n)) return 2; o.idle_timeout_ms = (unsigned)n; }
		else {
			fprintf(stderr, "rootly-bridge: unknown option %s\n", flag);
			usage(stderr);
			return 2;
		}
	}
	br_log_level = o.log_level;
	if (!br_listen_valid(o.listen)) {
		fprintf(stderr, "rootly-bridge: --listen %s: expected ADDRESS:PORT, e.g. 127.0.0.1:9095\n", o.listen);
		return 2;
	}
#ifdef M_ARENA_MAX
	/* Threads: the loop, the commit worker, the /metrics reader, the
	 * outbox, SQLite's checkpointer. glibc gives each its own malloc arena
	 * and keeps freed memory in each: two arenas measured 5 MiB less RSS
	 * after 100,000 alerts (26.6 -> 21.2 MiB) for no measurable cost. */
	mallopt(M_ARENA_MAX, 2);
#endif
	/* libuv's thread pool only runs the /metrics reader now, one scrape
	 * at a time (the commit worker and the prepares have threads of their
	 * own, server.c): one thread (unless the environment says otherwise),
	 * so that no more than one pool thread keeps a jansson block cache of
	 * up to 4 MiB (src/core/alloc.c). */
	setenv("UV_THREADPOOL_SIZE", "1", 0);
	/* Answers to clients that went away must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	static char errbuf[1 << 16];
	setvbuf(stderr, errbuf, _IOFBF, sizeof(errbuf));

	rootly_config *cfg = NULL;
	if (o.config) {
		rootly_config_report *report = NULL;
		if (rootly_config_load_file(&cfg, o.config, &report) < 0) {
			char *text = NULL;
			if (report && rootly_config_report_to_text(&text, report) == 0 && *text)
				br_log(BR_LOG_ERROR, "--config %s:\n%s", o.config, text);
			else
				br_log(BR_LOG_ERROR, "--config %s: %s", o.config, rootly_error_last()->message);
			rootly_free(text);
			rootly_config_report_free(report);
			br_log_flush();
			return 1;
		}
		rootly_config_report_free(report);
	}

	rootly_ctx_options opts = ROOTLY_CTX_OPTIONS_INIT;
	char *uri = NULL;
	if (strchr(o.db, ':')) {
		opts.storage_uri = o.db;
	} else {
		size_t n = strlen(o.db) + sizeof("sqlite:");
		if (!(uri = malloc(n)))
			return 1;
		snprintf(uri, n, "sqlite:%s", o.db);
		opts.storage_uri = uri;
	}
	opts.actor = "rootly-bridge";
	rootly_ctx *ctx = NULL;
	if (rootly_ctx_open(&ctx, &opts) < 0) {
		br_log(BR_LOG_ERROR, "cannot open store %s: %s", o.db, rootly_error_last()->message);
		br_log_flush();
		free(uri);
		rootly_config_free(cfg);
		return 1;
	}
	if (cfg && rootly_ctx_set_config(ctx, cfg) < 0) {
		br_log(BR_LOG_ERROR, "configuration: %s", rootly_error_last()->message);
		br_log_flush();
		rootly_config_free(cfg);
		rootly_ctx_free(ctx);
		free(uri);
		return 1;
	}
	/* Workflow actions reach outside services through the outbox: with a
	 * configuration (transports, workflows), a dispatcher thread delivers
	 * them. Without one there is nothing to deliver. */
	if (o.config && !o.no_outbox && br_outbox_start(opts.storage_uri, o.config) < 0) {
		rootly_ctx_free(ctx);
		free(uri);
		return 1;
	}
	/* The /metrics reader: a second context on the same store. memory:
	 * stores are private to their context, so there the writer serves it. */
	rootly_ctx *reader = NULL;
	if (strncmp(opts.storage_uri, "memory:", 7) != 0 && rootly_ctx_open(&reader, &opts) < 0) {
		br_log(BR_LOG_ERROR, "cannot open store %s: %s", o.db, rootly_error_last()->message);
		br_outbox_stop();
		rootly_ctx_free(ctx);
		free(uri);
		return 1;
	}
	int rc = br_server_run(ctx, reader, &o, ready_file);
	br_outbox_stop();
	free(uri);
	rootly_ctx_free(reader);
	rootly_ctx_free(ctx);
	/* Join libuv's worker threads: their thread-local state (OpenSSL's
	 * error queues from the signature checks) is freed as they exit. */
	uv_library_shutdown();
	br_log_flush();
	return rc;
}
