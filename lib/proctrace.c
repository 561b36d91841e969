/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The public API: argument checks, the handle's state machine
 * (opened -> started -> closed) and delivery of decoded events to the
 * caller's callback.  Everything that touches the kernel is behind
 * backend.h, in the bpf_*.c files.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal.h"
#include "proctrace_wire.h"

PROCTRACE_API uint32_t proctrace_version(void)
{
	return (PROCTRACE_VERSION_MAJOR_NUM << 16) |
	       (PROCTRACE_VERSION_MINOR_NUM << 8) | PROCTRACE_VERSION_PATCH_NUM;
}

PROCTRACE_API const char *proctrace_version_string(void)
{
	return PROCTRACE_VERSION_STRING;
}

#define KNOWN_OPT_FLAGS (PROCTRACE_OPT_FORK_EVENTS | PROCTRACE_OPT_FILTER_UID | \
			 PROCTRACE_OPT_WAKE_EVERY_EVENT | PROCTRACE_OPT_SNAPSHOT | \
			 PROCTRACE_OPT_EXEC_FAILED | PROCTRACE_OPT_EXEC_FAILED_EXCEPT | \
			 PROCTRACE_OPT_COMPAT | \
			 PROCTRACE_OPT_CRED_CHANGES)
#define RING_SIZE_MIN 4096u
#define RING_SIZE_MAX PROCTRACE_RING_SIZE_MAX
#define LATENCY_MAX_MS ((uint32_t)PROCTRACE_LATENCY_MAX_MS)

/*
 * The size the smallest ring buffer is reckoned from, with its 8-byte
 * header: a record with a whole filename and argument vector, as in 0.2.
 * Records also carry paths (the executable, the working directory, a
 * failed execveat()'s descriptor), usually short; one with long ones may
 * find a ring of the smallest size full, and is then counted as lost.
 * Reckoning them in would refuse sizes that 0.2 accepted.
 */
static size_t max_record_size(uint32_t max_args_size)
{
	return sizeof(struct pt_wire_event) + PT_WIRE_PATH_MAX + max_args_size + 8;
}

/* The smallest ring buffer for @max_args_size: two of the largest records. */
static uint32_t min_ring_size(uint32_t max_args_size)
{
	uint32_t size = RING_SIZE_MIN;

	while (size < 2 * max_record_size(max_args_size))
		size *= 2;
	return size;
}

/*
 * Checks and copies the 0.2 options.  Each message names the field, the
 * value and what is allowed, so that the caller can fix it.
 */
