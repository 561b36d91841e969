/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the public API against the fake backend: argument checks,
 * options validation, the order of calls, record decoding and delivery.
 * No privileges needed.
 */
#define _GNU_SOURCE	/* sigabbrev_np(), to check the signal names against */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <proctrace/proctrace.h>

#include "fake-backend.h"
#include "proctrace_wire.h"

/* ---- log capture ---- */

static struct {
	int count;
	enum proctrace_log_level level;
	char last[1024];
} logged;

static void capture_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
	logged.count++;
	logged.level = level;
	snprintf(logged.last, sizeof(logged.last), "%s", msg);
}

/* Asserts exactly one warning was logged since setup, containing @needle. */
static void assert_warned(const char *needle)
{
	assert_int_equal(logged.count, 1);
	assert_int_equal(logged.level, PROCTRACE_LOG_WARN);
	if (!strstr(logged.last, needle))
		fail_msg("log message '%s' lacks '%s'", logged.last, needle);
	assert_null(strchr(logged.last, '\n'));
}

static void forget_log(void)
{
	memset(&logged, 0, sizeof(logged));
}

/* ---- event capture ---- */

#define MAX_EVENTS 8

static struct {
	int count;
	struct proctrace_event ev[MAX_EVENTS];
	char filename[MAX_EVENTS][PT_WIRE_PATH_MAX];
	char args[MAX_EVENTS][256];
	int stop_after;		/* return stop_value from this event on (1-based) */
	int stop_value;
} got;

static int capture_event(const struct proctrace_event *e, void *ctx)
{
	int i = got.count++;
	uint32_t k;

	assert_ptr_equal(ctx, &got);
	if (i < MAX_EVENTS) {
		/* The argument vector, joined with '|', to compare at once. */
		got.args[i][0] = '\0';
		for (k = 0; e->args && k < e->args_count; k++)
			snprintf(got.args[i] + strlen(got.args[i]),
				 sizeof(got.args[i]) - strlen(got.args[i]), "%s%s",
				 k ? "|" : "", e->args[k]);
		if (e->args)
			assert_null(e->args[e->args_count]);
		got.ev[i] = *e;
		if (e->filename)
			snprintf(got.filename[i], sizeof(got.filename[i]), "%s", e->filename);
		got.ev[i].filename = NULL;	/* not valid after return */
		got.ev[i].args = NULL;
	}
	if (got.stop_after && got.count >= got.stop_after)
		return got.stop_value;
	return 0;
}

static int setup(void **state)
{
	fake_backend_reset();
	memset(&got, 0, sizeof(got));
	forget_log();
	proctrace_set_log(capture_log, NULL);
	return 0;
}

static int teardown(void **state)
{
	proctrace_set_log(proctrace_log_stderr, NULL);
	fake_backend_reset();
	return 0;
}

static struct proctrace *open_default(void)
{
	struct proctrace *pt = proctrace_open(capture_event, &got, NULL);

	assert_non_null(pt);
	return pt;
}

static struct proctrace *open_started(void)
{
	struct proctrace *pt = open_default();

	assert_int_equal(proctrace_start(pt), 0);
	return pt;
}

/* ---- version ---- */

static void test_version(void **state)
{
	char expect[32];

	assert_int_equal(proctrace_version(),
			 (PROCTRACE_VERSION_MAJOR << 16) |
				 (PROCTRACE_VERSION_MINOR << 8) | PROCTRACE_VERSION_PATCH);
	snprintf(expect, sizeof(expect), "%d.%d.%d", PROCTRACE_VERSION_MAJOR,
		 PROCTRACE_VERSION_MINOR, PROCTRACE_VERSION_PATCH);
	assert_string_equal(proctrace_version_string(), expect);
}

/* ---- proctrace_open and its options ---- */

