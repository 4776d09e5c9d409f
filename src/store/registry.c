/* rootly_store_init and rootly_store_open: URI parsing and dispatch to the
 * built-in backends. */
#include <ctype.h>
#include <limits.h>
#include <strings.h>

#include "core/common.h"
#include "store/backends.h"

rootly_status rootly_store_init(rootly_store *st, unsigned int version)
{
	if (!st || version == 0 || version > ROOTLY_STORE_VERSION)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_store_init: version %u is not supported (this library knows up to %u)",
			version, ROOTLY_STORE_VERSION);
	/* A version 1 backend's struct ends at `free`. */
	memset(st, 0, version >= 2 ? sizeof(*st) : offsetof(rootly_store, commit_deferred));
	st->version = version;
	return 0;
}

static int bad_uri(const char *uri, const char *why)
{
	return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
		"store URI '%s': %s", uri, why);
}

/* Parse "opt=v&opt=v" (len bytes at s) into o. */
static int parse_sqlite_options(const char *uri, const char *s, size_t len,
	rootly__sqlite_options *o)
{
	const char *end = s + len;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *stop = amp ? amp : end;
		if (stop == s) { /* "a=1&&b=2", a trailing "&" */
			s = stop + 1;
			continue;
		}
		const char *eq = memchr(s, '=', (size_t)(stop - s));
		if (!eq)
			return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"store URI '%s': option '%.*s' has no value", uri, (int)(stop - s), s);
		size_t klen = (size_t)(eq - s), vlen = (size_t)(stop - eq - 1);
		const char *v = eq + 1;
		if (klen == 11 && memcmp(s, "synchronous", 11) == 0) {
			if (vlen == 4 && strncasecmp(v, "full", 4) == 0)
				o->synchronous_full = true;
			else if (vlen == 6 && strncasecmp(v, "normal", 6) == 0)
				o->synchronous_full = false;
			else
				return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
					"store URI '%s': synchronous must be full or normal, not '%.*s'",
					uri, (int)vlen, v);
		} else if (klen == 12 && memcmp(s, "busy_timeout", 12) == 0) {
			long ms = 0;
			size_t i = 0;
			for (; i < vlen && isdigit((unsigned char)v[i]) && ms <= INT_MAX; i++)
				ms = ms * 10 + (v[i] - '0');
			if (vlen == 0 || i != vlen || ms > INT_MAX)
				return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
					"store URI '%s': busy_timeout must be milliseconds, not '%.*s'",
					uri, (int)vlen, v);
			o->busy_timeout_ms = (int)ms;
		} else if (klen == 10 && memcmp(s, "checkpoint", 10) == 0) {
			if (vlen == 10 && strncasecmp(v, "background", 10) == 0)
				o->checkpoint_background = true;
			else if (vlen == 6 && strncasecmp(v, "inline", 6) == 0)
				o->checkpoint_background = false;
			else
				return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
					"store URI '%s': checkpoint must be background or inline, not '%.*s'",
					uri, (int)vlen, v);
		} else if (klen == 9 && memcmp(s, "cache_kib", 9) == 0) {
			/* The page cache's ceiling: a long-running server trades
			 * memory for spills of big group commits (sqlite.c). */
			long kib = 0;
			size_t i = 0;
			for (; i < vlen && isdigit((unsigned char)v[i]) && kib <= 1048576; i++)
				kib = kib * 10 + (v[i] - '0');
			if (vlen == 0 || i != vlen || kib < 64 || kib > 1048576)
				return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
					"store URI '%s': cache_kib must be 64 to 1048576 (KiB), not '%.*s'",
					uri, (int)vlen, v);
			o->cache_kib = (int)kib;
		} else {
			return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"store URI '%s': unknown sqlite option '%.*s' (known: synchronous, busy_timeout, checkpoint, cache_kib)",
				uri, (int)klen, s);
		}
		s = amp ? amp + 1 : end;
	}
	return 0;
}

/* "PATH[?options]" */
static int open_sqlite(rootly_store **out, const char *uri, const char *spec)
{
	rootly__sqlite_options o = ROOTLY__SQLITE_OPTIONS_INIT;
	const char *q = strchr(spec, '?');
	size_t plen = q ? (size_t)(q - spec) : strlen(spec);
	if (plen == 0)
		return bad_uri(uri, "sqlite needs a file path (sqlite:PATH)");
	if (q)
		ROOTLY_TRY(parse_sqlite_options(uri, q + 1, strlen(q + 1), &o));
	char *path = rootly__strndup(spec, plen);
	if (!path)
		return rootly_error_set_oom();
	int rc = rootly__store_sqlite_open(out, path, &o);
	rootly_free(path);
	return rc;
}

/* "N:URI" */
static int open_fault(rootly_store **out, const char *uri, const char *spec)
{
	uint64_t n = 0;
	const char *p = spec;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return bad_uri(uri, "fault count is too large");
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == spec || *p != ':')
		return bad_uri(uri, "expected fault:N:URI with N a call number (0 = never fail)");
	rootly_store *inner = NULL;
	ROOTLY_TRY(rootly_store_open(&inner, p + 1));
	int rc = rootly_store_fault_wrap(out, inner, n, ROOTLY_FAULT_ONCE);
	if (rc < 0)
		inner->free(inner);
	return rc;
}

/* The length of a URI scheme ("[a-z][a-z0-9+.-]*:") at the start of uri,
 * or 0. One-letter schemes are not taken, so "C:\db" stays a path. */
static size_t scheme_len(const char *uri)
{
	size_t i = 0;
	if (!isalpha((unsigned char)uri[0]))
		return 0;
	while (isalnum((unsigned char)uri[i]) || uri[i] == '+' || uri[i] == '.' || uri[i] == '-')
		i++;
	return uri[i] == ':' && i > 1 ? i : 0;
}

rootly_status rootly_store_open(rootly_store **out, const char *uri)
{
	if (!out || !uri)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"rootly_store_open: out and uri are required");
	*out = NULL;
	if (!*uri)
		return bad_uri(uri, "empty");
	size_t n = scheme_len(uri);
	const char *rest = uri + n + 1;
	if (n == 6 && strncmp(uri, "memory", 6) == 0) {
		if (*rest)
			return bad_uri(uri, "memory: takes no path or options");
		return rootly__store_memory_open(out);
	}
	if (n == 6 && strncmp(uri, "sqlite", 6) == 0)
		return open_sqlite(out, uri, rest);
	if (n == 5 && strncmp(uri, "fault", 5) == 0)
		return open_fault(out, uri, rest);
	if (n > 0)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"store URI '%s': unknown scheme '%.*s' (known: memory, sqlite, fault)",
			uri, (int)n, uri);
	return open_sqlite(out, uri, uri);
}