static int take_options(struct proctrace *pt, const struct proctrace_opts *opts)
{
	const char *comm;

	pt->settings.flags = PT_OPTS_GET(opts, flags, 0);
	if (pt->settings.flags & ~KNOWN_OPT_FLAGS) {
		pt_warn(&pt->settings.log, "proctrace_open: opts.flags has unknown bits 0x%x; this "
			"library version (%s) knows 0x%x", pt->settings.flags & ~KNOWN_OPT_FLAGS,
			proctrace_version_string(), KNOWN_OPT_FLAGS);
		return -EINVAL;
	}
	pt->settings.max_args_size = PT_OPTS_GET(opts, max_args_size, 0);
	if (!pt->settings.max_args_size)
		pt->settings.max_args_size = PROCTRACE_ARGS_SIZE_DEFAULT;
	if (pt->settings.max_args_size > PROCTRACE_ARGS_SIZE_MAX) {
		pt_warn(&pt->settings.log, "proctrace_open: opts.max_args_size %u is too large: at most %u "
			"(PROCTRACE_ARGS_SIZE_MAX)", pt->settings.max_args_size,
			PROCTRACE_ARGS_SIZE_MAX);
		return -EINVAL;
	}
	pt->settings.ring_buffer_size = PT_OPTS_GET(opts, ring_buffer_size, 0);
	if (!pt->settings.ring_buffer_size)
		pt->settings.ring_buffer_size = PROCTRACE_RING_SIZE_DEFAULT;
	if (pt->settings.ring_buffer_size < RING_SIZE_MIN || pt->settings.ring_buffer_size > RING_SIZE_MAX ||
	    (pt->settings.ring_buffer_size & (pt->settings.ring_buffer_size - 1))) {
		pt_warn(&pt->settings.log, "proctrace_open: opts.ring_buffer_size %u is not a power of two "
			"between %u and %u bytes", pt->settings.ring_buffer_size, RING_SIZE_MIN,
			RING_SIZE_MAX);
		return -EINVAL;
	}
	/*
	 * The largest exec record must fit, with room for the reader to be
	 * behind by as much again; a smaller ring would lose every such
	 * record however fast the reader is.
	 */
	if (pt->settings.ring_buffer_size < min_ring_size(pt->settings.max_args_size)) {
		pt_warn(&pt->settings.log, "proctrace_open: opts.ring_buffer_size %u is too small for exec "
			"records of up to %zu bytes (a 4096-byte filename and "
			"opts.max_args_size %u of arguments): use at least %u, or a "
			"smaller max_args_size", pt->settings.ring_buffer_size,
			max_record_size(pt->settings.max_args_size), pt->settings.max_args_size,
			min_ring_size(pt->settings.max_args_size));
		return -EINVAL;
	}
	pt->settings.max_latency_ms = PT_OPTS_GET(opts, max_latency_ms, 0);
	if (!pt->settings.max_latency_ms)
		pt->settings.max_latency_ms = PROCTRACE_LATENCY_DEFAULT_MS;
	if (pt->settings.max_latency_ms > LATENCY_MAX_MS) {
		pt_warn(&pt->settings.log, "proctrace_open: opts.max_latency_ms %u is too large: at most %u",
			pt->settings.max_latency_ms, LATENCY_MAX_MS);
		return -EINVAL;
	}
	pt->settings.filter_pid = PT_OPTS_GET(opts, filter_pid, 0);
	if (pt->settings.filter_pid < 0) {
		pt_warn(&pt->settings.log, "proctrace_open: opts.filter_pid %d is negative; use a process "
			"id, or 0 for no subtree filter", (int)pt->settings.filter_pid);
		return -EINVAL;
	}
	pt->settings.filter_uid = PT_OPTS_GET(opts, filter_uid, 0);
	if (pt->settings.filter_uid && !(pt->settings.flags & PROCTRACE_OPT_FILTER_UID)) {
		pt_warn(&pt->settings.log, "proctrace_open: opts.filter_uid is set but opts.flags lacks "
			"PROCTRACE_OPT_FILTER_UID; set it to filter on the uid");
		return -EINVAL;
	}
	pt->settings.filter_cgroup_id = PT_OPTS_GET(opts, filter_cgroup_id, 0);
	comm = PT_OPTS_GET(opts, filter_comm, NULL);
	if (comm) {
		size_t len = strlen(comm);

		if (len < 1 || len >= PROCTRACE_COMM_LEN) {
			pt_warn(&pt->settings.log, "proctrace_open: opts.filter_comm has %zu bytes; a comm "
				"has 1 to %d", len, PROCTRACE_COMM_LEN - 1);
			return -EINVAL;
		}
		pt->settings.filter_comm = strdup(comm);
		if (!pt->settings.filter_comm)
			return -ENOMEM;
	}
	return pt_exec_failed_options(&pt->settings,
				      PT_OPTS_GET(opts, exec_failed_errnos, NULL));
}

static void free_handle(struct proctrace *pt)
{
	pt_table_free(pt->table);
	pt_cgroup_cache_free(pt->cgroups);
	free(pt->args.strings);
	free(pt->args.argv);
	free((char *)pt->settings.filter_comm);
	free((char *)pt->settings.btf_path);
	free(pt);
}

