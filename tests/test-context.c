/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Live tests of the process context (0.3): the snapshot of processes that
 * ran before tracing, start times, the resolved executable, the process
 * table's EXIT and FORK programs, the lookup, cgroup paths, and the
 * snapshot's no-gap/no-double guarantee under churn.  Exact values, taken
 * from /proc and from the children we start.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <cmocka.h>

#include "live-harness.h"

#define WAIT_MS 10000
#define MS 1000000ULL

static const char *pt_proc_path(void)
{
	const char *p = getenv("PT_PROC");

	if (!p)
		fail_msg("PT_PROC is not set to the pt-proc helper");
	return p;
}

/* realpath() that fails the test. */
static void real(const char *path, char *out)
{
	if (!realpath(path, out))
		fail_msg("realpath %s: %s", path, strerror(errno));
}

static struct proctrace *start_snapshot(struct collector *c, uint32_t flags)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT | flags);

	return live_start_opts(c, &opts);
}

/* /proc/PID/exe, once it is @want (the child has exec'd); fails after 10 s. */
static void wait_exe(pid_t pid, const char *want)
{
	char link[64], got[PATH_MAX];
	int i;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	for (i = 0; i < 1000; i++) {
		n = readlink(link, got, sizeof(got) - 1);
		if (n > 0) {
			got[n] = '\0';
			if (!strcmp(got, want))
				return;
		}
		usleep(10000);
	}
	fail_msg("process %d never ran %s", (int)pid, want);
}

/* Field @n (1-based) of /proc/PID/stat, after the comm. */
static unsigned long long stat_field(pid_t pid, int n)
{
	char path[64], buf[4096], *p;
	unsigned long long v = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	p = strrchr(buf, ')');
	assert_non_null(p);
	p += 2;			/* field 3 */
	for (i = 3; i < n; i++) {
		p = strchr(p, ' ');
		assert_non_null(p);
		p++;
	}
	sscanf(p, "%llu", &v);
	return v;
}

