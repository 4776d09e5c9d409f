/* Tasks and follow-up action items, tracked on the incident's timeline. */
#include "core/engine.h"

static const char *const k_status[] = { "open", "done", "cancelled" };
static const char *const k_kind[] = { "task", "follow_up" };

const char *rootly_task_status_name(rootly_task_status s) { return (unsigned)s < 3 ? k_status[s] : NULL; }
const char *rootly_task_kind_name(rootly_task_kind k) { return (unsigned)k < 2 ? k_kind[k] : NULL; }

rootly_status rootly_task_options_init(rootly_task_options *o, unsigned int version)
{
	rootly_task_options init = ROOTLY_TASK_OPTIONS_INIT;
	if (!o || version != ROOTLY_TASK_OPTIONS_VERSION)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_task_options_init: unsupported version %u", version);
	*o = init;
	return 0;
}

static int task_store(rootly_ctx *ctx, json_t *task, int64_t expected_rev)
{
	rootly_record idx = { 0 };
	idx.id = rootly__jstr(task, "id");
	idx.status = rootly__jstr(task, "status");
	idx.key = rootly__jstr(task, "kind");
	idx.group_key = rootly__jstr(task, "incident_id");
	idx.time = rootly__jint(task, "created_at");
	return rootly__doc_put(ctx, "task", &idx, task, expected_rev, NULL);
}

static bool priority_ok(const char *p)
{
	return !strcmp(p, "high") || !strcmp(p, "medium") || !strcmp(p, "low") || !strcmp(p, "urgent");
}

rootly_status rootly_task_create(char **id_out, rootly_ctx *ctx, const char *incident_ref, const rootly_task_options *o)
{
	json_t *inc = NULL, *task = NULL;
	int64_t rev;
	if (id_out)
		*id_out = NULL;
	if (!o || o->version == 0 || o->version > ROOTLY_TASK_OPTIONS_VERSION)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"task options: version %u unsupported", o ? o->version : 0));
	if (!o->title || !*o->title)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "task: title is required"));
	if (!rootly_task_kind_name(o->kind))
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "task: unknown kind %d", (int)o->kind));
	const char *priority = o->priority ? o->priority : "medium";
	if (!priority_ok(priority))
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"task: priority \"%s\" is not one of urgent, high, medium, low", priority));
	if (o->due_at < 0)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "task: due_at is negative"));

	int rc = rootly__tx_begin(ctx);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	rc = rootly__incident_load(ctx, incident_ref, &inc, &rev);
	if (rc < 0)
		goto done;
	char id[ROOTLY_ULID_LEN + 1];
	rootly__new_id(ctx, id);
	rootly_time now = rootly_ctx_now(ctx);
	const char *actor = rootly__actor(ctx, o->actor);
	uint64_t failures = rootly__alloc_failures();
	task = json_pack("{s:s,s:s,s:s,s:s,s:s*,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:n}",
		"id", id, "incident_id", rootly__jstr(inc, "id"), "title", o->title,
		"description", o->description ? o->description : "", "assignee", o->assignee,
		"priority", priority, "kind", rootly_task_kind_name(o->kind), "status", "open",
		"created_at", (json_int_t)now, "created_by", actor, "due_at", (json_int_t)o->due_at,
		"completed_at", (json_int_t)0, "completed_by");
	if (!task) {
		rc = rootly__alloc_failures() != failures ? rootly_error_set_oom() :
			rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "task: a text is not valid UTF-8");
		goto done;
	}
	if ((rc = task_store(ctx, task, 0)) < 0)
		goto done;
	/* timeline_append takes the body (NULL included) and releases it */
	json_t *body = json_pack("{s:s,s:s,s:s,s:s*,s:s}", "task_id", id, "title", o->title,
		"kind", rootly_task_kind_name(o->kind), "assignee", o->assignee, "priority", priority);
	if ((rc = rootly__timeline_append(ctx, inc, actor, "task.created", body, now)) < 0 ||
	    (rc = rootly__incident_store(ctx, inc, rev, NULL)) < 0)
		goto done;
	if (id_out && !(*id_out = rootly__strdup(id)))
		rc = rootly_error_set_oom();
