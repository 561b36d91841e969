/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Live tests: the real BPF program in the running kernel, with tracefs
 * unmounted, against children whose pid, filename, exit code and lifetime
 * we know.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "live-harness.h"

#define WAIT_MS 10000
#define MS 1000000ULL

static void assert_recent(uint64_t timestamp_ns)
{
	uint64_t now = now_realtime_ns();

	/* taken in the kernel, converted to the wall clock: within seconds */
	if (timestamp_ns > now + 1000 * MS || timestamp_ns + 30000 * MS < now)
		fail_msg("timestamp %llu is not close to now %llu",
			 (unsigned long long)timestamp_ns, (unsigned long long)now);
}

static void test_exec_and_exit_fields(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *ex, *ez;
	pid_t pid = spawn_child(&c, 0, 0);
	int status = reap(pid);

	assert_true(WIFEXITED(status));
	ex = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS);
	ez = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(ex);
	assert_non_null(ez);

	assert_int_equal(ex->ev.size, sizeof(struct proctrace_event));
	assert_int_equal(ex->ev.pid, pid);
	assert_int_equal(ex->ev.ppid, getpid());
	assert_string_equal(ex->ev.filename, live_child_path());
	assert_string_equal(ex->ev.comm, "pt-child");
	assert_int_equal(ex->ev.exit_code, 0);
	assert_int_equal(ex->ev.duration_ns, 0);
	assert_recent(ex->ev.timestamp_ns);

	assert_int_equal(ez->ev.pid, pid);
	assert_int_equal(ez->ev.ppid, getpid());
	assert_string_equal(ez->ev.comm, "pt-child");
	assert_null(ez->ev.filename);
	assert_int_equal(ez->ev.exit_code, 0);
	assert_true(ez->ev.duration_ns > 0);
	assert_recent(ez->ev.timestamp_ns);
	assert_true(ez->ev.timestamp_ns >= ex->ev.timestamp_ns);

	/* exactly one of each */
	collector_drain(pt, &c, 100);
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXEC), 1);
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXIT), 1);
	proctrace_close(pt);
	collector_free(&c);
}

/* uname's release as major * 100 + minor (5.10 -> 510). */
static int kernel_release(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	assert_int_equal(uname(&u), 0);
	sscanf(u.release, "%d.%d", &major, &minor);
	return major * 100 + minor;
}

/*
 * proctrace_features(): every session runs events, paths, per-process
 * state and usage, and the snapshot and failed execs when asked; with
 * PROCTRACE_OPT_COMPAT (or PROCTRACE_COMPAT=1, the compat test setup, or
 * a kernel before 5.18) process state and usage are degraded, and the
 * session still reports a child's exec and exit exactly.
 */
static void check_features_session(uint32_t flags, bool want_compat)
{
	PROCTRACE_OPTS(opts, .flags = flags);
	struct proctrace_features f = { .sz = sizeof(f) };
	const uint32_t base = PROCTRACE_FEATURE_EVENTS | PROCTRACE_FEATURE_PATHS |
			      PROCTRACE_FEATURE_PROCESS_STATE | PROCTRACE_FEATURE_USAGE;
	struct collector c = { 0 };
	const struct recorded_event *ex, *ez;
	struct proctrace *pt = live_start_opts(&c, &opts);
	pid_t pid;
	char exe[PATH_MAX];

	assert_int_equal(proctrace_features(pt, &f), 0);
	assert_int_equal(f.active, base | (flags & PROCTRACE_OPT_SNAPSHOT ?
					   PROCTRACE_FEATURE_SNAPSHOT : 0));
	assert_int_equal(f.degraded & ~f.active, 0);
	if (want_compat)
		assert_int_equal(f.degraded & (PROCTRACE_FEATURE_PROCESS_STATE |
					       PROCTRACE_FEATURE_USAGE),
				 PROCTRACE_FEATURE_PROCESS_STATE | PROCTRACE_FEATURE_USAGE);
	else
		assert_int_equal(f.degraded, 0);
	/* The compat walk goes as deep as the full one: never degraded. */
	assert_false(f.degraded & PROCTRACE_FEATURE_PATHS);

	pid = spawn_child(&c, 7, 0);
	assert_int_equal(WEXITSTATUS(reap(pid)), 7);
	ex = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS);
	ez = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(ex);
	assert_non_null(ez);
	assert_non_null(realpath(live_child_path(), exe));
	assert_non_null(ex->ev.exe);
	assert_string_equal(ex->ev.exe, exe);
	assert_int_equal(ez->ev.exit_code, 7);
	collector_drain(pt, &c, 100);
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXIT), 1);
	proctrace_close(pt);
	collector_free(&c);
}