PROCTRACE_API struct proctrace *proctrace_open(proctrace_event_fn cb, void *ctx,
					       const struct proctrace_opts *opts)
{
	struct pt_logger log = { NULL, NULL };
	const char *btf_path;
	struct proctrace *pt;
	int err;

	/*
	 * The handle's own log callback, if the caller's options have one,
	 * hears about everything, including what is wrong with the options.
	 */
	if (opts && opts->sz >= sizeof(opts->sz) && opts->sz <= 4096 &&
	    PT_OPTS_HAS(opts, log_ctx)) {
		log.fn = opts->log_fn;
		log.ctx = opts->log_ctx;
	}
	if (!cb) {
		pt_warn(&log, "proctrace_open: the event callback is NULL; pass a function "
			"that receives the events");
		return pt_err_ptr(-EINVAL);
	}
	if (!PT_OPTS_VALID(&log, opts, proctrace_opts))
		return pt_err_ptr(-EINVAL);

	pt = calloc(1, sizeof(*pt));
	if (!pt) {
		pt_warn(&log, "proctrace_open: out of memory");
		return pt_err_ptr(-ENOMEM);
	}
	pt->settings.log = log;
	pt->cb = cb;
	pt->cb_ctx = ctx;
	pt->settings.min_duration_ns = PT_OPTS_GET(opts, min_duration_ns, 0);

	err = take_options(pt, opts);
	btf_path = PT_OPTS_GET(opts, btf_path, NULL);
	if (!err && btf_path) {
		pt->settings.btf_path = strdup(btf_path);
		if (!pt->settings.btf_path)
			err = -ENOMEM;
	}
	if (err) {
		if (err == -ENOMEM)
			pt_warn(&log, "proctrace_open: out of memory");
		free_handle(pt);
		return pt_err_ptr(err);
	}
	return pt;
}

PROCTRACE_API int proctrace_set_min_duration(struct proctrace *pt,
					     uint64_t min_duration_ns)
{
	if (!pt) {
		pt_warn(NULL, "proctrace_set_min_duration: handle is NULL");
		return pt_err(-EINVAL);
	}
	if (pt->backend) {
		pt_warn(&pt->settings.log, "proctrace_set_min_duration: the session is already started; "
			"set the minimum duration before proctrace_start()");
		return pt_err(-EBUSY);
	}
	pt->settings.min_duration_ns = min_duration_ns;
	return 0;
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct proctrace *pt = ctx;
	struct proctrace_event ev;
	struct pt_clock clock;
	int ret;

	/*
	 * The wall-clock offset is taken once per poll, at its first record,
	 * so after any wait: a clock set while the poll waited is seen.
	 */
	if (!pt->realtime_offset_valid) {
		pt->realtime_offset_ns = pt_realtime_offset_ns();
		pt->realtime_offset_valid = true;
	}
	clock.now_offset_ns = pt->realtime_offset_ns;
	clock.start_offset_ns = pt->start_offset_ns;
	if (pt_decode_record(data, size, &clock, &pt->args, &ev) < 0) {
		/* Only a mismatched BPF object could send this: a bug of ours. */
		pt->malformed_total++;
		pt_warn(&pt->settings.log, "dropped a malformed record of %zu bytes from the kernel "
			"(a libproctrace bug; please report it)", size);
		return 0;
	}
	if (pt->table) {
		if (pt_table_before(pt->table, &ev) < 0)
			pt_warn(&pt->settings.log, "process table: out of memory; process %d will read "
				"as unknown", (int)ev.pid);
		ev.cgroup = pt_cgroup_path(pt->cgroups, ev.cgroup_id);
		/* Fork records feed the table; the caller may not want them. */
		if (ev.type == PROCTRACE_EVENT_FORK &&
		    !(pt->settings.flags & PROCTRACE_OPT_FORK_EVENTS))
			return 0;
	}
	pt->delivered++;
	pt->delivered_total++;
	ret = pt->cb(&ev, pt->cb_ctx);
	if (pt->table)
		pt_table_after(pt->table, &ev);
	if (ret) {
		pt->stopped = true;
		pt->stop_value = ret;
		/* Any negative value makes the backend stop draining. */
		return -ECANCELED;
	}
	return 0;
}

