/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Live tests of what an EXIT says a process used (issue 15), against the
 * kernel's own figures: wait4() in this process, the parent, gives the
 * rusage of each child (plus the children it waited for, none here unless
 * said).  CPU times are compared with wait4() rather than with what the
 * child meant to burn, which holds on a loaded machine: both count the
 * same CPU time, only taken a few microseconds apart.
 *
 * Tolerances are the issue's: CPU time within 5 % or 20 ms, whichever is
 * larger; peak RSS within one page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "live-harness.h"

#define WAIT_MS 20000
#define MS 1000000ULL
#define MIB (1024ULL * 1024)
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

static const char *usage_path(void)
{
	const char *p = getenv("PT_USAGE");

	if (!p)
		fail_msg("PT_USAGE is not set (the path of pt-usage)");
	return p;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000ULL + (uint64_t)tv.tv_usec * 1000ULL;
}

/*
 * Runs pt-usage with @args (after its argv[0]) and, with @c watching it,
 * reaps it with wait4() into @ru; returns its EXIT event.
 */
static const struct recorded_event *run(struct proctrace *pt,
					struct collector *c,
					const char *const *args,
					struct rusage *ru, pid_t *pidp)
{
	char *argv[16];
	const struct recorded_event *e;
	int i, status;
	pid_t pid;

