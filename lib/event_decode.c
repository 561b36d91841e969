/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * From a ring-buffer record (private layout, bpf/proctrace_wire.h) to the
 * public struct proctrace_event.  The record is untrusted input as far as
 * this code is concerned: every length is checked against the record size.
 */
#include <string.h>
#include <time.h>

#include "internal.h"
#include "proctrace_wire.h"

int64_t pt_realtime_offset_ns(void)
{
	struct timespec rt, bt;

	/* Both are vDSO calls on Linux: no system call per poll. */
	clock_gettime(CLOCK_BOOTTIME, &bt);
	clock_gettime(CLOCK_REALTIME, &rt);
	return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000LL +
	       ((int64_t)rt.tv_nsec - bt.tv_nsec);
}

/*
 * Splits @len bytes of NUL-separated argument strings into @a.  The last
 * string lacks its NUL when the kernel cut the vector short; one is added.
 */
static int split_args(const char *src, size_t len, struct pt_args_buf *a,
		      struct proctrace_event *out)
{
	size_t i, argc = 0;

	if (len == 0)
		goto done;
	if (!a->strings || len > a->cap)
		return -EBADMSG;
	memcpy(a->strings, src, len);
	a->strings[len] = '\0';
	a->argv[argc++] = a->strings;
	/* A NUL at the very end closes the last string; it starts none. */
	for (i = 0; i + 1 < len; i++)
		if (a->strings[i] == '\0')
			a->argv[argc++] = a->strings + i + 1;
done:
	if (a->argv)
		a->argv[argc] = NULL;
	out->args = a->argv;
	out->args_count = (uint32_t)argc;
	return 0;
}

/* wait(2)'s status word, split as WEXITSTATUS, WTERMSIG and WCOREDUMP do. */
static void decode_status(uint32_t status, struct proctrace_event *out)
{
	if ((status & 0x7f) == 0) {
		out->exit_code = (int32_t)((status >> 8) & 0xff);
		return;
	}
	out->signal = (int32_t)(status & 0x7f);
	if (status & 0x80)
		out->flags |= PROCTRACE_EVENT_F_CORE_DUMPED;
}

int pt_decode_record(const void *data, size_t size, int64_t realtime_offset_ns,
		     struct pt_args_buf *args, struct proctrace_event *out)
{
	const struct pt_wire_event *w = data;
	const char *filename;

	if (!data || size < sizeof(*w))
		return -EBADMSG;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->pid = (int32_t)w->pid;
	out->ppid = (int32_t)w->ppid;
	out->uid = w->uid;
	out->gid = w->gid;
	out->ns_pid = w->ns_pid;
	out->cgroup_id = w->cgroup_id;
	out->timestamp_ns = (uint64_t)((int64_t)w->ts_boot_ns + realtime_offset_ns);
	/* memset above zeroed the rest: nothing stale follows the name. */
	memcpy(out->comm, w->comm, strnlen(w->comm, sizeof(out->comm) - 1));

	switch (w->type) {
	case PT_WIRE_EXEC:
		/* The kernel's string copy always ends in NUL; insist on it. */
		filename = (const char *)(w + 1);
		if (w->filename_len < 1 ||
		    (size_t)w->filename_len + w->args_len > size - sizeof(*w) ||
		    filename[w->filename_len - 1] != '\0')
			return -EBADMSG;
		out->type = PROCTRACE_EVENT_EXEC;
		out->filename = filename;
		if (w->flags & PT_WIRE_F_ARGS_TRUNCATED)
			out->flags |= PROCTRACE_EVENT_F_ARGS_TRUNCATED;
		return split_args(filename + w->filename_len, w->args_len, args, out);
	case PT_WIRE_EXIT:
		out->type = PROCTRACE_EVENT_EXIT;
		decode_status(w->exit_code, out);
		out->duration_ns = w->ts_boot_ns >= w->start_boot_ns ?
				   w->ts_boot_ns - w->start_boot_ns : 0;
		return 0;
	case PT_WIRE_FORK:
		out->type = PROCTRACE_EVENT_FORK;
		return 0;
	default:
		return -EBADMSG;
	}
}