/* The process table and cgroup cache of PROCTRACE_OPT_SNAPSHOT. */
static int start_table(struct proctrace *pt)
{
	if (pt->settings.min_duration_ns) {
		pt_warn(&pt->settings.log, "proctrace_start: PROCTRACE_OPT_SNAPSHOT cannot be combined "
			"with a minimum duration (the process table needs every exec "
			"and exit); filter on duration_ns in the callback instead");
		return -EINVAL;
	}
	pt_table_free(pt->table);
	pt_cgroup_cache_free(pt->cgroups);
	pt->table = pt_table_new();
	pt->cgroups = pt_cgroup_cache_new();
	if (!pt->table || !pt->cgroups) {
		pt_warn(&pt->settings.log, "proctrace_start: out of memory");
		return -ENOMEM;
	}
	return 0;
}

PROCTRACE_API int proctrace_start(struct proctrace *pt)
{
	int err;

	if (!pt) {
		pt_warn(NULL, "proctrace_start: handle is NULL");
		return pt_err(-EINVAL);
	}
	if (pt->backend) {
		pt_warn(&pt->settings.log, "proctrace_start: the session is already started");
		return pt_err(-EALREADY);
	}
	/* Room to split the largest argument vector the kernel may send. */
	if (!pt->args.strings) {
		pt->args.cap = pt->settings.max_args_size;
		pt->args.strings = malloc(pt->args.cap + 1);
		pt->args.argv = calloc(pt->args.cap + 1, sizeof(*pt->args.argv));
		if (!pt->args.strings || !pt->args.argv) {
			free(pt->args.strings);
			free(pt->args.argv);
			memset(&pt->args, 0, sizeof(pt->args));
			pt_warn(&pt->settings.log, "proctrace_start: out of memory");
			return pt_err(-ENOMEM);
		}
	}

	if (pt->settings.flags & PROCTRACE_OPT_SNAPSHOT) {
		err = start_table(pt);
		if (err)
			return pt_err(err);
	}
	pt->start_offset_ns = pt_realtime_offset_ns();

	pt->settings.on_record = on_record;
	pt->settings.ctx = pt;
	err = pt_backend_start(&pt->settings, &pt->backend);
	if (err) {
		pt->backend = NULL;
		return pt_err(err);
	}
	return 0;
}

/* The check shared by the calls that need a started session. */
static int check_started(const struct proctrace *pt, const char *fn)
{
	if (!pt) {
		pt_warn(NULL, "%s: handle is NULL", fn);
		return pt_err(-EINVAL);
	}
	if (!pt->backend) {
		pt_warn(&pt->settings.log, "%s: the session is not started; call proctrace_start() first",
			fn);
		return pt_err(-EINVAL);
	}
	return 0;
}

static int poll_events(struct proctrace *pt, const char *fn, int timeout_ms,
		       unsigned int max_events)
{
	int err;

	err = check_started(pt, fn);
	if (err)
		return err;

	pt->realtime_offset_valid = false;
	pt->delivered = 0;
	pt->stopped = false;
	err = pt_backend_poll(pt->backend, timeout_ms, max_events);
	if (pt->stopped) {
		if (pt->stop_value < 0)
			errno = -pt->stop_value;
		return pt->stop_value;
	}
	if (err < 0) {
		/* A signal is the caller's business, not a failure to report. */
		if (err != -EINTR)
			pt_warn(&pt->settings.log, "%s: waiting for events failed: %s",
				fn, strerror(-err));
		return pt_err(err);
	}
	return pt->delivered;
}

PROCTRACE_API int proctrace_poll(struct proctrace *pt, int timeout_ms)
{
	return poll_events(pt, __func__, timeout_ms, 0);
}

PROCTRACE_API int proctrace_poll_n(struct proctrace *pt, int timeout_ms,
				   unsigned int max_events)
{
	return poll_events(pt, __func__, timeout_ms, max_events);
}

