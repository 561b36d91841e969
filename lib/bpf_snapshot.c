/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The snapshot (PROCTRACE_OPT_SNAPSHOT): the task iterator run once at
 * start, its records kept in one buffer, and handed to the first polls.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_internal.h"
#include "proctrace_wire.h"

/* Appends what the iterator link @link writes to the snapshot buffer. */
static int read_iterator(struct pt_backend *b, struct bpf_link *link,
			 size_t *cap)
{
	int fd, err = 0;
	ssize_t n;

	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		pt_warn(&b->log, "proctrace_start: cannot run the snapshot's task "
			"iterator: %s", strerror(-err));
		return err;
	}
	for (;;) {
		if (*cap - b->snap_len < 64 * 1024) {
			char *more = realloc(b->snap, *cap * 2);

			if (!more) {
				err = -ENOMEM;
				pt_warn(&b->log, "proctrace_start: out of memory for the snapshot");
				break;
			}
			b->snap = more;
			*cap *= 2;
		}
		n = read(fd, b->snap + b->snap_len, *cap - b->snap_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			pt_warn(&b->log, "proctrace_start: reading the snapshot failed: %s",
				strerror(-err));
			break;
		}
		if (n == 0)
			break;
		b->snap_len += (size_t)n;
	}
	close(fd);
	return err;
}

/*
 * /proc/PID of the process @w describes, as a directory descriptor, if
 * that pid still names it: its start time in /proc/PID/stat is the
 * record's (at /proc's resolution, a clock tick).  Files opened through it
 * belong to that process even if the pid is reused meanwhile.  -1 if not;
 * *@ended is set if it is a zombie.
 */
static int open_process(const struct pt_wire_event *w, bool *ended)
{
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long ticks = 0;
	char path[32], buf[1024], state = 0, *p;
	int dfd, fd;
	ssize_t n = -1;

	*ended = false;
	if (hz <= 0 || w->pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d", (int)w->pid);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	fd = openat(dfd, "stat", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	/* After the name, which may hold anything: fields 3 (state) to 22. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
			 "%*d %*d %*d %*d %*d %*d %llu", &state, &ticks) != 2 ||
	    ticks != w->start_boot_ns / (1000000000ULL / (unsigned long long)hz)) {
		close(dfd);
		return -1;
	}
	*ended = state == 'Z' || state == 'X';
	return dfd;
}

/*
 * Reads the argument vector of @w's process from /proc/PID/cmdline to
 * @out, at most @cap bytes (PT_WIRE_F_ARGS_TRUNCATED beyond), and returns
 * its length; 0 with PT_WIRE_F_ARGS_UNREADABLE if the process is gone.
 */