static void test_open_null_callback(void **state)
{
	errno = 0;
	assert_null(proctrace_open(NULL, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	assert_warned("callback is NULL");
}

static void test_open_opts_sz_too_small(void **state)
{
	struct proctrace_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(size_t) - 1;
	errno = 0;
	assert_null(proctrace_open(capture_event, &got, &opts));
	assert_int_equal(errno, EINVAL);
	assert_warned("PROCTRACE_OPTS()");

	forget_log();
	opts.sz = 0;
	assert_null(proctrace_open(capture_event, &got, &opts));
	assert_int_equal(errno, EINVAL);
	assert_warned("sz is 0");
}

static void test_open_opts_sz_garbage(void **state)
{
	struct proctrace_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.sz = (size_t)-1;
	errno = 0;
	assert_null(proctrace_open(capture_event, &got, &opts));
	assert_int_equal(errno, EINVAL);
	assert_warned("not the size of any version");
}

/* What an application built against a newer header would pass. */
struct newer_opts {
	struct proctrace_opts known;
	uint64_t future_field;
};

static void test_open_opts_unknown_tail(void **state)
{
	struct newer_opts big;
	struct proctrace *pt;

	memset(&big, 0, sizeof(big));
	big.known.sz = sizeof(big);
	big.future_field = 1;
	errno = 0;
	assert_null(proctrace_open(capture_event, &got, &big.known));
	assert_int_equal(errno, EINVAL);
	assert_warned("non-zero byte at offset");

	/* A newer struct whose new fields are zero asks nothing we can't do. */
	big.future_field = 0;
	pt = proctrace_open(capture_event, &got, &big.known);
	assert_non_null(pt);
	proctrace_close(pt);
}

static void test_open_opts_older_struct(void **state)
{
	struct proctrace_opts opts;
	struct proctrace *pt;

	/*
	 * An application built when the struct ended at min_duration_ns: the
	 * bytes past its sz are not its own and must not be read.
	 */
	memset(&opts, 0, sizeof(opts));
	opts.sz = offsetof(struct proctrace_opts, btf_path);
	opts.min_duration_ns = 5;
	opts.btf_path = (const char *)(uintptr_t)0xdeadbeef;
	pt = proctrace_open(capture_event, &got, &opts);
	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), 0);
	assert_int_equal(fake.last_params.min_duration_ns, 5);
	assert_null(fake.last_params.btf_path);
	proctrace_close(pt);
}

static void test_open_opts_passed_to_backend(void **state)
{
	PROCTRACE_OPTS(opts, .min_duration_ns = 1234567, .btf_path = "/dev/null");
	struct proctrace *pt = proctrace_open(capture_event, &got, &opts);

	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), 0);
	assert_int_equal(fake.last_params.min_duration_ns, 1234567);
	assert_string_equal(fake.last_params.btf_path, "/dev/null");
	/* The handle keeps its own copy of the path. */
	assert_ptr_not_equal(fake.last_params.btf_path, opts.btf_path);
	assert_int_equal(logged.count, 0);
	proctrace_close(pt);
}

/* Each 0.2 option out of range: -EINVAL and one message naming it. */
static void expect_bad_opts(const struct proctrace_opts *opts, const char *needle)
{
	forget_log();
	errno = 0;
	assert_null(proctrace_open(capture_event, &got, opts));
	assert_int_equal(errno, EINVAL);
	assert_warned(needle);
}

static void test_open_opts_out_of_range(void **state)
{
	PROCTRACE_OPTS(flags, .flags = 1u << 31);
	PROCTRACE_OPTS(args, .max_args_size = PROCTRACE_ARGS_SIZE_MAX + 1);
	PROCTRACE_OPTS(ring_small, .ring_buffer_size = 2048);
	PROCTRACE_OPTS(ring_odd, .ring_buffer_size = 3 * 4096);
	PROCTRACE_OPTS(ring_big, .ring_buffer_size = 1u << 31);
	PROCTRACE_OPTS(latency, .max_latency_ms = 60001);
	PROCTRACE_OPTS(pid, .filter_pid = -1);
	PROCTRACE_OPTS(uid, .filter_uid = 1000);
	PROCTRACE_OPTS(comm_empty, .filter_comm = "");
	PROCTRACE_OPTS(comm_long, .filter_comm = "sixteen-bytes-xx");

	expect_bad_opts(&flags, "opts.flags has unknown bits 0x80000000");
	expect_bad_opts(&args, "opts.max_args_size 32769 is too large");
	expect_bad_opts(&ring_small, "opts.ring_buffer_size 2048 is not a power of two");
	expect_bad_opts(&ring_odd, "opts.ring_buffer_size 12288");
	expect_bad_opts(&ring_big, "opts.ring_buffer_size 2147483648");
	/* Valid sizes too small for the largest exec record. */
	PROCTRACE_OPTS(ring_4k, .ring_buffer_size = 4096);
	PROCTRACE_OPTS(ring_16k_big_args, .ring_buffer_size = 16384,
		       .max_args_size = 4096);
	PROCTRACE_OPTS(ring_64k_max_args, .ring_buffer_size = 65536,
		       .max_args_size = PROCTRACE_ARGS_SIZE_MAX);
	expect_bad_opts(&ring_4k, "opts.ring_buffer_size 4096 is too small");
	expect_bad_opts(&ring_16k_big_args, "use at least 32768");
	expect_bad_opts(&ring_64k_max_args, "use at least 131072");
	expect_bad_opts(&latency, "opts.max_latency_ms 60001 is too large");
	expect_bad_opts(&pid, "opts.filter_pid -1 is negative");
	expect_bad_opts(&uid, "lacks PROCTRACE_OPT_FILTER_UID");
	expect_bad_opts(&comm_empty, "opts.filter_comm has 0 bytes");
	expect_bad_opts(&comm_long, "opts.filter_comm has 16 bytes");
}

