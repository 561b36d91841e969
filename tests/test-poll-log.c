/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Live tests of two 0.3 capabilities: a log callback per handle (two
 * handles started at once on two threads, each message at its own
 * callback only, libbpf's print hook left alone) and a bounded poll
 * (proctrace_poll_n() returns after its bound while events keep coming
 * faster than a slow callback takes them).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <bpf/libbpf.h>

#include <proctrace/proctrace.h>

#include "live-harness.h"

/* ---- a log callback per handle ---- */

#define MAX_LINES 64

struct handle_run {
	uint32_t ring_size;
	pthread_t thread;
	pthread_barrier_t *barrier;
	char lines[MAX_LINES][512];
	int n_lines;
	int wrong_thread;	/* messages that arrived on another thread */
	int start_err;
	int busy_err;
};

static void handle_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
	struct handle_run *run = ctx;

	if (!pthread_equal(pthread_self(), run->thread))
		run->wrong_thread++;
	if (run->n_lines < MAX_LINES)
		snprintf(run->lines[run->n_lines++], sizeof(run->lines[0]), "%s", msg);
}

static int global_lines;

static void global_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
	__atomic_add_fetch(&global_lines, 1, __ATOMIC_SEQ_CST);
}

static int ignore_event(const struct proctrace_event *e, void *ctx)
{
	return 0;
}

/* One thread's session; asserts happen on the main thread (cmocka). */
static void *run_handle(void *arg)
{
	struct handle_run *run = arg;
	PROCTRACE_OPTS(opts, .ring_buffer_size = run->ring_size,
		       .log_fn = handle_log, .log_ctx = run);
	struct proctrace *pt;

	pt = proctrace_open(ignore_event, NULL, &opts);
	if (!pt) {
		run->start_err = -errno;
		return NULL;
	}
	pthread_barrier_wait(run->barrier);	/* both load at the same time */
	run->start_err = proctrace_start(pt);
	if (!run->start_err) {
		proctrace_poll_n(pt, 0, 1);
		/* A warning of our own making, after the start. */
		run->busy_err = proctrace_set_min_duration(pt, 1);
	}
	proctrace_close(pt);
	return NULL;
}

static bool has_line(const struct handle_run *run, const char *needle)
{
	int i;

	for (i = 0; i < run->n_lines; i++)
		if (strstr(run->lines[i], needle))
			return true;
	return false;
}

