/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The public structures' layout, enum values and constants, as hard-coded
 * numbers.  Applications compiled against any released header keep reading
 * these offsets for ever, so a number here may never change: a failure
 * means the header broke the ABI, not that this file needs updating.  A
 * new field adds a line at the end of its structure's list, and the new
 * size (docs/abi.md).
 *
 * The numbers are those of LP64 (x86_64, aarch64); elsewhere the test is
 * skipped (77).
 */
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <proctrace/proctrace.h>

#include "proctrace_fields.h"

static int failures;

#define CHECK_EQ(what, got, want)                                             \
	do {                                                                  \
		unsigned long long g_ = (unsigned long long)(got);            \
		unsigned long long w_ = (unsigned long long)(want);           \
		if (g_ != w_) {                                               \
			fprintf(stderr, "FAIL %s: %llu, expected %llu\n",     \
				(what), g_, w_);                              \
			failures++;                                           \
		}                                                             \
	} while (0)

#define CHECK_TRUE(what, cond)                                                \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "FAIL %s\n", (what));                 \
			failures++;                                           \
		}                                                             \
	} while (0)

/* Offset, size and exact type of one member: a same-sized type change
 * (int32_t to uint32_t, a pointer to another) breaks the API too. */
/* The end of the last member of struct proctrace_event checked so far. */
static size_t event_end;

static void note_end(const char *s, size_t end)
{
	if (!strcmp(s, "proctrace_event") && end > event_end)
		event_end = end;
}

