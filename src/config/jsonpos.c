/*
 * JSON configuration: the strict reader builds the tree (never json_loads,
 * see util/jsonread.c), then one pass over the same text, walked in step
 * with the tree, records where each member and element starts. The reader
 * has already accepted the text, so this pass only has to find tokens; and
 * jansson keeps object members in insertion order, i.e. document order, so
 * the i-th key in the text is the i-th key of the object (already decoded,
 * escapes and all).
 */
#include <stdio.h>

#include "config/load.h"
#include "util/jsonread.h"

typedef struct scan {
	const unsigned char *s;
	size_t len, pos;
	unsigned line, col; /* of s[pos] */
	rootly_cfgcheck *c;
} scan;

static void step(scan *sc)
{
	unsigned char ch = sc->s[sc->pos++];
	if (ch == '\n') {
		sc->line++;
		sc->col = 1;
	} else if (sc->pos >= sc->len || (sc->s[sc->pos] & 0xC0) != 0x80) {
		/* Count a character once, at its last byte. */
		sc->col++;
	}
}

static void skip_ws(scan *sc)
{
	while (sc->pos < sc->len && strchr(" \t\r\n", sc->s[sc->pos]) && sc->s[sc->pos])
		step(sc);
}

static void skip_string(scan *sc)
{
	step(sc); /* opening quote */
	while (sc->pos < sc->len && sc->s[sc->pos] != '"') {
		if (sc->s[sc->pos] == '\\')
			step(sc);
		step(sc);
	}
	if (sc->pos < sc->len)
		step(sc);
}

static void walk(scan *sc, const json_t *node, const char *path)
{
	char child[ROOTLY_CFG_PATH_MAX];
	skip_ws(sc);
	if (sc->pos >= sc->len || sc->c->oom)
		return;
	unsigned char ch = sc->s[sc->pos];
	if (ch == '"') {
		skip_string(sc);
	} else if (ch == '{') {
		void *it = json_object_iter((json_t *)node);
		step(sc);
		for (;;) {
			skip_ws(sc);
			/* A child that stopped early (oom) left the text unread. */
			if (sc->pos >= sc->len || sc->c->oom)
				return;
			if (sc->s[sc->pos] == '}') {
				step(sc);
				return;
			}
			if (sc->s[sc->pos] == ',') {
				step(sc);
				skip_ws(sc);
			}
			if (!it)
				return; /* cannot happen on accepted text */
			rootly__cfg_path_key(child, path, json_object_iter_key(it));
			rootly__cfg_pos_set(sc->c, child, sc->line, sc->col);
			skip_string(sc);
			skip_ws(sc);
			if (sc->pos < sc->len)
				step(sc); /* ':' */
			walk(sc, json_object_iter_value(it), child);
			it = json_object_iter_next((json_t *)node, it);
		}
	} else if (ch == '[') {
		size_t i = 0;
		step(sc);
		for (;;) {
			skip_ws(sc);
			/* A child that stopped early (oom) left the text unread. */
			if (sc->pos >= sc->len || sc->c->oom)
				return;
			if (sc->s[sc->pos] == ']') {
				step(sc);
				return;
			}
			if (sc->s[sc->pos] == ',') {
				step(sc);
				skip_ws(sc);
			}
			rootly__cfg_path_index(child, path, i);
			rootly__cfg_pos_set(sc->c, child, sc->line, sc->col);
			walk(sc, json_array_get(node, i), child);
			i++;
		}
	} else {
		while (sc->pos < sc->len && !strchr(",]} \t\r\n", sc->s[sc->pos]))
			step(sc);
	}
}

/* "what: invalid JSON at line L, column C (byte B): reason" (jsonread.c). */
static void report_syntax(rootly_cfgcheck *c)
{
	const char *msg = rootly_error_last()->message;
	unsigned line = 0, col = 0;
	const char *at = strstr(msg, "invalid JSON at line ");
	const char *reason = at ? strstr(at, "): ") : NULL;
	if (at && reason && sscanf(at, "invalid JSON at line %u, column %u", &line, &col) == 2)
		rootly__cfg_error_at(c, "", line, col, "invalid JSON: %s", reason + 3);
	else
		rootly__cfg_error_at(c, "", 0, 0, "%s", msg);
}

int rootly__config_read_json(rootly_cfgcheck *c, const char *text, size_t len, json_t **out)
{
	json_t *root = NULL;
	*out = NULL;
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		/* The reader would say "unexpected byte"; name it. */
		unsigned line = 1, col = 1;
		for (const char *p = text; p < nul; p++) {
			if (*p == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)*p & 0xC0) != 0x80) {
				col++;
			}
		}
		rootly__cfg_error_at(c, "", line, col, "invalid JSON: NUL byte");
		return 0;
	}
	int rc = rootly__json_read("configuration", text, len, &root);
	if (rc == ROOTLY_ENOMEM) {
		c->oom = true;
		return rc;
	}
	if (rc) {
		report_syntax(c);
		return 0;
	}
	scan sc = { (const unsigned char *)text, len, 0, 1, 1, c };
	skip_ws(&sc);
	rootly__cfg_pos_set(c, "", sc.line, sc.col);
	walk(&sc, root, "");
	if (c->oom) {
		json_decref(root);
		return ROOTLY_ENOMEM;
	}
	*out = root;
	return 0;
}
