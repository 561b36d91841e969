/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wall-clock offset that turns the kernel's boot-time stamps into
 * timestamp_ns and start_time_ns, with the clocks scripted: the library
 * is linked with -Wl,--wrap=clock_gettime, so that a reading can be made
 * to come late, as after a preemption between two readings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "internal.h"

#define S 1000000000LL

/* The true offset, CLOCK_REALTIME - CLOCK_BOOTTIME, of the script. */
#define OFFSET (1700000000LL * S)

struct reading {
	clockid_t clock;
	int64_t ns;
};

static const struct reading *script;
static size_t script_len, script_at;

int __wrap_clock_gettime(clockid_t clock, struct timespec *ts);

int __wrap_clock_gettime(clockid_t clock, struct timespec *ts)
{
	const struct reading *r;

	assert_true(script_at < script_len);	/* read more than scripted */
	r = &script[script_at++];
	assert_int_equal(clock, r->clock);
	ts->tv_sec = r->ns / S;
	ts->tv_nsec = r->ns % S;
	return 0;
}

static void play(const struct reading *r, size_t n)
{
	script = r;
	script_len = n;
	script_at = 0;
}

#define B(ns) { CLOCK_BOOTTIME, (ns) }
#define R(ns) { CLOCK_REALTIME, OFFSET + (ns) }

/* No preemption: one bracket, 3 readings, the offset exactly. */
static void test_quiet(void **state)
{
	static const struct reading r[] = {
		B(100 * S), R(100 * S + 40), B(100 * S + 80),
	};

	(void)state;
	play(r, 3);
	assert_int_equal(pt_realtime_offset_ns(), OFFSET);
	assert_int_equal(script_at, 3);
}

/*
 * Preempted for 100 ms before the realtime reading: a reading of the two
 * clocks one after the other would put every timestamp 100 ms late.  The
 * wide bracket is dropped for the next, tight one.
 */
static void test_preempted_once(void **state)
{
	static const struct reading r[] = {
		B(100 * S), R(100 * S + 100000000), B(100 * S + 100000050),
		B(101 * S), R(101 * S + 30), B(101 * S + 60),
	};

	(void)state;
	play(r, 6);
	assert_int_equal(pt_realtime_offset_ns(), OFFSET);
	assert_int_equal(script_at, 6);
}

/* Every bracket wide: the narrowest wins, read at its midpoint. */
static void test_always_preempted(void **state)
{
	static const struct reading r[] = {
		B(100 * S), R(100 * S + 90000000), B(100 * S + 90000100),
		B(101 * S), R(101 * S + 1000000), B(101 * S + 2000000),
		B(102 * S), R(102 * S + 5000000), B(102 * S + 60000000),
		B(103 * S), R(103 * S + 100), B(103 * S + 70000000),
	};

	(void)state;
	play(r, 12);
	/* The second: 2 ms wide, realtime at its midpoint. */
	assert_int_equal(pt_realtime_offset_ns(), OFFSET);
	assert_int_equal(script_at, 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_preempted_once),
		cmocka_unit_test(test_always_preempted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
