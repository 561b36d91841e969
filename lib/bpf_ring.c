/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reading the ring buffer: the sample callback that enforces
 * proctrace_poll_n()'s bound, the epoll set and latency timer behind
 * proctrace_fd(), and the poll loop, which hands over the snapshot's
 * records (bpf_snapshot.c) before anything from the ring.
 */
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf_internal.h"

/*
 * What on_sample() returns to stop libbpf's drain when the poll's bound is
 * reached.  libbpf has already consumed that record (it advances its
 * position before calling us), so nothing is delivered twice or lost.
 */
#define PT_BUDGET_SPENT (-EDQUOT)

static int on_sample(void *ctx, void *data, size_t size)
{
	struct pt_backend *b = ctx;
	int err;

	err = b->on_record(b->ctx, data, size);
	if (err < 0)
		return err;
	if (b->budget && ++b->seen == b->budget)
		return PT_BUDGET_SPENT;
	return 0;
}

/* The epoll set behind proctrace_fd(), with the latency timer. */
static int setup_wakeups(struct pt_backend *b, const struct pt_backend_params *p)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct itimerspec period;
	int err;

	b->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (b->epoll_fd < 0)
		goto fail;
	ev.data.fd = bpf_map__fd(b->skel->maps.events);
	if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		goto fail;
	if (p->flags & PROCTRACE_OPT_WAKE_EVERY_EVENT)
		return 0;

	b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (b->timer_fd < 0)
		goto fail;
	memset(&period, 0, sizeof(period));
	period.it_interval.tv_sec = p->max_latency_ms / 1000;
	period.it_interval.tv_nsec = (long)(p->max_latency_ms % 1000) * 1000000L;
	period.it_value = period.it_interval;
	if (timerfd_settime(b->timer_fd, 0, &period, NULL))
		goto fail;
	ev.data.fd = b->timer_fd;
	if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, b->timer_fd, &ev))
		goto fail;
	return 0;
fail:
	err = -errno;
	pt_warn(&p->log, "proctrace_start: cannot set up the event wake-ups: %s",
		strerror(-err));
	return err;
}

/*
 * The reader: libbpf's ring buffer on the events map, then the epoll set
 * and timer behind proctrace_fd().
 */
int pt_bpf_ring_open(struct pt_backend *b, const struct pt_backend_params *p)
{
	int err;

	b->ring = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_sample,
				   b, NULL);
	if (!b->ring) {
		err = -errno;
		pt_warn(&p->log, "proctrace_start: cannot map the BPF ring buffer: %s",
			strerror(-err));
		return err;
	}
	return setup_wakeups(b, p);
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reading the timer's expiry count is what makes it unreadable again. */
static void ack_timer(struct pt_backend *b)
{
	uint64_t expirations;

	if (b->timer_fd >= 0 &&
	    read(b->timer_fd, &expirations, sizeof(expirations)) < 0) {
		/* EAGAIN: the timer had not expired; nothing to do. */
	}
}

int pt_backend_poll(struct pt_backend *b, int timeout_ms, unsigned int max_records)
{
	int64_t deadline = timeout_ms > 0 ? monotonic_ms() + timeout_ms : 0;
	struct epoll_event evs[2];
	int n, wait_ms, snap = 0;

	b->budget = max_records;
	b->seen = 0;
	if (b->snap) {
		snap = pt_bpf_deliver_snapshot(b);
		/* An error, the bound, or the snapshot not yet all delivered. */
		if (snap < 0 || b->snap)
			return snap;
		if (b->budget && b->seen == b->budget)
			return snap;
	}
	for (;;) {
		ack_timer(b);
		/*
		 * Records queued without a wake-up are delivered here too.
		 * libbpf 1.1 has no ring_buffer__consume_n(): the bound is
		 * on_sample() stopping the drain; records left behind keep the
		 * ring's descriptor readable, so the next call finds them.
		 */
		n = ring_buffer__consume(b->ring);
		if (n == PT_BUDGET_SPENT)
			return (int)b->seen;
		if (n < 0)
			return n;
		if (n + snap != 0 || timeout_ms == 0)
			return n + snap;
		wait_ms = -1;
		if (timeout_ms > 0) {
			int64_t left = deadline - monotonic_ms();

			if (left <= 0)
				return 0;
			wait_ms = (int)left;
		}
		if (epoll_wait(b->epoll_fd, evs, 2, wait_ms) < 0)
			return -errno;
	}
}

int pt_backend_fd(const struct pt_backend *b)
{
	return b->epoll_fd;
}
