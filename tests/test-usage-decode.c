/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a process used (issue 15), without the kernel: EXIT records with
 * the usage block go through the library (fake backend) and come out as
 * the public fields; the CPU time split is the kernel's cputime_adjust().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <proctrace/proctrace.h>
#include "fake-backend.h"
#include "internal.h"
#include "proctrace_wire.h"

struct exit_record {
	struct pt_wire_event hdr;
	struct pt_wire_usage usage;
};

static struct proctrace_event got;
static int n_got;

static int capture(const struct proctrace_event *e, void *ctx)
{
	(void)ctx;
	got = *e;
	n_got++;
	return 0;
}

static void silent(enum proctrace_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)msg;
	(void)ctx;
}

static int setup(void **state)
{
	(void)state;
	fake_backend_reset();
	memset(&got, 0, sizeof(got));
	n_got = 0;
	proctrace_set_log(silent, NULL);
	return 0;
}

static struct proctrace *started(void)
{
	struct proctrace *pt = proctrace_open(capture, NULL, NULL);

	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), 0);
	return pt;
}

static void sample(struct exit_record *r)
{
	memset(r, 0, sizeof(*r));
	r->hdr.type = PT_WIRE_EXIT;
	r->hdr.pid = 4242;
	r->usage.runtime_ns = 400000000;	/* 400 ms on a CPU */
	r->usage.utime_ns = 300000000;		/* 3:1 in ticks */
	r->usage.stime_ns = 100000000;
	r->usage.maxrss_pages = 51300;
	r->usage.nvcsw = 51;
	r->usage.nivcsw = 7;
	r->usage.min_flt = 1234;
	r->usage.maj_flt = 5;
	r->usage.rchar = 111;
	r->usage.wchar = 67108864 + 9;
	r->usage.read_bytes = 4096;
	r->usage.write_bytes = 67108864;
	r->usage.cutime_ns = 310000000;
	r->usage.cstime_ns = 2000000;
	r->usage.cmaxrss_pages = 300;
}

/* Every field lands where the header says, sizes in bytes. */
static void test_fields(void **state)
{
	struct exit_record r;
	struct proctrace *pt = started();
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	(void)state;
	sample(&r);
	fake_backend_queue(&r, sizeof(r));
	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_int_equal(got.type, PROCTRACE_EVENT_EXIT);
	assert_true(PROCTRACE_EVENT_HAS(&got, children_max_rss_bytes));
	assert_int_equal(got.cpu_user_ns, 300000000);
	assert_int_equal(got.cpu_sys_ns, 100000000);
	assert_int_equal(got.max_rss_bytes, 51300 * page);
	assert_int_equal(got.ctx_voluntary, 51);
	assert_int_equal(got.ctx_involuntary, 7);
	assert_int_equal(got.min_flt, 1234);
	assert_int_equal(got.maj_flt, 5);
	assert_int_equal(got.rchar, 111);
	assert_int_equal(got.wchar, 67108864 + 9);
	assert_int_equal(got.read_bytes, 4096);
	assert_int_equal(got.write_bytes, 67108864);
	assert_int_equal(got.children_cpu_user_ns, 310000000);
	assert_int_equal(got.children_cpu_sys_ns, 2000000);
	assert_int_equal(got.children_max_rss_bytes, 300 * page);
	assert_int_equal(got.flags & (PROCTRACE_EVENT_F_NO_IO_BYTES |
				      PROCTRACE_EVENT_F_NO_IO_CHARS), 0);
	proctrace_close(pt);
}

