/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-syscalls getppid|read COUNT
 *
 * A system-call-heavy loop: COUNT getppid() calls, or COUNT 1-byte read()
 * calls from a pipe kept full, each made with syscall(2) so that no libc
 * cache answers instead.  What a hook on every system call (the raw
 * sys_exit tracepoint) costs shows here, where a hook on exec alone costs
 * nothing.  Prints "elapsed_ns=T calls=N".
 *
 * Exit status: 0, 1 if a call failed, 2 for bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	bool read_mode, cred_mode;
	int fds[2] = { -1, -1 };
	char byte = 'x';
	uint64_t t0, t1;
	long count, i;

	if (argc != 3 || (strcmp(argv[1], "getppid") && strcmp(argv[1], "read") &&
			  strcmp(argv[1], "setresuid"))) {
		fprintf(stderr, "usage: bench-syscalls getppid|read|setresuid COUNT\n");
		return 2;
	}
	read_mode = !strcmp(argv[1], "read");
	cred_mode = !strcmp(argv[1], "setresuid");
	count = parse_count("count", argv[2]);
	/* One byte written per byte read: the pipe never runs dry. */
	if (read_mode && pipe(fds)) {
		perror("bench-syscalls: pipe");
		return 1;
	}
	t0 = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < count; i++) {
		/* setresuid(-1, -1, -1): a credential call that changes nothing. */
		if (cred_mode) {
			syscall(SYS_setresuid, -1, -1, -1);
			continue;
		}
		if (!read_mode) {
			syscall(SYS_getppid);
			continue;
		}
		if (syscall(SYS_write, fds[1], &byte, 1) != 1 ||
		    syscall(SYS_read, fds[0], &byte, 1) != 1) {
			fprintf(stderr, "bench-syscalls: pipe I/O failed: %s\n",
				strerror(errno));
			return 1;
		}
	}
	t1 = now_ns(CLOCK_MONOTONIC);
	/* In read mode each step is two calls: a write and a read. */
	printf("elapsed_ns=%llu calls=%ld\n", (unsigned long long)(t1 - t0),
	       read_mode ? 2 * count : count);
	return 0;
}
