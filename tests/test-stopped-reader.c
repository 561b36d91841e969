/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A reader that stops (live, suites root and slow): a process reading a
 * session is stopped with SIGSTOP for at least 30 s while 30,000
 * processes run (an exec and an exit each), then continued.  Everything
 * that happened is accounted for exactly: events delivered + events lost
 * = 2 x processes run (the default 4 MiB ring buffer holds far fewer, so
 * some are lost), the library's delivered count equals what the callback
 * saw, no process is reported twice, each exit carries the code its exec
 * asked for; and delivery resumes: the next 100 processes arrive whole,
 * with no new loss.
 *
 * Three processes: this one directs; a spawner runs the processes when
 * told (its subtree is what the session traces: filter_pid, so the
 * counts are exact on a shared machine); the reader holds the session
 * and reports its counts when asked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "live-harness.h"

#define STOPPED_S 30
#define WHILE_STOPPED 30000
#define BEFORE 10		/* run before the stop: the reader works */
#define AFTER 100		/* run after: delivery resumed */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int read_full(int fd, void *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size) {
		n = read(fd, (char *)buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t size)
{
	return write(fd, buf, size) == (ssize_t)size ? 0 : -1;
}

/* ---- the spawner: runs N processes when told, reports how many ran ---- */

static int spawner(int cmd_fd, int reply_fd)
{
	static unsigned long started;
	char code[16], *argv[] = { "pt-child", code, "0", NULL };
	extern char **environ;
	uint32_t n, i, ok;
	int status;
	pid_t pid;

	while (read_full(cmd_fd, &n, sizeof(n)) == 0) {
		for (i = 0, ok = 0; i < n; i++, started++) {
			snprintf(code, sizeof(code), "%lu", started % 256);
			if (posix_spawn(&pid, live_child_path(), NULL, NULL, argv, environ))
				continue;
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			ok += WIFEXITED(status) && WEXITSTATUS(status) == (int)(started % 256);
		}
		if (write_full(reply_fd, &ok, sizeof(ok)))
			return 1;
	}
	return 0;
}

/* ---- the reader: counts events, reports when asked ---- */

struct counts {
	uint64_t execs, exits, twice, wrong_code, foreign;
	struct proctrace_stats stats;
	int poll_error;
};

struct reader {
	pid_t spawner;
	struct counts c;
	/* Per pid: the exit code its exec asked for + 1 (0: no exec seen). */
	unsigned char *expected;
	unsigned char *seen;	/* bit 0: exec, bit 1: exit */
	size_t pid_max;
};

static int reader_cb(const struct proctrace_event *e, void *ctx)
{
	struct reader *r = ctx;
	size_t pid = (size_t)e->pid;
	unsigned char bit;

	if (pid >= r->pid_max || (e->ppid != r->spawner && e->pid != r->spawner)) {
		r->c.foreign++;
		return 0;
	}
	bit = e->type == PROCTRACE_EVENT_EXEC ? 1 : 2;
	if (r->seen[pid] & bit)
		r->c.twice++;
	r->seen[pid] |= bit;
	if (e->type == PROCTRACE_EVENT_EXEC) {
		r->c.execs++;
		if (e->args_count == 3)
			r->expected[pid] = (unsigned char)(atoi(e->args[1]) + 1);
	} else if (e->type == PROCTRACE_EVENT_EXIT) {
		r->c.exits++;
		if (r->expected[pid] && r->expected[pid] - 1 != e->exit_code)
			r->c.wrong_code++;
		/* The pid may come again, much later: forget it. */
		r->seen[pid] = 0;
		r->expected[pid] = 0;
	} else {
		r->c.foreign++;
	}
	return 0;
}

static long pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int reader(pid_t spawner_pid, int cmd_fd, int reply_fd)
{
	PROCTRACE_OPTS(opts, .filter_pid = spawner_pid);
	struct reader r = { .spawner = spawner_pid };
	struct proctrace *pt;
	char cmd;
	int n;

	r.pid_max = (size_t)pid_max() + 1;
	r.expected = calloc(r.pid_max, 1);
	r.seen = calloc(r.pid_max, 1);
	if (r.pid_max < 2 || !r.expected || !r.seen)
		return 2;
	pt = proctrace_open(reader_cb, &r, &opts);
	if (!pt || proctrace_start(pt))
		return 3;
	if (write_full(reply_fd, "R", 1))
		return 4;
	fcntl(cmd_fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		n = proctrace_poll(pt, 50);
		if (n < 0 && n != -EINTR && !r.c.poll_error)
			r.c.poll_error = n;
		n = (int)read(cmd_fd, &cmd, 1);
		if (n == 0)
			break;
		if (n < 0)
			continue;
		/* Asked for a report: take everything queued first. */
		while ((n = proctrace_poll(pt, 0)) > 0)
			;
		if (n < 0 && !r.c.poll_error)
			r.c.poll_error = n;
		r.c.stats.sz = sizeof(r.c.stats);
		if (proctrace_stats(pt, &r.c.stats))
			r.c.poll_error = -errno;
		if (write_full(reply_fd, &r.c, sizeof(r.c)))
			break;
	}
	proctrace_close(pt);
	free(r.expected);
	free(r.seen);
	return 0;
}