done:
	rc = rootly__tx_end(ctx, rc);
	if (rc < 0 && id_out) {
		rootly_free(*id_out);
		*id_out = NULL;
	}
	json_decref(inc);
	json_decref(task);
	return rootly__ctx_fail(ctx, rc);
}

typedef int (*task_fn)(rootly_ctx *ctx, json_t *task, const void *arg, const char **kind, json_t **body);

/* Load task and incident, let fn change the task and describe the event. */
static int task_mutate(rootly_ctx *ctx, const char *task_id, const char *actor, task_fn fn, const void *arg)
{
	json_t *task = NULL, *inc = NULL, *body = NULL;
	int64_t trev, irev;
	const char *kind = NULL;
	if (!task_id || !*task_id)
		return rootly__ctx_fail(ctx, rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "task id is empty"));
	int rc = rootly__tx_begin(ctx);
	if (rc < 0)
		return rootly__ctx_fail(ctx, rc);
	rc = rootly__doc_get(ctx, "task", task_id, &task, &trev);
	if (rc == ROOTLY_ENOTFOUND)
		rc = rootly__err(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0, "no task \"%s\"", task_id);
	if (rc < 0)
		goto done;
	rc = rootly__incident_load(ctx, rootly__jstr(task, "incident_id"), &inc, &irev);
	if (rc < 0)
		goto done;
	rc = fn(ctx, task, arg, &kind, &body);
	if (rc != 0)
		goto done;
	if ((rc = task_store(ctx, task, trev)) < 0)
		goto done;
	rc = rootly__timeline_append(ctx, inc, actor, kind, body, 0);
	body = NULL;
	if (rc >= 0)
		rc = rootly__incident_store(ctx, inc, irev, NULL);
done:
	json_decref(body);
	rc = rootly__tx_end(ctx, rc);
	json_decref(task);
	json_decref(inc);
	return rootly__ctx_fail(ctx, rc < 0 ? rc : 0);
}

static int fn_assign(rootly_ctx *ctx, json_t *task, const void *arg, const char **kind, json_t **body)
{
	const char *assignee = arg;
	const char *prev = rootly__jstr(task, "assignee");
	if ((prev == NULL && assignee == NULL) || (prev && assignee && !strcmp(prev, assignee)))
		return 1;
	*kind = "task.assigned";
	*body = json_pack("{s:s,s:s,s:s*,s:s*}", "task_id", rootly__jstr(task, "id"),
		"title", rootly__jstr(task, "title"), "assignee", assignee, "previous", prev);
	json_t *v = assignee ? json_string(assignee) : json_null();
	if (!*body || !v || json_object_set_new(task, "assignee", v) < 0)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "assignee is not valid UTF-8 (or memory ran out)");
	return 0;
}

rootly_status rootly_task_assign(rootly_ctx *ctx, const char *task_id, const char *assignee, const char *actor)
{
	if (assignee && !*assignee)
		assignee = NULL;
	return task_mutate(ctx, task_id, actor, fn_assign, assignee);
}

typedef struct {
	const char *to;
	const char *actor;
} finish_args;

static int fn_finish(rootly_ctx *ctx, json_t *task, const void *arg, const char **kind, json_t **body)
{
	const finish_args *a = arg;
	const char *status = rootly__jstr(task, "status");
	if (!status || strcmp(status, "open") != 0)
		return rootly__err(ROOTLY_EILLEGAL, ROOTLY_ERROR_LIFECYCLE, 0,
			"task %s is already %s", rootly__jstr(task, "id"), status ? status : "(unknown)");
	bool done = !strcmp(a->to, "done");
	*kind = done ? "task.completed" : "task.cancelled";
	*body = json_pack("{s:s,s:s}", "task_id", rootly__jstr(task, "id"), "title", rootly__jstr(task, "title"));
	if (!*body || json_object_set_new(task, "status", json_string(a->to)) < 0)
		return rootly_error_set_oom();
	if (done && (json_object_set_new(task, "completed_at", json_integer(rootly_ctx_now(ctx))) < 0 ||
		     json_object_set_new(task, "completed_by", json_string(rootly__actor(ctx, a->actor))) < 0))
		return rootly_error_set_oom();
	return 0;
}

