/* SPDX-License-Identifier: BSD-2-Clause */
/* Declarations shared by the library's own files; never installed. */
#ifndef PROCTRACE_INTERNAL_H
#define PROCTRACE_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proctrace/proctrace.h>

#include "backend.h"
#include "proctrace_fields.h"

/*
 * The per-process fields of bpf/proctrace_fields.h, with their types in
 * struct proctrace_event: what the process table keeps of a process.
 */
typedef char pt_comm_t[PROCTRACE_COMM_LEN];
#define PT_PROCESS_MEMBER(name, wire, wire_type, type, ...) type name;
struct pt_process_fields {
	PT_PROCESS_FIELDS(PT_PROCESS_MEMBER)
};

struct pt_table;
struct pt_cgroup_cache;

struct proctrace {
	proctrace_event_fn cb;
	void *cb_ctx;

	/*
	 * Settings, checked and given their defaults by proctrace_open(),
	 * handed to the backend as they are by proctrace_start().  The
	 * strings (btf_path, filter_comm) are the handle's own copies.
	 */
	struct pt_backend_params settings;

	struct pt_backend *backend;	/* NULL until proctrace_start() succeeds */

	/* Where a record's argument strings are split into argv (decode). */
	struct pt_args_buf {
		char *strings;		/* max_args_size + 1 bytes */
		const char **argv;	/* max_args_size + 1 pointers */
		size_t cap;		/* max_args_size */
	} args;

	/* With PROCTRACE_OPT_SNAPSHOT (proctable.c, cgroup_path.c); else NULL. */
	struct pt_table *table;
	struct pt_cgroup_cache *cgroups;
	/* The lookup's answer, valid until the next call. */
	struct proctrace_event lookup;

	/* CLOCK_REALTIME - CLOCK_BOOTTIME at proctrace_start(): start times. */
	int64_t start_offset_ns;

	uint64_t delivered_total;
	uint64_t malformed_total;

	/* State of the proctrace_poll() call in progress. */
	int64_t realtime_offset_ns;	/* CLOCK_REALTIME - CLOCK_BOOTTIME */
	bool realtime_offset_valid;	/* taken in this poll yet */
	int delivered;
	bool stopped;
	int stop_value;
};

/* ---- logging (log.c) ---- */

/*
 * Every message names where it goes: @lg is a handle's logger (struct
 * pt_logger, in backend.h), or NULL for the process-wide one of
 * proctrace_set_log().  A logger whose fn is NULL also means the
 * process-wide one: that is what a zeroed opts.log_fn asks for.
 */
__attribute__((format(printf, 3, 4)))
void pt_log(const struct pt_logger *lg, enum proctrace_log_level level,
	    const char *fmt, ...);

#define pt_warn(lg, ...) pt_log((lg), PROCTRACE_LOG_WARN, __VA_ARGS__)
#define pt_info(lg, ...) pt_log((lg), PROCTRACE_LOG_INFO, __VA_ARGS__)
#define pt_debug(lg, ...) pt_log((lg), PROCTRACE_LOG_DEBUG, __VA_ARGS__)

/* True if a message below WARN sent to @lg would reach a callback at all. */
bool pt_log_verbose(const struct pt_logger *lg);

/* True if @lg is the handle's own callback (not the process-wide one). */
static inline bool pt_log_is_own(const struct pt_logger *lg)
{
	return lg && lg->fn;
}

/*
 * Return @err (a negative errno) after setting errno to match, as every
 * int-returning public function does on failure.
 */
static inline int pt_err(int err)
{
	if (err < 0)
		errno = -err;
	return err;
}

/* Set errno from a negative errno and return NULL, for pointer functions. */
static inline void *pt_err_ptr(int err)
{
	errno = -err;
	return NULL;
}

/* ---- options structs (opts.c) ---- */

/*
 * Checks a caller's sz-first options struct the way libbpf does: @user_sz
 * must cover at least the sz member, and every byte past the @known_sz
 * bytes this library version understands must be zero, so that a newer
 * application's request is never silently ignored.  Logs why on failure.
 */
bool pt_opts_valid(const struct pt_logger *lg, const void *opts,
		   size_t user_sz, size_t known_sz, const char *type_name);

#define pt_offsetofend(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

/* Each options struct names its last field, as libbpf's do. */
#define proctrace_opts__last_field exec_failed_errnos

