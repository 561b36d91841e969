/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Privileges (live, suite root), each session in a child process:
 *  - least privilege: as user 65534 holding only CAP_BPF and CAP_PERFMON,
 *    a session traces its own children with exact events, reads its
 *    stats, and proctrace_close() leaves none of its BPF objects behind;
 *  - what is missing: with only one of the two, or neither, start fails
 *    with EPERM and one message naming what this process lacks;
 *  - nothing needed after start: a session started as root keeps working
 *    (events, stats, close) after the process became user 65534 with every
 *    capability set empty (bounding and ambient too) and no_new_privs.
 * The parent, still root, reads which BPF objects the child holds
 * (/proc/PID/fdinfo) once it has started, and checks that every one is
 * gone after the child's proctrace_close(), while the child still lives:
 * gone because of close, not because the process ended.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf-objects.h"
#include "caps.h"
#include "live-harness.h"

#define NOBODY 65534
#define WAIT_MS 20000
/* Spawned by the session child: exit codes FIRST_CODE, FIRST_CODE + 1, ... */
#define CHILDREN 3
#define FIRST_CODE 41

/* A copy of pt-child that user 65534 can execute, wherever the build is. */
static char child_copy[PATH_MAX];
static char child_dir[] = "/tmp/proctrace-privs-XXXXXX";

/* ---- the session child: plain checks, no cmocka (it is a fork) ---- */

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "child %d: %s:%d: check failed: %s\n", \
				(int)getpid(), __FILE__, __LINE__, #cond);   \
			return 1;                                            \
		}                                                            \
	} while (0)

static struct {
	int warnings;
	char last[1024];
} child_log;

static void record_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
	if (level != PROCTRACE_LOG_WARN)
		return;
	child_log.warnings++;
	snprintf(child_log.last, sizeof(child_log.last), "%s", msg);
}

/* The events of the one child being watched; anything else is counted. */
struct watch {
	pid_t pid;
	int execs, exits, unexpected;
	struct proctrace_event exec, exit;
	char filename[PATH_MAX];
	char args[3][16];
	uint32_t args_count;
};

static int watch_cb(const struct proctrace_event *e, void *ctx)
{
	struct watch *w = ctx;
	uint32_t i;

	if (e->pid != w->pid) {
		w->unexpected++;
		return 0;
	}
	if (e->type == PROCTRACE_EVENT_EXEC) {
		w->execs++;
		w->exec = *e;
		snprintf(w->filename, sizeof(w->filename), "%s", e->filename ? e->filename : "");
		w->args_count = e->args_count;
		for (i = 0; i < e->args_count && i < 3; i++)
			snprintf(w->args[i], sizeof(w->args[i]), "%s", e->args[i]);
	} else if (e->type == PROCTRACE_EVENT_EXIT) {
		w->exits++;
		w->exit = *e;
	} else {
		w->unexpected++;
	}
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int send_char(int fd, char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -1;
}

static int send_byte(int fd)
{
	return send_char(fd, 'x');
}

/* The byte read from @fd, or -1. */
static int read_char(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : -1;
}

static int wait_byte(int fd)
{
	return read_char(fd) < 0 ? -1 : 0;
}

/* Runs pt-child with @code; checks its exec and exit events exactly. */
static int traced_child(struct proctrace *pt, struct watch *w, int code, uid_t uid)
{
	char code_arg[16];
	char *argv[] = { "pt-child", code_arg, "0", NULL };
	uint64_t deadline;
	int status, n;
	pid_t pid;

	snprintf(code_arg, sizeof(code_arg), "%d", code);
	memset(w, 0, sizeof(*w));
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execv(child_copy, argv);
		_exit(127);
	}
	w->pid = pid;
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == code);
	for (deadline = now_ms() + WAIT_MS; !w->exits && now_ms() < deadline;) {
		n = proctrace_poll(pt, 50);
		CHECK(n >= 0 || n == -EINTR);
	}
	CHECK(w->execs == 1);
	CHECK(w->exits == 1);
	CHECK(w->unexpected == 0);
	CHECK(w->exec.ppid == getpid());
	CHECK(w->exec.uid == uid && w->exec.gid == uid);
	CHECK(!strcmp(w->filename, child_copy));
	CHECK(w->args_count == 3);
	CHECK(!strcmp(w->args[0], "pt-child") && !strcmp(w->args[1], code_arg) &&
	      !strcmp(w->args[2], "0"));
	CHECK(w->exit.exit_code == code && w->exit.signal == 0);
	CHECK(w->exit.uid == uid);
	return 0;
}

