/*
 * RFC 6901 JSON Pointer over a jansson tree: how a generic source's mapping
 * names the payload fields it reads ("/alert/labels/team"). Resolution
 * allocates nothing, so reading a payload through a mapping can only fail
 * on the payload, never on memory.
 */
#include "alert/parse.h"

bool rootly__json_pointer_valid(const char *ptr, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*why = NULL;
	if (!ptr) {
		*why = "no pointer";
		return false;
	}
	/* "" is the whole document: the pointer "/" is the member named "". */
	if (*ptr == '\0')
		return true;
	if (*ptr != '/') {
		*why = "must start with \"/\", or be \"\" for the whole document";
		return false;
	}
	for (const char *p = ptr; *p; p++)
		if (*p == '~' && p[1] != '0' && p[1] != '1') {
			*why = "\"~\" must be followed by 0 or 1: \"~0\" is \"~\", \"~1\" is \"/\"";
			return false;
		}
	return true;
}

/* The escaped token tok[0..n) against a key of klen bytes. */
static bool token_eq(const char *tok, size_t n, const char *key, size_t klen)
{
	size_t i = 0, k = 0;
	while (i < n) {
		char c = tok[i++];
		if (c == '~')
			c = tok[i++] == '0' ? '~' : '/';
		if (k == klen || key[k++] != c)
			return false;
	}
	return k == klen;
}

static json_t *object_member(const json_t *obj, const char *tok, size_t n)
{
	if (!memchr(tok, '~', n))
		return json_object_getn(obj, tok, n);
	/* Escaped: compare while unescaping rather than copy the token, which
	 * would need memory of a size the pointer decides. */
	const char *key;
	size_t klen;
	json_t *v;
	json_object_keylen_foreach((json_t *)obj, key, klen, v)
		if (token_eq(tok, n, key, klen))
			return v;
	return NULL;
}

static json_t *array_element(const json_t *arr, const char *tok, size_t n)
{
	/* "0" or digits without a leading zero; "-" names the element after
	 * the last, which never exists when reading. */
	if (n == 0 || (tok[0] == '0' && n > 1))
		return NULL;
	size_t idx = 0;
	for (size_t i = 0; i < n; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return NULL;
		size_t d = (size_t)(tok[i] - '0');
		if (idx > (SIZE_MAX - d) / 10)
			return NULL;
		idx = idx * 10 + d;
	}
	return json_array_get(arr, idx);
}

json_t *rootly__json_pointer_get(const json_t *doc, const char *ptr)
{
	if (!doc || !rootly__json_pointer_valid(ptr, NULL))
		return NULL;
	json_t *cur = (json_t *)doc;
	const char *p = ptr;
	while (cur && *p == '/') {
		const char *tok = p + 1;
		size_t n = strcspn(tok, "/");
		if (json_is_object(cur))
			cur = object_member(cur, tok, n);
		else if (json_is_array(cur))
			cur = array_element(cur, tok, n);
		else
			cur = NULL;
		p = tok + n;
	}
	return cur;
}
