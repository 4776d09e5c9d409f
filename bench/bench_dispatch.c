/*
 * Dispatcher throughput (issue 4 point 8): deliveries/s of webhook.call
 * items to a local HTTP receiver on 127.0.0.1, measured against the
 * record: transport in the same run (the same claim/finish transactions
 * with no network), so the numbers are ratios that survive a noisy,
 * shared machine. Modes:
 *   record      rootly_ctx_dispatch, record: transport (baseline)
 *   http_sync   rootly_ctx_dispatch, HTTP over curl easy (one at a time)
 *   http_loop   rootly_outbox_attach_loop, curl multi on libuv (batch in flight)
 * each on the memory: store, on sqlite: (a durable commit, one fsync, per
 * recorded outcome) and on sqlite:?synchronous=normal (WAL without fsync
 * per commit: durable against a process crash, not a power cut).
 *
 * Then, against a receiver that answers after 20 ms, http_sync against
 * http_loop: what the loop's concurrent deliveries buy.
 *
 * The receiver is a few lines of keep-alive HTTP/1.1 in a thread per
 * connection: good enough to answer 200 to our own requests, and fast
 * enough not to be what is measured (a bench helper, not library code).
 *
 *   bench_dispatch [items] [repetitions]   (default 2000 items, 3 repetitions;
 *   each mode's median is reported with its min and max)
 */
#define _GNU_SOURCE /* memmem */
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

#include "bench_outbox.h"

static atomic_long g_received;
static atomic_int g_latency_ms; /* the receiver waits this long before each answer */

static void *serve_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[65536];
	size_t have = 0;
	for (;;) {
		ssize_t n = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (n <= 0)
			break;
		have += (size_t)n;
		for (;;) {
			char *end = memmem(buf, have, "\r\n\r\n", 4);
			if (!end)
				break;
			size_t head = (size_t)(end - buf) + 4;
			size_t body = 0;
			char *cl = memmem(buf, head, "Content-Length:", 15);
			if (!cl)
				cl = memmem(buf, head, "content-length:", 15);
			if (cl)
				body = (size_t)strtoul(cl + 15, NULL, 10);
			if (have < head + body)
				break;
			int lat = atomic_load(&g_latency_ms);
			if (lat > 0) {
				struct timespec ts = { 0, (long)lat * 1000000L };
				nanosleep(&ts, NULL);
			}
			static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}";
			if (send(fd, resp, sizeof(resp) - 1, MSG_NOSIGNAL) < 0)
				goto out;
			atomic_fetch_add(&g_received, 1);
			memmove(buf, buf + head + body, have - head - body);
			have -= head + body;
		}
	}
out:
	close(fd);
	return NULL;
}

static void *serve(void *arg)
{
	int ls = (int)(intptr_t)arg;
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			return NULL;
		pthread_t t;
		pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)fd);
		pthread_detach(t);
	}
}

static int start_receiver(void)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { 0 };
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 128) < 0) {
		perror("receiver");
		exit(1);
	}
	socklen_t len = sizeof(a);
	getsockname(ls, (struct sockaddr *)&a, &len);
	pthread_t t;
	pthread_create(&t, NULL, serve, (void *)(intptr_t)ls);
	pthread_detach(t);
	return ntohs(a.sin_port);
}

static void on_check(uv_timer_t *t)
{
	rootly_ctx *ctx = t->data;
	rootly_time due = 0;
	if (rootly_outbox_next_due(ctx, &due) == 0 && due == 0)
		uv_stop(t->loop);
}

