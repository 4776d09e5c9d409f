/*
 * bindings/swig/rootly.i — the one SWIG interface of librootly (conventions
 * §10.11); the only file passed to swig. Language specifics live in
 * python/rootly_python.swg (and go/rootly_go.swg with the Go binding).
 *
 * Python: swig -c++ -python -threads -Ibindings/swig -Iinclude rootly.i
 * gives rootly_native.py (the raw proxy module) and _rootly_native (the
 * extension); bindings/python/rootly/__init__.py is the API people use.
 *
 * What is wrapped is a whitelist (rootly_common.i): every function of the
 * public headers is %ignored unless listed there, so the module never links
 * against a function the library does not have yet. The shapes it proves:
 *   - rootly_status returns become exceptions, raised inside the same wrapper
 *     call from rootly_error_last() (rootly_errors.i);
 *   - `T **out` parameters become return values owned by the target language
 *     (ROOTLY_HANDLE, rootly_ownership.i); `char **out` strings are converted
 *     and freed with rootly_free;
 *   - borrowed structs (ingest items, key/value pairs) are copied out at once;
 *   - options structs are filled by small helpers (rootly_swig_*), since
 *     bindings cannot use the _INIT brace macros.
 */
#if defined(SWIGPYTHON)
%module(package="rootly", directors="1", threads="1") rootly_native
#else
%module(directors="1") rootly
#endif

%{
extern "C" {
#include "rootly.h"
#include "rootly/sys/alloc.h"
#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"
#include "rootly/sys/transport.h"
}
#include <stdlib.h>
#include <string.h>
#include "rootly_swig_shim.hpp"
%}

%include "stdint.i"
%include "typemaps.i"
%include "std_string.i"
%include "rootly_common.i"
%include "rootly_ownership.i"
%include "rootly_errors.i"
#ifdef SWIGPYTHON
%include "python/rootly_python.swg"
#endif
#ifdef SWIGGO
%include "go/rootly_go.swg"
#endif

/* Structs from the library are read-only to the target language. */
%immutable;
%include "rootly/common.h"
%include "rootly/version.h"
%include "rootly/errors.h"
%include "rootly/ctx.h"
%include "rootly/incident.h"
%include "rootly/alert.h"
%include "rootly/postmortem.h"
%include "rootly/timeline.h"
%include "rootly/task.h"
%include "rootly/metrics.h"
%include "rootly/config.h"
%include "rootly/signature.h"
%include "rootly/workflow.h"
%include "rootly/outbox.h"
%include "rootly/sys/transport.h"
%mutable;
%include "rootly_helpers.i"
%include "rootly_backends.i"

/* --- helpers: options structs filled on the C side ----------------------- */
%inline %{
/** Open a context on a storage URI ("memory:", "sqlite:PATH"); actor may be NULL. */
rootly_status rootly_swig_ctx_open(rootly_ctx **out, const char *storage_uri, const char *actor)
{
	rootly_ctx_options o;
	int rc = rootly_ctx_options_init(&o, ROOTLY_CTX_OPTIONS_VERSION);
	if (rc < 0)
		return rc;
	o.storage_uri = storage_uri;
	o.actor = actor;
	return rootly_ctx_open(out, &o);
}

/** rootly_incident_create with the options as arguments. */
rootly_status rootly_swig_incident_create(rootly_incident **out, rootly_ctx *ctx,
	const char *title, const char *summary, int severity,
	const char *const *services, size_t services_count,
	const char *const *teams, size_t teams_count,
	const rootly_kv *labels, size_t labels_count,
	const rootly_kv *fields, size_t fields_count,
	int status, rootly_time detected_at, const char *actor)
{
	rootly_incident_options o;
	int rc = rootly_incident_options_init(&o, ROOTLY_INCIDENT_OPTIONS_VERSION);
	if (rc < 0)
		return rc;
	o.title = title;
	o.summary = summary;
	o.severity = severity;
	o.services = services; o.services_count = services_count;
	o.teams = teams; o.teams_count = teams_count;
	o.labels = labels; o.labels_count = labels_count;
	o.fields = fields; o.fields_count = fields_count;
	o.status = (rootly_incident_status)status;
	o.detected_at = detected_at;
	o.actor = actor;
	return rootly_incident_create(out, ctx, &o);
}

/** rootly_incident_list_load with the filter as arguments. */
rootly_status rootly_swig_incident_list(rootly_incident_list **out, rootly_ctx *ctx,
	int status, int open_only, int severity, const char *service, const char *team,
	rootly_time created_from, rootly_time created_to, size_t limit, int newest_first)
{
	rootly_incident_filter f;
	int rc = rootly_incident_filter_init(&f, ROOTLY_INCIDENT_FILTER_VERSION);
	if (rc < 0)
		return rc;
	f.status = status;
	f.open_only = open_only;
	f.severity = severity;
	f.service = service;
	f.team = team;
	f.created_from = created_from;
	f.created_to = created_to;
	f.limit = limit;
	f.newest_first = newest_first;
	return rootly_incident_list_load(out, ctx, &f);
}
%}

/* Go: value-returning twins of the out-parameter functions (they call the
 * helpers above, so they come last). */
#ifdef SWIGGO
%include "go/rootly_go_helpers.i"
#endif