static void test_open_opts_defaults_and_filters(void **state)
{
	struct proctrace *pt = open_default();

	assert_int_equal(proctrace_start(pt), 0);
	assert_int_equal(fake.last_params.max_args_size, PROCTRACE_ARGS_SIZE_DEFAULT);
	assert_int_equal(fake.last_params.ring_buffer_size, PROCTRACE_RING_SIZE_DEFAULT);
	assert_int_equal(fake.last_params.max_latency_ms, PROCTRACE_LATENCY_DEFAULT_MS);
	assert_int_equal(fake.last_params.flags, 0);
	assert_int_equal(fake.last_params.filter_pid, 0);
	assert_null(fake.last_params.filter_comm);
	proctrace_close(pt);

	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_FORK_EVENTS | PROCTRACE_OPT_FILTER_UID,
		       .max_args_size = 100, .ring_buffer_size = 16384,
		       .max_latency_ms = 7, .filter_pid = 42, .filter_uid = 0,
		       .filter_cgroup_id = 99, .filter_comm = "bash");
	pt = proctrace_open(capture_event, &got, &opts);
	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), 0);
	assert_int_equal(fake.last_params.flags,
			 PROCTRACE_OPT_FORK_EVENTS | PROCTRACE_OPT_FILTER_UID);
	assert_int_equal(fake.last_params.max_args_size, 100);
	assert_int_equal(fake.last_params.ring_buffer_size, 16384);
	assert_int_equal(fake.last_params.max_latency_ms, 7);
	assert_int_equal(fake.last_params.filter_pid, 42);
	assert_int_equal(fake.last_params.filter_uid, 0);
	assert_int_equal(fake.last_params.filter_cgroup_id, 99);
	assert_string_equal(fake.last_params.filter_comm, "bash");
	assert_ptr_not_equal(fake.last_params.filter_comm, opts.filter_comm);
	assert_int_equal(logged.count, 0);
	proctrace_close(pt);
}

/* A 0.1 application's options (ending at btf_path) get every 0.2 default. */
static void test_open_opts_01_sized(void **state)
{
	struct proctrace_opts opts;
	struct proctrace *pt;

	memset(&opts, 0xff, sizeof(opts));
	opts.sz = offsetof(struct proctrace_opts, flags);
	opts.min_duration_ns = 3;
	opts.btf_path = NULL;
	pt = proctrace_open(capture_event, &got, &opts);
	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), 0);
	assert_int_equal(fake.last_params.flags, 0);
	assert_int_equal(fake.last_params.ring_buffer_size, PROCTRACE_RING_SIZE_DEFAULT);
	assert_null(fake.last_params.filter_comm);
	proctrace_close(pt);
}

/* ---- proctrace_stats ---- */

static void test_stats(void **state)
{
	struct proctrace_stats st = { .sz = sizeof(st) };
	struct proctrace_stats small;
	struct pt_wire_event w;
	struct proctrace *pt = open_default();

	assert_int_equal(proctrace_stats(pt, &st), -EINVAL);
	assert_warned("not started");
	forget_log();
	assert_int_equal(proctrace_stats(NULL, &st), -EINVAL);
	forget_log();
	assert_int_equal(proctrace_start(pt), 0);
	assert_int_equal(proctrace_stats(pt, NULL), -EINVAL);
	assert_warned("stats is NULL");
	forget_log();
	st.sz = sizeof(size_t);
	assert_int_equal(proctrace_stats(pt, &st), -EINVAL);
	assert_warned("stats->sz is 8");
	forget_log();

	/* Two good records, one malformed, and what the kernel counted. */
	memset(&w, 0, sizeof(w));
	w.type = PT_WIRE_EXIT;
	fake_backend_queue(&w, sizeof(w));
	fake_backend_queue(&w, sizeof(w));
	w.type = 77;
	fake_backend_queue(&w, sizeof(w));
	fake.lost_ring_full = 5;
	fake.lost_other = 2;
	assert_int_equal(proctrace_poll(pt, 0), 2);
	forget_log();
	st.sz = sizeof(st);
	assert_int_equal(proctrace_stats(pt, &st), 0);
	assert_int_equal(st.events_delivered, 2);
	assert_int_equal(st.lost_ring_full, 5);
	assert_int_equal(st.lost_other, 2);
	assert_int_equal(st.lost_malformed, 1);
	assert_int_equal(st.events_lost, 8);

	/* An older, shorter struct gets only what it has room for. */
	memset(&small, 0xee, sizeof(small));
	small.sz = offsetof(struct proctrace_stats, lost_ring_full);
	assert_int_equal(proctrace_stats(pt, &small), 0);
	assert_int_equal(small.events_delivered, 2);
	assert_int_equal(small.events_lost, 8);
	assert_int_equal(small.lost_ring_full, 0xeeeeeeeeeeeeeeeeULL);

	fake.losses_result = -EIO;
	assert_int_equal(proctrace_stats(pt, &st), -EIO);
	proctrace_close(pt);
}

/* ---- proctrace_features ---- */

