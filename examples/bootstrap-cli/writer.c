/* SPDX-License-Identifier: BSD-2-Clause */
/* Writes that a stop can cut short: see writer.h. */
#define _GNU_SOURCE
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

ssize_t writer_write_all(int fd, const void *buf, size_t size,
			 writer_give_up_fn give_up, void *ctx)
{
	const char *p = buf;
	size_t done = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (done < size) {
		n = write(fd, p + done, size - done);
		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno == EAGAIN)
			/* A non-blocking descriptor we were given: wait here instead. */
			poll(&pfd, 1, -1);
		else if (n < 0 && errno != EINTR)
			return -1;
		if (done < size && give_up(ctx))
			break;
	}
	return (ssize_t)done;
}

/* Counts the lines in @len bytes just written, and those not events. */
static void count_lines(struct writer *w, const char *p, size_t len)
{
	size_t plen = strlen(w->other_prefix), take;
	const char *end = p + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		take = (size_t)((nl ? nl : end) - p);
		if (w->head_len < plen) {
			if (take > plen - w->head_len)
				take = plen - w->head_len;
			memcpy(w->head + w->head_len, p, take);
			w->head_len += take;
		}
		if (!nl)
			return;
		w->lines++;
		if (plen && w->head_len == plen && !memcmp(w->head, w->other_prefix, plen))
			w->other_lines++;
		w->head_len = 0;
		p = nl + 1;
	}
}

static ssize_t stream_write(void *cookie, const char *buf, size_t size)
{
	struct writer *w = cookie;
	ssize_t n;

	if (w->gave_up)
		return (ssize_t)size;
	n = writer_write_all(w->fd, buf, size, w->give_up, w->ctx);
	if (n < 0)
		return -1;
	count_lines(w, buf, (size_t)n);
	if ((size_t)n < size)
		w->gave_up = true;
	/* All of it taken: stdio must not see the rest as an error. */
	return (ssize_t)size;
}

static int stream_close(void *cookie)
{
	struct writer *w = cookie;

	return w->close_fd ? close(w->fd) : 0;
}

FILE *writer_open(struct writer *w, const char *path)
{
	cookie_io_functions_t io = { .write = stream_write, .close = stream_close };
	FILE *f;
	int err;

	w->fd = STDOUT_FILENO;
	w->close_fd = false;
	if (path) {
		w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (w->fd < 0)
			return NULL;
		w->close_fd = true;
	}
	if (!w->other_prefix)
		w->other_prefix = "";
	f = fopencookie(w, "w", io);
	if (!f && w->close_fd) {
		err = errno;
		close(w->fd);
		errno = err;
	}
	return f;
}

uint64_t writer_events_written(const struct writer *w)
{
	return w->lines - w->other_lines;
}
