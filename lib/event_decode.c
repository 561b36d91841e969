/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * From a ring-buffer record (private layout, bpf/proctrace_wire.h) to the
 * public struct proctrace_event.  The record is untrusted input as far as
 * this code is concerned: every length is checked against the record size.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "proctrace_wire.h"

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/*
 * CLOCK_REALTIME - CLOCK_BOOTTIME.  The realtime reading is taken between
 * two boottime readings, and compared with their midpoint: a thread
 * preempted between two readings would otherwise shift every timestamp of
 * a poll, or every start time of a session, by as long as it waited.  Of
 * a few brackets, the narrowest is kept; one of at most PT_CLOCK_TIGHT_NS
 * ends the search.  Measured here, 100,000 brackets of 3 vDSO calls (no
 * system call): 61 ns on average, 5 wider than 20 us, the widest 43 us.
 */
#define PT_CLOCK_TRIES 4
#define PT_CLOCK_TIGHT_NS 20000

int64_t pt_realtime_offset_ns(void)
{
	int64_t best_window = INT64_MAX, best = 0;
	int i;

	for (i = 0; i < PT_CLOCK_TRIES; i++) {
		struct timespec b0, rt, b1;
		int64_t window;

		clock_gettime(CLOCK_BOOTTIME, &b0);
		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_BOOTTIME, &b1);
		window = ts_ns(&b1) - ts_ns(&b0);
		if (window < best_window) {
			best_window = window;
			best = ts_ns(&rt) - (ts_ns(&b0) + window / 2);
		}
		if (window <= PT_CLOCK_TIGHT_NS)
			break;
	}
	return best;
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

/* Which parts a string is, in enum pt_wire_str order: NUL-terminated or not. */
static const bool str_needs_nul[PT_WIRE_STR_NR] = {
	[PT_WIRE_STR_FILENAME] = true,
	[PT_WIRE_STR_ARGS] = false,
	[PT_WIRE_STR_EXE] = true,
	[PT_WIRE_STR_CWD] = true,
	[PT_WIRE_STR_DIRFD_PATH] = true,
};

/* Flags of the working directory, kept with it. */
static void decode_cwd(const struct pt_wire_event *w, const char *cwd,
		       struct proctrace_event *out)
{
	/* A record without one (length 0) leaves it NULL: unknown. */
	out->cwd = cwd;
	if (!cwd)
		return;
	if (w->flags & PT_WIRE_F_CWD_TRUNCATED)
		out->flags |= PROCTRACE_EVENT_F_CWD_TRUNCATED;
	if (w->flags & PT_WIRE_F_CWD_DELETED)
		out->flags |= PROCTRACE_EVENT_F_CWD_DELETED;
	if (w->flags & PT_WIRE_F_CWD_UNREACHABLE)
		out->flags |= PROCTRACE_EVENT_F_CWD_UNREACHABLE;
}

/*
 * The PROCTRACE_EVENT_F_PRIV_* causes and the credentials before the event
 * (EXEC, CRED_CHANGE), kept with their flag.
 */
static void decode_old_creds(const struct pt_wire_event *w,
			     struct proctrace_event *out)
{
	static const struct {
		uint16_t wire;
		uint32_t flag;
	} map[] = {
		{ PT_WIRE_F_PRIV_SETUID, PROCTRACE_EVENT_F_PRIV_SETUID },
		{ PT_WIRE_F_PRIV_SETGID, PROCTRACE_EVENT_F_PRIV_SETGID },
		{ PT_WIRE_F_PRIV_FILE_CAPS, PROCTRACE_EVENT_F_PRIV_FILE_CAPS },
		{ PT_WIRE_F_GROUPS_CHANGED, PROCTRACE_EVENT_F_GROUPS_CHANGED },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (w->flags & map[i].wire)
			out->flags |= map[i].flag;
	if (!(w->flags & PT_WIRE_F_OLD_CREDS))
		return;
	out->flags |= PROCTRACE_EVENT_F_OLD_CREDS;
	out->old_uid = w->old.uid;
	out->old_gid = w->old.gid;
	out->old_euid = w->old.euid;
	out->old_suid = w->old.suid;
	out->old_fsuid = w->old.fsuid;
	out->old_egid = w->old.egid;
	out->old_sgid = w->old.sgid;
	out->old_fsgid = w->old.fsgid;
	out->old_cap_effective = w->old.cap_effective;
	out->old_cap_permitted = w->old.cap_permitted;
	out->old_cap_inheritable = w->old.cap_inheritable;
}

size_t pt_wire_record_size(const void *data, size_t avail)
{
	const struct pt_wire_event *w = data;
	size_t size = sizeof(*w);
	int i;

	if (avail < sizeof(*w))
		return avail;
	for (i = 0; i < PT_WIRE_STR_NR; i++)
		size += w->len[i];
	if (w->type == PT_WIRE_EXIT)
		size += sizeof(struct pt_wire_usage);
	return size;
}

static uint64_t boot_to_wall(uint64_t boot_ns, int64_t offset_ns)
{
	return boot_ns ? (uint64_t)((int64_t)boot_ns + offset_ns) : 0;
}

/*
 * The fields of bpf/proctrace_fields.h, by their decode column: as they
 * are; from CLOCK_BOOTTIME to the wall clock, with the session's start
 * offset (so that a process's start time never changes in a session); a
 * name, cut before its last byte, as @out was zeroed: always terminated.
 */
#define DECODE_COPY(dst, src) (dst) = (__typeof__(dst))(src);
#define DECODE_BOOT(dst, src) (dst) = boot_to_wall((src), clock->start_offset_ns);
#define DECODE_TEXT(dst, src) memcpy((dst), (src), strnlen((src), sizeof(dst) - 1));
#define DECODE_FIELD(name, wire, wire_type, type, on, since, decode, ...)      \
	DECODE_##decode(out->name, w->wire)

int pt_decode_record(const void *data, size_t size, const struct pt_clock *clock,
		     struct pt_args_buf *args, struct proctrace_event *out)
{
	const struct pt_wire_event *w = data;
	const char *part[PT_WIRE_STR_NR], *p;
	size_t left;
	int i;

