/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-latency [--disarm-drain-timer] [--wake-every-event | --latency-ms MS]
 *               COUNT INTERVAL_US
 *
 * Delivery latency: a spawner forks COUNT children, one every INTERVAL_US
 * microseconds, each exiting at once; for each child's EXIT event the
 * callback computes clock_gettime(CLOCK_REALTIME) minus the event's
 * timestamp_ns (the kernel's time of the exit, as CLOCK_REALTIME).
 * Prints "events=N expected=COUNT p50_ns=A p99_ns=B max_ns=C lost=L"
 * (lost: the session's proctrace_stats() count, "n/a" without it; the
 * percentiles are "n/a" when no event came).
 *
 * It waits the way an event loop does: epoll_wait() without a timeout on
 * proctrace_fd(), then proctrace_poll(pt, 0).  So only the library's own
 * wake-ups (its drain timer, a filling ring, or one per event) deliver
 * events, and the figure is the library's latency bound, not this
 * program's polling period.  The same epoll set holds a pidfd of the
 * spawner; once the spawner has exited, the wait gives up
 * GIVE_UP_MS later, with whatever arrived by then.
 *
 * --wake-every-event and --latency-ms set the session's
 * PROCTRACE_OPT_WAKE_EVERY_EVENT and max_latency_ms.  --disarm-drain-timer
 * is the deliberately broken run (break-timer.h).
 *
 * Exit status: 0, 1 on failure, 2 for bad usage, 3 if the library does not
 * accept the option (an older libproctrace).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "break-timer.h"
#include "common.h"

/*
 * Weak, so that the bench also builds and runs against a library from
 * before proctrace_stats() existed; it then reports no loss count.
 */
#pragma weak proctrace_stats

/* After the spawner's exit: 100 times the default latency bound. */
#define GIVE_UP_MS 5000

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

static int epoll_add(int ep, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * The event loop: blocks on proctrace_fd() and the spawner's pidfd, and
 * drains the session only when its descriptor is readable.  Returns 0,
 * also when it gave up with events missing, or -1 on error.
 */
static int wait_and_deliver(struct proctrace *pt, struct state *st)
{
	enum { TAG_EVENTS, TAG_SPAWNER };
	struct epoll_event evs[2];
	uint64_t give_up_at = 0;
	int ep, pidfd, n, i, err = -1;

	ep = epoll_create1(EPOLL_CLOEXEC);
	pidfd = (int)syscall(SYS_pidfd_open, st->spawner, 0);
	if (ep < 0 || pidfd < 0 || epoll_add(ep, proctrace_fd(pt), TAG_EVENTS) ||
	    epoll_add(ep, pidfd, TAG_SPAWNER)) {
		perror("bench-latency: setting up the event loop");
		goto out;
	}
	while (st->n < st->count) {
		int timeout = -1;

		if (give_up_at) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);

			if (now >= give_up_at)
				break;
			timeout = (int)((give_up_at - now + 999999) / 1000000);
		}
		n = epoll_wait(ep, evs, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("bench-latency: epoll_wait");
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.u32 == TAG_SPAWNER) {
				give_up_at = now_ns(CLOCK_MONOTONIC) + GIVE_UP_MS * 1000000ULL;
				epoll_ctl(ep, EPOLL_CTL_DEL, pidfd, NULL);
				continue;
			}
			n = proctrace_poll(pt, 0);
			if (n < 0 && n != -EINTR) {
				fprintf(stderr, "bench-latency: proctrace_poll: %s\n",
					strerror(-n));
				goto out;
			}
			break;
		}
	}
	err = 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	if (ep >= 0)
		close(ep);
	return err;
}

/* Traces st->count exits of the spawner's children; see the top. */
static int run(struct state *st, uint32_t flags, uint32_t latency_ms,
	       long interval_us, int disarm)
{
	struct proctrace *pt;
	int gate[2], status, err = 0;

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
	if (disarm && disarm_timerfds() < 1) {
		fprintf(stderr, "bench-latency: found no timer to disarm\n");
		err = -1;
	}
	close(gate[1]);
	if (!err)
		err = wait_and_deliver(pt, st);
	waitpid(st->spawner, &status, 0);
	if (err) {
		proctrace_close(pt);
		return 1;
	}
	if (st->n == 0) {
		printf("events=0 expected=%ld p50_ns=n/a p99_ns=n/a max_ns=n/a lost=", st->count);
		print_stats(pt);
		proctrace_close(pt);
		return 0;
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
	int a = 1, status, disarm = 0;

	if (argc > a && !strcmp(argv[a], "--disarm-drain-timer")) {
		disarm = 1;
		a++;
	}
	if (argc > a && !strcmp(argv[a], "--wake-every-event")) {
		flags |= PROCTRACE_OPT_WAKE_EVERY_EVENT;
		a++;
	} else if (argc > a + 1 && !strcmp(argv[a], "--latency-ms")) {
		latency_ms = (uint32_t)parse_count("latency", argv[a + 1]);
		a += 2;
	}
	if (argc - a != 2) {
		fprintf(stderr, "usage: bench-latency [--disarm-drain-timer] "
		      "[--wake-every-event | --latency-ms MS] COUNT INTERVAL_US\n");
		return 2;
	}
	st.count = parse_count("count", argv[a]);
	interval_us = parse_count("interval", argv[a + 1]);
	st.lat = calloc((size_t)st.count, sizeof(*st.lat));
	if (!st.lat) {
		perror("bench-latency");
		return 1;
	}
	status = run(&st, flags, latency_ms, interval_us, disarm);
	free(st.lat);
	return status;
}