static void test_features(void **state)
{
	struct proctrace_features f = { .sz = sizeof(f) }, small;
	struct proctrace *pt = open_default();
	uint32_t bit;
	int named = 0;

	assert_int_equal(proctrace_features(pt, &f), -EINVAL);
	assert_warned("not started");
	forget_log();
	assert_int_equal(proctrace_start(pt), 0);
	assert_int_equal(proctrace_features(pt, NULL), -EINVAL);
	assert_warned("features is NULL");
	forget_log();
	f.sz = sizeof(size_t);
	assert_int_equal(proctrace_features(pt, &f), -EINVAL);
	assert_warned("features->sz is 8");
	forget_log();

	/* What the backend says, as it says it. */
	fake.active = PROCTRACE_FEATURE_EVENTS | PROCTRACE_FEATURE_PATHS |
		      PROCTRACE_FEATURE_SNAPSHOT;
	fake.degraded = PROCTRACE_FEATURE_PATHS;
	f.sz = sizeof(f);
	assert_int_equal(proctrace_features(pt, &f), 0);
	assert_int_equal(f.active, fake.active);
	assert_int_equal(f.degraded, PROCTRACE_FEATURE_PATHS);
	/* An older, shorter struct gets only what it has room for. */
	memset(&small, 0xee, sizeof(small));
	small.sz = offsetof(struct proctrace_features, degraded);
	assert_int_equal(proctrace_features(pt, &small), 0);
	assert_int_equal(small.active, fake.active);
	assert_int_equal(small.degraded, 0xeeeeeeee);
	proctrace_close(pt);

	/* Every bit up to USAGE has a name and a sentence; others have none. */
	for (bit = 1; bit; bit <<= 1) {
		const char *name = proctrace_feature_name(bit);

		if (bit <= PROCTRACE_FEATURE_USAGE) {
			assert_non_null(name);
			assert_non_null(proctrace_feature_degraded(bit));
			named++;
			continue;
		}
		errno = 0;
		assert_null(proctrace_feature_name(bit));
		assert_int_equal(errno, EINVAL);
		assert_null(name);
		assert_null(proctrace_feature_degraded(bit));
	}
	assert_int_equal(named, 6);
	assert_null(proctrace_feature_name(PROCTRACE_FEATURE_PATHS | PROCTRACE_FEATURE_USAGE));
	assert_null(proctrace_feature_name(0));
}

/* ---- the order of calls ---- */