	if (!data || size < sizeof(*w))
		return -EBADMSG;

	/* Every part within the record; the named ones end in their NUL. */
	p = (const char *)(w + 1);
	left = size - sizeof(*w);
	for (i = 0; i < PT_WIRE_STR_NR; i++) {
		size_t len = w->len[i];

		if (len > left)
			return -EBADMSG;
		if (len && str_needs_nul[i] && p[len - 1] != '\0')
			return -EBADMSG;
		part[i] = len ? p : NULL;
		p += len;
		left -= len;
	}

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	PT_PROCESS_FIELDS(DECODE_FIELD)
	out->timestamp_ns = boot_to_wall(w->ts_boot_ns, clock->now_offset_ns);
	if (w->flags & PT_WIRE_F_ARGS_TRUNCATED)
		out->flags |= PROCTRACE_EVENT_F_ARGS_TRUNCATED;
	if (w->flags & PT_WIRE_F_EXE_TRUNCATED)
		out->flags |= PROCTRACE_EVENT_F_EXE_TRUNCATED;
	if (w->flags & PT_WIRE_F_EXE_UNREACHABLE)
		out->flags |= PROCTRACE_EVENT_F_EXE_UNREACHABLE;
	/* EXEC_FAILED; PROCESS of the compat variant (lib/bpf_snapshot.c). */
	if (w->flags & PT_WIRE_F_ARGS_UNREADABLE)
		out->flags |= PROCTRACE_EVENT_F_ARGS_UNREADABLE;
	out->exec_dirfd = PT_AT_FDCWD;

	switch (w->type) {
	case PT_WIRE_EXEC:
		if (!part[PT_WIRE_STR_FILENAME])
			return -EBADMSG;
		out->type = PROCTRACE_EVENT_EXEC;
		decode_old_creds(w, out);
		out->filename = part[PT_WIRE_STR_FILENAME];
		out->exe = part[PT_WIRE_STR_EXE];
		decode_cwd(w, part[PT_WIRE_STR_CWD], out);
		return split_args(part[PT_WIRE_STR_ARGS], w->len[PT_WIRE_STR_ARGS],
				  args, out);
	case PT_WIRE_PROCESS:
		out->type = PROCTRACE_EVENT_PROCESS;
		out->exe = part[PT_WIRE_STR_EXE];
		decode_cwd(w, part[PT_WIRE_STR_CWD], out);
		return split_args(part[PT_WIRE_STR_ARGS], w->len[PT_WIRE_STR_ARGS],
				  args, out);
	case PT_WIRE_EXEC_FAILED:
		/* Errnos are 1..4095 (the kernel's MAX_ERRNO). */
		if (!part[PT_WIRE_STR_FILENAME] || w->error < 1 || w->error > 4095)
			return -EBADMSG;
		out->type = PROCTRACE_EVENT_EXEC_FAILED;
		out->error = w->error;
		out->filename = part[PT_WIRE_STR_FILENAME];
		/* The kernel opened no file that the record could name. */
		out->exe = NULL;
		out->flags &= ~(uint32_t)(PROCTRACE_EVENT_F_EXE_TRUNCATED |
					  PROCTRACE_EVENT_F_EXE_UNREACHABLE);
		if (w->flags & PT_WIRE_F_FILENAME_TRUNCATED)
			out->flags |= PROCTRACE_EVENT_F_FILENAME_TRUNCATED;
		if (w->flags & PT_WIRE_F_COMPAT)
			out->flags |= PROCTRACE_EVENT_F_COMPAT;
		if (w->flags & PT_WIRE_F_EXECVEAT) {
			out->exec_dirfd = w->dirfd;
			out->exec_at_flags = w->at_flags;
			out->exec_dirfd_path = part[PT_WIRE_STR_DIRFD_PATH];
		}
		decode_cwd(w, part[PT_WIRE_STR_CWD], out);
		return split_args(part[PT_WIRE_STR_ARGS], w->len[PT_WIRE_STR_ARGS],
				  args, out);
	case PT_WIRE_EXIT:
		out->type = PROCTRACE_EVENT_EXIT;
		out->flags &= ~(uint32_t)(PROCTRACE_EVENT_F_ARGS_TRUNCATED |
					  PROCTRACE_EVENT_F_ARGS_UNREADABLE |
					  PROCTRACE_EVENT_F_EXE_TRUNCATED |
					  PROCTRACE_EVENT_F_EXE_UNREACHABLE);
		decode_status(w->exit_code, out);
		out->duration_ns = w->ts_boot_ns >= w->start_boot_ns ?
				   w->ts_boot_ns - w->start_boot_ns : 0;
		/* What the process used: the block after the (empty) parts. */
		return pt_decode_usage(p, left, out);
	case PT_WIRE_FORK:
		out->type = PROCTRACE_EVENT_FORK;
		out->flags = 0;
		return 0;
	case PT_WIRE_CRED_CHANGE:
		if (!(w->flags & PT_WIRE_F_OLD_CREDS))
			return -EBADMSG;
		out->type = PROCTRACE_EVENT_CRED_CHANGE;
		out->flags = 0;
		decode_old_creds(w, out);
		return 0;
	default:
		return -EBADMSG;
	}
}