PROCTRACE_API int proctrace_fd(const struct proctrace *pt)
{
	int err = check_started(pt, __func__);

	if (err)
		return err;
	return pt_backend_fd(pt->backend);
}

/*
 * The checks of a call that fills a caller's structure @out of @name
 * (type @type, @sz bytes as the caller says, at least @min): a started
 * session, a structure, a size from its first field to a page.
 */
static int check_out(const struct proctrace *pt, const char *fn, const char *name,
		     const void *out, size_t sz, size_t min, const char *type)
{
	int err = check_started(pt, fn);

	if (err)
		return err;
	if (!out) {
		pt_warn(&pt->settings.log, "%s: %s is NULL", fn, name);
		return pt_err(-EINVAL);
	}
	if (sz < min || sz > 4096) {
		pt_warn(&pt->settings.log, "%s: %s->sz is %zu; set it to sizeof(%s)", fn, name,
			sz, type);
		return pt_err(-EINVAL);
	}
	return 0;
}

/*
 * Hands @src (@src_size bytes, a size_t sz first) to a caller's structure
 * of @dst_size bytes, sz left as the caller set it: what the caller's
 * version has room for, the rest of its structure zeroed.
 */
static void copy_sized(void *dst, size_t dst_size, const void *src, size_t src_size)
{
	if (dst_size > src_size)
		memset((char *)dst + src_size, 0, dst_size - src_size);
	memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
	       (dst_size < src_size ? dst_size : src_size) - sizeof(size_t));
}

PROCTRACE_API int proctrace_stats(const struct proctrace *pt,
				  struct proctrace_stats *stats)
{
	struct pt_backend_losses kernel;
	struct proctrace_stats all;
	int err;

	err = check_out(pt, __func__, "stats", stats, stats ? stats->sz : 0,
			pt_offsetofend(struct proctrace_stats, events_delivered),
			"struct proctrace_stats");
	if (err)
		return err;
	err = pt_backend_losses(pt->backend, &kernel);
	if (err)
		return pt_err(err);

	memset(&all, 0, sizeof(all));
	all.events_delivered = pt->delivered_total;
	all.lost_ring_full = kernel.ring_full;
	all.lost_other = kernel.other;
	all.lost_malformed = pt->malformed_total;
	all.events_lost = all.lost_ring_full + all.lost_other + all.lost_malformed;

	copy_sized(stats, stats->sz, &all, sizeof(all));
	return 0;
}

PROCTRACE_API int proctrace_features(const struct proctrace *pt,
				     struct proctrace_features *features)
{
	struct proctrace_features all = { .sz = sizeof(all) };
	int err = check_out(pt, __func__, "features", features, features ? features->sz : 0,
			    pt_offsetofend(struct proctrace_features, active),
			    "struct proctrace_features");

	if (err)
		return err;
	all.active = pt_backend_features(pt->backend, &all.degraded);
	copy_sized(features, features->sz, &all, sizeof(all));
	return 0;
}

PROCTRACE_API const struct proctrace_event *
proctrace_process_lookup(struct proctrace *pt, int32_t pid)
{
	int err = check_started(pt, __func__);

	if (err)
		return pt_err_ptr(err);
	if (!pt->table) {
		pt_warn(&pt->settings.log, "proctrace_process_lookup: the session keeps no process table; "
			"set PROCTRACE_OPT_SNAPSHOT in opts.flags");
		return pt_err_ptr(-EINVAL);
	}
	err = pt_table_lookup(pt->table, pid, &pt->lookup);
	if (err)
		return pt_err_ptr(err);	/* not a failure to log: just not alive */
	pt->lookup.cgroup = pt_cgroup_path(pt->cgroups, pt->lookup.cgroup_id);
	return &pt->lookup;
}

PROCTRACE_API void proctrace_close(struct proctrace *pt)
{
	int saved_errno = errno;

	if (!pt)
		return;
	pt_backend_destroy(pt->backend);
	free_handle(pt);
	errno = saved_errno;
}
