/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Live tests of the process lifecycle as wait(2) sees it: one exit per
 * process when its last thread ends, signals, exec from a thread,
 * durations from fork, the exec details (arguments, ids, namespaces,
 * cgroup), fork events and the in-kernel filters.  Each test starts its
 * own session and asserts exact values for its own children only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "live-harness.h"

#define WAIT_MS 5000
#define MS 1000000ULL
#define NOBODY 65534

static const char *proc_path(void)
{
	const char *p = getenv("PT_PROC");

	if (!p)
		fail_msg("PT_PROC is not set to the pt-proc helper");
	return p;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The exit event of @pid, after making sure no second one follows. */
static const struct recorded_event *the_exit(struct proctrace *pt,
					     struct collector *c, pid_t pid)
{
	const struct recorded_event *r =
		collector_wait(pt, c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);

	assert_non_null(r);
	collector_drain(pt, c, 150);
	assert_int_equal(collector_count(c, pid, PROCTRACE_EVENT_EXIT), 1);
	/* collector_drain may have grown the array: look it up again. */
	return collector_find(c, pid, PROCTRACE_EVENT_EXIT);
}

/*
 * The main thread calls pthread_exit() at once; another thread exits the
 * process with 7 after 150 ms.  One exit, code 7, when that thread ends.
 */
static void test_leader_exits_first(void **state)
{
	char *argv[] = { "pt-proc", "leader-first", "7", "150", NULL };
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	pid_t pid;
	int status;

	pid = spawn(proc_path(), argv);
	collector_watch(&c, pid);
	status = reap(pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);

	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.exit_code, 7);
	assert_int_equal(r->ev.signal, 0);
	assert_true(r->ev.duration_ns >= 150 * MS);
	assert_string_equal(r->ev.comm, "pt-proc");
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * exit() with eight other threads running: all nine threads die at once
 * and several may see themselves as the last one.  Still exactly one exit.
 */
#define RUNS 200
static void test_exit_group_reports_once(void **state)
{
	char *argv[] = { "pt-proc", "exit-group", "3", "9", NULL };
	/* Only our descendants: a busy machine may reuse a pid meanwhile. */
	PROCTRACE_OPTS(opts, .filter_pid = getpid());
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, &opts);
	const struct recorded_event *r;
	pid_t pids[RUNS];
	int i;

	for (i = 0; i < RUNS; i++) {
		pids[i] = spawn(proc_path(), argv);
		collector_watch(&c, pids[i]);
		assert_int_equal(reap(pids[i]), 9 << 8);
	}
	collector_drain(pt, &c, 200);
	for (i = 0; i < RUNS; i++) {
		r = collector_find(&c, pids[i], PROCTRACE_EVENT_EXIT);
		assert_non_null(r);
		assert_int_equal(r->ev.exit_code, 9);
		assert_int_equal(collector_count(&c, pids[i], PROCTRACE_EVENT_EXIT), 1);
	}
	proctrace_close(pt);
	collector_free(&c);
}

/* Killed by @sig: the event says so the way wait(2) did. */
static void check_killed_by(int sig)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	pid_t pid;
	int status;

	pid = spawn_child(&c, 0, 10000);
	/* Signal it only once it runs pt-child, not in the fork before. */
	assert_non_null(collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS));
	assert_int_equal(kill(pid, sig), 0);
	status = reap(pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);

	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.signal, sig);
	assert_int_equal(r->ev.exit_code, 0);
	assert_int_equal(!!(r->ev.flags & PROCTRACE_EVENT_F_CORE_DUMPED),
			 !!WCOREDUMP(status));
	proctrace_close(pt);
	collector_free(&c);
}

static void test_sigkill(void **state)
{
	check_killed_by(SIGKILL);
}

static void test_sigterm(void **state)
{
	check_killed_by(SIGTERM);
}

