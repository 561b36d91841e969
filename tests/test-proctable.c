/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the process table (PROCTRACE_OPT_SNAPSHOT) through the
 * fake backend: what EXIT and FORK carry, pid reuse, the lookup, the
 * refusal of combinations the table cannot serve, and the table's memory
 * per process.  No privileges needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <proctrace/proctrace.h>

#include "fake-backend.h"
#include "internal.h"
#include "proctrace_wire.h"

#define S(ms) ((uint64_t)(ms) * 1000000ULL)

/* ---- records ---- */

struct rec {
	uint16_t type;
	uint32_t pid, ppid;
	uint64_t start, pstart;	/* boot ns */
	const char *comm, *filename, *exe, *cwd;
	const char *args;	/* NUL-separated, with the last NUL */
	size_t args_len;
	uint16_t flags;
};

static void queue(const struct rec *r)
{
	unsigned char buf[sizeof(struct pt_wire_event) + 512];
	struct pt_wire_event w;
	size_t at = sizeof(w), n;

	memset(&w, 0, sizeof(w));
	w.type = r->type;
	w.flags = r->flags;
	w.pid = r->pid;
	w.ppid = r->ppid;
	w.ts_boot_ns = r->start + S(5);
	w.start_boot_ns = r->start;
	w.parent_start_boot_ns = r->pstart;
	w.cgroup_id = 0;	/* no cgroup look-up in unit tests */
	snprintf(w.comm, sizeof(w.comm), "%s", r->comm ? r->comm : "x");
	if (r->filename) {
		n = strlen(r->filename) + 1;
		memcpy(buf + at, r->filename, n);
		w.len[PT_WIRE_STR_FILENAME] = (uint16_t)n;
		at += n;
	}
	if (r->args_len) {
		memcpy(buf + at, r->args, r->args_len);
		w.len[PT_WIRE_STR_ARGS] = (uint16_t)r->args_len;
		at += r->args_len;
	}
	if (r->exe) {
		n = strlen(r->exe) + 1;
		memcpy(buf + at, r->exe, n);
		w.len[PT_WIRE_STR_EXE] = (uint16_t)n;
		at += n;
	}
	if (r->cwd) {
		n = strlen(r->cwd) + 1;
		memcpy(buf + at, r->cwd, n);
		w.len[PT_WIRE_STR_CWD] = (uint16_t)n;
		at += n;
	}
	memcpy(buf, &w, sizeof(w));
	fake_backend_queue(buf, at);
}

#define ARGS(lit) (lit), sizeof(lit)	/* a literal's bytes and final NUL */

static void q_proc(uint32_t pid, uint32_t ppid, uint64_t start, uint64_t pstart,
		   const char *exe, const char *args, size_t args_len)
{
	struct rec r = { .type = PT_WIRE_PROCESS, .pid = pid, .ppid = ppid,
			 .start = start, .pstart = pstart, .exe = exe,
			 .args = args, .args_len = args_len };
	queue(&r);
}

static void q_exec(uint32_t pid, uint32_t ppid, uint64_t start, const char *filename,
		   const char *exe, const char *args, size_t args_len)
{
	struct rec r = { .type = PT_WIRE_EXEC, .pid = pid, .ppid = ppid,
			 .start = start, .pstart = S(1), .filename = filename,
			 .exe = exe, .args = args, .args_len = args_len };
	queue(&r);
}

static void q_fork(uint32_t pid, uint32_t ppid, uint64_t start, uint64_t pstart)
{
	struct rec r = { .type = PT_WIRE_FORK, .pid = pid, .ppid = ppid,
			 .start = start, .pstart = pstart };
	queue(&r);
}

static void q_exit(uint32_t pid, uint64_t start)
{
	struct rec r = { .type = PT_WIRE_EXIT, .pid = pid, .ppid = 1, .start = start };
	queue(&r);
}

/* ---- what the callback saw ---- */

#define MAX_GOT 16

struct seen {
	uint32_t type, flags;
	int32_t pid, ppid;
	uint64_t start, pstart;
	char filename[64], exe[64], cwd[64], args[128];
	bool has_filename, has_exe, has_cwd, has_args;
};