static size_t read_cmdline(struct pt_wire_event *w, char *out, size_t cap)
{
	bool ended;
	int dfd = open_process(w, &ended), fd = -1;
	size_t len = 0;
	ssize_t n = 0;

	if (dfd >= 0)
		fd = openat(dfd, "cmdline", O_RDONLY | O_CLOEXEC);
	/* @out has a byte more than @cap: is there more? */
	while (fd >= 0 && len <= cap &&
	       ((n = read(fd, out + len, cap + 1 - len)) > 0 || (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	if (fd < 0 || n < 0 || (!len && ended)) {
		len = 0;
		w->flags |= PT_WIRE_F_ARGS_UNREADABLE;
	}
	if (len > cap) {
		len = cap;
		w->flags |= PT_WIRE_F_ARGS_TRUNCATED;
	}
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return len;
}

/*
 * The compat snapshot's records come without arguments (a program cannot
 * read another process's memory before Linux 5.18): each PROCESS record
 * gets them here, from /proc, in a copy of the stream with the record
 * rebuilt (header, the parts before the arguments, the arguments, the
 * rest), so that what reads the stream afterwards sees what the full
 * variant sends.  At most the kernel's own cap (max_args_size, and
 * PT_WIRE_SNAPSHOT_ARGS_MAX).
 */
static int fill_args(struct pt_backend *b)
{
	size_t cap = b->skel->rodata->max_args_size, pos = 0, out_len = 0, out_cap;
	char *out, *cmdline;

	if (cap > PT_WIRE_SNAPSHOT_ARGS_MAX)
		cap = PT_WIRE_SNAPSHOT_ARGS_MAX;
	out_cap = b->snap_len + 2 * (cap + PT_WIRE_ALIGN);
	out = malloc(out_cap);
	/* One byte more than the cap, to see that there is more. */
	cmdline = malloc(cap + 1);
	if (!out || !cmdline)
		goto oom;
	while (pos < b->snap_len) {
		const char *rec = b->snap + pos;
		size_t avail = b->snap_len - pos;
		size_t size = pt_wire_record_size(rec, avail), padded, before, args;
		struct pt_wire_event *w;

		padded = (size + PT_WIRE_ALIGN - 1) & ~(size_t)(PT_WIRE_ALIGN - 1);
		if (size > avail || size < sizeof(*w))
			padded = size = avail;	/* for the decoder to refuse */
		else if (padded > avail)
			padded = avail;
		if (out_cap - out_len < padded + cap + PT_WIRE_ALIGN) {
			char *more = realloc(out, out_cap * 2 + padded + cap);

			if (!more)
				goto oom;
			out = more;
			out_cap = out_cap * 2 + padded + cap;
		}
		w = (struct pt_wire_event *)(out + out_len);
		memcpy(w, rec, padded);
		if (size < sizeof(*w) || w->type != PT_WIRE_PROCESS ||
		    w->len[PT_WIRE_STR_ARGS]) {
			out_len += padded;
			pos += padded;
			continue;
		}
		/* Make room for the arguments after the parts before them. */
		before = sizeof(*w) + w->len[PT_WIRE_STR_FILENAME];
		args = read_cmdline(w, cmdline, cap);
		memmove(out + out_len + before + args, out + out_len + before, size - before);
		memcpy(out + out_len + before, cmdline, args);
		w->len[PT_WIRE_STR_ARGS] = (__u16)args;
		size += args;
		memset(out + out_len + size, 0, PT_WIRE_ALIGN);
		out_len += (size + PT_WIRE_ALIGN - 1) & ~(size_t)(PT_WIRE_ALIGN - 1);
		pos += padded;
	}
	free(cmdline);
	free(b->snap);
	b->snap = out;
	b->snap_len = out_len;
	return 0;
oom:
	free(cmdline);
	free(out);
	pt_warn(&b->log, "proctrace_start: out of memory for the snapshot");
	return -ENOMEM;
}

/*
 * Runs the snapshot iterator once, through its link (no tracefs, no
 * pinning), and keeps its output for the first polls.  The tracepoints
 * are already attached, with snapshot_running set: a process created
 * from now on is described by whichever comes first, its fork record or
 * the iterator (the BPF side's claim()); one that ends before the
 * iterator reaches it is skipped there and has its EXIT in the ring.
 */
int pt_bpf_take_snapshot(struct pt_backend *b)
{
	size_t cap = 1 << 20;
	int err;

	b->snap = malloc(cap);
	if (!b->snap) {
		pt_warn(&b->log, "proctrace_start: out of memory for the snapshot");
		return -ENOMEM;
	}
	err = read_iterator(b, b->skel->links.proctrace_snapshot, &cap);
	b->skel->bss->snapshot_running = 0;
	if (!err && b->compat)
		err = fill_args(b);
	/* The iterator's work is done: free its link now. */
	bpf_link__destroy(b->skel->links.proctrace_snapshot);
	b->skel->links.proctrace_snapshot = NULL;
	return err;
}

/*
 * The snapshot's records, before anything else (see
 * pt_bpf_take_snapshot()), at most b->budget of them.  Returns how many,
 * or the record callback's negative value.
 */
int pt_bpf_deliver_snapshot(struct pt_backend *b)
{
	int err;

	while (b->snap_pos < b->snap_len) {
		const char *rec = b->snap + b->snap_pos;
		size_t avail = b->snap_len - b->snap_pos;
		/* Each record is padded to PT_WIRE_ALIGN (the BPF side). */
		size_t size = (pt_wire_record_size(rec, avail) + PT_WIRE_ALIGN - 1) &
			      ~(size_t)(PT_WIRE_ALIGN - 1);

		if (b->budget && b->seen == b->budget)
			return (int)b->seen;
		/* The last one may end unpadded; a length past the end is
		 * handed over as the rest, to be refused by the decoder. */
		if (size > avail || size == 0)
			size = avail;
		b->snap_pos += size;
		b->seen++;
		err = b->on_record(b->ctx, rec, size);
		if (err < 0)
			return err;
	}
	free(b->snap);
	b->snap = NULL;
	b->snap_len = b->snap_pos = 0;
	return (int)b->seen;
}