static void test_sigsegv(void **state)
{
	char *argv[] = { "pt-proc", "segv", NULL };
	struct rlimit no_core = { 0, 0 }, old;
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	pid_t pid;
	int status;

	/* No core file in the build tree; the flag must then be clear. */
	assert_int_equal(getrlimit(RLIMIT_CORE, &old), 0);
	assert_int_equal(setrlimit(RLIMIT_CORE, &no_core), 0);
	pid = spawn(proc_path(), argv);
	collector_watch(&c, pid);
	status = reap(pid);
	setrlimit(RLIMIT_CORE, &old);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);

	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.signal, SIGSEGV);
	assert_int_equal(r->ev.exit_code, 0);
	assert_int_equal(r->ev.flags & PROCTRACE_EVENT_F_CORE_DUMPED, 0);
	proctrace_close(pt);
	collector_free(&c);
}

/* fork + exec with stdout to a pipe; returns the pid and the read end. */
static pid_t spawn_reading(const char *path, char *const argv[], int *out)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execv(path, argv);
		_exit(127);
	}
	close(fds[1]);
	*out = fds[0];
	return pid;
}

/*
 * A second thread execs pt-child: the exec event carries the process id
 * (not the thread's), and no exit event appears for the thread that
 * vanished, nor for the old leader; the one exit is pt-child's.
 */
static void test_exec_from_thread(void **state)
{
	char *argv[] = { "pt-proc", "thread-exec", (char *)live_child_path(),
			 "pt-child", "5", NULL };
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	pid_t pid, tid;
	int fd;

	pid = spawn_reading(proc_path(), argv, &fd);
	collector_watch(&c, pid);
	tid = (pid_t)read_number(fd);
	close(fd);
	assert_int_not_equal(tid, pid);
	collector_watch(&c, tid);
	assert_int_equal(reap(pid), 5 << 8);

	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.exit_code, 5);
	assert_string_equal(r->ev.comm, "pt-child");
	assert_int_equal(collector_count(&c, tid, 0), 0);

	/* Two execs of the one process: pt-proc's own, then the thread's. */
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXEC), 2);
	r = collector_find(&c, pid, PROCTRACE_EVENT_EXEC);
	assert_string_equal(r->ev.filename, proc_path());
	r = collector_find_next(&c, r, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	assert_string_equal(r->ev.filename, live_child_path());
	assert_int_equal(r->ev.args_count, 2);
	assert_string_equal(r->ev.args[0], "pt-child");
	assert_string_equal(r->ev.args[1], "5");
	proctrace_close(pt);
	collector_free(&c);
}

/* A fork that never execs: its lifetime still counts from the fork. */
static void test_never_exec_duration(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	char comm[PROCTRACE_COMM_LEN] = "";
	pid_t pid;

	assert_int_equal(prctl(PR_GET_NAME, comm), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sleep_ms(200);
		_exit(3);
	}
	collector_watch(&c, pid);
	assert_int_equal(reap(pid), 3 << 8);
	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.exit_code, 3);
	assert_true(r->ev.duration_ns >= 200 * MS);
	assert_true(r->ev.duration_ns < 10000 * MS);
	assert_string_equal(r->ev.comm, comm);
	assert_int_equal(r->ev.ppid, getpid());
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXEC), 0);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * Forked 300 ms before tracing starts, and held until it has: the duration
 * covers its whole life, however long the start takes.
 */
static void test_started_before_tracing(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt;
	const struct recorded_event *r;
	int hold[2];
	char b;
	pid_t pid;

	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(hold[1]);
		_exit(read(hold[0], &b, 1) == 0 ? 4 : 125);
	}
	close(hold[0]);
	collector_watch(&c, pid);
	sleep_ms(300);
	pt = live_start(&c, 0);
	close(hold[1]);
	assert_int_equal(reap(pid), 4 << 8);
	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.exit_code, 4);
	assert_true(r->ev.duration_ns >= 300 * MS);
	assert_true(r->ev.duration_ns < 60000 * MS);
	proctrace_close(pt);
	collector_free(&c);
}