static void test_features(void **state)
{
	const char *env = getenv("PROCTRACE_COMPAT");
	bool forced = env && !strcmp(env, "1");

	check_features_session(0, forced || kernel_release() < 518);
	check_features_session(PROCTRACE_OPT_SNAPSHOT, forced || kernel_release() < 518);
	check_features_session(PROCTRACE_OPT_COMPAT, true);
	check_features_session(PROCTRACE_OPT_COMPAT | PROCTRACE_OPT_SNAPSHOT, true);
}

static void test_exit_codes(void **state)
{
	static const int codes[] = { 0, 1, 42, 255 };
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	pid_t pids[4];
	int i;

	for (i = 0; i < 4; i++)
		pids[i] = spawn_child(&c, codes[i], 0);
	for (i = 0; i < 4; i++) {
		const struct recorded_event *r;
		int status = reap(pids[i]);

		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), codes[i]);
		r = collector_wait(pt, &c, pids[i], PROCTRACE_EVENT_EXIT, WAIT_MS);
		assert_non_null(r);
		assert_int_equal(r->ev.exit_code, codes[i]);
		assert_int_equal(r->ev.ppid, getpid());
	}
	proctrace_close(pt);
	collector_free(&c);
}

static void test_duration_covers_sleep(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *ex, *ez;
	pid_t pid = spawn_child(&c, 3, 300);

	reap(pid);
	ex = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS);
	ez = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(ex);
	assert_non_null(ez);
	assert_int_equal(ez->ev.exit_code, 3);
	if (ez->ev.duration_ns < 300 * MS || ez->ev.duration_ns > 30000 * MS)
		fail_msg("duration %llu ns for a 300 ms child",
			 (unsigned long long)ez->ev.duration_ns);
	assert_true(ez->ev.timestamp_ns - ex->ev.timestamp_ns >= 300 * MS);
	/* lifetime counts from fork, so it covers exec-to-exit */
	assert_true(ez->ev.duration_ns >= ez->ev.timestamp_ns - ex->ev.timestamp_ns);
	proctrace_close(pt);
	collector_free(&c);
}

static void test_min_duration_filter(void **state)
{
	/* A wide margin: a loaded machine may take a while to fork and exec. */
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 1000 * MS);
	const struct recorded_event *r;
	pid_t quick = spawn_child(&c, 5, 0);
	pid_t slow;

	reap(quick);
	slow = spawn_child(&c, 6, 1500);
	reap(slow);

	r = collector_wait(pt, &c, slow, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(r);
	assert_int_equal(r->ev.exit_code, 6);
	assert_true(r->ev.duration_ns >= 1500 * MS);
	/* the quick child exited first: its exit would have come before */
	collector_drain(pt, &c, 200);
	assert_int_equal(collector_count(&c, quick, 0), 0);
	assert_int_equal(collector_count(&c, slow, PROCTRACE_EVENT_EXEC), 0);
	assert_int_equal(collector_count(&c, slow, PROCTRACE_EVENT_EXIT), 1);
	proctrace_close(pt);
	collector_free(&c);
}

