/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Leaks (live, suite root): proctrace_open/start/close many times in one
 * process must leave behind no file descriptor, no memory mapping, no heap
 * memory, no resident memory beyond a small bound, and no BPF program,
 * link or map in the kernel.
 *
 * BPF objects are checked by id: every cycle records the ids of the
 * programs, links and maps our fds hold (/proc/self/fdinfo), and at the end
 * each of those ids must be gone from the kernel.  This is exact even if
 * another process loads libproctrace at the same time, which a machine-wide
 * count by name would not be; that count is printed as well.
 *
 * Closing a session whose events are still queued in the kernel must
 * discard them (no callback), and free them with everything else.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <cmocka.h>

#include "bpf-objects.h"
#include "heap-use.h"
#include "live-harness.h"

#define CYCLES 1000
/* Objects one session may hold: programs, links and maps. */
#define MAX_OBJECTS_PER_CYCLE 32
/*
 * Resident memory may differ by what the allocator keeps cached and by
 * pages of shared libraries first touched during the loop, not by what
 * one cycle allocates: one cycle parses the kernel's BTF (megabytes) and
 * maps the ring buffer (4 MiB by default), so leaking even one cycle's
 * worth would exceed this.  Heap in use, measured exactly, gets a much
 * tighter bound below.
 */
#define RSS_BOUND_KB 1024
/*
 * Bytes of heap in use that may differ: less than one byte per cycle.  The
 * smallest heap block is 32 bytes, so an allocation leaked by even one
 * cycle in 32 is caught.  Measured: exactly 0 (with glibc's per-thread
 * cache off, see main()).
 */
#define HEAP_BOUND_BYTES CYCLES

/* File scope: still reachable if a failed assertion leaves the test early. */
static struct bpf_objects ours;

static int ignore_event(const struct proctrace_event *e, void *ctx)
{
	return 0;
}

/* Entries of /proc/self/fd, not counting the one opendir() uses. */
static long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	long n = 0;
	int c;

	assert_non_null(f);
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t len = strlen(key);
	long kb = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	assert_true(kb >= 0);
	return kb;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void one_cycle(struct bpf_objects *record)
{
	struct proctrace *pt = live_open_started(ignore_event, NULL, NULL);
	int err;

	err = proctrace_poll(pt, 0);
	if (err < 0)
		fail_msg("proctrace_poll: %s", strerror(-err));
	if (record && (err = bpf_objects_of_pid(0, record)))
		fail_msg("reading /proc/self/fdinfo: %s", strerror(-err));
	proctrace_close(pt);
}

static void named_counts(size_t *progs, size_t *links)
{
	struct bpf_objects o = { 0 };
	int err = bpf_objects_named(BPF_OBJECTS_OUR_PREFIX, &o);

	if (err)
		fail_msg("enumerating BPF programs and links: %s", strerror(-err));
	*progs = o.progs.n;
	*links = o.links.n;
	bpf_objects_free(&o);
}