enum plan {
	LEAST_PRIVILEGE,	/* 65534 with CAP_BPF+CAP_PERFMON from the start */
	DROP_AFTER_START,	/* root to start, then 65534 with nothing */
};

/* Every set empty, no_new_privs, 65534 everywhere: what /proc says. */
static int check_dropped(void)
{
	static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	char groups[256];
	size_t i;
	int k;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		CHECK(caps_status_set(0, sets[i]) == 0);
	CHECK(caps_status_number(0, "NoNewPrivs", 0) == 1);
	for (k = 0; k < 4; k++) {
		CHECK(caps_status_number(0, "Uid", k) == NOBODY);
		CHECK(caps_status_number(0, "Gid", k) == NOBODY);
	}
	CHECK(caps_status_groups(0, groups, sizeof(groups)) == 0 && !groups[0]);
	return 0;
}

static int session_child(enum plan plan, int to_parent, int from_parent)
{
	const uint64_t bpf_perfmon = CAP_MASK(CAP_BPF) | CAP_MASK(CAP_PERFMON);
	PROCTRACE_OPTS(opts, .filter_pid = getpid());
	struct proctrace_features f = { .sz = sizeof(f) };
	struct proctrace_stats s;
	struct proctrace *pt;
	struct watch w;
	uid_t uid = 0;
	int i, err;

	proctrace_set_log(record_log, NULL);
	if (plan == LEAST_PRIVILEGE) {
		CHECK(caps_become_user(NOBODY, NOBODY, bpf_perfmon) == 0);
		CHECK(caps_status_set(0, "CapEff") == (int64_t)bpf_perfmon);
		CHECK(caps_status_set(0, "CapPrm") == (int64_t)bpf_perfmon);
		CHECK(caps_status_number(0, "Uid", 1) == NOBODY);
		uid = NOBODY;
	}
	pt = proctrace_open(watch_cb, &w, &opts);
	CHECK(pt);
	memset(&w, 0, sizeof(w));
	err = proctrace_start(pt);
	if (err)
		fprintf(stderr, "child: proctrace_start: %s (%s)\n", strerror(-err), child_log.last);
	CHECK(err == 0);
	CHECK(child_log.warnings == 0);
	/*
	 * The parent records the BPF objects we hold: 'c' tells it that the
	 * compat programs run (PROCESS_STATE degraded), which hold more.
	 */
	CHECK(proctrace_features(pt, &f) == 0);
	CHECK(send_char(to_parent, f.degraded & PROCTRACE_FEATURE_PROCESS_STATE ?
			'c' : 'x') == 0 && wait_byte(from_parent) == 0);

	if (plan == DROP_AFTER_START) {
		CHECK(caps_drop_all(NOBODY, NOBODY) == 0);
		CHECK(check_dropped() == 0);
		uid = NOBODY;
	}
	for (i = 0; i < CHILDREN; i++)
		CHECK(traced_child(pt, &w, FIRST_CODE + i, uid) == 0);

	memset(&s, 0xa5, sizeof(s));
	s.sz = sizeof(s);
	err = proctrace_stats(pt, &s);
	if (err)
		fprintf(stderr, "child: proctrace_stats: %s (%s)\n", strerror(-err), child_log.last);
	CHECK(err == 0);
	CHECK(s.events_delivered == 2 * CHILDREN);
	CHECK(s.events_lost == 0 && s.lost_ring_full == 0 && s.lost_other == 0 &&
	      s.lost_malformed == 0);
	CHECK(proctrace_fd(pt) >= 0);
	proctrace_close(pt);
	CHECK(child_log.warnings == 0);
	/* The parent checks that our objects are gone, while we still live. */
	CHECK(send_byte(to_parent) == 0 && wait_byte(from_parent) == 0);
	return 0;
}

/* ---- the parent ---- */

