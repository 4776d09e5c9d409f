/* Thread-local last error, error names and texts. */
#include "core/common.h"

#include <stdio.h>

#define ROOTLY_ERRMSG_MAX 1024

static _Thread_local char t_message[ROOTLY_ERRMSG_MAX];
static _Thread_local rootly_error t_error = { "", 0, 0, 0 };

const rootly_error *rootly_error_last(void)
{
	if (t_error.message == NULL)
		t_error.message = "";
	return &t_error;
}

void rootly_error_clear(void)
{
	t_message[0] = '\0';
	t_error.message = "";
	t_error.klass = ROOTLY_ERROR_NONE;
	t_error.code = 0;
	t_error.sys_code = 0;
}

int rootly_error_set(int code, int klass, int sys_code, const char *fmt, ...)
{
	/* Formatting into a fixed thread-local buffer keeps error raising
	 * allocation-free, so an out-of-memory path can still report. */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t_message, sizeof(t_message), fmt, ap);
	va_end(ap);
	t_error.message = t_message;
	t_error.klass = klass;
	t_error.code = code;
	t_error.sys_code = sys_code;
	return code;
}

int rootly_error_set_oom(void)
{
	return rootly_error_set(ROOTLY_ENOMEM, ROOTLY_ERROR_NOMEMORY, 0, "out of memory");
}

void rootly__error_copy(rootly_error *dst, char *msgbuf, size_t msgcap, const rootly_error *src)
{
	snprintf(msgbuf, msgcap, "%s", src->message ? src->message : "");
	dst->message = msgbuf;
	dst->klass = src->klass;
	dst->code = src->code;
	dst->sys_code = src->sys_code;
}

void rootly__error_save(rootly__saved_error *s)
{
	rootly__error_copy(&s->error, s->message, sizeof(s->message), rootly_error_last());
}

void rootly__error_restore(const rootly__saved_error *s)
{
	rootly_error_set(s->error.code, s->error.klass, s->error.sys_code, "%s", s->message);
}

static const struct { int code; const char *name; const char *text; } k_codes[] = {
	{ ROOTLY_OK, "ROOTLY_OK", "success" },
	{ ROOTLY_ERROR, "ROOTLY_ERROR", "generic error" },
	{ ROOTLY_ENOMEM, "ROOTLY_ENOMEM", "out of memory" },
	{ ROOTLY_ENOTFOUND, "ROOTLY_ENOTFOUND", "not found" },
	{ ROOTLY_EEXISTS, "ROOTLY_EEXISTS", "already exists" },
	{ ROOTLY_EINVALID, "ROOTLY_EINVALID", "invalid argument or input" },
	{ ROOTLY_ECONFLICT, "ROOTLY_ECONFLICT", "conflicting concurrent change" },
	{ ROOTLY_EBUSY, "ROOTLY_EBUSY", "resource busy" },
	{ ROOTLY_ETIMEOUT, "ROOTLY_ETIMEOUT", "timed out" },
	{ ROOTLY_EAUTH, "ROOTLY_EAUTH", "authentication failed" },
	{ ROOTLY_ENOTSUPPORTED, "ROOTLY_ENOTSUPPORTED", "not supported" },
	{ ROOTLY_ECANCELED, "ROOTLY_ECANCELED", "operation canceled" },
	{ ROOTLY_EIO, "ROOTLY_EIO", "input/output error" },
	{ ROOTLY_EILLEGAL, "ROOTLY_EILLEGAL", "illegal state transition" },
	{ ROOTLY_ECORRUPT, "ROOTLY_ECORRUPT", "stored data failed verification" },
	{ ROOTLY_EPERM, "ROOTLY_EPERM", "permission denied" },
	{ ROOTLY_EUSER, "ROOTLY_EUSER", "error raised by user code" },
	{ ROOTLY_PASSTHROUGH, "ROOTLY_PASSTHROUGH", "passthrough" },
	{ ROOTLY_ITEROVER, "ROOTLY_ITEROVER", "end of iteration" },
};

const char *rootly_strerror(int code)
{
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_codes); i++)
		if (k_codes[i].code == code)
			return k_codes[i].text;
	return "unknown error code";
}

const char *rootly_err_name(int code)
{
	for (size_t i = 0; i < ROOTLY_ARRAY_SIZE(k_codes); i++)
		if (k_codes[i].code == code)
			return k_codes[i].name;
	return "ROOTLY_E?";
}