/* pt-child with @n extra arguments of @len bytes each, "NNN-xxxx...". */
static char **make_args(int n, size_t len)
{
	char **argv = calloc((size_t)n + 4, sizeof(*argv));
	int i;

	assert_non_null(argv);
	argv[0] = strdup("pt-child");
	argv[1] = strdup("0");
	argv[2] = strdup("0");
	for (i = 0; i < n; i++) {
		argv[3 + i] = malloc(len + 1);
		memset(argv[3 + i], 'x', len);
		snprintf(argv[3 + i], len + 1, "%03d-", i);
		argv[3 + i][4] = 'x';
		argv[3 + i][len] = '\0';
	}
	return argv;
}

static void free_args(char **argv)
{
	char **a;

	for (a = argv; *a; a++)
		free(*a);
	free(argv);
}

static const struct recorded_event *exec_with_args(struct collector *c,
						   struct proctrace *pt,
						   char **argv)
{
	pid_t pid = spawn(live_child_path(), argv);

	collector_watch(c, pid);
	assert_int_equal(reap(pid), 0);
	return collector_wait(pt, c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS);
}

/* 100 arguments, all delivered in order, byte for byte. */
static void test_hundred_args(void **state)
{
	char **argv = make_args(98, 20);	/* + argv[0..2] = 101 strings */
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	int i;

	r = exec_with_args(&c, pt, argv);
	assert_non_null(r);
	assert_int_equal(r->ev.args_count, 101);
	for (i = 0; i < 101; i++)
		assert_string_equal(r->ev.args[i], argv[i]);
	assert_null(r->ev.args[101]);
	assert_int_equal(r->ev.flags & PROCTRACE_EVENT_F_ARGS_TRUNCATED, 0);
	proctrace_close(pt);
	collector_free(&c);
	free_args(argv);
}

/*
 * 20 KiB of arguments: cut at the default 4 KiB with the flag set, and
 * whole with max_args_size at its maximum.
 */
static void test_long_args_cut_and_whole(void **state)
{
	char **argv = make_args(100, 200);
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	size_t total = 0;
	uint32_t i;

	r = exec_with_args(&c, pt, argv);
	assert_non_null(r);
	assert_true(r->ev.flags & PROCTRACE_EVENT_F_ARGS_TRUNCATED);
	assert_true(r->ev.args_count > 3 && r->ev.args_count < 103);
	for (i = 0; i < r->ev.args_count; i++) {
		total += strlen(r->ev.args[i]) + 1;
		/* Every string is whole except maybe the last, a prefix. */
		if (i + 1 < r->ev.args_count)
			assert_string_equal(r->ev.args[i], argv[i]);
		else
			assert_memory_equal(r->ev.args[i], argv[i], strlen(r->ev.args[i]));
	}
	/* The last string had its NUL cut off and gained one back. */
	assert_int_equal(total, PROCTRACE_ARGS_SIZE_DEFAULT + 1);
	proctrace_close(pt);
	collector_free(&c);

	PROCTRACE_OPTS(opts, .max_args_size = PROCTRACE_ARGS_SIZE_MAX);
	pt = live_start_opts(&c, &opts);
	r = exec_with_args(&c, pt, argv);
	assert_non_null(r);
	assert_int_equal(r->ev.flags & PROCTRACE_EVENT_F_ARGS_TRUNCATED, 0);
	assert_int_equal(r->ev.args_count, 103);
	for (i = 0; i < 103; i++)
		assert_string_equal(r->ev.args[i], argv[i]);
	proctrace_close(pt);
	collector_free(&c);
	free_args(argv);
}