	argv[0] = "pt-usage";
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	pid = spawn(usage_path(), argv);
	collector_watch(c, pid);
	while (wait4(pid, &status, 0, ru) < 0)
		assert_int_equal(errno, EINTR);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("pt-usage %s: status 0x%x", args[0], status);
	e = collector_wait(pt, c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	if (!e)
		fail_msg("no EXIT for pt-usage %s (pid %d)", args[0], (int)pid);
	assert_true(PROCTRACE_EVENT_HAS(&e->ev, children_max_rss_bytes));
	if (pidp)
		*pidp = pid;
	return e;
}

/*
 * @got within 5 % or 20 ms (the larger) of @want, as the issue says.
 * What separates the two is the CPU time the last thread spends after the
 * exit tracepoint, plus at most a tick of runtime not yet accounted: tens
 * of microseconds on a real CPU.  Under instruction emulation (the kernel
 * matrix sets PT_EMULATED, docs/kernels.md) that exit path ran 20 to 36 ms
 * in the measured runs, so there the floor is 60 ms.  A thread counted
 * twice or not at all is 100 ms or more in every test here: far outside
 * on a real CPU; under emulation, where starting a process inflates the
 * totals to seconds, 5 % of them can hide it in the exec test, which the
 * run on the host's own kernel checks.
 */
static void assert_cpu_close(const char *what, uint64_t got, uint64_t want)
{
	uint64_t floor = getenv("PT_EMULATED") ? 60 * MS : 20 * MS;
	uint64_t tol = want / 20 > floor ? want / 20 : floor;
	uint64_t diff = got > want ? got - want : want - got;

	if (diff > tol)
		fail_msg("%s: %llu ns reported, wait4() says %llu ns (more than %llu ns apart)",
			 what, (unsigned long long)got, (unsigned long long)want,
			 (unsigned long long)tol);
}

static void assert_cpu_matches(const struct proctrace_event *e,
			       const struct rusage *ru)
{
	print_message("user %llu sys %llu; wait4: user %llu sys %llu\n",
		      (unsigned long long)e->cpu_user_ns, (unsigned long long)e->cpu_sys_ns,
		      (unsigned long long)tv_ns(ru->ru_utime),
		      (unsigned long long)tv_ns(ru->ru_stime));
	assert_cpu_close("cpu_user_ns", e->cpu_user_ns, tv_ns(ru->ru_utime));
	assert_cpu_close("cpu_sys_ns", e->cpu_sys_ns, tv_ns(ru->ru_stime));
	/* No child was waited for. */
	assert_int_equal(e->children_cpu_user_ns, 0);
	assert_int_equal(e->children_cpu_sys_ns, 0);
	assert_int_equal(e->children_max_rss_bytes, 0);
}

/* Two threads, 300 ms and 100 ms of user CPU: the process's 400 ms. */
static void test_cpu_two_threads(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const char *args[] = { "burn", "300", "100", NULL };
	struct rusage ru;
	const struct recorded_event *e = run(pt, &c, args, &ru, NULL);

	(void)state;
	assert_cpu_matches(&e->ev, &ru);
	/* What was burnt, whatever the load: each thread measured its own. */
	assert_true(e->ev.cpu_user_ns + e->ev.cpu_sys_ns >= 400 * MS);
	assert_true(e->ev.cpu_user_ns >= 300 * MS);
	proctrace_close(pt);
	collector_free(&c);
}

/* A process that spends its time in system calls. */
static void test_cpu_system(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const char *args[] = { "sys", "300", NULL };
	struct rusage ru;
	const struct recorded_event *e = run(pt, &c, args, &ru, NULL);

	(void)state;
	assert_cpu_matches(&e->ev, &ru);
	assert_true(e->ev.cpu_sys_ns >= 150 * MS);
	assert_true(e->ev.cpu_sys_ns > e->ev.cpu_user_ns);
	proctrace_close(pt);
	collector_free(&c);
}

/* 200 MiB touched and freed: the peak stays, as ru_maxrss has it. */
static void test_max_rss(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const char *args[] = { "rss", "200", NULL };
	struct rusage ru;
	const struct recorded_event *e = run(pt, &c, args, &ru, NULL);
	uint64_t want = (uint64_t)ru.ru_maxrss * 1024;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t got = e->ev.max_rss_bytes;

	(void)state;
	if (got < 200 * MIB)
		fail_msg("max_rss_bytes %llu < 200 MiB", (unsigned long long)got);
	if ((got > want ? got - want : want - got) > page)
		fail_msg("max_rss_bytes %llu, wait4() ru_maxrss*1024 %llu",
			 (unsigned long long)got, (unsigned long long)want);
	assert_int_equal(got % page, 0);
	/* Every page was touched once: minor faults, as wait4() counts. */
	assert_true(e->ev.min_flt <= (uint64_t)ru.ru_minflt);
	assert_true(e->ev.min_flt + 8 >= (uint64_t)ru.ru_minflt);
	assert_true(e->ev.maj_flt <= (uint64_t)ru.ru_majflt);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * A directory on a file system that writes back (write_bytes counts pages
 * as they are dirtied for storage; tmpfs never counts them), or NULL.
 */
static const char *real_fs_dir(void)
{
	static const char *candidates[] = { NULL, "/var/tmp", "/tmp", "." };
	struct statfs sf;
	size_t i;

	candidates[0] = getenv("PT_USAGE_DIR");
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (!candidates[i] || statfs(candidates[i], &sf) != 0)
			continue;
		if (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC)
			continue;
		if ((uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize < 512 * MIB)
			continue;
		if (access(candidates[i], W_OK) == 0)
			return candidates[i];
	}
	return NULL;
}

/* 64 MiB written and fsync()ed on a real file system. */
static void test_write_bytes(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt;
	const char *dir = real_fs_dir();
	char path[PATH_MAX];
	const char *args[] = { "write", path, "64", NULL };
	struct rusage ru;
	const struct recorded_event *e;

	(void)state;
	if (!dir) {
		print_message("skipped: no writable, non-tmpfs directory with 512 MiB free\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/pt-usage-write.%d", dir, (int)getpid());
	pt = live_start(&c, 0);
	e = run(pt, &c, args, &ru, NULL);
	if (e->ev.flags & PROCTRACE_EVENT_F_NO_IO_BYTES) {
		assert_int_equal(e->ev.write_bytes, 0);
		print_message("this kernel counts no storage I/O (CONFIG_TASK_IO_ACCOUNTING)\n");
	} else if (e->ev.write_bytes < 64 * MIB) {
		fail_msg("write_bytes %llu < 64 MiB", (unsigned long long)e->ev.write_bytes);
	}
	if (e->ev.flags & PROCTRACE_EVENT_F_NO_IO_CHARS)
		assert_int_equal(e->ev.wchar, 0);
	else if (e->ev.wchar < 64 * MIB)
		fail_msg("wchar %llu < 64 MiB", (unsigned long long)e->ev.wchar);
	/* ru_oublock counts the same writes, in 512-byte blocks. */
	if (!(e->ev.flags & PROCTRACE_EVENT_F_NO_IO_BYTES))
		assert_true(e->ev.write_bytes / 512 <= (uint64_t)ru.ru_oublock + 8);
	proctrace_close(pt);
	collector_free(&c);
}

/* wchar counts write calls on any file, tmpfs or /dev/null included. */
static void test_wchar_any_writer(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const char *args[] = { "null", "64", NULL };
	struct rusage ru;
	const struct recorded_event *e = run(pt, &c, args, &ru, NULL);

	(void)state;
	if (e->ev.flags & PROCTRACE_EVENT_F_NO_IO_CHARS)
		skip();
	if (e->ev.wchar < 64 * MIB)
		fail_msg("wchar %llu < 64 MiB", (unsigned long long)e->ev.wchar);
	/* Nothing reaches storage through /dev/null. */
	assert_true(e->ev.write_bytes < 1 * MIB);
	proctrace_close(pt);
	collector_free(&c);
}

/* 50 sleeps: at least 50 voluntary switches, as wait4() counts. */
static void test_voluntary_switches(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const char *args[] = { "sleeps", "50", NULL };
	struct rusage ru;
	const struct recorded_event *e = run(pt, &c, args, &ru, NULL);

	(void)state;
	if (e->ev.ctx_voluntary < 50)
		fail_msg("ctx_voluntary %llu < 50", (unsigned long long)e->ev.ctx_voluntary);
	/* wait4() also sees the dead thread's last switch away. */
	assert_true(e->ev.ctx_voluntary <= (uint64_t)ru.ru_nvcsw);
	assert_true(e->ev.ctx_voluntary + 2 >= (uint64_t)ru.ru_nvcsw);
	assert_true(e->ev.ctx_involuntary <= (uint64_t)ru.ru_nivcsw);
	proctrace_close(pt);
	collector_free(&c);
}

/* Records the collector's events and the EXIT of any child of @shell. */
struct shell_watch {
	struct collector c;
	pid_t shell;
	struct proctrace_event child_exit;
	int n_child_exits;
};

static int shell_cb(const struct proctrace_event *e, void *ctx)
{
	struct shell_watch *w = ctx;

	if (w->shell && e->type == PROCTRACE_EVENT_EXIT && e->ppid == w->shell) {
		w->child_exit = *e;
		w->child_exit.filename = NULL;
		w->child_exit.args = NULL;
		w->n_child_exits++;
	}
	return collector_cb(e, &w->c);
}

/*
 * A shell running a CPU-burning child: its own CPU small, its children's
 * holding the child's, and both adding up to what wait4() gives us.
 */
/*
 * Runs `sh -c 'pt-usage burn MS; exit 0'` (not the last command, so the
 * shell must fork and wait) and returns the shell's EXIT; the child's is
 * in w->child_exit, the shell's rusage from wait4() in @ru.
 */
static const struct recorded_event *run_shell(struct proctrace *pt,
					      struct shell_watch *w, int ms,
					      struct rusage *ru)
{
	char script[PATH_MAX + 64];
	char *argv[] = { "sh", "-c", script, NULL };
	const struct recorded_event *sh;
	pid_t pid;
	int status;

	snprintf(script, sizeof(script), "%s burn %d; exit 0", usage_path(), ms);
	w->n_child_exits = 0;
	pid = spawn("/bin/sh", argv);
	w->shell = pid;
	collector_watch(&w->c, pid);
	while (wait4(pid, &status, 0, ru) < 0)
		assert_int_equal(errno, EINTR);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The child exited before the shell: its EXIT was queued first. */
	sh = collector_wait(pt, &w->c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS);
	assert_non_null(sh);
	assert_int_equal(w->n_child_exits, 1);
	print_message("shell own %llu+%llu ns, children %llu+%llu, child %llu+%llu, "
		      "wait4 %llu+%llu\n",
		      (unsigned long long)sh->ev.cpu_user_ns, (unsigned long long)sh->ev.cpu_sys_ns,
		      (unsigned long long)sh->ev.children_cpu_user_ns,
		      (unsigned long long)sh->ev.children_cpu_sys_ns,
		      (unsigned long long)w->child_exit.cpu_user_ns,
		      (unsigned long long)w->child_exit.cpu_sys_ns,
		      (unsigned long long)tv_ns(ru->ru_utime),
		      (unsigned long long)tv_ns(ru->ru_stime));
	return sh;
}

static void test_shell_children(void **state)
{
	static struct shell_watch w;
	struct proctrace *pt;
	const struct recorded_event *sh;
	const struct proctrace_event *child = &w.child_exit;
	struct rusage ru;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t base, own, bound;

	(void)state;
	memset(&w, 0, sizeof(w));
	pt = live_open_started(shell_cb, &w, NULL);

	/* The same shell with a child that burns nothing: its own cost. */
	sh = run_shell(pt, &w, 1, &ru);
	base = sh->ev.cpu_user_ns + sh->ev.cpu_sys_ns;

	sh = run_shell(pt, &w, 300, &ru);
	own = sh->ev.cpu_user_ns + sh->ev.cpu_sys_ns;
	assert_true(child->cpu_user_ns + child->cpu_sys_ns >= 300 * MS);
	/*
	 * The shell's own stays small: a few milliseconds; never more than
	 * twice what the same shell costs with an idle child (that is what
	 * an emulated CPU, as in the kernel-matrix VMs, makes of starting a
	 * shell), and never near the child's 300 ms.
	 */
	bound = 2 * base + 20 * MS > 50 * MS ? 2 * base + 20 * MS : 50 * MS;
	if (own > bound || own >= 300 * MS)
		fail_msg("the shell's own CPU is %llu ns (with an idle child: %llu ns)",
			 (unsigned long long)own, (unsigned long long)base);
	/* Its children's: the child's, a few microseconds later. */
	assert_cpu_close("children_cpu_user_ns", sh->ev.children_cpu_user_ns,
			 child->cpu_user_ns);
	/*
	 * In all, never less than the child's; the split between user and
	 * system may move a tick's worth: the kernel splits the child's
	 * time again when the shell reaps it, with the ticks its exit took
	 * (an ASan build saw 3.4 ms move from user to system).
	 */
	assert_true(sh->ev.children_cpu_user_ns + sh->ev.children_cpu_sys_ns >=
		    child->cpu_user_ns + child->cpu_sys_ns);
	/* cmaxrss is the child's peak, final when the child exited. */
	assert_true(sh->ev.children_max_rss_bytes >= child->max_rss_bytes);
	assert_true(sh->ev.children_max_rss_bytes <= child->max_rss_bytes + page);
	/* wait4() gives us the shell plus the children it waited for. */
	assert_cpu_close("shell + children user",
			 sh->ev.cpu_user_ns + sh->ev.children_cpu_user_ns,
			 tv_ns(ru.ru_utime));
	assert_cpu_close("shell + children system",
			 sh->ev.cpu_sys_ns + sh->ev.children_cpu_sys_ns,
			 tv_ns(ru.ru_stime));
	proctrace_close(pt);
	collector_free(&w.c);
}

/*
 * The main thread exits first (a zombie until the end, its time still
 * its own) and another thread last: both counted, once.
 */
static void test_leader_exits_first(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const char *args[] = { "leader-first", "150", "150", NULL };
	struct rusage ru;
	const struct recorded_event *e = run(pt, &c, args, &ru, NULL);

	(void)state;
	assert_cpu_matches(&e->ev, &ru);
	if (e->ev.cpu_user_ns + e->ev.cpu_sys_ns < 300 * MS)
		fail_msg("user %llu + sys %llu < 300 ms; wait4: %llu + %llu",
			 (unsigned long long)e->ev.cpu_user_ns, (unsigned long long)e->ev.cpu_sys_ns,
			 (unsigned long long)tv_ns(ru.ru_utime), (unsigned long long)tv_ns(ru.ru_stime));
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * A thread execs while another runs and after a third was joined: the
 * time of the threads gone before and in the exec stays the process's,
 * counted once.
 */
static void test_thread_exec(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const char *args[] = { "thread-exec", "100", usage_path(), "burn", "100", NULL };
	struct rusage ru;
	const struct recorded_event *e;

	(void)state;
	args[2] = usage_path();
	e = run(pt, &c, args, &ru, NULL);
	assert_cpu_matches(&e->ev, &ru);
	/* 100 ms joined, what the killed thread had, 100 ms after. */
	assert_true(e->ev.cpu_user_ns + e->ev.cpu_sys_ns >= 200 * MS);
	proctrace_close(pt);
	collector_free(&c);
}

/* Eight threads die together in exit_group(): every one counted once. */
static void test_exit_group(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start(&c, 0);
	const char *args[] = { "exit-group", "8", "100", NULL };
	struct rusage ru;
	const struct recorded_event *e = run(pt, &c, args, &ru, NULL);

	(void)state;
	assert_cpu_matches(&e->ev, &ru);
	proctrace_close(pt);
	collector_free(&c);
}

/* Only EXIT events carry usage. */
static void test_other_types_zero(void **state)
{
	struct collector c = { 0 };
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_FORK_EVENTS);
	struct proctrace *pt = live_start_opts(&c, &opts);
	const char *args[] = { "sleeps", "1", NULL };
	struct rusage ru;
	const struct recorded_event *e;
	pid_t pid;
	size_t k;
	int seen = 0;

	(void)state;
	e = run(pt, &c, args, &ru, &pid);
	assert_true(e->ev.max_rss_bytes > 0);
	for (k = 0; k < c.n_events; k++) {
		const struct proctrace_event *ev = &c.events[k].ev;

		if (ev->pid != pid || ev->type == PROCTRACE_EVENT_EXIT)
			continue;
		seen++;
		assert_int_equal(ev->cpu_user_ns + ev->cpu_sys_ns + ev->max_rss_bytes +
					 ev->wchar + ev->rchar + ev->ctx_voluntary +
					 ev->min_flt + ev->children_cpu_user_ns, 0);
	}
	assert_true(seen >= 2);	/* FORK and EXEC */
	proctrace_close(pt);
	collector_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_two_threads),
		cmocka_unit_test(test_cpu_system),
		cmocka_unit_test(test_max_rss),
		cmocka_unit_test(test_write_bytes),
		cmocka_unit_test(test_wchar_any_writer),
		cmocka_unit_test(test_voluntary_switches),
		cmocka_unit_test(test_shell_children),
		cmocka_unit_test(test_leader_exits_first),
		cmocka_unit_test(test_thread_exec),
		cmocka_unit_test(test_exit_group),
		cmocka_unit_test(test_other_types_zero),
	};

	live_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