static void test_callback_value_stops_poll(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	pid_t pid = spawn_child(&c, 0, 0);
	int n = 0, tries;

	reap(pid);
	c.stop_on_pid = pid;
	c.stop_value = -4242;
	for (tries = 0; tries < 200 && n != -4242; tries++) {
		n = proctrace_poll(pt, 50);
		assert_true(n >= 0 || n == -4242);
	}
	assert_int_equal(n, -4242);
	/* stopped right after the exec event: the exit comes on a later poll */
	assert_int_equal(c.events[c.n_events - 1].ev.type, PROCTRACE_EVENT_EXEC);
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXIT), 0);
	c.stop_on_pid = 0;
	assert_non_null(collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * Woken for every event and tracing only our own subtree, the descriptor
 * is readable exactly when one of our events is queued: not before our
 * child runs, and then with our child's events to deliver.
 */
static void test_fd_becomes_readable(void **state)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_WAKE_EVERY_EVENT,
		       .filter_pid = getpid());
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, &opts);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int fd = proctrace_fd(pt), ep;
	pid_t pid;

	assert_true(fd >= 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	assert_int_equal(epoll_wait(ep, &out, 1, 300), 0);

	pid = spawn_child(&c, 0, 0);
	reap(pid);
	assert_int_equal(epoll_wait(ep, &out, 1, WAIT_MS), 1);
	assert_true(proctrace_poll(pt, 0) > 0);
	assert_non_null(collector_find(&c, pid, PROCTRACE_EVENT_EXEC));
	assert_non_null(collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
	close(ep);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * In the default batched mode the descriptor still becomes readable for
 * a lone event, through the library's timer: nothing else would wake it.
 * How soon is test_latency_bound_with_blocking_caller's question.
 */
static void test_fd_readable_for_a_lone_batched_event(void **state)
{
	PROCTRACE_OPTS(opts, .filter_pid = getpid(), .max_latency_ms = 20);
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, &opts);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int fd = proctrace_fd(pt), ep, tries;
	pid_t pid;

	ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	pid = spawn_child(&c, 9, 0);
	reap(pid);
	/* Only the descriptor tells us when to poll: no timed poll here. */
	for (tries = 0; tries < 500 && !collector_find(&c, pid, PROCTRACE_EVENT_EXIT); tries++) {
		assert_int_equal(epoll_wait(ep, &out, 1, WAIT_MS), 1);
		assert_true(proctrace_poll(pt, 0) >= 0);
	}
	assert_int_equal(collector_find(&c, pid, PROCTRACE_EVENT_EXIT)->ev.exit_code, 9);
	close(ep);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * The latency bound itself.  With max_latency_ms = 20, a caller that
 * blocks in epoll_wait() on proctrace_fd() without a timeout, and drains
 * only when it is readable, gets each of LATENCY_EVENTS exits within
 * LATENCY_P95_MS of the exit at the 95th percentile: the drain timer's
 * period plus room for scheduling on a busy machine.  Without the timer
 * nothing wakes the caller (these few events never fill the ring), and
 * with a slower timer the percentile exceeds the bound: both fail.
 */
#define LATENCY_EVENTS 200
#define LATENCY_BOUND_MS 20
#define LATENCY_P95_MS 40
/* Once the spawner has exited: 100 times the bound. */
#define LATENCY_GIVE_UP_MS 2000

struct latency_probe {
	pid_t spawner;
	int64_t lat_ns[LATENCY_EVENTS];
	int n;
};

static int latency_cb(const struct proctrace_event *e, void *ctx)
{
	struct latency_probe *lp = ctx;

	if (e->type == PROCTRACE_EVENT_EXIT && e->ppid == lp->spawner &&
	    lp->n < LATENCY_EVENTS)
		lp->lat_ns[lp->n++] = (int64_t)(now_realtime_ns() - e->timestamp_ns);
	return 0;
}

/* LATENCY_EVENTS children, one every 2 ms, each exiting at once. */
static pid_t fork_spawner(void)
{
	static const struct timespec pause = { .tv_nsec = 2000000 };
	pid_t spawner = fork();
	int i;

	if (spawner != 0)
		return spawner;
	for (i = 0; i < LATENCY_EVENTS; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			_exit(1);
		nanosleep(&pause, NULL);
	}
	_exit(0);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* One measured run; the exact checks fail at once, the p95 is returned. */
static int64_t latency_run(void)
{
	PROCTRACE_OPTS(opts, .filter_pid = getpid(), .max_latency_ms = LATENCY_BOUND_MS);
	struct proctrace_stats stats = { .sz = sizeof(stats) };
	struct latency_probe lp = { 0 };
	struct proctrace *pt = live_open_started(latency_cb, &lp, &opts);
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	int64_t give_up_at = 0, p95;
	int ep, pidfd, n, i, status;

	lp.spawner = fork_spawner();
	assert_true(lp.spawner > 0);
	pidfd = (int)syscall(SYS_pidfd_open, lp.spawner, 0);
	assert_true(pidfd >= 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	assert_true(ep >= 0);
	ev.data.fd = proctrace_fd(pt);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev), 0);
	ev.data.fd = pidfd;
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev), 0);

	while (lp.n < LATENCY_EVENTS) {
		int timeout = -1;	/* until the spawner is done: no timeout */

		if (give_up_at) {
			int64_t left = give_up_at - (int64_t)(now_realtime_ns() / MS);

			if (left <= 0)
				break;
			timeout = (int)left;
		}
		n = epoll_wait(ep, out, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n >= 0);
		for (i = 0; i < n; i++) {
			if (out[i].data.fd == pidfd) {
				give_up_at = (int64_t)(now_realtime_ns() / MS) + LATENCY_GIVE_UP_MS;
				assert_int_equal(epoll_ctl(ep, EPOLL_CTL_DEL, pidfd, NULL), 0);
			} else {
				assert_true(proctrace_poll(pt, 0) >= 0);
			}
		}
	}
	status = reap(lp.spawner);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(proctrace_stats(pt, &stats), 0);
	close(pidfd);
	close(ep);
	proctrace_close(pt);

	if (lp.n != LATENCY_EVENTS)
		fail_msg("%d of %d exit events delivered within %d ms after the last one "
			 "(the caller blocks without a timeout: only the library's drain "
			 "timer wakes it)", lp.n, LATENCY_EVENTS, LATENCY_GIVE_UP_MS);
	assert_int_equal(stats.events_lost, 0);
	qsort(lp.lat_ns, LATENCY_EVENTS, sizeof(*lp.lat_ns), cmp_i64);
	p95 = lp.lat_ns[LATENCY_EVENTS * 95 / 100 - 1];
	printf("max_latency_ms=%d: exit-to-callback p50 %.1f ms, p95 %.1f ms, max %.1f ms\n",
	       LATENCY_BOUND_MS, lp.lat_ns[LATENCY_EVENTS / 2 - 1] / 1e6, p95 / 1e6,
	       lp.lat_ns[LATENCY_EVENTS - 1] / 1e6);
	return p95;
}