static void test_null_handle(void **state)
{
	errno = 0;
	assert_int_equal(proctrace_start(NULL), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_warned("proctrace_start: handle is NULL");

	forget_log();
	assert_int_equal(proctrace_poll(NULL, 0), -EINVAL);
	assert_warned("proctrace_poll: handle is NULL");

	forget_log();
	assert_int_equal(proctrace_fd(NULL), -EINVAL);
	assert_warned("proctrace_fd: handle is NULL");

	forget_log();
	assert_int_equal(proctrace_set_min_duration(NULL, 1), -EINVAL);
	assert_warned("proctrace_set_min_duration: handle is NULL");

	forget_log();
	errno = 1234;
	proctrace_close(NULL);
	assert_int_equal(errno, 1234);
	assert_int_equal(logged.count, 0);
}

static void test_poll_and_fd_before_start(void **state)
{
	struct proctrace *pt = open_default();

	errno = 0;
	assert_int_equal(proctrace_poll(pt, 0), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_warned("call proctrace_start() first");

	forget_log();
	assert_int_equal(proctrace_fd(pt), -EINVAL);
	assert_warned("call proctrace_start() first");
	proctrace_close(pt);
}

static void test_start_twice(void **state)
{
	struct proctrace *pt = open_started();

	errno = 0;
	assert_int_equal(proctrace_start(pt), -EALREADY);
	assert_int_equal(errno, EALREADY);
	assert_warned("already started");
	assert_int_equal(fake.start_calls, 1);
	proctrace_close(pt);
	assert_int_equal(fake.destroy_calls, 1);
}

static void test_min_duration_before_and_after_start(void **state)
{
	struct proctrace *pt = open_default();

	assert_int_equal(proctrace_set_min_duration(pt, 42000000), 0);
	assert_int_equal(proctrace_start(pt), 0);
	assert_int_equal(fake.last_params.min_duration_ns, 42000000);

	errno = 0;
	assert_int_equal(proctrace_set_min_duration(pt, 1), -EBUSY);
	assert_int_equal(errno, EBUSY);
	assert_warned("before proctrace_start()");
	proctrace_close(pt);
}

static void test_start_failure_then_retry(void **state)
{
	struct proctrace *pt = open_default();

	fake.start_result = -EPERM;
	errno = 0;
	assert_int_equal(proctrace_start(pt), -EPERM);
	assert_int_equal(errno, EPERM);
	assert_false(fake.live);
	/* Still not started: poll refuses. */
	assert_int_equal(proctrace_poll(pt, 0), -EINVAL);

	fake.start_result = 0;
	assert_int_equal(proctrace_start(pt), 0);
	assert_true(fake.live);
	assert_int_equal(proctrace_fd(pt), FAKE_BACKEND_FD);
	proctrace_close(pt);
	assert_false(fake.live);
}

static void test_poll_error_and_eintr(void **state)
{
	struct proctrace *pt = open_started();

	fake.poll_result = -EINTR;
	errno = 0;
	assert_int_equal(proctrace_poll(pt, 7), -EINTR);
	assert_int_equal(errno, EINTR);
	assert_int_equal(fake.last_timeout_ms, 7);
	assert_int_equal(logged.count, 0);	/* a signal is not a failure */

	fake.poll_result = -EBADF;
	assert_int_equal(proctrace_poll(pt, 0), -EBADF);
	assert_warned("waiting for events failed");
	proctrace_close(pt);
}

/* ---- records from the kernel ---- */

static void make_exec(unsigned char *buf, size_t *size, uint32_t pid,
		      uint32_t ppid, const char *comm, const char *filename)
{
	struct pt_wire_event w;
	size_t len = strlen(filename) + 1;

	memset(&w, 0, sizeof(w));
	w.type = PT_WIRE_EXEC;
	w.pid = pid;
	w.ppid = ppid;
	w.ts_boot_ns = 1000000000ULL;
	w.start_boot_ns = 900000000ULL;
	w.len[PT_WIRE_STR_FILENAME] = (uint16_t)len;
	memcpy(w.comm, comm, strnlen(comm, sizeof(w.comm) - 1));
	memcpy(buf, &w, sizeof(w));
	memcpy(buf + sizeof(w), filename, len);
	*size = sizeof(w) + len;
}

static void make_exit(struct pt_wire_event *w, uint32_t pid, uint32_t raw_code)
{
	memset(w, 0, sizeof(*w));
	w->type = PT_WIRE_EXIT;
	w->pid = pid;
	w->ppid = 1;
	w->exit_code = raw_code;
	w->ts_boot_ns = 5000000000ULL;
	w->start_boot_ns = 1500000000ULL;
	memcpy(w->comm, "a-fifteen-chars", 16);
}

static int64_t now_realtime_minus_boottime(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_BOOTTIME, &bt);
	clock_gettime(CLOCK_REALTIME, &rt);
	return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000LL +
	       (rt.tv_nsec - bt.tv_nsec);
}

static void test_decode_exec_and_exit(void **state)
{
	unsigned char buf[sizeof(struct pt_wire_event) + 64];
	struct pt_wire_event exit_rec;
	struct proctrace *pt = open_started();
	int64_t offset, delta;
	size_t size;

	make_exec(buf, &size, 4321, 99, "true", "/usr/bin/true");
	fake_backend_queue(buf, size);
	make_exit(&exit_rec, 4321, 42 << 8);
	fake_backend_queue(&exit_rec, sizeof(exit_rec));

	offset = now_realtime_minus_boottime();
	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_int_equal(got.count, 2);

	assert_int_equal(got.ev[0].size, sizeof(struct proctrace_event));
	assert_int_equal(got.ev[0].type, PROCTRACE_EVENT_EXEC);
	assert_int_equal(got.ev[0].pid, 4321);
	assert_int_equal(got.ev[0].ppid, 99);
	assert_string_equal(got.ev[0].comm, "true");
	assert_string_equal(got.filename[0], "/usr/bin/true");
	assert_int_equal(got.ev[0].exit_code, 0);
	assert_int_equal(got.ev[0].duration_ns, 0);
	/* boot time 1 s, shifted to the wall clock (within a second's skew) */
	delta = (int64_t)got.ev[0].timestamp_ns - (1000000000LL + offset);
	assert_true(delta > -1000000000LL && delta < 1000000000LL);

	assert_int_equal(got.ev[1].type, PROCTRACE_EVENT_EXIT);
	assert_int_equal(got.ev[1].pid, 4321);
	assert_int_equal(got.ev[1].exit_code, 42);
	assert_int_equal(got.ev[1].duration_ns, 3500000000ULL);
	assert_string_equal(got.ev[1].comm, "a-fifteen-chars");
	assert_int_equal(got.ev[1].timestamp_ns - got.ev[0].timestamp_ns, 4000000000ULL);
	assert_int_equal(logged.count, 0);
	proctrace_close(pt);
}

static void test_decode_exit_codes(void **state)
{
	static const uint32_t codes[] = { 0, 1, 42, 255 };
	struct pt_wire_event w;
	struct proctrace *pt = open_started();
	size_t i;

	for (i = 0; i < 4; i++) {
		make_exit(&w, 10 + (uint32_t)i, codes[i] << 8);
		fake_backend_queue(&w, sizeof(w));
	}
	assert_int_equal(proctrace_poll(pt, 0), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(got.ev[i].exit_code, (int)codes[i]);
	proctrace_close(pt);
}

/* A record with arguments, the last one cut short by the kernel. */
static void test_decode_args(void **state)
{
	unsigned char buf[sizeof(struct pt_wire_event) + 64];
	struct pt_wire_event *w = (struct pt_wire_event *)buf;
	struct proctrace *pt = open_started();
	static const char path_and_args[] = "/bin/ls\0ls\0-l\0\0/tm";
	size_t size;

	make_exec(buf, &size, 7, 1, "ls", "/bin/ls");
	memcpy(buf + sizeof(*w), path_and_args, sizeof(path_and_args) - 1);
	w->len[PT_WIRE_STR_ARGS] = sizeof(path_and_args) - 1 - 8;
	w->flags = PT_WIRE_F_ARGS_TRUNCATED;
	w->uid = 1000;
	w->gid = 1001;
	w->ns_pid = 3;
	w->cgroup_id = 123456789;
	fake_backend_queue(buf, size + w->len[PT_WIRE_STR_ARGS]);
	/* The same, whole, and one with no arguments at all. */
	w->flags = 0;
	w->len[PT_WIRE_STR_ARGS] = sizeof(path_and_args) - 1 - 8 - 3;
	fake_backend_queue(buf, size + w->len[PT_WIRE_STR_ARGS]);
	w->len[PT_WIRE_STR_ARGS] = 0;
	fake_backend_queue(buf, size);

	assert_int_equal(proctrace_poll(pt, 0), 3);
	assert_int_equal(got.ev[0].args_count, 4);
	assert_string_equal(got.args[0], "ls|-l||/tm");
	assert_int_equal(got.ev[0].flags, PROCTRACE_EVENT_F_ARGS_TRUNCATED);
	assert_int_equal(got.ev[0].uid, 1000);
	assert_int_equal(got.ev[0].gid, 1001);
	assert_int_equal(got.ev[0].ns_pid, 3);
	assert_int_equal(got.ev[0].cgroup_id, 123456789);
	assert_int_equal(got.ev[1].args_count, 3);
	assert_string_equal(got.args[1], "ls|-l|");
	assert_int_equal(got.ev[1].flags, 0);
	assert_int_equal(got.ev[2].args_count, 0);
	assert_string_equal(got.args[2], "");
	assert_int_equal(logged.count, 0);
	proctrace_close(pt);
}

/* More argument bytes than the record holds, or than the options allow. */
static void test_decode_args_malformed(void **state)
{
	unsigned char buf[sizeof(struct pt_wire_event) + 64];
	struct pt_wire_event *w = (struct pt_wire_event *)buf;
	PROCTRACE_OPTS(opts, .max_args_size = 4);
	struct proctrace *pt = proctrace_open(capture_event, &got, &opts);
	size_t size;

	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), 0);
	make_exec(buf, &size, 7, 1, "ls", "/bin/ls");
	memcpy(buf + size, "abc\0de\0", 7);
	w->len[PT_WIRE_STR_ARGS] = 7;
	fake_backend_queue(buf, size + 6);	/* one byte short */
	fake_backend_queue(buf, size + 7);	/* more than max_args_size */
	w->len[PT_WIRE_STR_ARGS] = 4;
	fake_backend_queue(buf, size + 4);	/* fine */
	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_string_equal(got.args[0], "abc");
	proctrace_close(pt);
}

