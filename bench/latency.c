/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-latency [--wake-every-event | --latency-ms MS] COUNT INTERVAL_US
 *
 * Delivery latency: a spawner forks COUNT children, one every INTERVAL_US
 * microseconds, each exiting at once; for each child's EXIT event the
 * callback computes clock_gettime(CLOCK_REALTIME) minus the event's
 * timestamp_ns (the kernel's time of the exit, as CLOCK_REALTIME).
 * Prints "events=N expected=COUNT p50_ns=A p99_ns=B max_ns=C lost=L"
 * (lost: the session's proctrace_stats() count, "n/a" without it).
 *
 * --wake-every-event and --latency-ms set the session's
 * PROCTRACE_OPT_WAKE_EVERY_EVENT and max_latency_ms.
 *
 * Exit status: 0, 1 on failure, 2 for bad usage, 3 if the library does not
 * accept the option (an older libproctrace).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "common.h"

/*
 * Weak, so that the bench also builds and runs against a library from
 * before proctrace_stats() existed; it then reports no loss count.
 */
#pragma weak proctrace_stats

#define DRAIN_LIMIT_NS (5 * 1000000000ULL)

struct state {
	pid_t spawner;
	int64_t *lat;
	long count, n;
};

static int on_event(const struct proctrace_event *e, void *ctx)
{
	struct state *st = ctx;

	if (e->type == PROCTRACE_EVENT_EXIT && e->ppid == st->spawner &&
	    st->n < st->count)
		st->lat[st->n++] = (int64_t)(now_ns(CLOCK_REALTIME) - e->timestamp_ns);
	return 0;
}

static void spawner(int gate, long count, long interval_us)
{
	struct timespec pause = { .tv_sec = interval_us / 1000000,
				  .tv_nsec = (interval_us % 1000000) * 1000 };
	char byte;
	long i;

	if (read(gate, &byte, 1) != 0)
		_exit(1);
	for (i = 0; i < count; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			_exit(1);
		nanosleep(&pause, NULL);
	}
	_exit(0);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t percentile(const int64_t *sorted, long n, int pct)
{
	/* Nearest rank: the smallest value with pct% of values at or below it. */
	long rank = (n * pct + 99) / 100;

	return sorted[rank > 0 ? rank - 1 : 0];
}

static void print_stats(const struct proctrace *pt)
{
	struct proctrace_stats s = { .sz = sizeof(s) };

	if (proctrace_stats && proctrace_stats(pt, &s) == 0)
		printf("%llu\n", (unsigned long long)s.events_lost);
	else
		printf("n/a\n");
}

/* Traces st->count exits of the spawner's children; see the top. */
static int run(struct state *st, uint32_t flags, uint32_t latency_ms,
	       long interval_us)
{
	struct proctrace *pt;
	int gate[2], status, err = 0;
	uint64_t done_at = 0;

	if (pipe(gate)) {
		perror("bench-latency: pipe");
		return 1;
	}
	st->spawner = fork();
	if (st->spawner < 0) {
		perror("bench-latency: fork");
		return 1;
	}
	if (st->spawner == 0) {
		close(gate[1]);
		spawner(gate[0], st->count, interval_us);
	}
	close(gate[0]);

	PROCTRACE_OPTS(opts, .flags = flags, .max_latency_ms = latency_ms);
	pt = proctrace_open(on_event, st, &opts);
	if (!pt || (err = proctrace_start(pt)) < 0) {
		int e = pt ? -err : errno;

		fprintf(stderr, "bench-latency: cannot start tracing: %s\n", strerror(e));
		proctrace_close(pt);
		kill(st->spawner, SIGKILL);
		waitpid(st->spawner, NULL, 0);
		return (flags || latency_ms) && e == EINVAL ? 3 : 1;
	}
	close(gate[1]);
	/* Deliver until every child's exit is in, or the spawner is long gone. */
	while (st->n < st->count) {
		err = proctrace_poll(pt, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "bench-latency: proctrace_poll: %s\n", strerror(-err));
			break;
		}
		if (!done_at && waitpid(st->spawner, &status, WNOHANG) == st->spawner)
			done_at = now_ns(CLOCK_MONOTONIC);
		if (done_at && now_ns(CLOCK_MONOTONIC) - done_at > DRAIN_LIMIT_NS)
			break;
	}
	if (!done_at)
		waitpid(st->spawner, &status, 0);
	if (st->n == 0) {
		fprintf(stderr, "bench-latency: no exit event of the spawner's children\n");
		proctrace_close(pt);
		return 1;
	}
	qsort(st->lat, (size_t)st->n, sizeof(*st->lat), cmp_i64);
	printf("events=%ld expected=%ld p50_ns=%lld p99_ns=%lld max_ns=%lld lost=",
	       st->n, st->count, (long long)percentile(st->lat, st->n, 50),
	       (long long)percentile(st->lat, st->n, 99), (long long)st->lat[st->n - 1]);
	print_stats(pt);
	proctrace_close(pt);
	return 0;
}

int main(int argc, char **argv)
{
	struct state st = { 0 };
	uint32_t flags = 0, latency_ms = 0;
	long interval_us;
	int a = 1, status;

	if (argc > 1 && !strcmp(argv[1], "--wake-every-event")) {
		flags |= PROCTRACE_OPT_WAKE_EVERY_EVENT;
		a++;
	} else if (argc > 2 && !strcmp(argv[1], "--latency-ms")) {
		latency_ms = (uint32_t)parse_count("latency", argv[2]);
		a += 2;
	}
	if (argc - a != 2) {
		fprintf(stderr, "usage: bench-latency [--wake-every-event | --latency-ms MS] COUNT INTERVAL_US\n");
		return 2;
	}
	st.count = parse_count("count", argv[a]);
	interval_us = parse_count("interval", argv[a + 1]);
	st.lat = calloc((size_t)st.count, sizeof(*st.lat));
	if (!st.lat) {
		perror("bench-latency");
		return 1;
	}
	status = run(&st, flags, latency_ms, interval_us);
	free(st.lat);
	return status;
}
