/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-snapshot COUNT
 *
 * The snapshot of COUNT live processes: forks COUNT children that wait on
 * a pipe, then opens a session with PROCTRACE_OPT_SNAPSHOT and polls until
 * the last snapshot event has been delivered.  Prints
 * "start_ns=A snapshot_ns=B cpu_ns=C cpu_after_start_ns=D processes=E ours=F":
 * A from proctrace_start() called to returned; B from proctrace_start()
 * called to the last PROCESS event delivered; C the benchmark's own CPU
 * time (user+sys, the reader) over B, D the part of it after
 * proctrace_start() returned (decoding, table, callback); E PROCESS events
 * in all, F of them our children (all COUNT, or the run fails).
 *
 * Exit status: 0, 1 on failure, 2 for bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "common.h"

#define WAIT_LIMIT_NS (30 * 1000000000ULL)

struct state {
	pid_t self;
	long processes, ours;
	bool other_seen;	/* a live event: the snapshot is over */
	uint64_t last_ns;
};

static int on_event(const struct proctrace_event *e, void *ctx)
{
	struct state *st = ctx;

	if (e->type != PROCTRACE_EVENT_PROCESS) {
		st->other_seen = true;
		return 0;
	}
	st->processes++;
	st->ours += e->ppid == st->self;
	st->last_ns = now_ns(CLOCK_MONOTONIC);
	return 0;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

int main(int argc, char **argv)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT);
	uint64_t t0, t_started, cpu0, cpu_started, cpu1;
	struct state st = { .self = getpid() };
	struct proctrace *pt;
	int hold[2], err = 0, n;
	long count, i;
	char byte;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-snapshot COUNT\n");
		return 2;
	}
	count = parse_count("count", argv[1]);
	if (pipe(hold)) {
		perror("bench-snapshot: pipe");
		return 1;
	}
	for (i = 0; i < count; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("bench-snapshot: fork");
			err = 1;
			break;
		}
		if (pid == 0) {
			close(hold[1]);
			/* Returns at end of file: when the parent closes its end. */
			_exit(read(hold[0], &byte, 1) < 0);
		}
	}
	close(hold[0]);

	pt = err ? NULL : proctrace_open(on_event, &st, &opts);
	if (!err && !pt)
		err = 1;
	if (!err) {
		cpu0 = cpu_ns();
		t0 = now_ns(CLOCK_MONOTONIC);
		if (proctrace_start(pt) < 0)
			err = 1;
		t_started = now_ns(CLOCK_MONOTONIC);
		cpu_started = cpu_ns();
	}
	while (!err && !st.other_seen && st.ours < count) {
		n = proctrace_poll(pt, 100);
		if (n < 0 && n != -EINTR)
			err = 1;
		if (n == 0 && st.processes)
			break;		/* nothing left of the snapshot */
		if (now_ns(CLOCK_MONOTONIC) - t0 > WAIT_LIMIT_NS)
			err = 1;
	}
	cpu1 = cpu_ns();
	proctrace_close(pt);
	close(hold[1]);
	while (wait(NULL) > 0)
		;
	if (err || st.ours != count) {
		fprintf(stderr, "bench-snapshot: %ld of our %ld processes in the snapshot%s\n",
			st.ours, count, err ? " (the session failed)" : "");
		return 1;
	}
	printf("start_ns=%llu snapshot_ns=%llu cpu_ns=%llu cpu_after_start_ns=%llu "
	       "processes=%ld ours=%ld\n", (unsigned long long)(t_started - t0),
	       (unsigned long long)(st.last_ns - t0), (unsigned long long)(cpu1 - cpu0),
	       (unsigned long long)(cpu1 - cpu_started), st.processes, st.ours);
	return 0;
}