/* wait(2) statuses: exit codes, signals, core dumps. */
static void test_decode_signals(void **state)
{
	struct pt_wire_event w;
	struct proctrace *pt = open_started();

	make_exit(&w, 1, SIGKILL);
	fake_backend_queue(&w, sizeof(w));
	make_exit(&w, 2, SIGSEGV | 0x80);
	fake_backend_queue(&w, sizeof(w));
	make_exit(&w, 3, 3 << 8);
	fake_backend_queue(&w, sizeof(w));
	w.type = PT_WIRE_FORK;
	fake_backend_queue(&w, sizeof(w));
	assert_int_equal(proctrace_poll(pt, 0), 4);
	assert_int_equal(got.ev[0].signal, SIGKILL);
	assert_int_equal(got.ev[0].exit_code, 0);
	assert_int_equal(got.ev[0].flags, 0);
	assert_int_equal(got.ev[1].signal, SIGSEGV);
	assert_int_equal(got.ev[1].flags, PROCTRACE_EVENT_F_CORE_DUMPED);
	assert_int_equal(got.ev[2].signal, 0);
	assert_int_equal(got.ev[2].exit_code, 3);
	assert_int_equal(got.ev[3].type, PROCTRACE_EVENT_FORK);
	assert_int_equal(got.ev[3].duration_ns, 0);
	assert_int_equal(got.ev[3].exit_code, 0);
	proctrace_close(pt);
}

/*
 * Signal names: every standard signal named as glibc's sigabbrev_np()
 * names it (with "SIG"; SIGIO, which glibc calls by its alias POLL, as
 * kill -l does), nothing for the rest.
 */