static struct {
	int n;
	struct seen e[MAX_GOT];
	struct proctrace *pt;
	/* lookup of this pid from inside the callback, at its EXIT */
	int32_t lookup_at_exit;
	bool lookup_at_exit_ok;
} got;

static void copy_str(char *dst, size_t size, const char *src, bool *has)
{
	*has = src != NULL;
	snprintf(dst, size, "%s", src ? src : "");
}

static int on_event(const struct proctrace_event *ev, void *ctx)
{
	struct seen *s;
	uint32_t i;

	if (got.n == MAX_GOT)
		fail_msg("more than %d events", MAX_GOT);
	s = &got.e[got.n++];
	s->type = ev->type;
	s->flags = ev->flags;
	s->pid = ev->pid;
	s->ppid = ev->ppid;
	s->start = ev->start_time_ns;
	s->pstart = ev->parent_start_time_ns;
	copy_str(s->filename, sizeof(s->filename), ev->filename, &s->has_filename);
	copy_str(s->exe, sizeof(s->exe), ev->exe, &s->has_exe);
	copy_str(s->cwd, sizeof(s->cwd), ev->cwd, &s->has_cwd);
	s->has_args = ev->args != NULL;
	s->args[0] = '\0';
	for (i = 0; ev->args && i < ev->args_count; i++)
		snprintf(s->args + strlen(s->args), sizeof(s->args) - strlen(s->args),
			 "%s%s", i ? "|" : "", ev->args[i]);
	if (ev->args)
		assert_null(ev->args[ev->args_count]);
	if (ev->type == PROCTRACE_EVENT_EXIT && ev->pid == got.lookup_at_exit)
		got.lookup_at_exit_ok = proctrace_process_lookup(got.pt, ev->pid) != NULL;
	return 0;
}

static int setup(void **state)
{
	fake_backend_reset();
	memset(&got, 0, sizeof(got));
	proctrace_set_log(NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	proctrace_close(got.pt);
	got.pt = NULL;
	proctrace_set_log(proctrace_log_stderr, NULL);
	fake_backend_reset();
	return 0;
}

static struct proctrace *start_table(uint32_t flags)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT | flags);

	got.pt = proctrace_open(on_event, NULL, &opts);
	assert_non_null(got.pt);
	assert_int_equal(proctrace_start(got.pt), 0);
	assert_true(fake.last_params.flags & PROCTRACE_OPT_SNAPSHOT);
	return got.pt;
}

/* ---- tests ---- */

