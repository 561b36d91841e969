/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The subtree filter and a thread its root had before tracing started
 * (live, suite root): that thread execs once tracing runs.
 *
 * Where the kernel gives a pidfd for a thread (Linux 6.9+), the library
 * marks the thread at start: the exec and the exit of the process are
 * reported, with the root's pid.  Before 6.9 it cannot: proctrace_start()
 * says so in one warning that names 6.9, and after the exec the process
 * has left the subtree (docs/design.md, "Known limits"): nothing of it is
 * reported.  The kernel matrix runs this on 6.1 and 6.12 (docs/kernels.md),
 * so both ways are checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "live-harness.h"

#define WAIT_MS 5000

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL	/* Linux 6.9 */
#endif

static char warnings[4096];

static void keep_warnings(enum proctrace_log_level level, const char *msg, void *ctx)
{
	size_t len = strlen(warnings);

	(void)ctx;
	if (level == PROCTRACE_LOG_WARN)
		snprintf(warnings + len, sizeof(warnings) - len, "%s\n", msg);
}

/* Does this kernel give a pidfd for a thread (6.9+)? */
static int kernel_has_thread_pidfds(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), PIDFD_THREAD);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	assert_int_equal(errno, EINVAL);
	return 0;
}

static void test_thread_from_before_start_execs(void **state)
{
	const char *proc = getenv("PT_PROC");
	char *argv[] = { "pt-proc", "thread-exec-wait", (char *)live_child_path(),
			 "pt-child", "4", NULL };
	int has = kernel_has_thread_pidfds();
	struct collector c = { 0 };
	const struct recorded_event *r;
	struct proctrace *pt;
	int in[2], out[2];
	pid_t pid, tid;

	(void)state;
	if (!proc)
		fail_msg("PT_PROC is not set to the pt-proc helper");
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		execv(proc, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* The thread exists before tracing starts. */
	tid = (pid_t)read_number(out[0]);
	close(out[0]);
	assert_int_not_equal(tid, pid);

	warnings[0] = '\0';
	PROCTRACE_OPTS(opts, .filter_pid = pid, .log_fn = keep_warnings);
	pt = live_start_opts(&c, &opts);
	{
		/*
		 * The compat programs mark the root's threads from the kernel
		 * (a task iterator), on any kernel: as with thread pidfds.
		 */
		struct proctrace_features f = { .sz = sizeof(f) };

		assert_int_equal(proctrace_features(pt, &f), 0);
		if (f.degraded & PROCTRACE_FEATURE_PROCESS_STATE)
			has = 1;
	}
	collector_watch(&c, pid);
	collector_watch(&c, tid);
	printf("kernel %s thread pidfds; warnings at start: %s\n",
	       has ? "has" : "has no", warnings[0] ? warnings : "none\n");

	assert_int_equal(write(in[1], "x", 1), 1);
	close(in[1]);
	assert_int_equal(reap(pid), 4 << 8);

	if (has) {
		assert_string_equal(warnings, "");
		r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
		assert_non_null(r);
		assert_int_equal(r->ev.exit_code, 4);
		assert_string_equal(r->ev.comm, "pt-child");
		assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXEC), 1);
		r = collector_find(&c, pid, PROCTRACE_EVENT_EXEC);
		assert_string_equal(r->ev.filename, live_child_path());
		assert_int_equal(r->ev.args_count, 2);
		assert_string_equal(r->ev.args[0], "pt-child");
		assert_string_equal(r->ev.args[1], "4");
		collector_drain(pt, &c, 300);
		assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXIT), 1);
	} else {
		char want[256];

		snprintf(want, sizeof(want),
			 "proctrace_start: filter_pid %d: its 1 other thread(s) "
			 "cannot be marked (that needs Linux 6.9 or later): if one of them "
			 "calls exec, the process leaves the subtree\n", (int)pid);
		assert_string_equal(warnings, want);
		collector_drain(pt, &c, 1000);
		assert_int_equal(collector_count(&c, pid, 0), 0);
	}
	assert_int_equal(collector_count(&c, tid, 0), 0);
	proctrace_close(pt);
	collector_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_from_before_start_execs),
	};

	live_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