/*
 * The bound itself.  Every run must deliver every exit with nothing lost
 * (exact); the p95 must be under the bound in one of three runs, so that a
 * moment of load on a shared machine (another job's burst stalls the
 * reader for a second) does not fail it, while a drain timer that is
 * missing or slow, which makes every run miss by far, still does.
 */
static void test_latency_bound_with_blocking_caller(void **state)
{
	int64_t p95 = 0;
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		p95 = latency_run();
		if (p95 < (int64_t)(LATENCY_P95_MS * MS))
			return;
	}
	fail_msg("p95 exit-to-callback latency %.1f ms (and over the bound in each of %d runs), "
		 "bound %d ms for max_latency_ms=%d",
		 p95 / 1e6, attempt, LATENCY_P95_MS, LATENCY_BOUND_MS);
}

static struct {
	int count;
	char last[512];
} child_log;

static void record_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
	if (level != PROCTRACE_LOG_WARN)
		return;
	child_log.count++;
	snprintf(child_log.last, sizeof(child_log.last), "%s", msg);
}

static int ignore(const struct proctrace_event *e, void *ctx)
{
	return 0;
}

/*
 * Runs in a child that gave up root: proctrace_start() must fail with
 * EPERM and one message that says what is needed.  Returns the child's
 * exit code: 0 when everything held.
 */