/* A copy of pt-child that user nobody can execute. */
static char *world_executable_child(char *dir)
{
	static char path[PATH_MAX];
	char cmd[PATH_MAX * 2 + 32];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/pt-child", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", live_child_path(), path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

static pid_t spawn_as_nobody(const char *path, char *code)
{
	char *argv[] = { "pt-child", code, "0", NULL };
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(126);
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

/* A child that drops to nobody before exec: both events carry its ids. */
static void test_setuid_nobody(void **state)
{
	char dir[] = "/tmp/proctrace-uid-XXXXXX";
	const char *path = world_executable_child(dir);
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	pid_t pid;

	pid = spawn_as_nobody(path, "8");
	collector_watch(&c, pid);
	assert_int_equal(reap(pid), 8 << 8);
	r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS);
	assert_non_null(r);
	assert_int_equal(r->ev.uid, NOBODY);
	assert_int_equal(r->ev.gid, NOBODY);
	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.uid, NOBODY);
	assert_int_equal(r->ev.gid, NOBODY);
	assert_int_equal(r->ev.exit_code, 8);

	/* ...and the uid filter keeps it while dropping a root child. */
	proctrace_close(pt);
	collector_free(&c);
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_FILTER_UID, .filter_uid = NOBODY);
	pt = live_start_opts(&c, &opts);
	pid = spawn_as_nobody(path, "1");
	collector_watch(&c, pid);
	pid_t root_child = spawn_child(&c, 2, 0);
	reap(pid);
	reap(root_child);
	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.exit_code, 1);
	assert_int_equal(collector_count(&c, root_child, 0), 0);
	proctrace_close(pt);
	collector_free(&c);
	unlink(path);
	rmdir(dir);
}

/* Where cgroup2 is mounted ("/sys/fs/cgroup" or, on hybrid systems, below it). */
static bool cgroup2_mount(char *out, size_t size)
{
	char line[4096], mnt[PATH_MAX], type[64];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
		    sscanf(sep + 3, "%63s", type) == 1 && !strcmp(type, "cgroup2")) {
			snprintf(out, size, "%s", mnt);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* pt-child, moved into the cgroup @dir before its exec. */
static pid_t spawn_in_cgroup(struct collector *c, const char *dir, char *code)
{
	char *argv[] = { "pt-child", code, "0", NULL };
	char procs[PATH_MAX + 32];
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		f = fopen(procs, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
			_exit(126);
		execv(live_child_path(), argv);
		_exit(127);
	}
	collector_watch(c, pid);
	return pid;
}

static char test_cgroup[PATH_MAX + 64];

/*
 * The ids of a plain child are ours, and outside containers ns_pid ==
 * pid.  A child moved into a cgroup of its own carries that cgroup's id
 * (the inode number of its directory), and the cgroup filter keeps it
 * while dropping a child of another cgroup.
 */
static void test_ids_and_cgroup(void **state)
{
	char mnt[PATH_MAX], dir[PATH_MAX + 64];
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	struct stat st;
	pid_t pid, other;

	pid = spawn_child(&c, 0, 0);
	reap(pid);
	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.uid, getuid());
	assert_int_equal(r->ev.gid, getgid());
	assert_int_equal(r->ev.ns_pid, pid);
	proctrace_close(pt);
	collector_free(&c);

	if (!cgroup2_mount(mnt, sizeof(mnt)))
		fail_msg("no cgroup2 mount on this machine");
	snprintf(dir, sizeof(dir), "%s/proctrace-test-%d", mnt, (int)getpid());
	if (mkdir(dir, 0755) != 0)
		fail_msg("cannot create the cgroup %s: %s", dir, strerror(errno));
	/* Removed by remove_test_cgroup() even if an assertion fails. */
	snprintf(test_cgroup, sizeof(test_cgroup), "%s", dir);
	assert_int_equal(stat(dir, &st), 0);

	pt = live_start(&c, 0);
	pid = spawn_in_cgroup(&c, dir, "6");
	assert_int_equal(reap(pid), 6 << 8);
	r = the_exit(pt, &c, pid);
	assert_int_equal(r->ev.cgroup_id, st.st_ino);
	r = collector_find(&c, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	assert_int_equal(r->ev.cgroup_id, st.st_ino);
	proctrace_close(pt);
	collector_free(&c);

	PROCTRACE_OPTS(opts, .filter_cgroup_id = st.st_ino);
	pt = live_start_opts(&c, &opts);
	pid = spawn_in_cgroup(&c, dir, "7");
	other = spawn_child(&c, 0, 0);
	reap(pid);
	reap(other);
	assert_int_equal(the_exit(pt, &c, pid)->ev.exit_code, 7);
	assert_int_equal(collector_count(&c, other, 0), 0);
	proctrace_close(pt);
	collector_free(&c);
}

/* Teardown: the test cgroup, once its (exited) members are gone. */
static int remove_test_cgroup(void **state)
{
	int tries;

	for (tries = 0; test_cgroup[0] && tries < 100; tries++) {
		if (rmdir(test_cgroup) == 0 || errno == ENOENT)
			break;
		sleep_ms(10);
	}
	test_cgroup[0] = '\0';
	return 0;
}

/* In a new pid namespace the process is pid 1 to itself. */
static void test_ns_pid(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const struct recorded_event *r;
	int fds[2];
	pid_t mid, inner;

	assert_int_equal(pipe(fds), 0);
	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		char *argv[] = { "pt-child", "0", "100", NULL };
		int status;

		if (unshare(CLONE_NEWPID))
			_exit(126);
		inner = fork();
		if (inner == 0) {
			execv(live_child_path(), argv);
			_exit(127);
		}
		dprintf(fds[1], "%d\n", (int)inner);
		waitpid(inner, &status, 0);
		_exit(0);
	}
	close(fds[1]);
	inner = (pid_t)read_number(fds[0]);
	close(fds[0]);
	collector_watch(&c, inner);
	assert_int_equal(reap(mid), 0);
	r = collector_wait(pt, &c, inner, PROCTRACE_EVENT_EXEC, WAIT_MS);
	assert_non_null(r);
	assert_int_equal(r->ev.pid, inner);
	assert_int_equal(r->ev.ns_pid, 1);
	r = the_exit(pt, &c, inner);
	assert_int_equal(r->ev.ns_pid, 1);
	proctrace_close(pt);
	collector_free(&c);
}

