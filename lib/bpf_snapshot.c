/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The snapshot (PROCTRACE_OPT_SNAPSHOT): the task iterator run once at
 * start, its records kept in one buffer, and handed to the first polls.
 */
#include <stdlib.h>
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
			"iterator: %s (it needs Linux 5.18 or later)", strerror(-err));
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
