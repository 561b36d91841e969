/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-burst COUNT PIDFILE
 *
 * COUNT processes that exit together: the children are forked first and
 * block reading a pipe; closing its write end releases them all at once.
 * Writes the children's pids, one a line, to PIDFILE before releasing
 * them, and prints "forked_ns=F exit_ns=E children=N" (E from the release
 * to the last child reaped).
 *
 * Exit status: 0, 1 on failure, 2 for bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	int gate[2], status, failed = 0;
	uint64_t t0, t1, t2, forked;
	long count, i, reaped = 0;
	pid_t *pids;
	FILE *f;
	char byte;

	if (argc != 3) {
		fprintf(stderr, "usage: bench-burst COUNT PIDFILE\n");
		return 2;
	}
	count = parse_count("count", argv[1]);
	pids = calloc((size_t)count, sizeof(*pids));
	if (!pids || pipe(gate)) {
		perror("bench-burst");
		return 1;
	}
	t0 = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < count; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("bench-burst: fork");
			/* Release those already made, then fail. */
			close(gate[1]);
			while (wait(NULL) > 0)
				;
			free(pids);
			return 1;
		}
		if (pids[i] == 0) {
			close(gate[1]);
			/* Blocks until every copy of the write end is closed. */
			_exit(read(gate[0], &byte, 1) == 0 ? 0 : 1);
		}
	}
	t1 = now_ns(CLOCK_MONOTONIC);
	f = fopen(argv[2], "w");
	if (!f) {
		perror("bench-burst: pid file");
		failed = 1;
	} else {
		for (i = 0; i < count; i++)
			fprintf(f, "%d\n", (int)pids[i]);
		if (fclose(f))
			failed = 1;
	}
	forked = t1 - t0;
	t1 = now_ns(CLOCK_MONOTONIC);
	close(gate[1]);
	while (wait(&status) > 0) {
		reaped++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	t2 = now_ns(CLOCK_MONOTONIC);
	free(pids);
	if (failed || reaped != count) {
		fprintf(stderr, "bench-burst: %ld of %ld children exited cleanly\n",
			failed ? 0 : reaped, count);
		return 1;
	}
	printf("forked_ns=%llu exit_ns=%llu children=%ld\n",
	       (unsigned long long)forked, (unsigned long long)(t2 - t1), count);
	return 0;
}