static void test_open_start_close_leaks_nothing(void **state)
{
	long fds0, fds1, maps0, maps1, rss0, rss1, hwm1;
	size_t heap0, heap1, named_p0, named_l0, named_p1, named_l1, p, l, m;
	uint64_t t0, t1;
	int i, left;

	/* Reserved first, so that recording ids allocates nothing in the loop. */
	assert_int_equal(id_set_reserve(&ours.progs, CYCLES * MAX_OBJECTS_PER_CYCLE), 0);
	assert_int_equal(id_set_reserve(&ours.links, CYCLES * MAX_OBJECTS_PER_CYCLE), 0);
	assert_int_equal(id_set_reserve(&ours.maps, CYCLES * MAX_OBJECTS_PER_CYCLE), 0);

	/* Warm-up: one-time allocations (stdio, libbpf, glibc caches) happen here. */
	one_cycle(NULL);
	one_cycle(&ours);
	ours.progs.n = ours.links.n = ours.maps.n = 0;

	named_counts(&named_p0, &named_l0);
	fds0 = count_fds();
	maps0 = count_lines("/proc/self/maps");
	heap0 = heap_in_use();
	rss0 = status_kb("VmRSS");

	t0 = now_ms();
	for (i = 0; i < CYCLES; i++)
		one_cycle(&ours);
	t1 = now_ms();

	fds1 = count_fds();
	maps1 = count_lines("/proc/self/maps");
	heap1 = heap_in_use();
	rss1 = status_kb("VmRSS");
	hwm1 = status_kb("VmHWM");
	left = bpf_objects_wait_gone(&ours, 5000, &p, &l, &m);
	if (left < 0)
		fail_msg("checking BPF object ids: %s", strerror(-left));
	named_counts(&named_p1, &named_l1);

	printf("%d cycles of open/start/poll/close in %llu ms (%.1f ms each)\n", CYCLES,
	       (unsigned long long)(t1 - t0), (double)(t1 - t0) / CYCLES);
	printf("fds: %ld -> %ld; mappings: %ld -> %ld; heap in use: %zu -> %zu bytes; "
	       "VmRSS: %ld -> %ld kB (peak %ld kB)\n",
	       fds0, fds1, maps0, maps1, heap0, heap1, rss0, rss1, hwm1);
	printf("BPF objects our sessions held: %zu programs, %zu links, %zu maps; "
	       "still alive: %zu, %zu, %zu\n", ours.progs.n, ours.links.n, ours.maps.n, p, l, m);
	printf("programs/links named %s* on the machine: %zu/%zu before, %zu/%zu after\n",
	       BPF_OBJECTS_OUR_PREFIX, named_p0, named_l0, named_p1, named_l1);

	/* Each cycle loaded new objects: ids were recorded for all of them. */
	assert_true(ours.progs.n >= CYCLES);
	assert_true(ours.links.n >= CYCLES);
	assert_true(ours.maps.n >= CYCLES);
	assert_int_equal(p, 0);
	assert_int_equal(l, 0);
	assert_int_equal(m, 0);
	assert_int_equal(fds1, fds0);
	if (UNDER_ASAN) {
		printf("AddressSanitizer: mappings, heap and VmRSS not compared\n");
		bpf_objects_free(&ours);
		return;
	}
	assert_int_equal(maps1, maps0);
	if (heap1 > heap0 + HEAP_BOUND_BYTES)
		fail_msg("heap in use grew by %zu bytes over %d cycles (bound %d)",
			 heap1 - heap0, CYCLES, HEAP_BOUND_BYTES);
	if (rss1 > rss0 + RSS_BOUND_KB)
		fail_msg("VmRSS grew by %ld kB over %d cycles (bound %d kB)", rss1 - rss0,
			 CYCLES, RSS_BOUND_KB);
	bpf_objects_free(&ours);
}

/*
 * A second descriptor of the session's BPF ring buffer (found among the
 * maps our descriptors hold), to see whether records are queued without
 * consuming them: poll() on a ring buffer map reports what it holds, not
 * whether the producer woke anyone.  -1 if there is none.
 */
static int open_ring_buffer(const struct bpf_objects *o)
{
	size_t i;

	for (i = 0; i < o->maps.n; i++) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(o->maps.ids[i]);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_MAP_TYPE_RINGBUF)
			return fd;
		close(fd);
	}
	return -1;
}

static void test_close_with_undelivered_events(void **state)
{
	PROCTRACE_OPTS(opts, .filter_pid = getpid());
	struct bpf_objects objs = { 0 };
	struct collector c = { 0 };
	struct proctrace *pt;
	struct pollfd ring = { .events = POLLIN };
	long fds0, maps0;
	size_t p, l, m;
	int i, left;

	fds0 = count_fds();
	maps0 = count_lines("/proc/self/maps");
	pt = live_start_opts(&c, &opts);
	assert_int_equal(bpf_objects_of_pid(0, &objs), 0);
	ring.fd = open_ring_buffer(&objs);
	assert_true(ring.fd >= 0);
	/* Only our subtree is traced, and nothing of it ran yet. */
	assert_int_equal(poll(&ring, 1, 0), 0);

	for (i = 0; i < 5; i++)
		reap(spawn_child(&c, 0, 0));
	/* Their exec and exit events are queued, and nothing drained them. */
	assert_int_equal(poll(&ring, 1, 0), 1);
	assert_int_equal(c.n_events, 0);

	proctrace_close(pt);
	/* Discarded, not delivered: no callback, and still in the ring. */
	assert_int_equal(c.n_events, 0);
	assert_int_equal(poll(&ring, 1, 0), 1);
	close(ring.fd);

	/* Our reference was the last: every object, the ring too, is freed. */
	left = bpf_objects_wait_gone(&objs, 5000, &p, &l, &m);
	if (left < 0)
		fail_msg("checking BPF object ids: %s", strerror(-left));
	printf("closed with events queued: %zu programs, %zu links, %zu maps held; "
	       "still alive: %zu, %zu, %zu\n", objs.progs.n, objs.links.n, objs.maps.n,
	       p, l, m);
	assert_true(objs.progs.n > 0 && objs.links.n > 0 && objs.maps.n > 0);
	assert_int_equal(left, 0);
	assert_int_equal(count_fds(), fds0);
	if (!UNDER_ASAN)
		assert_int_equal(count_lines("/proc/self/maps"), maps0);
	bpf_objects_free(&objs);
	collector_free(&c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_start_close_leaks_nothing),
		cmocka_unit_test(test_close_with_undelivered_events),
	};

	heap_without_malloc_cache(argv);
	live_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