static void test_signal_names(void **state)
{
	static const int32_t none[] = { 0, -1, -9, 32, 33, 34, 64, 65, 1000, INT32_MAX, INT32_MIN };
	char want[32];
	int32_t sig;
	size_t i;

	for (sig = 1; sig < SIGRTMIN && sig < 32; sig++) {
		const char *abbrev = sigabbrev_np(sig), *name = proctrace_signal_name(sig);

		if (!abbrev) {
			assert_null(name);
			continue;
		}
		snprintf(want, sizeof(want), "SIG%s", sig == SIGIO ? "IO" : abbrev);
		assert_non_null(name);
		assert_string_equal(name, want);
	}
	assert_string_equal(proctrace_signal_name(SIGKILL), "SIGKILL");
	assert_string_equal(proctrace_signal_name(SIGSEGV), "SIGSEGV");
	for (i = 0; i < sizeof(none) / sizeof(*none); i++)
		assert_null(proctrace_signal_name(none[i]));
}

static void test_decode_comm_unterminated(void **state)
{
	struct pt_wire_event w;
	struct proctrace *pt = open_started();

	make_exit(&w, 7, 0);
	memset(w.comm, 'x', sizeof(w.comm));	/* no NUL at all */
	fake_backend_queue(&w, sizeof(w));
	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_int_equal(strlen(got.ev[0].comm), PROCTRACE_COMM_LEN - 1);
	proctrace_close(pt);
}

static void test_decode_malformed(void **state)
{
	unsigned char buf[sizeof(struct pt_wire_event) + 64];
	struct pt_wire_event *w = (struct pt_wire_event *)buf;
	struct pt_wire_event good;
	struct proctrace *pt = open_started();
	size_t size;

	/* too short */
	make_exit(&good, 1, 0);
	fake_backend_queue(&good, sizeof(good) - 1);
	/* filename not NUL-terminated */
	make_exec(buf, &size, 2, 1, "x", "/bin/x");
	buf[size - 1] = 'x';
	fake_backend_queue(buf, size);
	/* filename longer than the record */
	make_exec(buf, &size, 3, 1, "x", "/bin/x");
	w->len[PT_WIRE_STR_FILENAME] = 60;
	fake_backend_queue(buf, size);
	/* no filename at all */
	make_exec(buf, &size, 4, 1, "x", "/bin/x");
	w->len[PT_WIRE_STR_FILENAME] = 0;
	fake_backend_queue(buf, size);
	/* unknown type */
	make_exit(&good, 5, 0);
	good.type = 99;
	fake_backend_queue(&good, sizeof(good));
	/* and one good record, which must still arrive */
	make_exit(&good, 6, 0);
	fake_backend_queue(&good, sizeof(good));

	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_int_equal(got.count, 1);
	assert_int_equal(got.ev[0].pid, 6);
	assert_int_equal(logged.count, 5);
	assert_non_null(strstr(logged.last, "malformed record"));
	proctrace_close(pt);
}

static void test_callback_stops_poll(void **state)
{
	struct pt_wire_event w;
	struct proctrace *pt = open_started();
	int i;

	for (i = 0; i < 3; i++) {
		make_exit(&w, 100 + (uint32_t)i, 0);
		fake_backend_queue(&w, sizeof(w));
	}
	got.stop_after = 1;
	got.stop_value = -1234;
	errno = 0;
	assert_int_equal(proctrace_poll(pt, 0), -1234);
	assert_int_equal(errno, 1234);
	assert_int_equal(got.count, 1);

	/* The rest waits for the next poll; a positive value comes back as is. */
	got.stop_after = 3;
	got.stop_value = 77;
	assert_int_equal(proctrace_poll(pt, 0), 77);
	assert_int_equal(got.count, 3);
	assert_int_equal(got.ev[2].pid, 102);

	got.stop_after = 0;
	assert_int_equal(proctrace_poll(pt, 0), 0);
	assert_int_equal(logged.count, 0);
	proctrace_close(pt);
}

/* ---- logging ---- */

