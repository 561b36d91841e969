/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Loss accounting under a burst of process exits (live, suite root):
 *  - with the default ring buffer, 10,000 children exiting at once are all
 *    reported, each exactly once with its exit code, and nothing is lost;
 *  - with a 16 KiB ring buffer that nobody reads during the burst,
 *    delivered + lost is exactly the number of children, and lost > 0.
 * opts.filter_pid = our own pid keeps the rest of the machine out, so the
 * counts are exact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "burst.h"
#include "live-harness.h"

#define BIG_BURST 10000
#define SMALL_BURST 500
/* The smallest ring allowed (with 1 byte of arguments): ~200 exit records. */
#define TINY_RING 16384
/* How long the big burst's children are held alive before release. */
#define HELD_MS 100
/* Safety bound only: on this 2-core VM all children are reaped within seconds. */
#define DEADLINE_MS 120000

struct tally {
	const struct burst *burst;
	unsigned *seen;			/* EXIT events per child index */
	size_t exits;			/* EXIT events of our children */
	size_t others;			/* any other event: none may pass the filter */
	size_t wrong_code;
	pid_t first_other, first_wrong;
	uint64_t min_duration_ns, max_duration_ns;	/* over our exits */
};

static int tally_cb(const struct proctrace_event *e, void *ctx)
{
	struct tally *t = ctx;
	int i = burst_index(t->burst, e->pid);

	if (e->type != PROCTRACE_EVENT_EXIT || i < 0) {
		if (!t->others++)
			t->first_other = e->pid;
		return 0;
	}
	t->exits++;
	t->seen[i]++;
	if (!t->min_duration_ns || e->duration_ns < t->min_duration_ns)
		t->min_duration_ns = e->duration_ns;
	if (e->duration_ns > t->max_duration_ns)
		t->max_duration_ns = e->duration_ns;
	if (e->exit_code != burst_code((size_t)i) && !t->wrong_code++)
		t->first_wrong = e->pid;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct proctrace *start_filtered(struct tally *t, uint32_t ring_size)
{
	/* Arguments are not needed here; the smallest allowed ring is then 16 KiB. */
	PROCTRACE_OPTS(opts, .filter_pid = getpid(), .ring_buffer_size = ring_size,
		       .max_args_size = ring_size ? 1 : 0);

	return live_open_started(tally_cb, t, &opts);
}

static int poll_checked(struct proctrace *pt, int timeout_ms)
{
	int n = proctrace_poll(pt, timeout_ms);

	if (n < 0 && n != -EINTR)
		fail_msg("proctrace_poll: %s", strerror(-n));
	return n < 0 ? 0 : n;
}

static struct proctrace_stats read_stats(struct proctrace *pt)
{
	struct proctrace_stats s;
	int err;

	memset(&s, 0xa5, sizeof(s));	/* every field must be written */
	s.sz = sizeof(s);
	err = proctrace_stats(pt, &s);
	if (err)
		fail_msg("proctrace_stats: %s", strerror(-err));
	return s;
}

/* Each child seen at most once (and exactly once if @exact). */
static void assert_each_child(const struct tally *t, const struct burst *b, int exact)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (t->seen[i] > 1 || (exact && t->seen[i] != 1))
			fail_msg("child %d (index %zu) reported %u times", (int)b->pids[i], i,
				 t->seen[i]);
}

static void print_stats(const char *what, const struct proctrace_stats *s)
{
	printf("%s: delivered=%" PRIu64 " lost=%" PRIu64 " (ring_full=%" PRIu64
	       " other=%" PRIu64 " malformed=%" PRIu64 ")\n", what, s->events_delivered,
	       s->events_lost, s->lost_ring_full, s->lost_other, s->lost_malformed);
}