/* Fork events, when asked for: the new pid, its parent and its name. */
static void test_fork_events(void **state)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_FORK_EVENTS);
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, &opts);
	const struct recorded_event *r;
	char comm[PROCTRACE_COMM_LEN] = "";
	pid_t pid;

	assert_int_equal(prctl(PR_GET_NAME, comm), 0);
	pid = spawn_child(&c, 0, 0);
	reap(pid);
	r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_FORK, WAIT_MS);
	assert_non_null(r);
	assert_int_equal(r->ev.ppid, getpid());
	assert_string_equal(r->ev.comm, comm);
	assert_int_equal(r->ev.uid, getuid());
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_FORK), 1);
	assert_non_null(the_exit(pt, &c, pid));
	proctrace_close(pt);
	collector_free(&c);

	/* Off by default. */
	pt = live_start(&c, 0);
	pid = spawn_child(&c, 0, 0);
	reap(pid);
	assert_non_null(the_exit(pt, &c, pid));
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_FORK), 0);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * The subtree filter: root R (blocked until tracing starts) forks G,
 * which execs pt-child, and O, which outlives R (reparented away).  A
 * sibling S of R outside the subtree is not reported.
 */
static void test_subtree_filter(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt;
	const struct recorded_event *r;
	int go[2], out[2];
	pid_t root, g, o, s;
	char b;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(out), 0);
	root = fork();
	assert_true(root >= 0);
	if (root == 0) {
		char *gargv[] = { "pt-child", "6", "0", NULL };
		char *oargv[] = { "pt-child", "11", "300", NULL };
		int status;

		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(125);
		g = fork();
		if (g == 0) {
			execv(live_child_path(), gargv);
			_exit(127);
		}
		o = fork();
		if (o == 0) {
			execv(live_child_path(), oargv);
			_exit(127);
		}
		dprintf(out[1], "%d\n%d\n", (int)g, (int)o);
		waitpid(g, &status, 0);
		_exit(2);	/* O lives on, reparented */
	}
	close(go[0]);
	close(out[1]);

	PROCTRACE_OPTS(opts, .filter_pid = root);
	pt = live_start_opts(&c, &opts);
	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);
	g = (pid_t)read_number(out[0]);
	o = (pid_t)read_number(out[0]);
	close(out[0]);
	collector_watch(&c, root);
	collector_watch(&c, g);
	collector_watch(&c, o);
	s = spawn_child(&c, 0, 0);
	assert_int_equal(reap(root), 2 << 8);
	reap(s);

	r = collector_wait(pt, &c, g, PROCTRACE_EVENT_EXEC, WAIT_MS);
	assert_non_null(r);
	assert_int_equal(r->ev.ppid, root);
	assert_string_equal(r->ev.filename, live_child_path());
	assert_int_equal(the_exit(pt, &c, g)->ev.exit_code, 6);
	assert_int_equal(the_exit(pt, &c, root)->ev.exit_code, 2);
	/* The orphan, reported although root is no longer its parent. */
	r = the_exit(pt, &c, o);
	assert_int_equal(r->ev.exit_code, 11);
	assert_int_not_equal(r->ev.ppid, root);
	assert_int_equal(collector_count(&c, s, 0), 0);
	proctrace_close(pt);
	collector_free(&c);
}

