/* Transports built from the configuration section `transports`
 * (validated by src/config/transports.c). */
#include "transport/transport.h"

#include <openssl/evp.h>
#include <stdio.h>

#include "config/check.h"
#include "config/config.h"
#include "util/buf.h"

/* s with every ${NAME} replaced by the environment's value. A missing
 * variable is an error naming it (and the setting), never an empty token. */
static int expand_env(const char *cap, const char *key, const char *s, char **out)
{
	rootly_buf b = ROOTLY_BUF_INIT;
	*out = NULL;
	while (*s) {
		const char *open = strstr(s, "${");
		const char *close = open ? strchr(open + 2, '}') : NULL;
		if (!open || !close) {
			rootly_buf_puts(&b, s);
			break;
		}
		rootly_buf_put(&b, s, (size_t)(open - s));
		char name[128];
		size_t n = (size_t)(close - open - 2);
		if (n == 0 || n >= sizeof(name)) {
			rootly_buf_dispose(&b);
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"transports.%s.%s: bad ${...} reference", cap, key);
		}
		memcpy(name, open + 2, n);
		name[n] = '\0';
		const char *v = getenv(name);
		if (!v) {
			rootly_buf_dispose(&b);
			return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"transports.%s.%s: environment variable %s is not set", cap, key, name);
		}
		rootly_buf_puts(&b, v);
		s = close + 1;
	}
	rootly_buf_putc(&b, '\0');
	if (b.oom) {
		rootly_buf_dispose(&b);
		return rootly_error_set_oom();
	}
	*out = b.ptr;
	return 0;
}

static int setting(const char *cap, const json_t *entry, const char *key, char **out)
{
	const char *v = rootly__jstr(entry, key);
	*out = NULL;
	return v ? expand_env(cap, key, v, out) : 0;
}

static char *basic_auth(const char *email, const char *token)
{
	char *pair = rootly__sprintf("%s:%s", email, token);
	if (!pair)
		return NULL;
	size_t n = strlen(pair);
	char *out = rootly_malloc(6 + 4 * ((n + 2) / 3) + 1);
	if (out) {
		memcpy(out, "Basic ", 6);
		EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)pair, (int)n);
	}
	memset(pair, 0, n);
	rootly_free(pair);
	return out;
}

int rootly__transport_from_config(rootly_transport **out, const char *cap, const json_t *entry,
	long default_timeout_ms)
{
	*out = NULL;
	const char *type = rootly__jstr(entry, "type");
	if (!type)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "transports.%s: no type", cap);
	if (strcmp(type, "record") == 0)
		return rootly_transport_open(out, "record:");
	char *url = NULL, *token = NULL, *email = NULL, *path = NULL, *browse = NULL, *auth = NULL;
	int rc = setting(cap, entry, "url", &url);
	if (rc >= 0)
		rc = setting(cap, entry, "token", &token);
	if (rc >= 0)
		rc = setting(cap, entry, "email", &email);
	if (rc >= 0)
		rc = setting(cap, entry, "path", &path);
	if (rc >= 0)
		rc = setting(cap, entry, "browse_url", &browse);
	if (rc < 0)
		goto done;
	if (strcmp(type, "file") == 0) {
		char *uri = rootly__sprintf("file:%s", path ? path : "");
		rc = uri ? rootly_transport_open(out, uri) : rootly_error_set_oom();
		rootly_free(uri);
		goto done;
	}
	int64_t timeout = default_timeout_ms;
	const char *tv = rootly__jstr(entry, "timeout");
	if (tv && !rootly__duration_parse(tv, &timeout))
		timeout = default_timeout_ms;
	if (strcmp(type, "jira") == 0) {
		if (!email || !token) {
			rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
				"transports.%s: jira needs email and token (JIRA_EMAIL, JIRA_TOKEN)", cap);
			goto done;
		}
		auth = basic_auth(email, token);
	} else if (token) {
		auth = rootly__sprintf(strcmp(type, "statuspage") == 0 ? "OAuth %s" : "Bearer %s", token);
	}
	if (token && !auth) {
		rc = rootly_error_set_oom();
		goto done;
	}
	if (strcmp(type, "slack") == 0 && !token) {
		rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"transports.%s: slack needs a token (SLACK_TOKEN)", cap);
		goto done;
	}
	if (strcmp(type, "statuspage") == 0 && !token) {
		rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"transports.%s: statuspage needs a token (STATUSPAGE_TOKEN)", cap);
		goto done;
	}
	if (strcmp(type, "webhook") != 0 && !url) {
		rc = rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			"transports.%s: type %s needs a url", cap, type);
		goto done;
	}
	rc = rootly__http_transport_new(out, type, url, auth, browse, (long)timeout);
done:
	if (token)
		memset(token, 0, strlen(token));
	if (auth)
		memset(auth, 0, strlen(auth));
	rootly_free(url);
	rootly_free(token);
	rootly_free(email);
	rootly_free(path);
	rootly_free(browse);
	rootly_free(auth);
	return rc;
}
