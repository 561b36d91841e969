/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every failure, injected (live, suite root).  One session's life --
 * proctrace_open(), proctrace_start(), an event read with
 * proctrace_poll(), a wait in proctrace_poll(), proctrace_stats(),
 * proctrace_close() -- is run again and again, each time in a fresh
 * child process, with the Nth fallible call made to fail, for N = 1, 2,
 * ... until a run reaches no Nth call (SQLite's method).  The calls are
 * those of failinject.c: allocations, mappings, bpf(2) and other system
 * calls, descriptors and files, in the library and inside libbpf and
 * libelf (linked statically so that their calls are wrapped too), and the
 * libbpf functions the library calls.
 *
 * In each run, the public call that fails must return a negative errno
 * (and set errno), send exactly one warning to the log callback (none
 * for -EINTR from a wait, which is a signal's business), and leave a
 * handle that proctrace_close() frees and (in the first session, to keep
 * the time down) after a failed start, that a second proctrace_start()
 * starts; a failure that the library
 * absorbs must leave the events and counts exact.  After close: the same
 * descriptors as before, no BPF map still mapped, the same mappings and
 * the same heap in use (exact, with glibc's per-thread cache off), and
 * under AddressSanitizer no leak at exit (LeakSanitizer).  Every BPF
 * program, map and link the run created through bpf(2) must be gone.
 *
 * A fresh process per run: libbpf caches what the kernel supports per
 * process, so each run starts as an application's first session does.
 *
 * To look closer: FAILINJECT_VERBOSE=1 prints every run (the call made to
 * fail, where from, which public call reported it); FAILINJECT_ONLY=N runs
 * only run N (under valgrind, say); FAILINJECT_KEEP_GOING=1 reports a
 * failed run and goes on.  A call site without a symbol is printed as
 * FILE+OFFSET, for addr2line -f -i -e FILE OFFSET.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libelf.h>

#include "bpf-objects.h"
#include "failinject.h"
#include "heap-use.h"
#include "live-harness.h"

#define EXIT_CODE 42
/* Far more than one session makes: a bound in case a run never ends. */
#define MAX_RUNS 100000

enum phase { PH_NONE, PH_OPEN, PH_START, PH_POLL, PH_WAIT, PH_STATS, PH_NR };
static const char *const phase_names[PH_NR] = {
	"none (absorbed)", "proctrace_open", "proctrace_start",
	"proctrace_poll (read)", "proctrace_poll (wait)", "proctrace_stats",
};

/* What a run's child process reports to the parent through a pipe. */
struct report {
	unsigned long fail_at, count;
	bool reached;
	char what[64];
	int injected_errno;
	char caller[128];
	bool in_feature_probe;
	enum phase failed;
	int rc;
	int n_objects;
	struct {
		enum fi_object kind;
		uint32_t id;
	} objects[FI_MAX_OBJECTS];
	char problem[512];	/* empty if every check passed */
};

/* ---- the child: one session's life, with one failure ---- */

static int warnings;
static char last_warning[512];

static void count_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
	if (level != PROCTRACE_LOG_WARN)
		return;
	warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

struct seen {
	pid_t pid;
	int execs, exits, others;
	int exit_code;
	uint32_t args_count;
	char filename[256], arg1[16];
};

static int seen_cb(const struct proctrace_event *e, void *ctx)
{
	struct seen *s = ctx;

	if (e->pid != s->pid) {
		s->others++;
	} else if (e->type == PROCTRACE_EVENT_EXEC) {
		s->execs++;
		snprintf(s->filename, sizeof(s->filename), "%s", e->filename);
		s->args_count = e->args_count;
		if (e->args_count > 1)
			snprintf(s->arg1, sizeof(s->arg1), "%s", e->args[1]);
	} else if (e->type == PROCTRACE_EVENT_EXIT) {
		s->exits++;
		s->exit_code = e->exit_code;
	} else {
		s->others++;
	}
	return 0;
}

static int problem(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int problem(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->problem[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof(r->problem), fmt, ap);
	va_end(ap);
	return -1;
}

static long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

/*
 * Lines of /proc/self/maps, and how many map a BPF object.  The heap
 * is left out: it may grow in a run, and in a forked process its new
 * part is a mapping of its own; heap_in_use() checks what is in it.
 */
static long count_mappings(long *bpf)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096];
	long n = 0;

	*bpf = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		n += strstr(line, "[heap]") == NULL;
		*bpf += strstr(line, "anon_inode:bpf") != NULL;
	}
	fclose(f);
	return n;
}

/*
 * The public call that failed: a negative errno, errno set to match,
 * one warning (none for an interrupted wait), and a failure we caused.
 */
static int check_failure(struct report *r, enum phase ph, int rc, int err, int warned)
{
	r->failed = ph;
	r->rc = rc;
	if (!fi.injected)
		return problem(r, "%s failed (%d) though nothing was injected: %s",
			       phase_names[ph], rc, last_warning);
	if (rc >= 0 || err != -rc)
		return problem(r, "%s returned %d with errno %d", phase_names[ph], rc, err);
	if (!strncmp(strerror(-rc), "Unknown error", 13))
		return problem(r, "%s returned %d, not an errno value", phase_names[ph], rc);
	if (rc == -EINTR && ph == PH_WAIT) {
		if (warned)
			return problem(r, "%s: -EINTR with %d warnings (expected none)",
				       phase_names[ph], warned);
		return 0;
	}
	if (warned != 1)
		return problem(r, "%s returned %d with %d warnings (expected one; the last: "
			       "'%s')", phase_names[ph], rc, warned, last_warning);
	return 0;
}

#define ARMED(expr)                                                   \
	({                                                            \
		int before_ = warnings;                               \
		fi.armed = true;                                      \
		__typeof__(expr) v_ = (expr);                         \
		fi.armed = false;                                     \
		call_errno = errno;                                   \
		call_warnings = warnings - before_;                   \
		v_;                                                   \
	})

/*
 * Two sessions, between them every option that changes what the library
 * or libbpf calls: a subtree and comm filter with the latency timer
 * (never expiring during a run, so that one wait is one call); and a
 * BTF file given by path, fork events and a wake-up per event, filtered
 * by a comm of our own (a link to pt-child named after our pid).
 */
enum scenario { SC_SUBTREE, SC_BTF_PATH_FORKS, SC_NR };
static const char *const scenario_names[SC_NR] = {
	"filter_pid + filter_comm + max_latency_ms",
	"btf_path + fork events + wake every event + filter_comm",
};
static enum scenario scenario;
static char link_path[64], link_comm[16];

static int run_session(struct report *r)
{
	PROCTRACE_OPTS(opts, .filter_comm = "pt-child");
	const char *exe = live_child_path();
	char code[16], *argv[] = { "pt-child", code, "0", NULL };
	int call_errno, call_warnings, n, status;
	struct proctrace_stats st = { .sz = sizeof(st) };
	struct seen seen = { 0 };
	struct proctrace *pt;
	pid_t pid;

	if (scenario == SC_SUBTREE) {
		opts.filter_pid = getpid();
		opts.max_latency_ms = 60000;
	} else {
		opts.btf_path = "/sys/kernel/btf/vmlinux";
		opts.flags = PROCTRACE_OPT_FORK_EVENTS | PROCTRACE_OPT_WAKE_EVERY_EVENT;
		opts.filter_comm = link_comm;
		exe = link_path;
	}
	proctrace_set_log(count_log, NULL);
	pt = ARMED(proctrace_open(seen_cb, &seen, &opts));
	if (!pt)
		return check_failure(r, PH_OPEN, -call_errno, call_errno, call_warnings);
	n = ARMED(proctrace_start(pt));
	if (n) {
		/*
		 * The contract: a failed start may be retried, and then works;
		 * except after a failure inside libbpf's feature detection,
		 * whose verdict ("not supported") libbpf 1.1 keeps for the
		 * life of the process (docs/security.md).
		 */
		if (!check_failure(r, PH_START, n, call_errno, call_warnings) &&
		    scenario == SC_SUBTREE && !fi.in_feature_probe &&
		    (n = proctrace_start(pt)))
			problem(r, "starting again after the failure: %s (%s)", strerror(-n),
				last_warning);
		goto close;
	}

	snprintf(code, sizeof(code), "%d", EXIT_CODE);
	pid = fork();
	if (pid < 0) {
		problem(r, "fork: %s", strerror(errno));
		goto close;
	}
	if (pid == 0) {
		execv(exe, argv);
		_exit(127);
	}
	seen.pid = pid;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Its exec and exit events are queued by now: one read takes both. */
	n = ARMED(proctrace_poll(pt, 0));
	if (n < 0) {
		check_failure(r, PH_POLL, n, call_errno, call_warnings);
		goto close;
	}
	/* Nothing more comes: this one waits, and times out. */
	n = ARMED(proctrace_poll(pt, 20));
	if (n < 0) {
		check_failure(r, PH_WAIT, n, call_errno, call_warnings);
		goto close;
	}
	n = ARMED(proctrace_stats(pt, &st));
	if (n) {
		check_failure(r, PH_STATS, n, call_errno, call_warnings);
		goto close;
	}

	/* Nothing failed: a failure the library absorbed changed nothing. */
	if (warnings)
		problem(r, "every call succeeded, yet %d warnings (the last: '%s')", warnings,
			last_warning);
	else if (seen.execs != 1 || seen.exits != 1 || seen.others)
		problem(r, "events: %d exec, %d exit, %d others (expected 1, 1, 0)",
			seen.execs, seen.exits, seen.others);
	else if (strcmp(seen.filename, exe) || seen.args_count != 3 ||
		 strcmp(seen.arg1, code) || seen.exit_code != EXIT_CODE)
		problem(r, "events: filename '%s', %u args, argv[1] '%s', exit code %d",
			seen.filename, seen.args_count, seen.arg1, seen.exit_code);
	else if (st.events_delivered != 2 || st.events_lost)
		problem(r, "stats: %llu delivered, %llu lost (expected 2, 0)",
			(unsigned long long)st.events_delivered,
			(unsigned long long)st.events_lost);
close:
	ARMED((proctrace_close(pt), 0));
	return 0;
}

static void describe_caller(void *addr, char *buf, size_t size)
{
	Dl_info info;

	if (addr && dladdr(addr, &info) && info.dli_sname)
		snprintf(buf, size, "%s+0x%lx", info.dli_sname,
			 (unsigned long)((char *)addr - (char *)info.dli_saddr));
	else if (addr && dladdr(addr, &info) && info.dli_fname)
		/* No symbol (a static function): for addr2line -f -e FILE OFFSET. */
		snprintf(buf, size, "%s+0x%lx", info.dli_fname,
			 (unsigned long)((char *)addr - (char *)info.dli_fbase));
	else
		snprintf(buf, size, "%p", addr);
}

static int child_run(unsigned long fail_at, int out_fd)
{
	static struct report r;
	long fds0, fds1, maps0, maps1, bpf_maps;
	size_t heap0, heap1;
	int i;

	memset(&r, 0, sizeof(r));
	r.fail_at = fail_at;
	fds0 = count_fds();
	maps0 = count_mappings(&bpf_maps);
	heap0 = heap_in_use();

	fi.fail_at = fail_at;
	run_session(&r);

	r.count = fi.count;
	r.reached = fi.injected;
	snprintf(r.what, sizeof(r.what), "%s", fi.what);
	r.injected_errno = fi.injected_errno;
	describe_caller(fi.caller, r.caller, sizeof(r.caller));
	r.in_feature_probe = fi.in_feature_probe;
	r.n_objects = fi.n_objects;
	for (i = 0; i < fi.n_objects; i++) {
		r.objects[i].kind = fi.objects[i].kind;
		r.objects[i].id = fi.objects[i].id;
	}

	/* After proctrace_close(): nothing of the session is left here. */
	fds1 = count_fds();
	maps1 = count_mappings(&bpf_maps);
	heap1 = heap_in_use();
	if (fds1 != fds0)
		problem(&r, "%ld descriptors open after close, %ld before", fds1, fds0);
	else if (bpf_maps)
		problem(&r, "%ld mappings of BPF maps remain after close", bpf_maps);
	else if (!UNDER_ASAN && maps1 != maps0)
		problem(&r, "%ld mappings after close, %ld before", maps1, maps0);
	else if (!UNDER_ASAN && heap1 != heap0)
		problem(&r, "heap in use: %zu bytes after close, %zu before (%+ld)", heap1,
			heap0, (long)(heap1 - heap0));

	if (write(out_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return 3;
	return r.problem[0] ? 1 : 0;
}

/* ---- the parent ---- */

static struct report report;

/* Runs the session in a child with the @fail_at-th call failing. */
static void run_once(unsigned long fail_at)
{
	size_t got = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		/* exit(), not _exit(): LeakSanitizer checks at exit. */
		exit(child_run(fail_at, fds[1]));
	}
	close(fds[1]);
	memset(&report, 0, sizeof(report));
	while (got < sizeof(report) &&
	       ((n = read(fds[0], (char *)&report + got, sizeof(report) - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		got += n > 0 ? (size_t)n : 0;
	close(fds[0]);
	status = reap(pid);
	if (got != sizeof(report))
		fail_msg("run %lu: the child died before reporting (status 0x%x)", fail_at,
			 status);
	if (fail_at == 0 && report.failed == PH_START && report.rc == -EPERM) {
		printf("SKIP: loading BPF programs is not permitted here\n");
		exit(77);
	}
	if (report.problem[0] && getenv("FAILINJECT_KEEP_GOING")) {
		printf("PROBLEM run %lu, %s failed (from %s; %s returned %d): %s\n", fail_at,
		       report.what, report.caller, phase_names[report.failed], report.rc,
		       report.problem);
		return;
	}
	if (report.problem[0])
		fail_msg("run %lu, %s failed (from %s): %s", fail_at, report.what,
			 report.caller, report.problem);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("run %lu, %s failed (from %s): the child ended with status 0x%x "
			 "(a LeakSanitizer report above?)", fail_at, report.what,
			 report.caller, status);
}

struct tally {
	char what[64];
	unsigned long n, by_phase[PH_NR];
};

static void inject_all(enum scenario sc)
{
	static struct tally tallies[64];
	static struct bpf_objects created;
	unsigned long by_phase[PH_NR] = { 0 }, points, fail_at, total, probes = 0;
	size_t n_tallies = 0, i, p, l, m;
	int left, k;
	time_t t0 = time(NULL);

	scenario = sc;
	printf("session: %s\n", scenario_names[sc]);

	/* To look at one run (under valgrind, say): FAILINJECT_ONLY=N. */
	if (getenv("FAILINJECT_ONLY")) {
		run_once(strtoul(getenv("FAILINJECT_ONLY"), NULL, 10));
		printf("run %lu: %s from %s%s -> %s %d\n", report.fail_at, report.what,
		       report.caller,
		       report.in_feature_probe ? " (libbpf feature probe)" : "",
		       phase_names[report.failed], report.rc);
		return;
	}

	/* A reference run, nothing failing: how many calls there are. */
	run_once(0);
	total = report.count;
	printf("one session makes %lu fallible calls; failing each in turn\n", total);
	assert_true(total > 0);

	for (fail_at = 1; fail_at <= MAX_RUNS; fail_at++) {
		run_once(fail_at);
		for (k = 0; k < report.n_objects; k++) {
			struct id_set *set = report.objects[k].kind == FI_PROG ? &created.progs :
					     report.objects[k].kind == FI_MAP ? &created.maps :
					     &created.links;

			assert_int_equal(id_set_add(set, report.objects[k].id), 0);
		}
		if (!report.reached)
			break;
		if (getenv("FAILINJECT_VERBOSE"))
			printf("run %lu: %s (errno %d) from %s%s -> %s %d\n", fail_at,
			       report.what, report.injected_errno, report.caller,
			       report.in_feature_probe ? " (libbpf feature probe)" : "",
			       phase_names[report.failed], report.rc);
		probes += report.in_feature_probe;
		by_phase[report.failed]++;
		for (i = 0; i < n_tallies && strcmp(tallies[i].what, report.what); i++)
			;
		if (i == n_tallies && n_tallies < sizeof(tallies) / sizeof(tallies[0])) {
			snprintf(tallies[i].what, sizeof(tallies[i].what), "%s", report.what);
			n_tallies++;
		}
		if (i < n_tallies) {
			tallies[i].n++;
			tallies[i].by_phase[report.failed]++;
		}
	}
	points = fail_at - 1;

	printf("%lu injection points reached in %ld s; by call "
	       "(failures absorbed / surfaced by open, start, poll read, poll wait, stats):\n",
	       points, (long)(time(NULL) - t0));
	for (i = 0; i < n_tallies; i++)
		printf("  %-32s %5lu  (%lu / %lu %lu %lu %lu %lu)\n", tallies[i].what,
		       tallies[i].n, tallies[i].by_phase[PH_NONE], tallies[i].by_phase[PH_OPEN],
		       tallies[i].by_phase[PH_START], tallies[i].by_phase[PH_POLL],
		       tallies[i].by_phase[PH_WAIT], tallies[i].by_phase[PH_STATS]);
	for (k = 0; k < PH_NR; k++)
		printf("failures surfaced by %s: %lu\n", phase_names[k], by_phase[k]);
	printf("inside libbpf's feature detection (no retry checked): %lu\n", probes);

	left = bpf_objects_wait_gone(&created, 10000, &p, &l, &m);
	printf("BPF objects the runs created: %zu programs, %zu maps, %zu links; "
	       "still alive: %zu, %zu, %zu\n", created.progs.n, created.maps.n,
	       created.links.n, p, m, l);
	assert_int_equal(left, 0);

	/* It cannot pass by reaching nothing: every call of the session failed somewhere. */
	assert_true(points > 0);
	assert_true(points >= total);
	/* Reading what is queued makes no call that can fail: no PH_POLL. */
	for (k = PH_OPEN; k < PH_NR; k++)
		if (k != PH_POLL && !by_phase[k])
			fail_msg("no injected failure surfaced in %s", phase_names[k]);
	assert_true(created.progs.n > 0 && created.maps.n > 0 && created.links.n > 0);
	bpf_objects_free(&created);
}

static void test_subtree_session(void **state)
{
	inject_all(SC_SUBTREE);
}

static void test_btf_path_fork_events_session(void **state)
{
	inject_all(SC_BTF_PATH_FORKS);
}

/*
 * Not an injected failure: runs the kernel skipped (a program's
 * recursion_misses; failinject.c's wrapper of bpf_obj_get_info_by_fd()
 * adds 5 to each program's) count as lost_other, exactly.  In a child:
 * this process keeps no session.  The default session loads three
 * programs, exec, exit and task_rename's (four with the compat programs:
 * free), of which task_rename's skipped runs lose no event and are not
 * read.
 */
static void test_stats_count_skipped_runs(void **state)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct proctrace_stats a = { .sz = sizeof(a) }, b = { .sz = sizeof(b) };
		struct proctrace_features f = { .sz = sizeof(f) };
		unsigned long programs;
		struct seen seen;
		struct proctrace *pt;

		memset(&seen, 0, sizeof(seen));
		pt = proctrace_open(seen_cb, &seen, NULL);
		if (!pt || proctrace_start(pt) || proctrace_stats(pt, &a))
			_exit(2);
		fi.add_recursion_misses = 5;
		if (proctrace_stats(pt, &b))
			_exit(3);
		fi.add_recursion_misses = 0;
		if (proctrace_features(pt, &f))
			_exit(6);
		/* The compat programs add the one that empties their per-task maps. */
		programs = f.degraded & PROCTRACE_FEATURE_PROCESS_STATE ? 3 : 2;
		proctrace_close(pt);
		if (fi.prog_infos != programs) {
			fprintf(stderr, "read %lu programs' information, not %lu\n", fi.prog_infos,
				programs);
			_exit(4);
		}
		if (b.lost_other - a.lost_other != 5 * programs ||
		    b.events_lost - a.events_lost != 5 * programs) {
			fprintf(stderr, "lost_other %llu -> %llu, events_lost %llu -> %llu "
				"(expected +%lu each)\n", (unsigned long long)a.lost_other,
				(unsigned long long)b.lost_other, (unsigned long long)a.events_lost,
				(unsigned long long)b.events_lost, 5 * programs);
			_exit(5);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static char link_dir[] = "/tmp/proctrace-fi-XXXXXX";

/* A link to pt-child whose name, hence comm, no other process has. */
static int setup(void **state)
{
	snprintf(link_comm, sizeof(link_comm), "fi-%d", (int)getpid());
	if (!mkdtemp(link_dir))
		return -1;
	snprintf(link_path, sizeof(link_path), "%s/%s", link_dir, link_comm);
	return symlink(live_child_path(), link_path);
}

static int teardown(void **state)
{
	unlink(link_path);
	rmdir(link_dir);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subtree_session),
		cmocka_unit_test(test_btf_path_fork_events_session),
		cmocka_unit_test(test_stats_count_skipped_runs),
	};

	heap_without_malloc_cache(argv);
	/*
	 * libelf's error messages go through gettext, whose first use keeps
	 * a few bytes for good (not a leak): done here, before any baseline.
	 */
	(void)elf_errmsg(1);
	/* The same for backtrace(), which loads libgcc_s on first use. */
	{
		void *frame;

		(void)backtrace(&frame, 1);
	}
	/* No session in this process: each run's child starts afresh. */
	live_prepare_machine();
	return cmocka_run_group_tests(tests, setup, teardown);
}
