/* file: appends one JSON line per delivery (the README demo's default:
 * what the workflows would have sent, readable with jq). */
#include "transport/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

typedef struct file_transport {
	rootly_transport base;
	int fd;
	char *path;
	size_t count;
} file_transport;

static rootly_status file_deliver(rootly_transport *t, const rootly_delivery *d, rootly_delivery_result *r)
{
	file_transport *ft = (file_transport *)t;
	json_t *params;
	json_t *o = rootly__delivery_json(d, &params);
	if (!o)
		return rootly_error_set_oom();
	char *text = rootly__json_text(o);
	json_decref(o);
	json_t *res = text ? rootly__fake_result(d->action, params, ft->count + 1) : NULL;
	json_decref(params);
	char *rtext = res ? rootly__json_text(res) : NULL;
	json_decref(res);
	char *line = rtext ? rootly__sprintf("%s\n", text) : NULL;
	rootly_free(text);
	if (!line) {
		rootly_free(rtext);
		return rootly_error_set_oom();
	}
	/* One write of the whole line: with O_APPEND, lines of several
	 * processes never interleave. */
	size_t len = strlen(line);
	ssize_t w = write(ft->fd, line, len);
	int err = errno;
	rootly_free(line);
	if (w < 0 || (size_t)w != len) {
		rootly_free(rtext);
		return rootly__err(ROOTLY_EIO, ROOTLY_ERROR_OS, err, "file transport %s: write failed: %s",
			ft->path, w < 0 ? strerror(err) : "short write");
	}
	ft->count++;
	r->outcome = ROOTLY_DELIVERY_OK;
	r->result_json = rtext;
	return 0;
}

static void file_free(rootly_transport *t)
{
	file_transport *ft = (file_transport *)t;
	if (ft->fd >= 0)
		close(ft->fd);
	rootly_free(ft->path);
	rootly_free(ft);
}

int rootly__file_open(rootly_transport **out, const char *path)
{
	file_transport *ft = rootly__calloc(1, sizeof(*ft));
	if (!ft)
		return rootly_error_set_oom();
	ft->fd = -1;
	ft->path = rootly__strdup(path);
	if (!ft->path) {
		file_free(&ft->base);
		return rootly_error_set_oom();
	}
	ft->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (ft->fd < 0) {
		int err = errno;
		file_free(&ft->base);
		return rootly__err(ROOTLY_EIO, ROOTLY_ERROR_OS, err, "file transport: cannot open %s: %s", path,
			strerror(err));
	}
	ft->base.version = ROOTLY_TRANSPORT_VERSION;
	ft->base.capabilities = ROOTLY_CAP_ALL;
	ft->base.name = "file";
	ft->base.deliver = file_deliver;
	ft->base.free = file_free;
	*out = &ft->base;
	return 0;
}