static int start_unprivileged(void)
{
	struct proctrace *pt;
	int err;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return 10;
	if (geteuid() != 65534)
		return 11;
	proctrace_set_log(record_log, NULL);
	pt = proctrace_open(ignore, NULL, NULL);
	if (!pt)
		return 12;
	errno = 0;
	err = proctrace_start(pt);
	if (err != -EPERM || errno != EPERM)
		return 13;
	if (child_log.count != 1 || !strstr(child_log.last, "root or CAP_BPF+CAP_PERFMON"))
		return 14;
	if (proctrace_poll(pt, 0) != -EINVAL)
		return 15;
	proctrace_close(pt);
	return 0;
}

static void test_unprivileged_gets_eperm(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(start_unprivileged());
	status = reap(pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_missing_btf_path(void **state)
{
	PROCTRACE_OPTS(opts, .btf_path = "/nonexistent/proctrace/vmlinux");
	struct proctrace *pt = proctrace_open(ignore, NULL, &opts);

	assert_non_null(pt);
	proctrace_set_log(record_log, NULL);
	child_log.count = 0;
	errno = 0;
	assert_int_equal(proctrace_start(pt), -ENOENT);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(child_log.count, 1);
	assert_non_null(strstr(child_log.last, "/nonexistent/proctrace/vmlinux"));
	assert_int_equal(proctrace_poll(pt, 0), -EINVAL);
	proctrace_set_log(proctrace_log_stderr, NULL);
	proctrace_close(pt);
}

static void test_wrong_order_when_live(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);

	proctrace_set_log(record_log, NULL);
	child_log.count = 0;
	assert_int_equal(proctrace_start(pt), -EALREADY);
	assert_int_equal(proctrace_set_min_duration(pt, MS), -EBUSY);
	assert_int_equal(child_log.count, 2);
	proctrace_set_log(proctrace_log_stderr, NULL);
	/* still working after the refused calls */
	pid_t pid = spawn_child(&c, 9, 0);
	reap(pid);
	const struct recorded_event *r =
		collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(r);
	assert_int_equal(r->ev.exit_code, 9);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * A 300-byte path (longer than the 127 bytes the seed kept) through a
 * symlink: the exec event has the name as passed, and comm is its last
 * component cut to 15 bytes, as the kernel sets it.
 */
static void test_long_path(void **state)
{
	char dir[] = "/tmp/proctrace-live-XXXXXX";
	char path[PATH_MAX + 64], sub[PATH_MAX / 2];
	struct collector c = { 0 };
	struct proctrace *pt;
	const struct recorded_event *r;
	char *argv[] = { "x", "7", NULL };
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/%0200d", dir, 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	/* pad the last component so that the whole path is 300 bytes */
	snprintf(path, sizeof(path), "%s/a-child-with-a-long-name-%0*d", sub,
		 (int)(300 - strlen(sub) - strlen("/a-child-with-a-long-name-")), 0);
	assert_int_equal(strlen(path), 300);
	assert_int_equal(symlink(live_child_path(), path), 0);

	pt = live_start(&c, 0);
	pid = spawn(path, argv);
	collector_watch(&c, pid);
	reap(pid);
	r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS);
	assert_non_null(r);
	assert_string_equal(r->ev.filename, path);
	assert_string_equal(r->ev.comm, "a-child-with-a-");
	r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(r);
	assert_int_equal(r->ev.exit_code, 7);

	proctrace_close(pt);
	collector_free(&c);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_and_exit_fields),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_duration_covers_sleep),
		cmocka_unit_test(test_min_duration_filter),
		cmocka_unit_test(test_callback_value_stops_poll),
		cmocka_unit_test(test_fd_becomes_readable),
		cmocka_unit_test(test_fd_readable_for_a_lone_batched_event),
		cmocka_unit_test(test_latency_bound_with_blocking_caller),
		cmocka_unit_test(test_unprivileged_gets_eperm),
		cmocka_unit_test(test_missing_btf_path),
		cmocka_unit_test(test_wrong_order_when_live),
		cmocka_unit_test(test_long_path),
	};

	live_prepare();
	return cmocka_run_group_tests_name("live", tests, NULL, NULL);
}