/* A process known from the snapshot: its EXIT carries exe and args. */
static void test_snapshot_then_exit(void **state)
{
	struct proctrace *pt = start_table(0);
	const struct proctrace_event *l;

	q_proc(100, 1, S(10), S(1), "/usr/bin/sleep", ARGS("sleep\0001 0\000\xff\n"));
	q_exit(100, S(10));
	got.lookup_at_exit = 100;
	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_int_equal(got.n, 2);

	assert_int_equal(got.e[0].type, PROCTRACE_EVENT_PROCESS);
	assert_false(got.e[0].has_filename);
	assert_string_equal(got.e[0].exe, "/usr/bin/sleep");
	assert_string_equal(got.e[0].args, "sleep|1 0|\xff\n");

	assert_int_equal(got.e[1].type, PROCTRACE_EVENT_EXIT);
	assert_false(got.e[1].flags & PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
	assert_false(got.e[1].has_filename);	/* the snapshot has none */
	assert_string_equal(got.e[1].exe, "/usr/bin/sleep");
	assert_string_equal(got.e[1].args, "sleep|1 0|\xff\n");
	assert_int_equal(got.e[1].start, got.e[0].start);
	/* In the table during its EXIT's callback, gone after it. */
	assert_true(got.lookup_at_exit_ok);
	l = proctrace_process_lookup(pt, 100);
	assert_null(l);
	assert_int_equal(errno, ESRCH);
}

/*
 * The working directory the program started in, with its flags, on the
 * FORK of a child that runs it, on EXIT and in the lookup (0.4); not the
 * directory of the exec before it.
 */
static void test_program_cwd(void **state)
{
	struct proctrace *pt = start_table(PROCTRACE_OPT_FORK_EVENTS);
	const struct proctrace_event *l;
	struct rec first = { .type = PT_WIRE_EXEC, .pid = 400, .ppid = 1, .start = S(40),
			     .pstart = S(1), .filename = "a", .cwd = "/old" };
	struct rec second = { .type = PT_WIRE_EXEC, .pid = 400, .ppid = 1, .start = S(40),
			      .pstart = S(1), .filename = "b", .cwd = "/gone dir\n",
			      .flags = PT_WIRE_F_CWD_DELETED };

	queue(&first);
	queue(&second);
	q_fork(401, 400, S(41), S(40));
	assert_int_equal(proctrace_poll(pt, 0), 3);
	l = proctrace_process_lookup(pt, 401);
	assert_non_null(l);
	assert_non_null(l->cwd);
	assert_string_equal(l->cwd, "/gone dir\n");
	assert_true(l->flags & PROCTRACE_EVENT_F_CWD_DELETED);
	q_exit(400, S(40));
	q_exit(401, S(41));
	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_string_equal(got.e[1].cwd, "/gone dir\n");
	assert_true(got.e[1].flags & PROCTRACE_EVENT_F_CWD_DELETED);
	assert_string_equal(got.e[2].cwd, "/gone dir\n");	/* the FORK */
	assert_int_equal(got.e[3].type, PROCTRACE_EVENT_EXIT);
	assert_string_equal(got.e[3].cwd, "/gone dir\n");
	assert_true(got.e[3].flags & PROCTRACE_EVENT_F_CWD_DELETED);
	assert_string_equal(got.e[4].cwd, "/gone dir\n");
	/* A program without one: unknown, and its flags are not kept. */
	q_exec(402, 1, S(42), "c", "/bin/c", ARGS("c"));
	q_exit(402, S(42));
	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_false(got.e[6].has_cwd);
	assert_false(got.e[6].flags & PROCTRACE_EVENT_F_CWD_DELETED);
}

/* A -> exec B -> exec C: the EXIT carries C. */
static void test_exec_chain(void **state)
{
	struct proctrace *pt = start_table(0);
	const struct proctrace_event *l;

	q_exec(200, 1, S(20), "a", "/bin/a", ARGS("a\0001"));
	q_exec(200, 1, S(20), "./b", "/bin/b", ARGS("b\0002"));
	q_exec(200, 1, S(20), "/usr/bin/c", "/usr/lib/c", ARGS("c\0003\0three"));
	assert_int_equal(proctrace_poll(pt, 0), 3);
	l = proctrace_process_lookup(pt, 200);
	assert_non_null(l);
	assert_int_equal(l->type, PROCTRACE_EVENT_PROCESS);
	assert_string_equal(l->filename, "/usr/bin/c");
	assert_string_equal(l->exe, "/usr/lib/c");
	assert_int_equal(l->args_count, 3);
	assert_string_equal(l->args[2], "three");
	assert_null(l->args[3]);

	q_exit(200, S(20));
	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_string_equal(got.e[3].filename, "/usr/bin/c");
	assert_string_equal(got.e[3].exe, "/usr/lib/c");
	assert_string_equal(got.e[3].args, "c|3|three");
	assert_int_equal(got.e[3].start, got.e[0].start);
}

/*
 * A fork carries its parent's program, and so does the child's exit if it
 * never execs.  Fork records feed the table even when fork events are not
 * asked for; they are delivered only when they are.
 */
static void test_fork_carries_parent_program(void **state)
{
	struct proctrace *pt = start_table(0);

	q_exec(300, 1, S(30), "make", "/usr/bin/make", ARGS("make\0-j2"));
	q_fork(301, 300, S(31), S(30));
	q_exit(301, S(31));
	assert_int_equal(proctrace_poll(pt, 0), 2);	/* the fork not delivered */
	assert_int_equal(got.e[1].type, PROCTRACE_EVENT_EXIT);
	assert_int_equal(got.e[1].pid, 301);
	assert_string_equal(got.e[1].filename, "make");
	assert_string_equal(got.e[1].exe, "/usr/bin/make");
	assert_string_equal(got.e[1].args, "make|-j2");
	proctrace_close(pt);

	setup(state);
	pt = start_table(PROCTRACE_OPT_FORK_EVENTS);
	q_exec(300, 1, S(30), "make", "/usr/bin/make", ARGS("make\0-j2"));
	q_fork(301, 300, S(31), S(30));
	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_int_equal(got.e[1].type, PROCTRACE_EVENT_FORK);
	assert_string_equal(got.e[1].exe, "/usr/bin/make");
	assert_string_equal(got.e[1].args, "make|-j2");
	assert_false(got.e[1].flags & PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
}

/*
 * Pid reuse: a record of process (pid, start) never describes another
 * process with that pid.  The EXIT of the first was lost; the second is
 * unknown, and says so.
 */
static void test_pid_reuse_never_mixes(void **state)
{
	struct proctrace *pt = start_table(PROCTRACE_OPT_FORK_EVENTS);
	const struct proctrace_event *l;

	q_exec(400, 1, S(40), "old", "/bin/old", ARGS("old"));
	/* (its EXIT lost) a new process 400, seen only at its exit */
	q_exit(400, S(41));
	/* a fork whose parent pid 400 is yet another process */
	q_fork(401, 400, S(42), S(39));
	assert_int_equal(proctrace_poll(pt, 0), 3);

	assert_int_equal(got.e[1].type, PROCTRACE_EVENT_EXIT);
	assert_true(got.e[1].flags & PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
	assert_false(got.e[1].has_filename);
	assert_false(got.e[1].has_exe);
	assert_false(got.e[1].has_args);

	assert_int_equal(got.e[2].type, PROCTRACE_EVENT_FORK);
	assert_true(got.e[2].flags & PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
	assert_false(got.e[2].has_exe);

	/* The old record went with the exit of its pid: nothing stale left. */
	assert_null(proctrace_process_lookup(pt, 400));
	l = proctrace_process_lookup(pt, 401);
	assert_non_null(l);
	assert_true(l->flags & PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
	assert_null(l->exe);

	/* A new 400 that execs replaces nothing of the old. */
	q_exec(400, 1, S(43), "new", "/bin/new", ARGS("new"));
	q_exit(400, S(40));	/* a late exit of the old one: not the new's */
	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_true(got.e[4].flags & PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
	l = proctrace_process_lookup(pt, 400);
	assert_non_null(l);
	assert_string_equal(l->exe, "/bin/new");
	assert_int_equal(l->start_time_ns, got.e[3].start);
}

/* Walking the ancestors through the lookup, checking each key. */
static void test_ancestors(void **state)
{
	struct proctrace *pt = start_table(0);
	const struct proctrace_event *l;
	int32_t chain[4], n = 0, pid = 700;
	uint64_t want_start = 0;

	q_proc(1, 0, S(1), 0, "/sbin/init", ARGS("init"));
	q_proc(500, 1, S(50), S(1), "/bin/sh", ARGS("sh"));
	q_proc(600, 500, S(60), S(50), "/bin/make", ARGS("make"));
	q_proc(700, 600, S(70), S(60), "/bin/cc", ARGS("cc"));
	assert_int_equal(proctrace_poll(pt, 0), 4);

	while (pid > 0 && n < 4) {
		l = proctrace_process_lookup(pt, pid);
		assert_non_null(l);
		if (want_start)
			assert_int_equal(l->start_time_ns, want_start);
		chain[n++] = l->pid;
		want_start = l->parent_start_time_ns;
		pid = l->ppid;
	}
	assert_int_equal(n, 4);
	assert_int_equal(chain[0], 700);
	assert_int_equal(chain[1], 600);
	assert_int_equal(chain[2], 500);
	assert_int_equal(chain[3], 1);
	assert_int_equal(pid, 0);
}

static void test_lookup_errors(void **state)
{
	struct proctrace *pt;

	assert_null(proctrace_process_lookup(NULL, 1));
	assert_int_equal(errno, EINVAL);

	got.pt = pt = proctrace_open(on_event, NULL, NULL);
	assert_null(proctrace_process_lookup(pt, 1));	/* not started */
	assert_int_equal(errno, EINVAL);
	assert_int_equal(proctrace_start(pt), 0);
	assert_null(proctrace_process_lookup(pt, 1));	/* no table */
	assert_int_equal(errno, EINVAL);
	proctrace_close(pt);

	pt = start_table(0);
	assert_null(proctrace_process_lookup(pt, 0));
	assert_int_equal(errno, ESRCH);
	assert_null(proctrace_process_lookup(pt, -5));
	assert_int_equal(errno, ESRCH);
}

static void test_snapshot_refuses_min_duration(void **state)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT, .min_duration_ns = 1);

	got.pt = proctrace_open(on_event, NULL, &opts);
	assert_non_null(got.pt);
	assert_int_equal(proctrace_start(got.pt), -EINVAL);
	assert_int_equal(fake.start_calls, 0);
}

/* A malformed exe (no NUL, or past the record) is refused, not read. */
static void test_exe_malformed(void **state)
{
	struct proctrace *pt = start_table(0);
	struct proctrace_stats st = { .sz = sizeof(st) };
	unsigned char buf[sizeof(struct pt_wire_event) + 16];
	struct pt_wire_event w;

	memset(&w, 0, sizeof(w));
	w.type = PT_WIRE_EXEC;
	w.pid = 9;
	w.len[PT_WIRE_STR_FILENAME] = 2;
	w.len[PT_WIRE_STR_EXE] = 3;
	memcpy(buf, &w, sizeof(w));
	memcpy(buf + sizeof(w), "a\0exe", 5);		/* exe without NUL */
	fake_backend_queue(buf, sizeof(w) + 5);
	w.len[PT_WIRE_STR_EXE] = 200;			/* past the end */
	memcpy(buf, &w, sizeof(w));
	fake_backend_queue(buf, sizeof(w) + 5);
	assert_int_equal(proctrace_poll(pt, 0), 0);
	assert_int_equal(got.n, 0);
	assert_int_equal(proctrace_stats(pt, &st), 0);
	assert_int_equal(st.lost_malformed, 2);
	assert_null(proctrace_process_lookup(pt, 9));
}

/*
 * Memory: at most 512 bytes per live process besides its strings, at
 * 10,000 and 100,000 processes (the table's own accounting, which counts
 * every allocation it makes).
 */
static void check_memory(size_t n)
{
	struct pt_table *t = pt_table_new();
	struct proctrace_event ev;
	const char *argv[] = { "sleep", "1000", NULL };
	size_t i, strings = 0, bytes;

	assert_non_null(t);
	memset(&ev, 0, sizeof(ev));
	ev.type = PROCTRACE_EVENT_PROCESS;
	ev.exe = "/usr/bin/sleep";
	ev.args = argv;
	ev.args_count = 2;
	for (i = 0; i < n; i++) {
		ev.pid = (int32_t)(i + 2);
		ev.start_time_ns = S(i + 1);
		assert_int_equal(pt_table_before(t, &ev), 0);
		strings += strlen(ev.exe) + 1 + 6 + 5;
	}
	assert_int_equal(pt_table_count(t), n);
	bytes = pt_table_bytes(t);
	printf("%zu processes: %zu bytes, %.1f per process, %.1f besides strings\n",
	       n, bytes, (double)bytes / n, (double)(bytes - strings) / n);
	if (bytes - strings > 512 * n)
		fail_msg("%zu bytes per process besides strings", (bytes - strings) / n);
	/* Exits free them all. */
	for (i = 0; i < n; i++) {
		ev.type = PROCTRACE_EVENT_EXIT;
		ev.pid = (int32_t)(i + 2);
		ev.start_time_ns = S(i + 1);
		pt_table_after(t, &ev);
	}
	assert_int_equal(pt_table_count(t), 0);
	pt_table_free(t);
}

static void test_memory_per_process(void **state)
{
	check_memory(10000);
	check_memory(100000);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_snapshot_then_exit),
		T(test_exec_chain),
		T(test_program_cwd),
		T(test_fork_carries_parent_program),
		T(test_pid_reuse_never_mixes),
		T(test_ancestors),
		T(test_lookup_errors),
		T(test_snapshot_refuses_min_duration),
		T(test_exe_malformed),
		T(test_memory_per_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