/* The comm filter: exact name only. */
static void test_comm_filter(void **state)
{
	char *argv[] = { "pt-proc", "exit-group", "1", "0", NULL };
	PROCTRACE_OPTS(opts, .filter_comm = "pt-child");
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, &opts);
	pid_t child, other;

	child = spawn_child(&c, 12, 0);
	other = spawn(proc_path(), argv);
	collector_watch(&c, other);
	reap(child);
	reap(other);
	assert_int_equal(the_exit(pt, &c, child)->ev.exit_code, 12);
	assert_non_null(collector_find(&c, child, PROCTRACE_EVENT_EXEC));
	assert_int_equal(collector_count(&c, other, 0), 0);
	proctrace_close(pt);
	collector_free(&c);
}

static void *park(void *arg)
{
	int *tid = arg;

	*tid = (int)gettid();
	for (;;)
		pause();
	return NULL;
}

/*
 * A filter that names a process that does not exist, or a thread rather
 * than a process, fails clearly.
 */
static void test_subtree_of_missing_pid_or_thread(void **state)
{
	PROCTRACE_OPTS(missing, .filter_pid = 0x3ffffff0);
	struct collector c = { 0 };
	struct proctrace *pt = proctrace_open(collector_cb, &c, &missing);
	volatile int tid = 0;
	pthread_t t;

	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), -ESRCH);
	proctrace_close(pt);

	assert_int_equal(pthread_create(&t, NULL, park, (void *)&tid), 0);
	while (!tid)
		sleep_ms(1);
	PROCTRACE_OPTS(thread, .filter_pid = tid);
	pt = proctrace_open(collector_cb, &c, &thread);
	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), -EINVAL);
	proctrace_close(pt);
	pthread_cancel(t);
	pthread_join(t, NULL);
}

/* The EXIT of one pid, counted by the callback. */
struct exit_of {
	pid_t pid;
	int seen;
	int32_t exit_code, signal;
};

static int count_exit_of(const struct proctrace_event *e, void *ctx)
{
	struct exit_of *x = ctx;

	if (e->type == PROCTRACE_EVENT_EXIT && e->pid == x->pid) {
		x->seen++;
		x->exit_code = e->exit_code;
		x->signal = e->signal;
	}
	return 0;
}

