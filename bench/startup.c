/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-startup [--disarm-drain-timer] NOOP REPEATS
 *
 * Start-up cost of a session, REPEATS times: the time from
 * proctrace_open() to proctrace_start() returning, and to the first event
 * delivered.  So that an event is sure to come, NOOP is spawned as soon as
 * proctrace_start() returns.  Prints one line per repeat:
 * "open_to_start_ns=A open_to_first_event_ns=B open_to_own_event_ns=C"
 * (C: the first event of that child; B and C are "none" if no event came
 * within WAIT_LIMIT_NS).
 *
 * It waits the way an event loop does: epoll_wait() on proctrace_fd(),
 * then proctrace_poll(pt, 0), so only the library's own wake-ups deliver.
 * The wait's timeout is only the point where it gives up.
 * --disarm-drain-timer is the deliberately broken run (break-timer.h).
 *
 * Exit status: 0, 1 on failure, 2 for bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "break-timer.h"
#include "common.h"

/* 50 times the figure's target. */
#define WAIT_LIMIT_NS (5 * 1000000000ULL)

struct state {
	pid_t child;
	uint64_t first_ns, own_ns;
};

static int on_event(const struct proctrace_event *e, void *ctx)
{
	struct state *st = ctx;
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	if (!st->first_ns)
		st->first_ns = now;
	if (!st->own_ns && e->pid == st->child)
		st->own_ns = now;
	return 0;
}

/* Delivers until the child's first event, giving up at @limit_ns. */
static int wait_and_deliver(struct proctrace *pt, struct state *st, uint64_t limit_ns)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(EPOLL_CLOEXEC), n, err = 0;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, proctrace_fd(pt), &ev)) {
		perror("bench-startup: setting up the event loop");
		err = 1;
	}
	while (!err && !st->own_ns) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);

		if (now >= limit_ns)
			break;
		n = epoll_wait(ep, &ev, 1, (int)((limit_ns - now + 999999) / 1000000));
		if (n < 0 && errno != EINTR) {
			perror("bench-startup: epoll_wait");
			err = 1;
		} else if (n > 0 && (n = proctrace_poll(pt, 0)) < 0 && n != -EINTR) {
			fprintf(stderr, "bench-startup: proctrace_poll: %s\n", strerror(-n));
			err = 1;
		}
	}
	if (ep >= 0)
		close(ep);
	return err;
}

static void print_ns(const char *key, uint64_t ns, uint64_t t0, const char *sep)
{
	if (ns)
		printf("%s=%llu%s", key, (unsigned long long)(ns - t0), sep);
	else
		printf("%s=none%s", key, sep);
}

static int one_run(const char *noop, int disarm)
{
	char *const argv[] = { (char *)noop, NULL };
	char *const envp[] = { NULL };
	struct state st = { 0 };
	struct proctrace *pt;
	uint64_t t0, t_start;
	int err;

	t0 = now_ns(CLOCK_MONOTONIC);
	pt = proctrace_open(on_event, &st, NULL);
	if (!pt) {
		fprintf(stderr, "bench-startup: proctrace_open: %s\n", strerror(errno));
		return 1;
	}
	err = proctrace_start(pt);
	t_start = now_ns(CLOCK_MONOTONIC);
	if (err) {
		fprintf(stderr, "bench-startup: proctrace_start: %s\n", strerror(-err));
		proctrace_close(pt);
		return 1;
	}
	if (disarm && disarm_timerfds() < 1) {
		fprintf(stderr, "bench-startup: found no timer to disarm\n");
		proctrace_close(pt);
		return 1;
	}
	st.child = fork();
	if (st.child == 0) {
		execve(noop, argv, envp);
		_exit(127);
	}
	if (st.child < 0) {
		perror("bench-startup: fork");
		proctrace_close(pt);
		return 1;
	}
	err = wait_and_deliver(pt, &st, t0 + WAIT_LIMIT_NS);
	proctrace_close(pt);
	waitpid(st.child, NULL, 0);
	if (err)
		return 1;
	if (!st.own_ns)
		fprintf(stderr, "bench-startup: no event of pid %d within %llu s\n",
			(int)st.child, WAIT_LIMIT_NS / 1000000000ULL);
	printf("open_to_start_ns=%llu ", (unsigned long long)(t_start - t0));
	print_ns("open_to_first_event_ns", st.first_ns, t0, " ");
	print_ns("open_to_own_event_ns", st.own_ns, t0, "\n");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int disarm = argc > 1 && !strcmp(argv[1], "--disarm-drain-timer");
	long repeats, i;

	if (argc - disarm != 3) {
		fprintf(stderr, "usage: bench-startup [--disarm-drain-timer] NOOP REPEATS\n");
		return 2;
	}
	repeats = parse_count("repeats", argv[2 + disarm]);
	for (i = 0; i < repeats; i++)
		if (one_run(argv[1 + disarm], disarm))
			return 1;
	return 0;
}