static void test_two_handles_two_threads(void **state)
{
	static struct handle_run runs[2];
	pthread_barrier_t barrier;
	char own[64], other[64];
	int i;

	memset(runs, 0, sizeof(runs));
	global_lines = 0;
	proctrace_set_log(global_log, NULL);
	pthread_barrier_init(&barrier, NULL, 2);
	runs[0].ring_size = 1u << 17;
	runs[1].ring_size = 1u << 18;
	for (i = 0; i < 2; i++) {
		runs[i].barrier = &barrier;
		assert_int_equal(pthread_create(&runs[i].thread, NULL, run_handle,
						&runs[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(runs[i].thread, NULL), 0);
	pthread_barrier_destroy(&barrier);
	proctrace_set_log(proctrace_log_stderr, NULL);

	for (i = 0; i < 2; i++) {
		if (runs[i].start_err)
			fail_msg("handle %d: start failed: %s", i, strerror(-runs[i].start_err));
		assert_int_equal(runs[i].busy_err, -EBUSY);
		assert_int_equal(runs[i].wrong_thread, 0);
		/* Its own start line (its ring size) and its own warning... */
		snprintf(own, sizeof(own), "ring buffer %u bytes", runs[i].ring_size);
		snprintf(other, sizeof(other), "ring buffer %u bytes", runs[1 - i].ring_size);
		if (!has_line(&runs[i], own))
			fail_msg("handle %d never got '%s' (%d lines)", i, own, runs[i].n_lines);
		assert_true(has_line(&runs[i], "proctrace_set_min_duration: the session is "
				     "already started"));
		/* ...and nothing of the other handle's. */
		if (has_line(&runs[i], other))
			fail_msg("handle %d got the other handle's '%s'", i, other);
	}
	/* The process-wide callback heard nothing. */
	assert_int_equal(global_lines, 0);
}

/*
 * libbpf's print hook is the application's: a handle with its own log
 * callback leaves it in place while it loads (so libbpf's own debug lines
 * reach it), where a handle on the process-wide callback borrows it as
 * 0.2 did.
 */
static int app_hook_calls;

static int app_libbpf_hook(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	app_hook_calls++;
	return 0;
}

static void silent_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
}

static void test_libbpf_print_hook_untouched(void **state)
{
	PROCTRACE_OPTS(own, .log_fn = silent_log);
	struct proctrace *pt;

	libbpf_set_print(app_libbpf_hook);
	app_hook_calls = 0;
	pt = live_open_started(ignore_event, NULL, &own);
	proctrace_close(pt);
	assert_true(app_hook_calls > 0);
	assert_ptr_equal(libbpf_set_print(app_libbpf_hook), app_libbpf_hook);

	/* The 0.2 way, for comparison: the hook is borrowed, then given back. */
	app_hook_calls = 0;
	proctrace_set_log(silent_log, NULL);
	pt = live_open_started(ignore_event, NULL, NULL);
	proctrace_close(pt);
	proctrace_set_log(proctrace_log_stderr, NULL);
	assert_int_equal(app_hook_calls, 0);
	assert_ptr_equal(libbpf_set_print(NULL), app_libbpf_hook);
}

/* ---- a bounded poll ---- */

/*
 * Forks short-lived children until killed: a steady stream of exits.
 * It waits for a byte on @go_fd (sent once tracing has started), forks
 * a first BURST children, reports that on @done_fd, and goes on, so that
 * a backlog is queued whatever the machine's speed (a sanitizer build or
 * a busy machine forks slowly) and the stream keeps flowing.
 */
#define BURST 300

static pid_t start_storm(int go_fd, int done_fd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char c = 1;
		int n;

		if (read(go_fd, &c, 1) != 1)
			_exit(1);
		for (n = 0;; n++) {
			pid_t child = fork();

			if (child == 0)
				_exit(0);
			if (child > 0)
				waitpid(child, NULL, 0);
			if (n == BURST && write(done_fd, &c, 1) != 1)
				_exit(1);
		}
	}
	return pid;
}

struct slow {
	pid_t storm;
	int delivered;		/* every event: the filter keeps only the storm's */
	int this_call;		/* events in the poll call in progress */
	bool slow;
};

static int slow_event(const struct proctrace_event *e, void *ctx)
{
	struct slow *s = ctx;
	/*
	 * 5 ms: far slower than the stream.  Under instruction emulation (the
	 * kernel matrix sets PT_EMULATED, docs/kernels.md) the fork storm is
	 * ten or more times slower, and so is the callback.
	 */
	struct timespec ms = { 0, getenv("PT_EMULATED") ? 50000000 : 5000000 };

	s->delivered++;
	if (s->slow) {
		nanosleep(&ms, NULL);	/* 5 ms: far slower than the stream */
		/* An unbounded drain would never end: stop it, to fail clearly. */
		if (++s->this_call > 100)
			return -ELOOP;
	}
	return 0;
}

#define ROUNDS 20

static void test_poll_n_returns_under_a_stream(void **state)
{
	struct slow s = { .slow = true };
	int got[ROUNDS], got_cb[ROUNDS];
	int go[2], done[2], i, n, total = 0, full = 0;
	struct proctrace *pt;
	char c = 1;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	s.storm = start_storm(go[0], done[1]);
	{
		PROCTRACE_OPTS(opts, .filter_pid = s.storm);

		pt = live_open_started(slow_event, &s, &opts);
	}
	/* Let a backlog of BURST exits build up; the stream goes on. */
	assert_int_equal(write(go[1], &c, 1), 1);
	assert_int_equal(read(done[0], &c, 1), 1);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	for (i = 0; i < ROUNDS; i++) {
		int before = s.delivered;

		s.this_call = 0;
		got[i] = proctrace_poll_n(pt, 1000, 10);
		got_cb[i] = s.delivered - before;
	}
	kill(s.storm, SIGKILL);
	waitpid(s.storm, NULL, 0);
	/*
	 * Each call stopped at its bound although more was queued.  A call
	 * may also return early, with fewer: libbpf stops a drain at a
	 * record another CPU is still writing.  Most calls must hit the
	 * bound, though, or the stream did not outrun the callback.
	 */
	for (i = 0; i < ROUNDS; i++) {
		if (got[i] < 1 || got[i] > 10 || got_cb[i] != got[i])
			fail_msg("call %d returned %d after %d callbacks; expected 1 to 10",
				 i, got[i], got_cb[i]);
		full += got[i] == 10;
		total += got[i];
	}
	if (full < ROUNDS / 2)
		fail_msg("only %d of %d calls reached their bound of 10", full, ROUNDS);
	/* ...and more was queued: the stream really outran the callback. */
	s.slow = false;
	n = proctrace_poll(pt, 0);
	if (n <= 10)
		fail_msg("only %d events left after the bounded calls", n);
	total += n;
	assert_int_equal(total, s.delivered);
	proctrace_close(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_handles_two_threads),
		cmocka_unit_test(test_libbpf_print_hook_untouched),
		cmocka_unit_test(test_poll_n_returns_under_a_stream),
	};

	live_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
