/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-startup NOOP REPEATS
 *
 * Start-up cost of a session, REPEATS times: the time from
 * proctrace_open() to proctrace_start() returning, and to the first event
 * delivered.  So that an event is sure to come, NOOP is spawned as soon as
 * proctrace_start() returns.  Prints one line per repeat:
 * "open_to_start_ns=A open_to_first_event_ns=B open_to_own_event_ns=C"
 * (C: the first event of that child).
 *
 * Exit status: 0, 1 on failure, 2 for bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "common.h"

#define WAIT_LIMIT_NS (10 * 1000000000ULL)

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

static int one_run(const char *noop)
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
	while (!st.own_ns && now_ns(CLOCK_MONOTONIC) - t0 < WAIT_LIMIT_NS) {
		err = proctrace_poll(pt, 10);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "bench-startup: proctrace_poll: %s\n", strerror(-err));
			break;
		}
	}
	proctrace_close(pt);
	waitpid(st.child, NULL, 0);
	if (!st.own_ns) {
		fprintf(stderr, "bench-startup: no event of pid %d within %llu s\n",
			(int)st.child, WAIT_LIMIT_NS / 1000000000ULL);
		return 1;
	}
	printf("open_to_start_ns=%llu open_to_first_event_ns=%llu open_to_own_event_ns=%llu\n",
	       (unsigned long long)(t_start - t0), (unsigned long long)(st.first_ns - t0),
	       (unsigned long long)(st.own_ns - t0));
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	long repeats, i;

	if (argc != 3) {
		fprintf(stderr, "usage: bench-startup NOOP REPEATS\n");
		return 2;
	}
	repeats = parse_count("repeats", argv[2]);
	for (i = 0; i < repeats; i++)
		if (one_run(argv[1]))
			return 1;
	return 0;
}