static double run(const char *store, const char *mode, int port, int items)
{
	char path[128], uri[160];
	snprintf(path, sizeof(path), "/tmp/rootly-bench-dispatch-%d.db", (int)getpid());
	if (strncmp(store, "sqlite", 6) == 0) {
		bench_unlink_db(path);
		snprintf(uri, sizeof(uri), "sqlite:%s%s", path,
			strcmp(store, "sqlite_normal") == 0 ? "?synchronous=normal" : "");
	} else {
		snprintf(uri, sizeof(uri), "memory:");
	}
	rootly_ctx_options o = ROOTLY_CTX_OPTIONS_INIT;
	o.storage_uri = uri;
	rootly_ctx *ctx;
	bench_check(rootly_ctx_open(&ctx, &o), "open");
	char yaml[512];
	snprintf(yaml, sizeof(yaml), "version: 1\ntransports:\n  webhook: { type: %s }\noutbox:\n  batch: 32\n",
		strcmp(mode, "record") == 0 ? "record" : "webhook");
	rootly_config *cfg;
	rootly_config_report *rep = NULL;
	bench_check(rootly_config_load_buffer(&cfg, yaml, strlen(yaml), "yaml", &rep), "config");
	rootly_config_report_free(rep);
	bench_check(rootly_ctx_set_config(ctx, cfg), "set_config");
	rootly_incident_options io = ROOTLY_INCIDENT_OPTIONS_INIT;
	io.title = "bench";
	rootly_incident *inc;
	bench_check(rootly_incident_create(&inc, ctx, &io), "incident");
	bench_outbox_enqueue(ctx, rootly_incident_id(inc), port, 0, items);
	rootly_incident_free(inc);
	long before = atomic_load(&g_received);
	double t0 = bench_now_s();
	if (strcmp(mode, "http_loop") == 0) {
		uv_loop_t loop;
		uv_loop_init(&loop);
		uv_timer_t check;
		uv_timer_init(&loop, &check);
		check.data = ctx;
		uv_timer_start(&check, on_check, 5, 5);
		bench_check(rootly_outbox_attach_loop(ctx, &loop), "attach");
		uv_run(&loop, UV_RUN_DEFAULT);
		rootly_outbox_detach_loop(ctx);
		uv_close((uv_handle_t *)&check, NULL);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
	} else {
		size_t n = 0;
		bench_check(rootly_ctx_dispatch(ctx, 0, &n), "dispatch");
	}
	double secs = bench_now_s() - t0;
	char *list;
	bench_check(rootly_outbox_list(&list, ctx, "delivered"), "list");
	json_t *arr;
	bench_check(rootly__json_read("list", list, strlen(list), &arr), "list parse");
	size_t delivered = json_array_size(arr);
	json_decref(arr);
	rootly_free(list);
	long received = atomic_load(&g_received) - before;
	if ((int)delivered != items || (strcmp(mode, "record") != 0 && received != items)) {
		fprintf(stderr, "%s/%s: %zu delivered, %ld received of %d\n", store, mode, delivered, received, items);
		exit(1);
	}
	rootly_ctx_free(ctx);
	if (strncmp(store, "sqlite", 6) == 0)
		bench_unlink_db(path);
	return (double)items / secs;
}

int main(int argc, char **argv)
{
	int items = argc > 1 ? atoi(argv[1]) : 2000;
	int reps = argc > 2 ? atoi(argv[2]) : 3;
	if (items < 1 || reps < 1 || reps > 15) {
		fprintf(stderr, "usage: bench_dispatch [items] [repetitions 1-15]\n");
		return 2;
	}
	int port = start_receiver();
	static const char *const stores[] = { "memory", "sqlite", "sqlite_normal" };
	static const char *const modes[] = { "record", "http_sync", "http_loop" };
	for (size_t s = 0; s < 3; s++) {
		/* The modes take turns within each repetition, so a burst of load
		 * from elsewhere hits them alike; each reports its median. */
		double rates[3][15];
		/* BENCH_DISPATCH_ONLY=store:mode runs one case (for callgrind). */
		const char *only = getenv("BENCH_DISPATCH_ONLY");
		if (only) {
			for (size_t m = 0; m < 3; m++) {
				char name[64];
				snprintf(name, sizeof(name), "%s:%s", stores[s], modes[m]);
				if (strcmp(name, only) == 0)
					printf("{\"bench\":\"dispatch\",\"case\":\"%s\",\"items\":%d,\"deliveries_per_s\":%.0f}\n",
						name, items, run(stores[s], modes[m], port, items));
			}
			continue;
		}
		for (int r = 0; r < reps; r++)
			for (size_t m = 0; m < 3; m++)
				rates[m][r] = run(stores[s], modes[m], port, items);
		double med[3];
		for (size_t m = 0; m < 3; m++) {
			bench_sort(rates[m], (size_t)reps);
			med[m] = rates[m][reps / 2];
			printf("{\"bench\":\"dispatch\",\"store\":\"%s\",\"mode\":\"%s\",\"items\":%d,\"reps\":%d,"
				"\"deliveries_per_s_median\":%.0f,\"min\":%.0f,\"max\":%.0f,\"ratio_to_record\":%.3f}\n",
				stores[s], modes[m], items, reps, med[m], rates[m][0], rates[m][reps - 1], med[m] / med[0]);
			fflush(stdout);
		}
	}
	if (getenv("BENCH_DISPATCH_ONLY"))
		return 0;
	/* A receiver that takes 20 ms to answer (a real API across a network):
	 * one delivery at a time without a loop, `batch` at once on the loop. */
	atomic_store(&g_latency_ms, 20);
	int slow = items / 10 > 50 ? items / 10 : 50;
	for (size_t m = 1; m < 3; m++) {
		double r = run("memory", modes[m], port, slow);
		printf("{\"bench\":\"dispatch\",\"store\":\"memory\",\"mode\":\"%s\",\"receiver_latency_ms\":20,"
			"\"items\":%d,\"deliveries_per_s\":%.0f}\n", modes[m], slow, r);
		fflush(stdout);
	}
	return 0;
}
