/*
 * bindings/swig/rootly.i — the one SWIG interface of librootly (conventions
 * §10.11); the only file passed to swig, for both languages:
 *
 *   swig -c++ -python -threads -Ibindings/swig -Iinclude rootly.i
 *       -> rootly_native.py + _rootly_native (bindings/CMakeLists.txt);
 *          bindings/python/rootly/ is the API people use
 *   swig -c++ -go -cgo -intgosize 64 -package raw -Ibindings/swig -Iinclude rootly.i
 *       -> bindings/go/internal/raw (bindings/go/generate.sh; committed);
 *          bindings/go/*.go is the API people use
 *
 * Files:
 *   rootly_common.i       the whitelist: every rootly_* name is %ignored
 *                         unless listed, so the module never references a
 *                         function the library does not have
 *   rootly_ownership.i    `T **out` handles and `char **out` strings
 *   rootly_errors.i       rootly_status -> exception (Python)
 *   rootly_helpers.i      options structs filled from plain arguments;
 *                         calls whose failure carries an answer
 *   rootly_backends.i     storage and transport backends written in the
 *                         target language: director classes over the C
 *                         vtables (rootly_swig_shim.hpp, §10.12)
 *   python/rootly_python.swg   exception hierarchy, typemaps, fast paths
 *   go/rootly_go.swg, go/rootly_go_helpers.i   cgo preamble, optional
 *                         strings, value-returning twins of out-parameter
 *                         functions
 *
 * The shapes:
 *   - rootly_status returns become exceptions in Python, raised inside the
 *     same wrapper call from rootly_error_last(); Go reads the same
 *     thread-local error on a locked OS thread and returns an error value;
 *   - borrowed structs (ingest items, events, tasks, rows) are copied out
 *     at once: no binding object keeps a pointer into the library;
 *   - a host object plugged into a C vtable is reached through a C++
 *     director; the vtable never owns it, the binding keeps it alive until
 *     the context that uses it is freed.
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
#ifdef SWIGPYTHON
%include "python/rootly_python_embed.i"
#endif

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
