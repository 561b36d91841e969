/* SPDX-License-Identifier: BSD-2-Clause */
/* Writes that a stop can cut short: see writer.h. */
#define _GNU_SOURCE
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* FILE.N, or FILE itself for N = 0, into @name (PATH_MAX + 16 bytes). */
static void backup_name(char *name, const struct writer *w, unsigned int n)
{
	if (n)
		snprintf(name, PATH_MAX + 16, "%s.%u", w->path, n);
	else
		snprintf(name, PATH_MAX + 16, "%s", w->path);
}

/*
 * FILE.N-1 -> FILE.N ... FILE -> FILE.1, then a new FILE.  Only the
 * backups there are renamed: the first missing one ends the chain.  On a
 * failure the lines go on into the file open now: none is lost.
 */
static void rotate(struct writer *w)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	struct stat st;
	unsigned int last = 0;
	int fd, err = 0;

	while (last + 1 < w->rotate_keep) {
		backup_name(from, w, last + 1);
		if (lstat(from, &st))
			break;
		last++;
	}
	for (;;) {
		backup_name(from, w, last);
		backup_name(to, w, last + 1);
		if (rename(from, to)) {
			err = errno;
			break;
		}
		if (!last)
			break;
		last--;
	}
	fd = err ? -1 : open(w->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (!err)
			err = errno;
		if (!w->rotate_errno)
			fprintf(stderr, "bootstrap-cli: cannot rotate '%s' (writing on into "
				"it): %s\n", w->path, strerror(err));
		w->rotate_errno = err;
		return;
	}
	close(w->fd);
	w->fd = fd;
	w->size = 0;
	w->rotate_errno = 0;
}

/*
 * How much of @p to write before the file is due to rotate: all of it, or
 * up to the end of the line that reaches rotate_size.
 */
static size_t until_rotation(const struct writer *w, const char *p, size_t len)
{
	const char *nl;
	size_t room;

	if (!w->rotate_size || w->size + len < w->rotate_size)
		return len;
	room = w->rotate_size > w->size ? (size_t)(w->rotate_size - w->size) - 1 : 0;
	nl = memchr(p + room, '\n', len - room);
	return nl ? (size_t)(nl - p) + 1 : len;
}

static ssize_t stream_write(void *cookie, const char *buf, size_t size)
{
	struct writer *w = cookie;
	size_t done = 0, take;
	ssize_t n;

	if (w->gave_up)
		return (ssize_t)size;
	while (done < size) {
		/* Only at a line boundary: a line is never split across files. */
		if (w->rotate_size && w->size >= w->rotate_size && !w->mid_line)
			rotate(w);
		take = until_rotation(w, buf + done, size - done);
		n = writer_write_all(w->fd, buf + done, take, w->give_up, w->ctx);
		if (n < 0)
			return -1;
		count_lines(w, buf + done, (size_t)n);
		w->size += (uint64_t)n;
		if (n > 0)
			w->mid_line = buf[done + (size_t)n - 1] != '\n';
		done += (size_t)n;
		if ((size_t)n < take) {
			w->gave_up = true;
			break;
		}
	}
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
	w->path = path;
	if (path && strlen(path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
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

int writer_reopen(struct writer *w)
{
	struct stat st;
	int fd;

	fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	close(w->fd);
	w->fd = fd;
	w->size = fstat(fd, &st) ? 0 : (uint64_t)st.st_size;
	w->mid_line = false;
	return 0;
}

uint64_t writer_events_written(const struct writer *w)
{
	return w->lines - w->other_lines;
}