static void *exit_from_thread(void *arg)
{
	sleep_ms(1);
	/*
	 * _exit(), not exit(): the process ends the same way (exit_group from
	 * this thread), but a sanitizer build's exit-time leak check, run in
	 * this forked child, would abort it.
	 */
	_exit((int)(intptr_t)arg);
}

static void *spin_forever(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	for (;;)
		n++;
	return NULL;
}

/*
 * A child that ends one of four ways, chosen by @way: exit(2) from its
 * only thread, SIGKILL, exit from a second thread after the leader has
 * gone (pthread_exit), or exit_group() with two threads running.
 */
static pid_t fork_ending(int way, int code)
{
	pthread_t t;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	switch (way) {
	case 0:
		_exit(code);
	case 1:
		kill(getpid(), SIGKILL);
		_exit(126);
	case 2:
		if (pthread_create(&t, NULL, exit_from_thread, (void *)(intptr_t)code))
			_exit(125);
		pthread_exit(NULL);
	default:
		if (pthread_create(&t, NULL, spin_forever, NULL) ||
		    pthread_create(&t, NULL, spin_forever, NULL))
			_exit(125);
		_exit(code);
	}
}

/*
 * The guarantee in proctrace(3): the EXIT record is written before the
 * process can be reaped, so once waitpid() has returned, one
 * proctrace_poll(pt, 0) delivers it (it passed the filters, and nothing
 * was lost: the ring holds our own events only).  Many tries, four ways
 * of ending, since an ordering bug would show only sometimes.
 */
static void test_exit_queued_once_reaped(void **state)
{
	PROCTRACE_OPTS(opts, .filter_pid = getpid());
	struct proctrace_stats stats = { .sz = sizeof(stats) };
	struct exit_of x = { 0 };
	struct proctrace *pt = live_open_started(count_exit_of, &x, &opts);
	int i, status;

	for (i = 0; i < 600; i++) {
		int way = i % 4, code = i & 0x7f;

		x = (struct exit_of){ .pid = fork_ending(way, code) };
		status = reap(x.pid);
		assert_true(proctrace_poll(pt, 0) >= 1);
		if (x.seen != 1)
			fail_msg("try %d (way %d): pid %d reaped with status %#x, but its "
				 "EXIT was not delivered by the next proctrace_poll(pt, 0)",
				 i, way, (int)x.pid, status);
		if (way == 1) {
			assert_int_equal(status, SIGKILL);
			assert_int_equal(x.signal, SIGKILL);
			assert_int_equal(x.exit_code, 0);
		} else {
			assert_int_equal(status, code << 8);
			assert_int_equal(x.exit_code, code);
			assert_int_equal(x.signal, 0);
		}
	}
	assert_int_equal(proctrace_stats(pt, &stats), 0);
	assert_int_equal(stats.events_lost, 0);
	proctrace_close(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leader_exits_first),
		cmocka_unit_test(test_exit_group_reports_once),
		cmocka_unit_test(test_sigkill),
		cmocka_unit_test(test_sigterm),
		cmocka_unit_test(test_sigsegv),
		cmocka_unit_test(test_exec_from_thread),
		cmocka_unit_test(test_never_exec_duration),
		cmocka_unit_test(test_started_before_tracing),
		cmocka_unit_test(test_hundred_args),
		cmocka_unit_test(test_long_args_cut_and_whole),
		cmocka_unit_test(test_setuid_nobody),
		cmocka_unit_test_teardown(test_ids_and_cgroup, remove_test_cgroup),
		cmocka_unit_test(test_ns_pid),
		cmocka_unit_test(test_fork_events),
		cmocka_unit_test(test_subtree_filter),
		cmocka_unit_test(test_comm_filter),
		cmocka_unit_test(test_subtree_of_missing_pid_or_thread),
		cmocka_unit_test(test_exit_queued_once_reaped),
	};

	live_prepare();
	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