/* A kernel without the counters: flags set, values zero. */
static void test_not_available(void **state)
{
	struct exit_record r;
	struct proctrace *pt = started();

	(void)state;
	sample(&r);
	r.usage.flags = PT_WIRE_USAGE_F_NO_IO_BYTES;
	r.usage.read_bytes = r.usage.write_bytes = 0;
	fake_backend_queue(&r, sizeof(r));
	r.usage.flags = PT_WIRE_USAGE_F_NO_IO_CHARS;
	fake_backend_queue(&r, sizeof(r));
	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_int_equal(got.flags & PROCTRACE_EVENT_F_NO_IO_CHARS,
			 PROCTRACE_EVENT_F_NO_IO_CHARS);
	assert_int_equal(got.flags & PROCTRACE_EVENT_F_NO_IO_BYTES, 0);
	proctrace_close(pt);

	pt = started();
	r.usage.flags = PT_WIRE_USAGE_F_NO_IO_BYTES;
	fake_backend_queue(&r, sizeof(r));
	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_int_equal(got.flags & PROCTRACE_EVENT_F_NO_IO_BYTES,
			 PROCTRACE_EVENT_F_NO_IO_BYTES);
	assert_int_equal(got.read_bytes, 0);
	proctrace_close(pt);
}

/*
 * A record cut inside the block is malformed and never delivered; one
 * without any block (the header alone) leaves every field zero.
 */
static void test_lengths(void **state)
{
	struct exit_record r;
	struct proctrace_stats st = { .sz = sizeof(st) };
	struct proctrace *pt = started();

	(void)state;
	sample(&r);
	fake_backend_queue(&r, sizeof(r) - 1);
	fake_backend_queue(&r, sizeof(r.hdr) + 8);
	assert_int_equal(proctrace_poll(pt, 0), 0);
	assert_int_equal(proctrace_stats(pt, &st), 0);
	assert_int_equal(st.lost_malformed, 2);

	fake_backend_queue(&r, sizeof(r.hdr));
	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_int_equal(got.pid, 4242);
	assert_int_equal(got.cpu_user_ns, 0);
	assert_int_equal(got.max_rss_bytes, 0);
	assert_int_equal(got.children_cpu_user_ns, 0);

	/* Other event types never carry usage, even with bytes after them. */
	r.hdr.type = PT_WIRE_FORK;
	fake_backend_queue(&r, sizeof(r));
	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_int_equal(got.type, PROCTRACE_EVENT_FORK);
	assert_int_equal(got.cpu_user_ns, 0);
	assert_int_equal(got.max_rss_bytes, 0);
	proctrace_close(pt);
}

/* kernel/sched/cputime.c cputime_adjust(), case by case. */
static void test_cputime_adjust(void **state)
{
	uint64_t ut, st;

	(void)state;
	/* The exact runtime, split in the ticks' ratio. */
	pt_cputime_adjust(1000, 30, 10, 0, 0, &ut, &st);
	assert_int_equal(ut, 750);
	assert_int_equal(st, 250);
	/* No system tick: all user; no user tick: all system. */
	pt_cputime_adjust(1000, 0, 0, 0, 0, &ut, &st);
	assert_int_equal(ut, 1000);
	assert_int_equal(st, 0);
	pt_cputime_adjust(1000, 0, 40, 0, 0, &ut, &st);
	assert_int_equal(ut, 0);
	assert_int_equal(st, 1000);
	/* Never below what was reported before. */
	pt_cputime_adjust(1000, 30, 10, 100, 400, &ut, &st);
	assert_int_equal(st, 400);
	assert_int_equal(ut, 600);
	pt_cputime_adjust(1000, 10, 30, 500, 0, &ut, &st);
	assert_int_equal(ut, 500);
	assert_int_equal(st, 500);
	/* Nothing new since: the previous figures again. */
	pt_cputime_adjust(1000, 30, 10, 700, 300, &ut, &st);
	assert_int_equal(ut, 700);
	assert_int_equal(st, 300);
	/* Hours of CPU: the product needs more than 64 bits. */
	pt_cputime_adjust(36000000000000ULL, 20000000000000ULL,
			  16000000000000ULL, 0, 0, &ut, &st);
	assert_int_equal(st, 16000000000000ULL);
	assert_int_equal(ut, 20000000000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fields, setup),
		cmocka_unit_test_setup(test_not_available, setup),
		cmocka_unit_test_setup(test_lengths, setup),
		cmocka_unit_test_setup(test_cputime_adjust, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