static void test_burst_default_ring_loses_nothing(void **state)
{
	struct burst b;
	struct tally t = { .burst = &b };
	struct proctrace *pt;
	struct proctrace_stats s;
	uint64_t t0, t1, t2, deadline;

	burst_check_limits(BIG_BURST);
	t.seen = calloc(BIG_BURST, sizeof(*t.seen));
	assert_non_null(t.seen);
	pt = start_filtered(&t, 0);

	t0 = now_ms();
	burst_fork(&b, BIG_BURST);
	t1 = now_ms();
	/* Every child is alive for at least this long before any exits. */
	usleep(HELD_MS * 1000);
	burst_release(&b);
	deadline = t1 + DEADLINE_MS;
	/* Read as a consumer does, while the children exit and are reaped. */
	while (b.reaped < b.n && now_ms() < deadline) {
		poll_checked(pt, 50);
		burst_reap(&b, 0);
	}
	/*
	 * A reaped child's exit event is already in the ring buffer or
	 * counted as lost (it is emitted before the parent is told): take
	 * what is queued, then keep reading a while longer (several times
	 * the default 50 ms latency) so that a late duplicate or stray event
	 * would show up.
	 */
	while (poll_checked(pt, 0) > 0)
		;
	t2 = now_ms();
	for (deadline = now_ms() + 300; now_ms() < deadline;)
		poll_checked(pt, 20);

	s = read_stats(pt);
	printf("burst of %d: forked in %" PRIu64 " ms, reaped and read %" PRIu64
	       " ms after release; exits of our children: %zu, other events: %zu\n",
	       BIG_BURST, t1 - t0, t2 - t1, t.exits, t.others);
	print_stats("default ring", &s);

	assert_int_equal(b.reaped, BIG_BURST);
	if (t.others)
		fail_msg("%zu events not from our children passed filter_pid (first: pid %d)",
			 t.others, (int)t.first_other);
	if (t.wrong_code)
		fail_msg("%zu exits with the wrong exit code (first: pid %d)", t.wrong_code,
			 (int)t.first_wrong);
	assert_each_child(&t, &b, 1);
	assert_int_equal(t.exits, BIG_BURST);
	assert_int_equal(s.events_lost, 0);
	assert_int_equal(s.lost_ring_full, 0);
	assert_int_equal(s.lost_other, 0);
	assert_int_equal(s.lost_malformed, 0);
	assert_int_equal(s.events_delivered, BIG_BURST);
	/*
	 * Durations: each child lived from its fork (at or after t0) until
	 * after the hold; none outlived the whole test (until t2).  The
	 * kernel's boot clock and our monotonic clock tick alike.
	 */
	printf("durations of our children: %" PRIu64 " to %" PRIu64 " ms\n",
	       t.min_duration_ns / 1000000, t.max_duration_ns / 1000000);
	assert_true(t.min_duration_ns >= (uint64_t)HELD_MS * 1000000);
	assert_true(t.max_duration_ns <= (t2 - t0 + 2) * 1000000);

	proctrace_close(pt);
	burst_free(&b);
	free(t.seen);
}

static void test_tiny_ring_counts_every_loss(void **state)
{
	struct burst b;
	struct tally t = { .burst = &b };
	struct proctrace *pt;
	struct proctrace_stats s;
	int n, rounds;

	burst_check_limits(SMALL_BURST);
	t.seen = calloc(SMALL_BURST, sizeof(*t.seen));
	assert_non_null(t.seen);
	pt = start_filtered(&t, TINY_RING);

	burst_fork(&b, SMALL_BURST);
	burst_release(&b);
	/*
	 * Nobody reads until every child is reaped: by then each exit event
	 * was either written to the ring buffer or counted as lost.
	 */
	burst_reap(&b, 1);
	assert_int_equal(b.reaped, SMALL_BURST);
	for (rounds = 0; (n = poll_checked(pt, 0)) > 0; rounds++)
		assert_true(rounds < 10000);

	s = read_stats(pt);
	printf("burst of %d into a %d-byte ring: exits of our children delivered: %zu\n",
	       SMALL_BURST, TINY_RING, t.exits);
	print_stats("tiny ring", &s);

	if (t.others)
		fail_msg("%zu events not from our children passed filter_pid (first: pid %d)",
			 t.others, (int)t.first_other);
	assert_int_equal(t.wrong_code, 0);
	assert_each_child(&t, &b, 0);
	assert_int_equal(s.events_delivered, t.exits);
	assert_int_equal(t.exits + s.events_lost, SMALL_BURST);
	assert_true(s.events_lost > 0);
	assert_int_equal(s.lost_ring_full, s.events_lost);
	assert_int_equal(s.lost_other, 0);
	assert_int_equal(s.lost_malformed, 0);

	proctrace_close(pt);
	burst_free(&b);
	free(t.seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_default_ring_loses_nothing),
		cmocka_unit_test(test_tiny_ring_counts_every_loss),
	};

	live_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
