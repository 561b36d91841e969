/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-table COUNT
 *
 * Memory of the process table (lib/proctable.c, compiled in) at COUNT
 * live processes, each described by its own exec of "/usr/bin/sleep 1000"
 * as a snapshot would: the heap in use, small and mmap'ed blocks
 * (mallinfo2()'s uordblks + hblkhd, so malloc's own overhead counts),
 * before and after.  Prints
 * "processes=N heap_bytes=B strings_bytes=S": B/N per process, (B-S)/N
 * besides the strings the table keeps (exe and arguments).
 *
 * Exit status: 0, 1 on failure, 2 for bad usage.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#include "common.h"

int main(int argc, char **argv)
{
	const char *args[] = { "sleep", "1000", NULL };
	struct proctrace_event ev;
	struct mallinfo2 before, after;
	size_t strings = 0;
	struct pt_table *t;
	long count, i;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-table COUNT\n");
		return 2;
	}
	count = parse_count("count", argv[1]);
	before = mallinfo2();
	t = pt_table_new();
	if (!t)
		return 1;
	memset(&ev, 0, sizeof(ev));
	ev.size = sizeof(ev);
	ev.type = PROCTRACE_EVENT_PROCESS;
	ev.exe = "/usr/bin/sleep";
	ev.args = args;
	ev.args_count = 2;
	for (i = 0; i < count; i++) {
		ev.pid = (int32_t)(i + 2);
		ev.ppid = 1;
		ev.start_time_ns = 1000000000ULL + (uint64_t)i * 1000;
		if (pt_table_before(t, &ev) < 0) {
			fprintf(stderr, "bench-table: out of memory at %ld\n", i);
			return 1;
		}
		strings += strlen(ev.exe) + 1 + strlen(args[0]) + 1 + strlen(args[1]) + 1;
	}
	after = mallinfo2();
	if (pt_table_count(t) != (size_t)count)
		return 1;
	printf("processes=%ld heap_bytes=%zu strings_bytes=%zu\n", count,
	       (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd),
	       strings);
	pt_table_free(t);
	return 0;
}