static void run_session(enum plan plan)
{
	int up[2], down[2], status, left, variant;
	struct bpf_objects held = { 0 };
	size_t p, l, m;
	pid_t pid;

	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		_exit(session_child(plan, up[1], down[0]));
	}
	close(up[1]);
	close(down[0]);

	if ((variant = read_char(up[0])) >= 0) {
		assert_int_equal(bpf_objects_of_pid(pid, &held), 0);
		printf("the session holds %zu programs, %zu links, %zu maps%s\n",
		       held.progs.n, held.links.n, held.maps.n,
		       variant == 'c' ? " (compat)" : "");
		/*
		 * exec, exit, fork (the subtree filter) and task_rename (the
		 * credentials before an exec), each with a link; compat: also
		 * free, with a link, and the root's marking iterator, whose
		 * link is gone once it ran.
		 */
		assert_int_equal(held.progs.n, variant == 'c' ? 6 : 4);
		assert_int_equal(held.links.n, variant == 'c' ? 5 : 4);
		assert_true(held.maps.n >= 5);
		assert_int_equal(send_byte(down[1]), 0);
		if (wait_byte(up[0]) == 0) {
			left = bpf_objects_wait_gone(&held, 5000, &p, &l, &m);
			assert_true(left >= 0);
			printf("after proctrace_close(): %zu programs, %zu links, %zu maps "
			       "of the session still exist\n", p, l, m);
			assert_int_equal(left, 0);
			assert_int_equal(send_byte(down[1]), 0);
		}
	}
	close(up[0]);
	close(down[1]);
	status = reap(pid);
	bpf_objects_free(&held);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the session child failed (status 0x%x; its reason is on stderr)",
			 status);
}

static void test_least_privilege(void **state)
{
	run_session(LEAST_PRIVILEGE);
}

static void test_nothing_needed_after_start(void **state)
{
	run_session(DROP_AFTER_START);
}

/* As 65534 with @caps only: EPERM, and one message naming @missing. */
static int start_without(uint64_t caps, const char *missing)
{
	char expected[256];
	struct proctrace *pt;
	struct watch w;
	int err;

	proctrace_set_log(record_log, NULL);
	CHECK(caps_become_user(NOBODY, NOBODY, caps) == 0);
	CHECK(caps_status_set(0, "CapEff") == (int64_t)caps);
	pt = proctrace_open(watch_cb, &w, NULL);
	CHECK(pt);
	errno = 0;
	err = proctrace_start(pt);
	CHECK(err == -EPERM && errno == EPERM);
	snprintf(expected, sizeof(expected), "proctrace_start: loading the BPF program was "
		 "refused: it needs root or CAP_BPF+CAP_PERFMON; this process lacks %s",
		 missing);
	if (child_log.warnings != 1 || strcmp(child_log.last, expected))
		fprintf(stderr, "child: %d warnings, the last: '%s'\nexpected: '%s'\n",
			child_log.warnings, child_log.last, expected);
	CHECK(child_log.warnings == 1);
	CHECK(!strcmp(child_log.last, expected));
	proctrace_close(pt);
	return 0;
}

static void test_missing_capability_is_named(void **state)
{
	static const struct {
		uint64_t caps;
		const char *missing;
	} cases[] = {
		{ 0, "CAP_BPF and CAP_PERFMON" },
		{ CAP_MASK(CAP_BPF), "CAP_PERFMON" },
		{ CAP_MASK(CAP_PERFMON), "CAP_BPF" },
		/* Capabilities that do not help are not mistaken for them. */
		{ CAP_MASK(CAP_NET_ADMIN) | CAP_MASK(CAP_SYS_PTRACE) | CAP_MASK(CAP_BPF),
		  "CAP_PERFMON" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid;
		int status;

		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(start_without(cases[i].caps, cases[i].missing));
		status = reap(pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("with capabilities 0x%llx: the child failed (status 0x%x)",
				 (unsigned long long)cases[i].caps, status);
		printf("with capabilities 0x%llx only: EPERM, lacks %s\n",
		       (unsigned long long)cases[i].caps, cases[i].missing);
	}
}

static int setup(void **state)
{
	char cmd[2 * PATH_MAX + 32];

	if (!mkdtemp(child_dir) || chmod(child_dir, 0755))
		return -1;
	snprintf(child_copy, sizeof(child_copy), "%s/pt-child", child_dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", live_child_path(), child_copy);
	if (system(cmd) != 0 || chmod(child_copy, 0755))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	unlink(child_copy);
	rmdir(child_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_least_privilege),
		cmocka_unit_test(test_missing_capability_is_named),
		cmocka_unit_test(test_nothing_needed_after_start),
	};

	live_prepare();
	return cmocka_run_group_tests(tests, setup, teardown);
}