#define FIELD(S, m, off, type)                                                \
	do {                                                                  \
		struct S s_;                                                  \
		note_end(#S, offsetof(struct S, m) + sizeof(s_.m));           \
		CHECK_EQ("offsetof(struct " #S ", " #m ")",                   \
			 offsetof(struct S, m), (off));                       \
		CHECK_EQ("sizeof(struct " #S "::" #m ")", sizeof(s_.m),       \
			 sizeof(type));                                       \
		CHECK_TRUE("type of struct " #S "::" #m " is " #type,         \
			   _Generic(&s_.m, type *: 1, default: 0));           \
	} while (0)

#define IS_UINT(x) _Generic((x), unsigned int: 1, default: 0)
#define IS_INT(x) _Generic((x), int: 1, default: 0)

#if (defined(__x86_64__) || defined(__aarch64__)) && defined(__LP64__)

/* How big an event from a 0.1 library is: up to the end of filename. */
#define EVENT_SIZE_0_1                                                        \
	(offsetof(struct proctrace_event, filename) +                        \
	 sizeof(((struct proctrace_event *)0)->filename))
_Static_assert(EVENT_SIZE_0_1 == 64, "0.1 event size");

static void event_layout(void)
{
	typedef char comm_t[16];

	/* 0.1 */
	FIELD(proctrace_event, size, 0, size_t);
	FIELD(proctrace_event, type, 8, uint32_t);
	FIELD(proctrace_event, pid, 12, int32_t);
	FIELD(proctrace_event, ppid, 16, int32_t);
	FIELD(proctrace_event, exit_code, 20, int32_t);
	FIELD(proctrace_event, timestamp_ns, 24, uint64_t);
	FIELD(proctrace_event, duration_ns, 32, uint64_t);
	FIELD(proctrace_event, comm, 40, comm_t);
	FIELD(proctrace_event, filename, 56, const char *);
	/* 0.2 */
	FIELD(proctrace_event, args, 64, const char *const *);
	FIELD(proctrace_event, args_count, 72, uint32_t);
	FIELD(proctrace_event, flags, 76, uint32_t);
	FIELD(proctrace_event, signal, 80, int32_t);
	FIELD(proctrace_event, uid, 84, uint32_t);
	FIELD(proctrace_event, gid, 88, uint32_t);
	FIELD(proctrace_event, ns_pid, 92, int32_t);
	FIELD(proctrace_event, cgroup_id, 96, uint64_t);
	/* 0.3 */
	FIELD(proctrace_event, start_time_ns, 104, uint64_t);
	FIELD(proctrace_event, parent_start_time_ns, 112, uint64_t);
	FIELD(proctrace_event, exe, 120, const char *);
	FIELD(proctrace_event, cgroup, 128, const char *);
	FIELD(proctrace_event, error, 136, int32_t);
	FIELD(proctrace_event, exec_dirfd, 140, int32_t);
	FIELD(proctrace_event, exec_at_flags, 144, uint32_t);
	FIELD(proctrace_event, reserved0, 148, uint32_t);
	FIELD(proctrace_event, cwd, 152, const char *);
	FIELD(proctrace_event, exec_dirfd_path, 160, const char *);
	/* 0.3 (issue 15: what the process used) */
	FIELD(proctrace_event, cpu_user_ns, 168, uint64_t);
	FIELD(proctrace_event, cpu_sys_ns, 176, uint64_t);
	FIELD(proctrace_event, max_rss_bytes, 184, uint64_t);
	FIELD(proctrace_event, read_bytes, 192, uint64_t);
	FIELD(proctrace_event, write_bytes, 200, uint64_t);
	FIELD(proctrace_event, rchar, 208, uint64_t);
	FIELD(proctrace_event, wchar, 216, uint64_t);
	FIELD(proctrace_event, ctx_voluntary, 224, uint64_t);
	FIELD(proctrace_event, ctx_involuntary, 232, uint64_t);
	FIELD(proctrace_event, min_flt, 240, uint64_t);
	FIELD(proctrace_event, maj_flt, 248, uint64_t);
	FIELD(proctrace_event, children_cpu_user_ns, 256, uint64_t);
	FIELD(proctrace_event, children_cpu_sys_ns, 264, uint64_t);
	FIELD(proctrace_event, children_max_rss_bytes, 272, uint64_t);
	/* 0.4: after the list's credentials (listed_fields()), those before the event */
	FIELD(proctrace_event, old_uid, 328, uint32_t);
	FIELD(proctrace_event, old_gid, 332, uint32_t);
	FIELD(proctrace_event, old_euid, 336, uint32_t);
	FIELD(proctrace_event, old_suid, 340, uint32_t);
	FIELD(proctrace_event, old_fsuid, 344, uint32_t);
	FIELD(proctrace_event, old_egid, 348, uint32_t);
	FIELD(proctrace_event, old_sgid, 352, uint32_t);
	FIELD(proctrace_event, old_fsgid, 356, uint32_t);
	FIELD(proctrace_event, old_cap_effective, 360, uint64_t);
	FIELD(proctrace_event, old_cap_permitted, 368, uint64_t);
	FIELD(proctrace_event, old_cap_inheritable, 376, uint64_t);
	/* The size: 0.3's, then whatever members follow (listed_fields()). */
	CHECK_TRUE("sizeof(struct proctrace_event) >= 280", sizeof(struct proctrace_event) >= 280);
}

static void opts_layout(void)
{
	/* 0.1 */
	FIELD(proctrace_opts, sz, 0, size_t);
	FIELD(proctrace_opts, min_duration_ns, 8, uint64_t);
	FIELD(proctrace_opts, btf_path, 16, const char *);
	/* 0.2 */
	FIELD(proctrace_opts, flags, 24, uint32_t);
	FIELD(proctrace_opts, max_args_size, 28, uint32_t);
	FIELD(proctrace_opts, ring_buffer_size, 32, uint32_t);
	FIELD(proctrace_opts, max_latency_ms, 36, uint32_t);
	FIELD(proctrace_opts, filter_pid, 40, int32_t);
	FIELD(proctrace_opts, filter_uid, 44, uint32_t);
	FIELD(proctrace_opts, filter_cgroup_id, 48, uint64_t);
	FIELD(proctrace_opts, filter_comm, 56, const char *);
	/* 0.3 */
	FIELD(proctrace_opts, log_fn, 64, proctrace_log_fn);
	FIELD(proctrace_opts, log_ctx, 72, void *);
	FIELD(proctrace_opts, exec_failed_errnos, 80, const int32_t *);
	CHECK_EQ("sizeof(struct proctrace_opts)", sizeof(struct proctrace_opts), 88);

	/* PROCTRACE_OPTS() sets sz to the size this header knows. */
	PROCTRACE_OPTS(o, .flags = PROCTRACE_OPT_FORK_EVENTS);
	CHECK_EQ("PROCTRACE_OPTS() sz", o.sz, 88);
	CHECK_EQ("PROCTRACE_OPTS() keeps initializers", o.flags, 1);
	CHECK_EQ("PROCTRACE_OPTS() zero-fills", o.filter_comm == NULL && o.max_args_size == 0, 1);
}

static void stats_layout(void)
{
	/* 0.2 */
	FIELD(proctrace_stats, sz, 0, size_t);
	FIELD(proctrace_stats, events_delivered, 8, uint64_t);
	FIELD(proctrace_stats, events_lost, 16, uint64_t);
	FIELD(proctrace_stats, lost_ring_full, 24, uint64_t);
	FIELD(proctrace_stats, lost_other, 32, uint64_t);
	FIELD(proctrace_stats, lost_malformed, 40, uint64_t);
	CHECK_EQ("sizeof(struct proctrace_stats)", sizeof(struct proctrace_stats), 48);
}

/* PROCTRACE_EVENT_HAS() on an event as a 0.1 library fills it, on one as
 * this header's library fills it, and one byte short of a field. */
static void event_has(void)
{
	struct proctrace_event e = { .size = EVENT_SIZE_0_1 };

	CHECK_TRUE("0.1 event has filename", PROCTRACE_EVENT_HAS(&e, filename));
	CHECK_TRUE("0.1 event has comm", PROCTRACE_EVENT_HAS(&e, comm));
	CHECK_TRUE("0.1 event lacks args", !PROCTRACE_EVENT_HAS(&e, args));
	CHECK_TRUE("0.1 event lacks args_count", !PROCTRACE_EVENT_HAS(&e, args_count));
	CHECK_TRUE("0.1 event lacks cgroup_id", !PROCTRACE_EVENT_HAS(&e, cgroup_id));

	e.size = sizeof(e);
	CHECK_TRUE("0.2 event has args", PROCTRACE_EVENT_HAS(&e, args));
	CHECK_TRUE("0.2 event has cgroup_id", PROCTRACE_EVENT_HAS(&e, cgroup_id));
	CHECK_TRUE("0.3 event has cgroup", PROCTRACE_EVENT_HAS(&e, cgroup));
	e.size = offsetof(struct proctrace_event, start_time_ns);
	CHECK_TRUE("0.2 event lacks start_time_ns", !PROCTRACE_EVENT_HAS(&e, start_time_ns));
	CHECK_TRUE("0.2 event lacks exe", !PROCTRACE_EVENT_HAS(&e, exe));

	e.size = offsetof(struct proctrace_event, signal) + sizeof(e.signal) - 1;
	CHECK_TRUE("size one byte short of signal: no signal", !PROCTRACE_EVENT_HAS(&e, signal));
	CHECK_TRUE("size one byte short of signal: flags", PROCTRACE_EVENT_HAS(&e, flags));
}

static void constants(void)
{
	CHECK_EQ("PROCTRACE_EVENT_EXEC", PROCTRACE_EVENT_EXEC, 1);
	CHECK_EQ("PROCTRACE_EVENT_EXIT", PROCTRACE_EVENT_EXIT, 2);
	CHECK_EQ("PROCTRACE_EVENT_FORK", PROCTRACE_EVENT_FORK, 3);
	CHECK_EQ("PROCTRACE_EVENT_PROCESS", PROCTRACE_EVENT_PROCESS, 4);
	CHECK_EQ("sizeof(enum proctrace_event_type)", sizeof(enum proctrace_event_type), 4);

	CHECK_EQ("PROCTRACE_LOG_WARN", PROCTRACE_LOG_WARN, 0);
	CHECK_EQ("PROCTRACE_LOG_INFO", PROCTRACE_LOG_INFO, 1);
	CHECK_EQ("PROCTRACE_LOG_DEBUG", PROCTRACE_LOG_DEBUG, 2);
	CHECK_EQ("sizeof(enum proctrace_log_level)", sizeof(enum proctrace_log_level), 4);

	CHECK_EQ("PROCTRACE_COMM_LEN", PROCTRACE_COMM_LEN, 16);
	CHECK_EQ("PROCTRACE_EVENT_F_ARGS_TRUNCATED", PROCTRACE_EVENT_F_ARGS_TRUNCATED, 1);
	CHECK_EQ("PROCTRACE_EVENT_F_CORE_DUMPED", PROCTRACE_EVENT_F_CORE_DUMPED, 2);
	CHECK_EQ("PROCTRACE_EVENT_F_EXE_TRUNCATED", PROCTRACE_EVENT_F_EXE_TRUNCATED, 4);
	CHECK_EQ("PROCTRACE_EVENT_F_EXE_UNREACHABLE", PROCTRACE_EVENT_F_EXE_UNREACHABLE, 8);
	CHECK_EQ("PROCTRACE_EVENT_F_PROGRAM_UNKNOWN", PROCTRACE_EVENT_F_PROGRAM_UNKNOWN, 16);
	CHECK_EQ("PROCTRACE_EVENT_F_NO_IO_BYTES", PROCTRACE_EVENT_F_NO_IO_BYTES, 2048);
	CHECK_EQ("PROCTRACE_EVENT_F_NO_IO_CHARS", PROCTRACE_EVENT_F_NO_IO_CHARS, 4096);
	CHECK_EQ("PROCTRACE_EVENT_F_PRIV_SETUID", PROCTRACE_EVENT_F_PRIV_SETUID, 1u << 13);
	CHECK_EQ("PROCTRACE_EVENT_F_PRIV_SETGID", PROCTRACE_EVENT_F_PRIV_SETGID, 1u << 14);
	CHECK_EQ("PROCTRACE_EVENT_F_PRIV_FILE_CAPS", PROCTRACE_EVENT_F_PRIV_FILE_CAPS, 1u << 15);
	CHECK_EQ("PROCTRACE_EVENT_F_OLD_CREDS", PROCTRACE_EVENT_F_OLD_CREDS, 1u << 16);
	CHECK_EQ("PROCTRACE_EVENT_F_GROUPS_CHANGED", PROCTRACE_EVENT_F_GROUPS_CHANGED, 1u << 17);
	CHECK_EQ("PROCTRACE_OPT_FORK_EVENTS", PROCTRACE_OPT_FORK_EVENTS, 1);
	CHECK_EQ("PROCTRACE_OPT_FILTER_UID", PROCTRACE_OPT_FILTER_UID, 2);
	CHECK_EQ("PROCTRACE_OPT_WAKE_EVERY_EVENT", PROCTRACE_OPT_WAKE_EVERY_EVENT, 4);
	CHECK_EQ("PROCTRACE_OPT_SNAPSHOT", PROCTRACE_OPT_SNAPSHOT, 8);
	CHECK_EQ("PROCTRACE_ARGS_SIZE_DEFAULT", PROCTRACE_ARGS_SIZE_DEFAULT, 4096);
	CHECK_EQ("PROCTRACE_ARGS_SIZE_MAX", PROCTRACE_ARGS_SIZE_MAX, 32768);
	CHECK_EQ("PROCTRACE_RING_SIZE_DEFAULT", PROCTRACE_RING_SIZE_DEFAULT, 4194304);
	CHECK_EQ("PROCTRACE_LATENCY_DEFAULT_MS", PROCTRACE_LATENCY_DEFAULT_MS, 50);
	/* 0.3 */
	CHECK_EQ("PROCTRACE_LATENCY_MAX_MS", PROCTRACE_LATENCY_MAX_MS, 60000);
	CHECK_EQ("PROCTRACE_RING_SIZE_MAX", PROCTRACE_RING_SIZE_MAX, 1073741824);
	CHECK_TRUE("PROCTRACE_LATENCY_MAX_MS is int, PROCTRACE_RING_SIZE_MAX unsigned int",
		   IS_INT(PROCTRACE_LATENCY_MAX_MS) && IS_UINT(PROCTRACE_RING_SIZE_MAX));
	CHECK_EQ("PROCTRACE_EVENT_EXEC_FAILED", PROCTRACE_EVENT_EXEC_FAILED, 5);
	CHECK_EQ("PROCTRACE_EVENT_CRED_CHANGE", PROCTRACE_EVENT_CRED_CHANGE, 6);
	CHECK_EQ("PROCTRACE_EVENT_F_FILENAME_TRUNCATED", PROCTRACE_EVENT_F_FILENAME_TRUNCATED, 32);
	CHECK_EQ("PROCTRACE_EVENT_F_COMPAT", PROCTRACE_EVENT_F_COMPAT, 64);
	CHECK_EQ("PROCTRACE_EVENT_F_CWD_TRUNCATED", PROCTRACE_EVENT_F_CWD_TRUNCATED, 128);
	CHECK_EQ("PROCTRACE_EVENT_F_CWD_DELETED", PROCTRACE_EVENT_F_CWD_DELETED, 256);
	CHECK_EQ("PROCTRACE_EVENT_F_CWD_UNREACHABLE", PROCTRACE_EVENT_F_CWD_UNREACHABLE, 512);
	CHECK_EQ("PROCTRACE_EVENT_F_ARGS_UNREADABLE", PROCTRACE_EVENT_F_ARGS_UNREADABLE, 1024);
	CHECK_EQ("PROCTRACE_OPT_EXEC_FAILED", PROCTRACE_OPT_EXEC_FAILED, 16);
	CHECK_EQ("PROCTRACE_OPT_EXEC_FAILED_EXCEPT", PROCTRACE_OPT_EXEC_FAILED_EXCEPT, 32);
	CHECK_EQ("PROCTRACE_OPT_CRED_CHANGES", PROCTRACE_OPT_CRED_CHANGES, 128);

	/* Bit masks are unsigned so that ~ and << behave; sizes are int or
	 * unsigned as declared. */
	CHECK_TRUE("PROCTRACE_EVENT_F_* are unsigned int",
		   IS_UINT(PROCTRACE_EVENT_F_ARGS_TRUNCATED) &&
			   IS_UINT(PROCTRACE_EVENT_F_CORE_DUMPED) &&
			   IS_UINT(PROCTRACE_EVENT_F_EXE_TRUNCATED) &&
			   IS_UINT(PROCTRACE_EVENT_F_EXE_UNREACHABLE) &&
			   IS_UINT(PROCTRACE_EVENT_F_PROGRAM_UNKNOWN));
	CHECK_TRUE("PROCTRACE_OPT_* are unsigned int",
		   IS_UINT(PROCTRACE_OPT_FORK_EVENTS) &&
			   IS_UINT(PROCTRACE_OPT_FILTER_UID) &&
			   IS_UINT(PROCTRACE_OPT_WAKE_EVERY_EVENT) &&
			   IS_UINT(PROCTRACE_OPT_SNAPSHOT));
	CHECK_TRUE("PROCTRACE_RING_SIZE_DEFAULT is unsigned int",
		   IS_UINT(PROCTRACE_RING_SIZE_DEFAULT));
	CHECK_TRUE("PROCTRACE_COMM_LEN, _ARGS_SIZE_*, _LATENCY_DEFAULT_MS are int",
		   IS_INT(PROCTRACE_COMM_LEN) && IS_INT(PROCTRACE_ARGS_SIZE_DEFAULT) &&
			   IS_INT(PROCTRACE_ARGS_SIZE_MAX) &&
			   IS_INT(PROCTRACE_LATENCY_DEFAULT_MS));

	/* The major version is the soname's: it never changes.  Minor and
	 * patch follow releases and are checked against the library by the
	 * api test, not frozen here. */
	CHECK_EQ("PROCTRACE_VERSION_MAJOR", PROCTRACE_VERSION_MAJOR, 0);
	CHECK_TRUE("PROCTRACE_VERSION_MINOR >= 3 (this header declares the 0.3 fields)",
		   PROCTRACE_VERSION_MINOR >= 3);
}

/*
 * Each field of the library's list (bpf/proctrace_fields.h) has the list's
 * type and lies where its release's fields are: after the event a library
 * of the release before filled, and, for a released one, within its own
 * release's event.  A field added to the list needs no line here.
 */
static const size_t event_size_of_release[] = { [1] = 64, [2] = 104, [3] = 280 };
#define RELEASES (sizeof(event_size_of_release) / sizeof(event_size_of_release[0]))

typedef char pt_comm_t[PROCTRACE_COMM_LEN];

static void listed_field(const char *name, size_t off, size_t size, unsigned int since,
			 int type_ok)
{
	char what[96];

	note_end("proctrace_event", off + size);
	snprintf(what, sizeof(what), "listed field %s has the list's type", name);
	CHECK_TRUE(what, type_ok);
	snprintf(what, sizeof(what), "listed field %s (since 0.%u) follows 0.%u's event", name,
		 since, since - 1);
	CHECK_TRUE(what, since >= 1 && off >= (since == 1 ? 0 :
			 event_size_of_release[since - 1 < RELEASES ? since - 1 : RELEASES - 1]));
	if (since < RELEASES) {
		snprintf(what, sizeof(what), "listed field %s lies within 0.%u's event", name,
			 since);
		CHECK_TRUE(what, off + size <= event_size_of_release[since]);
	}
}

#define LISTED(name, wire, wire_type, type, on, since, ...)                   \
	listed_field(#name, offsetof(struct proctrace_event, name), sizeof(ev.name),  \
		     since, _Generic(&ev.name, type *: 1, default: 0));

static void listed_fields(void)
{
	struct proctrace_event ev;

	PT_PROCESS_FIELDS(LISTED)
	CHECK_EQ("0.3's event size", event_size_of_release[3],
		 offsetof(struct proctrace_event, children_max_rss_bytes) + 8);
	/* No member past those checked here and those of the list. */
	CHECK_EQ("sizeof(struct proctrace_event), the end of its last checked member "
		 "rounded up to 8", sizeof(struct proctrace_event), (event_end + 7) & ~(size_t)7);
}

int main(void)
{
	event_layout();
	listed_fields();
	opts_layout();
	stats_layout();
	event_has();
	constants();
	if (failures) {
		fprintf(stderr, "%d ABI layout check(s) failed: a public field, "
			"enum value or constant changed (see docs/abi.md)\n", failures);
		return 1;
	}
	printf("ABI layout: all offsets, sizes, types and constants as released\n");
	return 0;
}

#else

int main(void)
{
	printf("SKIP: the hard-coded layout is LP64 (x86_64, aarch64)\n");
	return 77;
}

#endif
