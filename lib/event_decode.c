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

/* The low byte of the status passed to exit(), as WEXITSTATUS() gives it. */
static int32_t exit_status(uint32_t kernel_exit_code)
{
	return (int32_t)((kernel_exit_code >> 8) & 0xff);
}

int pt_decode_record(const void *data, size_t size, int64_t realtime_offset_ns,
		     struct proctrace_event *out)
{
	const struct pt_wire_event *w = data;
	const char *filename;

	if (!data || size < sizeof(*w))
		return -EBADMSG;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->pid = (int32_t)w->pid;
	out->ppid = (int32_t)w->ppid;
	out->timestamp_ns = (uint64_t)((int64_t)w->ts_boot_ns + realtime_offset_ns);
	/* memset above zeroed the rest: nothing stale follows the name. */
	memcpy(out->comm, w->comm, strnlen(w->comm, sizeof(out->comm) - 1));

	switch (w->type) {
	case PT_WIRE_EXEC:
		/* The kernel's string copy always ends in NUL; insist on it. */
		filename = (const char *)(w + 1);
		if (w->filename_len < 1 || w->filename_len > size - sizeof(*w) ||
		    filename[w->filename_len - 1] != '\0')
			return -EBADMSG;
		out->type = PROCTRACE_EVENT_EXEC;
		out->filename = filename;
		return 0;
	case PT_WIRE_EXIT:
		out->type = PROCTRACE_EVENT_EXIT;
		out->exit_code = exit_status(w->exit_code);
		out->duration_ns = w->ts_boot_ns >= w->start_boot_ns ?
				   w->ts_boot_ns - w->start_boot_ns : 0;
		return 0;
	default:
		return -EBADMSG;
	}
}