/* ---- the director ---- */

struct child {
	pid_t pid;
	int cmd, reply;
};

static struct child fork_child(int (*body)(pid_t, int, int), pid_t arg)
{
	int down[2], up[2];
	struct child c;

	assert_int_equal(pipe2(down, O_CLOEXEC), 0);
	assert_int_equal(pipe2(up, O_CLOEXEC), 0);
	fflush(NULL);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		close(down[1]);
		close(up[0]);
		_exit(body(arg, down[0], up[1]));
	}
	close(down[0]);
	close(up[1]);
	c.cmd = down[1];
	c.reply = up[0];
	return c;
}

static int spawner_body(pid_t unused, int cmd_fd, int reply_fd)
{
	return spawner(cmd_fd, reply_fd);
}

static uint32_t run_processes(const struct child *s, uint32_t n)
{
	uint32_t ok;

	assert_int_equal(write_full(s->cmd, &n, sizeof(n)), 0);
	assert_int_equal(read_full(s->reply, &ok, sizeof(ok)), 0);
	assert_int_equal(ok, n);
	return ok;
}

static struct counts report(const struct child *r)
{
	struct counts c;

	assert_int_equal(write_full(r->cmd, "?", 1), 0);
	assert_int_equal(read_full(r->reply, &c, sizeof(c)), 0);
	printf("reader: %" PRIu64 " execs, %" PRIu64 " exits delivered (library: %" PRIu64
	       "); lost %" PRIu64 " (ring full %" PRIu64 ", other %" PRIu64 ", malformed %"
	       PRIu64 "); twice %" PRIu64 ", wrong code %" PRIu64 ", foreign %" PRIu64 "\n",
	       c.execs, c.exits, c.stats.events_delivered, c.stats.events_lost,
	       c.stats.lost_ring_full, c.stats.lost_other, c.stats.lost_malformed, c.twice,
	       c.wrong_code, c.foreign);
	assert_int_equal(c.poll_error, 0);
	assert_int_equal(c.twice, 0);
	assert_int_equal(c.wrong_code, 0);
	assert_int_equal(c.foreign, 0);
	assert_int_equal(c.execs + c.exits, c.stats.events_delivered);
	return c;
}

static void test_stopped_reader_loses_nothing_uncounted(void **state)
{
	struct child s, r;
	struct counts before, during, after;
	uint64_t ran, t0, t1, stopped_ms;
	int status;
	char ready;

	s = fork_child(spawner_body, 0);
	r = fork_child(reader, s.pid);
	assert_int_equal(read_full(r.reply, &ready, 1), 0);

	ran = run_processes(&s, BEFORE);
	before = report(&r);
	assert_int_equal(before.execs + before.exits, 2 * ran);
	assert_int_equal(before.stats.events_lost, 0);

	assert_int_equal(kill(r.pid, SIGSTOP), 0);
	assert_int_equal(waitpid(r.pid, &status, WUNTRACED), r.pid);
	assert_true(WIFSTOPPED(status));
	t0 = now_ms();
	ran += run_processes(&s, WHILE_STOPPED);
	t1 = now_ms();
	if (t1 - t0 < STOPPED_S * 1000)
		usleep((useconds_t)(STOPPED_S * 1000 - (t1 - t0)) * 1000);
	stopped_ms = now_ms() - t0;
	assert_int_equal(kill(r.pid, SIGCONT), 0);
	printf("reader stopped for %" PRIu64 " ms; %d processes ran in the first %" PRIu64
	       " ms\n", stopped_ms, WHILE_STOPPED, t1 - t0);

	during = report(&r);
	/* Exactly what happened: 2 events per process, delivered or counted lost. */
	assert_int_equal(during.execs + during.exits + during.stats.events_lost, 2 * ran);
	assert_true(during.stats.events_lost > 0);
	assert_int_equal(during.stats.events_lost, during.stats.lost_ring_full);

	ran += run_processes(&s, AFTER);
	after = report(&r);
	/* Delivery resumed: the last processes arrived whole, nothing new lost. */
	assert_int_equal(after.execs + after.exits, during.execs + during.exits + 2 * AFTER);
	assert_int_equal(after.stats.events_lost, during.stats.events_lost);
	assert_int_equal(after.execs + after.exits + after.stats.events_lost, 2 * ran);

	close(s.cmd);
	close(r.cmd);
	assert_int_equal(reap(r.pid), 0);
	assert_int_equal(reap(s.pid), 0);
	close(s.reply);
	close(r.reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stopped_reader_loses_nothing_uncounted),
	};

	live_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