static void test_set_log_returns_previous_and_silences(void **state)
{
	assert_ptr_equal(proctrace_set_log(NULL, NULL), capture_log);
	assert_null(proctrace_open(NULL, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(logged.count, 0);
	assert_null(proctrace_set_log(capture_log, NULL));
}

static void test_log_preserves_errno(void **state)
{
	struct proctrace *pt = open_default();

	/* errno after a failure is the failure's, even though we logged. */
	errno = 0;
	assert_int_equal(proctrace_poll(pt, 0), -EINVAL);
	assert_int_equal(errno, EINVAL);
	proctrace_close(pt);
}

/* ---- a bounded poll (0.3) ---- */

static void test_poll_n_bounds_delivery(void **state)
{
	struct pt_wire_event w;
	struct proctrace *pt = open_started();
	int i;

	for (i = 0; i < 5; i++) {
		make_exit(&w, 200 + (uint32_t)i, 0);
		fake_backend_queue(&w, sizeof(w));
	}
	/* 2 + 2 + 1: each call stops at its bound, none is lost or repeated. */
	assert_int_equal(proctrace_poll_n(pt, 0, 2), 2);
	assert_int_equal(fake.last_max_records, 2);
	assert_int_equal(got.count, 2);
	assert_int_equal(proctrace_poll_n(pt, 0, 2), 2);
	assert_int_equal(got.ev[3].pid, 203);
	assert_int_equal(proctrace_poll_n(pt, 0, 2), 1);
	assert_int_equal(got.ev[4].pid, 204);
	assert_int_equal(proctrace_poll_n(pt, 0, 2), 0);
	/* 0 means no bound, as proctrace_poll() passes. */
	assert_int_equal(proctrace_poll_n(pt, 0, 0), 0);
	assert_int_equal(fake.last_max_records, 0);
	assert_int_equal(proctrace_poll(pt, 0), 0);
	assert_int_equal(fake.last_max_records, 0);
	assert_int_equal(proctrace_poll_n(NULL, 0, 1), -EINVAL);
	assert_int_equal(logged.count, 1);	/* the NULL handle only */
	proctrace_close(pt);
}

/* ---- a log callback per handle (0.3) ---- */

static struct {
	int count;
	char last[1024];
} handle_logged;

static void capture_handle_log(enum proctrace_log_level level, const char *msg,
			       void *ctx)
{
	assert_ptr_equal(ctx, &handle_logged);
	handle_logged.count++;
	snprintf(handle_logged.last, sizeof(handle_logged.last), "%s", msg);
}

static void test_handle_log_gets_its_messages(void **state)
{
	PROCTRACE_OPTS(bad, .flags = 1u << 30, .log_fn = capture_handle_log,
		       .log_ctx = &handle_logged);
	PROCTRACE_OPTS(good, .log_fn = capture_handle_log, .log_ctx = &handle_logged);
	struct proctrace *pt;

	memset(&handle_logged, 0, sizeof(handle_logged));
	/* An option error goes to the handle's callback, not the global one. */
	assert_null(proctrace_open(capture_event, &got, &bad));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(handle_logged.count, 1);
	assert_non_null(strstr(handle_logged.last, "opts.flags has unknown bits"));
	assert_int_equal(logged.count, 0);

	pt = proctrace_open(capture_event, &got, &good);
	assert_non_null(pt);
	assert_ptr_equal(fake.last_params.log.fn, NULL);	/* not started yet */
	assert_int_equal(proctrace_poll(pt, 0), -EINVAL);	/* not started */
	assert_int_equal(handle_logged.count, 2);
	assert_non_null(strstr(handle_logged.last, "call proctrace_start() first"));
	assert_int_equal(proctrace_start(pt), 0);
	/* The backend gets the handle's logger for its own messages. */
	assert_ptr_equal(fake.last_params.log.fn, capture_handle_log);
	assert_ptr_equal(fake.last_params.log.ctx, &handle_logged);
	assert_int_equal(proctrace_set_min_duration(pt, 1), -EBUSY);
	assert_int_equal(handle_logged.count, 3);
	assert_int_equal(logged.count, 0);
	proctrace_close(pt);

	/* A NULL log_fn means the process-wide callback. */
	good.log_fn = NULL;
	pt = proctrace_open(capture_event, &got, &good);
	assert_non_null(pt);
	assert_int_equal(proctrace_poll(pt, 0), -EINVAL);
	assert_int_equal(handle_logged.count, 3);
	assert_warned("call proctrace_start() first");
	proctrace_close(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_version),
		T(test_open_null_callback),
		T(test_open_opts_sz_too_small),
		T(test_open_opts_sz_garbage),
		T(test_open_opts_unknown_tail),
		T(test_open_opts_older_struct),
		T(test_open_opts_passed_to_backend),
		T(test_open_opts_out_of_range),
		T(test_open_opts_defaults_and_filters),
		T(test_open_opts_01_sized),
		T(test_stats),
		T(test_features),
		T(test_decode_args),
		T(test_decode_args_malformed),
		T(test_decode_signals),
		T(test_signal_names),
		T(test_null_handle),
		T(test_poll_and_fd_before_start),
		T(test_start_twice),
		T(test_min_duration_before_and_after_start),
		T(test_start_failure_then_retry),
		T(test_poll_error_and_eintr),
		T(test_decode_exec_and_exit),
		T(test_decode_exit_codes),
		T(test_decode_comm_unterminated),
		T(test_decode_malformed),
		T(test_callback_stops_poll),
		T(test_set_log_returns_previous_and_silences),
		T(test_log_preserves_errno),
		T(test_poll_n_bounds_delivery),
		T(test_handle_log_gets_its_messages),
#undef T
	};

	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