/* /proc's start time of @pid, as wall-clock ns (10 ms resolution). */
static uint64_t proc_start_wall_ns(pid_t pid)
{
	struct timespec rt, bt;
	uint64_t ticks = stat_field(pid, 22);
	long hz = sysconf(_SC_CLK_TCK);

	clock_gettime(CLOCK_BOOTTIME, &bt);
	clock_gettime(CLOCK_REALTIME, &rt);
	return ticks * (1000000000ULL / (uint64_t)hz) +
	       (uint64_t)(((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000LL +
			  (rt.tv_nsec - bt.tv_nsec));
}

/*
 * Runs /bin/sh with @argv, its stdin the read end of a pipe whose write
 * end is *@to_sh (closing it ends a "read x" there); returns its pid.
 */
static pid_t spawn_sh_reading(char *const argv[], int *to_sh)
{
	int fds[2];
	pid_t sh;

	assert_int_equal(pipe(fds), 0);
	sh = fork();
	assert_true(sh >= 0);
	if (sh == 0) {
		dup2(fds[0], 0);
		close(fds[1]);
		execv("/bin/sh", argv);
		_exit(127);
	}
	close(fds[0]);
	*to_sh = fds[1];
	return sh;
}

static void assert_args(const struct recorded_event *r, char *const want[])
{
	uint32_t i;

	assert_non_null(r->ev.args);
	for (i = 0; want[i]; i++) {
		if (i >= r->ev.args_count)
			fail_msg("%u arguments, expected more", r->ev.args_count);
		assert_string_equal(r->ev.args[i], want[i]);
	}
	assert_int_equal(r->ev.args_count, i);
}

static void assert_close_ns(uint64_t a, uint64_t b, uint64_t within, const char *what)
{
	uint64_t d = a > b ? a - b : b - a;

	if (d > within)
		fail_msg("%s: %llu and %llu differ by %llu ns (more than %llu)", what,
			 (unsigned long long)a, (unsigned long long)b,
			 (unsigned long long)d, (unsigned long long)within);
}

/*
 * A process started before tracing, with arguments holding a space,
 * invalid UTF-8 and a newline: its snapshot record says what /proc says,
 * and its EXIT carries the same program.
 */
static void test_snapshot_matches_proc(void **state)
{
	char *argv[] = { "pt-child", "0", "60000", "with space", "\xff\xfe not utf-8",
			 "new\nline", "", NULL };
	char exe[PATH_MAX];
	struct collector c = { 0 };
	const struct recorded_event *p, *x;
	struct proctrace *pt;
	uint64_t proc_start;
	pid_t pid;
	int status;

	real(live_child_path(), exe);
	pid = spawn(live_child_path(), argv);
	collector_watch(&c, pid);
	wait_exe(pid, exe);
	proc_start = proc_start_wall_ns(pid);

	pt = start_snapshot(&c, 0);
	p = collector_wait(pt, &c, pid, PROCTRACE_EVENT_PROCESS, WAIT_MS);
	assert_non_null(p);
	assert_int_equal(p->ev.size, sizeof(struct proctrace_event));
	assert_int_equal(p->ev.ppid, getpid());
	assert_int_equal(p->ev.uid, getuid());
	assert_int_equal(p->ev.gid, getgid());
	assert_string_equal(p->ev.comm, "pt-child");
	assert_null(p->ev.filename);
	assert_non_null(p->ev.exe);
	assert_string_equal(p->ev.exe, exe);
	assert_args(p, argv);
	assert_close_ns(p->ev.start_time_ns, proc_start, 10 * MS, "start time vs /proc");
	assert_close_ns(p->ev.parent_start_time_ns, proc_start_wall_ns(getpid()),
			10 * MS, "parent start time vs /proc");
	assert_non_null(p->ev.cgroup);
	assert_int_equal(p->ev.cgroup[0], '/');

	kill(pid, SIGTERM);
	status = reap(pid);
	assert_true(WIFSIGNALED(status));
	x = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(x);
	assert_int_equal(x->ev.signal, SIGTERM);
	assert_false(x->ev.flags & PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
	assert_non_null(x->ev.exe);
	assert_string_equal(x->ev.exe, exe);
	assert_args(x, argv);
	assert_int_equal(x->ev.start_time_ns, p->ev.start_time_ns);
	/* Described once, and gone from the table after its EXIT. */
	collector_drain(pt, &c, 100);
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_PROCESS), 1);
	assert_null(proctrace_process_lookup(pt, pid));
	assert_int_equal(errno, ESRCH);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * The snapshot with the subtree filter: the root (this process) is
 * described once; a child it had before the start is not (the filter
 * takes descendants created from the start on); a child created after
 * it has its EXEC and EXIT, the EXIT and the lookup with the directory
 * its program started in (0.4), not the one it ended in.
 */
static void test_snapshot_with_subtree_filter(void **state)
{
	char *hold[] = { "pt-child", "0", "60000", NULL };
	char top[] = "/tmp/pt-ctx-XXXXXX", dir[PATH_MAX], here[PATH_MAX];
	char script[PATH_MAX + 64], exe[PATH_MAX];
	char *argv[] = { "sh", "-c", script, NULL };
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT, .filter_pid = getpid());
	struct collector c = { 0 };
	const struct recorded_event *p, *x;
	const struct proctrace_event *l;
	struct proctrace *pt;
	pid_t before, sh;
	int status;

	real(live_child_path(), exe);
	before = spawn(live_child_path(), hold);
	collector_watch(&c, before);
	collector_watch(&c, getpid());
	wait_exe(before, exe);
	assert_non_null(getcwd(here, sizeof(here)));
	assert_non_null(mkdtemp(top));
	snprintf(dir, sizeof(dir), "%s/start dir", top);
	assert_int_equal(mkdir(dir, 0755), 0);

	pt = live_start_opts(&c, &opts);
	p = collector_wait(pt, &c, getpid(), PROCTRACE_EVENT_PROCESS, WAIT_MS);
	assert_non_null(p);
	assert_string_equal(p->ev.cwd, here);

	/* Started in dir, ends in /, after the lookup saw it running. */
	snprintf(script, sizeof(script), "cd /; read x; exit 9");
	assert_int_equal(chdir(dir), 0);
	{
		int to_sh;

		sh = spawn_sh_reading(argv, &to_sh);
		assert_int_equal(chdir(here), 0);
		collector_watch(&c, sh);
		assert_non_null(collector_wait(pt, &c, sh, PROCTRACE_EVENT_EXEC, WAIT_MS));
		l = proctrace_process_lookup(pt, sh);
		assert_non_null(l);
		assert_non_null(l->cwd);
		assert_string_equal(l->cwd, dir);
		close(to_sh);
	}
	status = reap(sh);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 9);
	x = collector_wait(pt, &c, sh, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(x);
	assert_int_equal(x->ev.exit_code, 9);
	assert_non_null(x->ev.cwd);
	assert_string_equal(x->ev.cwd, dir);
	assert_string_equal(x->ev.filename, "/bin/sh");

	kill(before, SIGKILL);
	reap(before);
	collector_drain(pt, &c, 200);
	assert_int_equal(collector_count(&c, getpid(), PROCTRACE_EVENT_PROCESS), 1);
	assert_int_equal(collector_count(&c, before, 0), 0);
	assert_int_equal(collector_count(&c, sh, PROCTRACE_EVENT_EXEC), 1);
	assert_int_equal(collector_count(&c, sh, PROCTRACE_EVENT_EXIT), 1);
	proctrace_close(pt);
	collector_free(&c);
	rmdir(dir);
	rmdir(top);
}

/* A -> exec B -> exec C: the EXIT carries C; one start time throughout. */
static void test_exec_chain(void **state)
{
	char cmd[PATH_MAX + 64], sh[PATH_MAX], env[PATH_MAX], child[PATH_MAX];
	char *argv[] = { "sh", "-c", cmd, NULL };
	char *c_args[] = { (char *)live_child_path(), "0", "0", NULL };
	struct collector c = { 0 };
	const struct recorded_event *e1, *e2, *e3, *x;
	struct proctrace *pt = start_snapshot(&c, 0);
	pid_t pid;

	real("/bin/sh", sh);
	real("/usr/bin/env", env);
	real(live_child_path(), child);
	snprintf(cmd, sizeof(cmd), "exec /usr/bin/env %s 0 0", live_child_path());
	pid = spawn("/bin/sh", argv);
	collector_watch(&c, pid);
	assert_int_equal(reap(pid), 0);

	x = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(x);
	e1 = collector_find(&c, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(e1);
	e2 = collector_find_next(&c, e1, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(e2);
	e3 = collector_find_next(&c, e2, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(e3);
	assert_string_equal(e1->ev.filename, "/bin/sh");
	assert_string_equal(e1->ev.exe, sh);
	assert_string_equal(e2->ev.filename, "/usr/bin/env");
	assert_string_equal(e2->ev.exe, env);
	assert_string_equal(e3->ev.filename, live_child_path());
	assert_string_equal(e3->ev.exe, child);

	assert_false(x->ev.flags & PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
	assert_string_equal(x->ev.filename, live_child_path());
	assert_string_equal(x->ev.exe, child);
	assert_args(x, c_args);

	assert_true(e1->ev.start_time_ns > 0);
	assert_int_equal(e2->ev.start_time_ns, e1->ev.start_time_ns);
	assert_int_equal(e3->ev.start_time_ns, e1->ev.start_time_ns);
	assert_int_equal(x->ev.start_time_ns, e1->ev.start_time_ns);
	assert_int_equal(x->ev.parent_start_time_ns, e1->ev.parent_start_time_ns);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * exe is the absolute resolved path: for fexecve() of /bin/true (the
 * kernel's filename is /dev/fd/N), for a relative ./name run from another
 * directory, and for a symbolic link.
 */
static void test_exe_resolved(void **state)
{
	char tru[PATH_MAX], child[PATH_MAX], dir[PATH_MAX], tmp[] = "/tmp/pt-ctx-XXXXXX";
	char link[PATH_MAX + 16];
	char *fexec_argv[] = { "pt-proc", "fexecve", "/bin/true", "true", NULL };
	char *rel_argv[] = { "./pt-child", "0", "0", NULL };
	char *link_argv[] = { "linked", "0", "0", NULL };
	struct collector c = { 0 };
	const struct recorded_event *r;
	struct proctrace *pt = start_snapshot(&c, 0);
	pid_t pid;

	real("/bin/true", tru);
	real(live_child_path(), child);

	/* fexecve: the second exec of the process */
	pid = spawn(pt_proc_path(), fexec_argv);
	collector_watch(&c, pid);
	assert_int_equal(reap(pid), 0);
	assert_non_null(collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
	r = collector_find(&c, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	r = collector_find_next(&c, r, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	if (strncmp(r->ev.filename, "/dev/fd/", 8))
		fail_msg("fexecve's filename is %s, not /dev/fd/N", r->ev.filename);
	assert_string_equal(r->ev.exe, tru);
	/*
	 * The name: the file's on the kernels of Debian 12 (6.1 on); Debian
	 * 11's 5.10 names the program after the last part of "/dev/fd/N": N.
	 */
	if (strcmp(r->ev.comm, "true") && strcmp(r->ev.comm, strrchr(r->ev.filename, '/') + 1))
		fail_msg("fexecve's comm is %s, neither true nor the descriptor's number",
			 r->ev.comm);

	/* ./pt-child from its own directory, while we are elsewhere */
	snprintf(dir, sizeof(dir), "%s", child);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(dirname(dir)) != 0)
			_exit(126);
		execv("./pt-child", rel_argv);
		_exit(127);
	}
	collector_watch(&c, pid);
	assert_int_equal(reap(pid), 0);
	r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS);
	assert_non_null(r);
	assert_string_equal(r->ev.filename, "./pt-child");
	assert_string_equal(r->ev.exe, child);

	/* through a symbolic link */
	assert_non_null(mkdtemp(tmp));
	snprintf(link, sizeof(link), "%s/linked", tmp);
	assert_int_equal(symlink(child, link), 0);
	pid = spawn(link, link_argv);
	collector_watch(&c, pid);
	assert_int_equal(reap(pid), 0);
	r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC, WAIT_MS);
	unlink(link);
	rmdir(tmp);
	assert_non_null(r);
	assert_string_equal(r->ev.filename, link);
	assert_string_equal(r->ev.exe, child);
	assert_false(r->ev.flags & (PROCTRACE_EVENT_F_EXE_TRUNCATED |
				    PROCTRACE_EVENT_F_EXE_UNREACHABLE));
	proctrace_close(pt);
	collector_free(&c);
}

/* Where cgroup2 is mounted, with the hierarchy's root there. */
static bool cgroup2_root(char *out, size_t size)
{
	char line[4096], root[PATH_MAX], mnt[PATH_MAX], type[64];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (sep && sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) == 2 &&
		    sscanf(sep + 3, "%63s", type) == 1 && !strcmp(type, "cgroup2") &&
		    !strcmp(root, "/")) {
			snprintf(out, size, "%s", mnt);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static char test_cgroup[PATH_MAX + 64];

static int remove_test_cgroup(void **state)
{
	if (test_cgroup[0])
		rmdir(test_cgroup);
	test_cgroup[0] = '\0';
	return 0;
}

/* A child in a cgroup of its own: its events carry that cgroup's path. */
static void test_cgroup_path(void **state)
{
	char mnt[PATH_MAX], want[64], procs[PATH_MAX + 96];
	char *argv[] = { "pt-child", "0", "0", NULL };
	struct collector c = { 0 };
	const struct recorded_event *r;
	struct proctrace *pt;
	pid_t pid;

	if (!cgroup2_root(mnt, sizeof(mnt)))
		fail_msg("no cgroup2 mount on this machine");
	snprintf(want, sizeof(want), "/proctrace-ctx-%d", (int)getpid());
	snprintf(test_cgroup, sizeof(test_cgroup), "%s%s", mnt, want);
	if (mkdir(test_cgroup, 0755) != 0)
		fail_msg("cannot create the cgroup %s: %s", test_cgroup, strerror(errno));

	pt = start_snapshot(&c, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *f;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", test_cgroup);
		f = fopen(procs, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
			_exit(126);
		execv(live_child_path(), argv);
		_exit(127);
	}
	collector_watch(&c, pid);
	assert_int_equal(reap(pid), 0);
	r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(r);
	assert_non_null(r->ev.cgroup);
	assert_string_equal(r->ev.cgroup, want);
	r = collector_find(&c, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	assert_string_equal(r->ev.cgroup, want);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * The ancestors of a grandchild, walked through the lookup up to this
 * test process (in the table from the snapshot), each parent's start time
 * equal to its child's parent start time.
 */
static void test_ancestors_lookup(void **state)
{
	char cmd[PATH_MAX + 64];
	char *argv[] = { "sh", "-c", cmd, NULL };
	struct collector c = { 0 };
	struct proctrace *pt = start_snapshot(&c, 0);
	const struct proctrace_event *l;
	const struct recorded_event *g = NULL;
	pid_t sh, gc = 0, walk[8];
	uint64_t want_start = 0;
	size_t i;
	int n = 0;

	/* "; true" keeps sh from exec'ing the last command in place. */
	snprintf(cmd, sizeof(cmd), "%s 0 60000; true", live_child_path());
	c.watch_children = true;
	sh = spawn("/bin/sh", argv);
	collector_watch(&c, sh);
	while (!gc) {
		collector_drain(pt, &c, 50);
		for (i = 0; i < c.n_events; i++)
			if (c.events[i].ev.ppid == sh &&
			    c.events[i].ev.type == PROCTRACE_EVENT_EXEC)
				g = &c.events[i];
		if (g)
			gc = g->ev.pid;
	}

	for (l = proctrace_process_lookup(pt, gc); l && n < 8;
	     l = proctrace_process_lookup(pt, l->ppid)) {
		if (want_start)
			assert_int_equal(l->start_time_ns, want_start);
		walk[n++] = l->pid;
		if (l->pid == getpid())
			break;
		want_start = l->parent_start_time_ns;
	}
	kill(gc, SIGKILL);
	assert_int_equal(reap(sh), 0);
	if (n != 3)
		fail_msg("walked %d processes from %d, expected 3 (up to %d)", n,
			 (int)gc, (int)getpid());
	assert_int_equal(walk[0], gc);
	assert_int_equal(walk[1], sh);
	assert_int_equal(walk[2], getpid());
	proctrace_close(pt);
	collector_free(&c);
}

struct order_state {
	int process, other;
	bool process_after_other;
};

static int count_order(const struct proctrace_event *e, void *ctx)
{
	struct order_state *o = ctx;

	if (e->type == PROCTRACE_EVENT_PROCESS) {
		o->process++;
		o->process_after_other |= o->other > 0;
	} else {
		o->other++;
	}
	return 0;
}

/*
 * proctrace_poll_n() bounds the snapshot's delivery too: no call hands
 * over more than its bound, and the snapshot still comes first, whole.
 */
#define HELD 20

static void test_snapshot_bounded_poll(void **state)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT);
	struct order_state o = { 0 };
	struct proctrace *pt;
	char *argv[] = { "pt-child", "0", "0", NULL };
	pid_t held[HELD], pid;
	int n, calls = 0, before, hold[2], i;
	char c;

	/*
	 * Processes of our own, alive during the snapshot, so that it holds
	 * more than the bound also on a machine (or a test VM) that runs
	 * almost nothing else.
	 */
	assert_int_equal(pipe(hold), 0);
	for (i = 0; i < HELD; i++) {
		held[i] = fork();
		assert_true(held[i] >= 0);
		if (held[i] == 0) {
			close(hold[1]);
			_exit(read(hold[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	close(hold[0]);
	pt = live_open_started(count_order, &o, &opts);

	pid = spawn(live_child_path(), argv);	/* a live event to follow */
	reap(pid);
	do {
		before = o.process + o.other;
		n = proctrace_poll_n(pt, 100, 7);
		assert_true(n >= 0 && n <= 7);
		assert_int_equal(o.process + o.other - before, n);
		calls++;
	} while (!o.other && calls < 10000);
	if (o.process <= 7)
		fail_msg("only %d processes in the snapshot", o.process);
	assert_false(o.process_after_other);
	assert_true(calls >= (o.process + 6) / 7);
	close(hold[1]);
	for (i = 0; i < HELD; i++)
		assert_int_equal(reap(held[i]), 0);
	proctrace_close(pt);
}

struct key_state {
	int32_t pid;
	uint64_t start;
	int process, fork, exit;
	uint64_t exit_ts;
	bool after_exit;	/* an alive event after its EXIT */
};

/*
 * Processes starting, exec'ing and exiting before, during and after
 * proctrace_start() with the snapshot on: each is described alive at most
 * once (PROCESS or FORK), none after its EXIT, and each alive when
 * proctrace_start() returned is described exactly once.
 */
static void test_churn_during_start(void **state)
{
	/*
	 * 32 processes alive at a time for 20 ms each, from 30 ms before the
	 * start until 1 s after it returns, however long the start takes.
	 * Under instruction emulation (the kernel matrix sets PT_EMULATED,
	 * docs/kernels.md) forks are ~50 times slower and a start takes
	 * seconds: each process lives 100 ms, the churn goes on 8 s after
	 * (4 s saw 103 and 120 processes on 6.12 and 6.1).
	 */
	bool emulated = getenv("PT_EMULATED") != NULL;
	char *argv[] = { "pt-proc", "churn", "1000000", NULL, "32",
			 emulated ? "100" : "20", NULL };
	long after_ms = emulated ? 8000 : 1000;
	/*
	 * How many of them must be seen (alive at or after start) for the
	 * test to mean something: about a third of what the churn's rate
	 * gives in that time on the host (32 per lifetime: 1,600 a second
	 * there, ~1,550 seen), half of it under emulation.
	 */
	size_t churn_seen_min = emulated ? 100 : 500;
	struct collector c = { 0 };
	struct proctrace_stats st = { .sz = sizeof(st) };
	struct key_state *k = NULL;
	size_t nk = 0, i, j, alive_at_start = 0;
	struct proctrace *pt;
	uint64_t t_ret;
	pid_t churner;

	c.watch_children = true;
	argv[3] = (char *)live_child_path();
	churner = spawn(pt_proc_path(), argv);
	collector_watch(&c, churner);
	usleep(30000);		/* well into the churn */
	pt = start_snapshot(&c, PROCTRACE_OPT_FORK_EVENTS);
	t_ret = now_realtime_ns();
	/* Drain while the churn goes on, so that the ring never fills. */
	while (now_realtime_ns() < t_ret + after_ms * MS)
		collector_drain(pt, &c, 50);
	assert_int_equal(kill(churner, SIGUSR1), 0);
	assert_int_equal(reap(churner), 0);
	assert_non_null(collector_wait(pt, &c, churner, PROCTRACE_EVENT_EXIT, 60000));
	collector_drain(pt, &c, 200);
	assert_int_equal(proctrace_stats(pt, &st), 0);
	if (st.events_lost)
		fail_msg("%llu events lost: cannot judge the snapshot",
			 (unsigned long long)st.events_lost);

	k = calloc(c.n_events, sizeof(*k));
	assert_non_null(k);
	for (i = 0; i < c.n_events; i++) {
		const struct proctrace_event *e = &c.events[i].ev;

		if (e->ppid != churner)
			continue;
		for (j = 0; j < nk; j++)
			if (k[j].pid == e->pid && k[j].start == e->start_time_ns)
				break;
		if (j == nk) {
			k[nk].pid = e->pid;
			k[nk].start = e->start_time_ns;
			nk++;
		}
		if (k[j].exit && e->type != PROCTRACE_EVENT_EXIT)
			k[j].after_exit = true;
		if (e->type == PROCTRACE_EVENT_PROCESS)
			k[j].process++;
		if (e->type == PROCTRACE_EVENT_FORK)
			k[j].fork++;
		if (e->type == PROCTRACE_EVENT_EXIT) {
			k[j].exit++;
			k[j].exit_ts = e->timestamp_ns;
		}
	}
	if (nk < churn_seen_min)
		fail_msg("only %zu processes of the churn seen", nk);
	for (j = 0; j < nk; j++) {
		if (k[j].process + k[j].fork > 1 || k[j].exit > 1 || k[j].after_exit)
			fail_msg("process %d: %d snapshot, %d fork, %d exit events%s",
				 (int)k[j].pid, k[j].process, k[j].fork, k[j].exit,
				 k[j].after_exit ? ", one after its EXIT" : "");
		if (k[j].process + k[j].fork == 1 && !k[j].exit)
			fail_msg("process %d described alive, never its EXIT",
				 (int)k[j].pid);
		/*
		 * Alive when start returned, with a clock margin: 5 ms, and
		 * 50 ms under emulation, where the kernel's and user space's
		 * readings of the clocks are taken far apart (docs/kernels.md;
		 * one 6.12 run in qemu failed here with 5 ms while the same
		 * test passed on 6.1 there and on the host).
		 */
		if (k[j].exit && k[j].exit_ts > t_ret + (emulated ? 50 : 5) * MS) {
			alive_at_start += k[j].start < t_ret;
			if (k[j].process + k[j].fork != 1)
				fail_msg("process %d, alive at start, never described alive",
					 (int)k[j].pid);
		}
	}
	printf("%zu processes of the churn seen, %zu alive when start returned\n",
	       nk, alive_at_start);
	free(k);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * A snapshot's arguments cut at max_args_size, the last string short and
 * the truncation flag set: by the BPF side in the full variant, by the
 * library's read of /proc in the compat one.
 */
static void test_snapshot_args_capped(void **state)
{
	char *argv[] = { "pt-child", "0", "60000", "abcdefghijklmnopqrstuvwxyz", NULL };
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT, .max_args_size = 24);
	char exe[PATH_MAX];
	struct collector c = { 0 };
	const struct recorded_event *p;
	struct proctrace *pt;
	pid_t pid;

	real(live_child_path(), exe);
	pid = spawn(live_child_path(), argv);
	collector_watch(&c, pid);
	wait_exe(pid, exe);
	pt = live_start_opts(&c, &opts);
	p = collector_wait(pt, &c, pid, PROCTRACE_EVENT_PROCESS, WAIT_MS);
	assert_non_null(p);
	/* "pt-child\0" "0\0" "60000\0": 17 bytes, then 7 of the last. */
	assert_int_equal(p->ev.args_count, 4);
	assert_string_equal(p->ev.args[3], "abcdefg");
	assert_true(p->ev.flags & PROCTRACE_EVENT_F_ARGS_TRUNCATED);
	assert_false(p->ev.flags & PROCTRACE_EVENT_F_ARGS_UNREADABLE);
	/* The parts after the arguments are whole. */
	assert_non_null(p->ev.exe);
	assert_string_equal(p->ev.exe, exe);
	kill(pid, SIGTERM);
	reap(pid);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * Entries in this process's BPF map named @name (-1 if it has none): its
 * descriptor is found among ours, where the library keeps it; the newest
 * such map (the highest id), should a failed test have left a session.
 */
static long map_entries(const char *name)
{
	char link[300], target[64];
	__u32 best_id = 0;
	struct dirent *d;
	long n = -1;
	int best = -1;
	DIR *dir = opendir("/proc/self/fd");

	assert_non_null(dir);
	while ((d = readdir(dir))) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info);
		ssize_t l;
		int fd = atoi(d->d_name);

		snprintf(link, sizeof(link), "/proc/self/fd/%s", d->d_name);
		l = readlink(link, target, sizeof(target) - 1);
		if (l <= 0)
			continue;
		target[l] = '\0';
		if (!strcmp(target, "anon_inode:bpf-map") &&
		    !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name) &&
		    info.id > best_id) {
			assert_true(info.key_size <= 16);
			best_id = info.id;
			best = fd;
		}
	}
	if (best >= 0) {
		__u64 key[2], next[2];

		for (n = 0; !bpf_map_get_next_key(best, n ? key : NULL, next); n++)
			memcpy(key, next, sizeof(key));
		assert_int_equal(errno, ENOENT);
	}
	closedir(dir);
	return n;
}

/* Waits up to 10 s for the map @name to be empty; its last count. */
static long wait_map_empty(const char *name)
{
	long n = 0;
	int i;

	for (i = 0; i < 1000 && (n = map_entries(name)) != 0; i++)
		usleep(10000);
	return n;
}

/*
 * The compat variant's per-task hash maps (PROCESS_STATE degraded) hold
 * an entry per marked task while it lives and none once it is freed: a
 * subtree (root, a child whose threads exit together, a grandchild) with
 * the snapshot on leaves all three maps empty.  Skipped in the full
 * variant, whose task storage the kernel empties itself.
 */
static void test_compat_state_freed(void **state)
{
	char script[PATH_MAX * 2 + 64], sh_exe[PATH_MAX];
	char *argv[] = { "sh", "-c", script, NULL };
	struct proctrace_features f = { .sz = sizeof(f) };
	struct collector c = { 0 };
	struct proctrace *pt;
	int to_sh;
	pid_t sh;

	snprintf(script, sizeof(script), "read x; %s exit-group 4 3; %s 0 0; exit 0",
		 pt_proc_path(), live_child_path());
	sh = spawn_sh_reading(argv, &to_sh);
	c.watch_children = true;
	collector_watch(&c, sh);
	real("/bin/sh", sh_exe);
	wait_exe(sh, sh_exe);
	{
		PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT, .filter_pid = sh);

		pt = live_start_opts(&c, &opts);
	}
	assert_int_equal(proctrace_features(pt, &f), 0);
	if (!(f.degraded & PROCTRACE_FEATURE_PROCESS_STATE)) {
		close(to_sh);
		reap(sh);
		proctrace_close(pt);
		collector_free(&c);
		skip();
	}
	assert_non_null(collector_wait(pt, &c, sh, PROCTRACE_EVENT_PROCESS, WAIT_MS));
	/* The root alone, one thread: marked, described, not exited. */
	assert_int_equal(map_entries("subtree"), 1);
	assert_int_equal(map_entries("described"), 1);
	assert_int_equal(map_entries("exit_sent"), 0);

	close(to_sh);
	assert_int_equal(reap(sh), 0);
	assert_non_null(collector_wait(pt, &c, sh, PROCTRACE_EVENT_EXIT, WAIT_MS));
	assert_int_equal(wait_map_empty("subtree"), 0);
	assert_int_equal(wait_map_empty("described"), 0);
	assert_int_equal(wait_map_empty("exit_sent"), 0);
	proctrace_close(pt);
	collector_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_matches_proc),
		cmocka_unit_test(test_snapshot_with_subtree_filter),
		cmocka_unit_test(test_exec_chain),
		cmocka_unit_test(test_exe_resolved),
		cmocka_unit_test_teardown(test_cgroup_path, remove_test_cgroup),
		cmocka_unit_test(test_ancestors_lookup),
		cmocka_unit_test(test_snapshot_bounded_poll),
		cmocka_unit_test(test_churn_during_start),
		cmocka_unit_test(test_snapshot_args_capped),
		cmocka_unit_test(test_compat_state_freed),
	};

	live_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