#define PT_OPTS_VALID(lg, opts, type)                                       \
	(!(opts) || pt_opts_valid((lg), (opts), (opts)->sz,                 \
				  pt_offsetofend(struct type, type##__last_field), \
				  #type))
#define PT_OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= pt_offsetofend(__typeof__(*(opts)), field))
#define PT_OPTS_GET(opts, field, fallback) \
	(PT_OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/* ---- failed exec attempts (exec_failed.c) ---- */

/*
 * Checks opts.exec_failed_errnos (@errnos) against the flags already in
 * @p and fills the errno set the kernel side filters on.  0, or -EINVAL
 * after logging why.
 */
int pt_exec_failed_options(struct pt_backend_params *p, const int32_t *errnos);

/* ---- records from the kernel (event_decode.c) ---- */

/* The offsets that turn the kernel's CLOCK_BOOTTIME into wall-clock time. */
struct pt_clock {
	int64_t now_offset_ns;		/* event times: measured per poll */
	int64_t start_offset_ns;	/* start times: fixed per session */
};

/*
 * Turns one ring-buffer record into the public event.  The filename and
 * exe in @out point into @data; the argument strings are copied into
 * @args (the ring buffer is read-only, and a cut argument needs a NUL).
 * Returns 0, or -EBADMSG if the record is malformed (too short, lengths
 * past its end, a filename or exe not NUL-terminated, more argument bytes
 * than @args holds).
 */
struct pt_args_buf;
int pt_decode_record(const void *data, size_t size, const struct pt_clock *clock,
		     struct pt_args_buf *args, struct proctrace_event *out);

/*
 * Size of the record at @data as its header says (header plus the
 * lengths of its parts), or @avail if that is shorter than a header; the
 * caller checks it against @avail.  Splits the snapshot's stream.
 */
size_t pt_wire_record_size(const void *data, size_t avail);

/* ---- what a process used (usage.c) ---- */

/*
 * Fills the usage fields of an EXIT event from the @size bytes that follow
 * the record's header and parts: 0 bytes (a record without them) leaves
 * them zero; fewer than the block is -EBADMSG.
 */
int pt_decode_usage(const void *data, size_t size, struct proctrace_event *out);

/*
 * The kernel's cputime_adjust(): splits @rtime (exact ns on a CPU) in the
 * ratio of the tick-sampled @utime and @stime, never below what was
 * reported before (@prev_utime, @prev_stime).
 */
void pt_cputime_adjust(uint64_t rtime, uint64_t utime, uint64_t stime,
		       uint64_t prev_utime, uint64_t prev_stime,
		       uint64_t *ut, uint64_t *st);

/* CLOCK_REALTIME minus CLOCK_BOOTTIME, in nanoseconds, now. */
int64_t pt_realtime_offset_ns(void);

/* ---- the process table (proctable.c) ---- */

struct pt_table *pt_table_new(void);
void pt_table_free(struct pt_table *t);

/*
 * Brings the table up to date with @ev before it is delivered: PROCESS
 * and EXEC (re)describe the process, FORK adds the child with its
 * parent's program.  For EXIT and FORK, fills @ev's filename, exe, args
 * and program flags from the table, or sets PROCTRACE_EVENT_F_PROGRAM_UNKNOWN.
 * Strings of @ev are copied.  Returns 0 or -ENOMEM (the table then lacks
 * the process, which later reads as unknown, never as another's).
 */
int pt_table_before(struct pt_table *t, struct proctrace_event *ev);
/* After @ev was delivered: an EXIT removes its process. */
void pt_table_after(struct pt_table *t, const struct proctrace_event *ev);
/*
 * Fills @out (type PROCESS) with the live process @pid; its strings are
 * the table's, valid until the table changes or the next lookup.
 * Returns 0 or -ESRCH.
 */
int pt_table_lookup(struct pt_table *t, int32_t pid, struct proctrace_event *out);
/* Processes in the table, and the bytes it holds (with its strings). */
size_t pt_table_count(const struct pt_table *t);
size_t pt_table_bytes(const struct pt_table *t);

/* ---- cgroup v2 paths (cgroup_path.c) ---- */

struct pt_cgroup_cache *pt_cgroup_cache_new(void);
void pt_cgroup_cache_free(struct pt_cgroup_cache *c);
/*
 * The path of cgroup @id below the cgroup2 root ("/" for the root), from
 * the cache or resolved now; NULL if it cannot be (no cgroup2 mount, or
 * the cgroup was removed).  Valid until the cache is freed.
 */
const char *pt_cgroup_path(struct pt_cgroup_cache *c, uint64_t id);

#endif /* PROCTRACE_INTERNAL_H */