rootly_status rootly_task_complete(rootly_ctx *ctx, const char *task_id, const char *actor)
{
	finish_args a = { "done", actor };
	return task_mutate(ctx, task_id, actor, fn_finish, &a);
}

rootly_status rootly_task_cancel(rootly_ctx *ctx, const char *task_id, const char *actor)
{
	finish_args a = { "cancelled", actor };
	return task_mutate(ctx, task_id, actor, fn_finish, &a);
}

/* --- lists ---------------------------------------------------------------- */

struct rootly_task_list {
	json_t *docs;
	rootly_task *items;
	size_t count;
};

int rootly__tasks_load(rootly_ctx *ctx, const char *incident_id, json_t **out)
{
	rootly_record_query q = { 0 };
	q.group_key = incident_id;
	if (!incident_id)
		q.status = "open";
	return rootly__doc_find(ctx, "task", &q, out);
}

static int kind_of(const char *s) { return s && !strcmp(s, "follow_up") ? ROOTLY_TASK_FOLLOW_UP : ROOTLY_TASK_TASK; }

static int status_of(const char *s)
{
	if (s && !strcmp(s, "done"))
		return ROOTLY_TASK_DONE;
	return s && !strcmp(s, "cancelled") ? ROOTLY_TASK_CANCELLED : ROOTLY_TASK_OPEN;
}

rootly_status rootly_task_list_load(rootly_task_list **out, rootly_ctx *ctx, const char *incident_ref)
{
	json_t *inc = NULL;
	*out = NULL;
	const char *incident_id = NULL;
	int rc;
	if (incident_ref) {
		if ((rc = rootly__incident_load(ctx, incident_ref, &inc, NULL)) < 0)
			return rootly__ctx_fail(ctx, rc);
		incident_id = rootly__jstr(inc, "id");
	}
	rootly_task_list *l = rootly__calloc(1, sizeof(*l));
	if (!l) {
		json_decref(inc);
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	}
	rc = rootly__tasks_load(ctx, incident_id, &l->docs);
	json_decref(inc);
	if (rc < 0) {
		rootly_task_list_free(l);
		return rootly__ctx_fail(ctx, rc);
	}
	size_t n = json_array_size(l->docs);
	l->items = rootly__calloc(n ? n : 1, sizeof(rootly_task));
	if (!l->items) {
		rootly_task_list_free(l);
		return rootly__ctx_fail(ctx, rootly_error_set_oom());
	}
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(l->docs, i);
		rootly_task *t = &l->items[i];
		t->id = rootly__jstr(d, "id");
		t->incident_id = rootly__jstr(d, "incident_id");
		t->title = rootly__jstr(d, "title");
		t->description = rootly__jstr(d, "description");
		if (!t->description)
			t->description = "";
		t->assignee = rootly__jstr(d, "assignee");
		t->priority = rootly__jstr(d, "priority");
		t->kind = (rootly_task_kind)kind_of(rootly__jstr(d, "kind"));
		t->status = (rootly_task_status)status_of(rootly__jstr(d, "status"));
		t->created_at = rootly__jint(d, "created_at");
		t->due_at = rootly__jint(d, "due_at");
		t->completed_at = rootly__jint(d, "completed_at");
		t->completed_by = rootly__jstr(d, "completed_by");
	}
	l->count = n;
	*out = l;
	return 0;
}

size_t rootly_task_list_count(const rootly_task_list *l) { return l ? l->count : 0; }
const rootly_task *rootly_task_list_at(const rootly_task_list *l, size_t i) { return l && i < l->count ? &l->items[i] : NULL; }

void rootly_task_list_free(rootly_task_list *l)
{
	if (!l)
		return;
	rootly_free(l->items);
	json_decref(l->docs);
	rootly_free(l);
}
