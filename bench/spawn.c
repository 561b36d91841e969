/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-spawn NOOP COUNT JOBS PIDFILE
 *
 * The timed spawn loop: JOBS worker processes, released together, each
 * run COUNT times fork + exec(NOOP) + wait, one after the other.  Prints
 * "elapsed_ns=T cpu_ns=C spawns=S": T from the release to the last
 * worker's last wait; C the CPU time (user+sys) of the workers and their
 * children, which includes what tracing costs inside the kernel in those
 * processes.  Appends the pid of every child, one a line, to PIDFILE, so
 * that the caller can find exactly these processes among the events.
 *
 * Exit status: 0, 1 if a spawn failed, 2 for bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static int write_pids(const char *path, const pid_t *pids, long count)
{
	FILE *f = fopen(path, "a");
	long i;

	if (!f)
		return -1;
	/* One large buffer: the workers' lists land as whole blocks. */
	setvbuf(f, NULL, _IOFBF, (size_t)count * 8 + 64);
	for (i = 0; i < count; i++)
		fprintf(f, "%d\n", (int)pids[i]);
	return fclose(f);
}

static void worker(const char *noop, long count, int go_fd, int done_fd,
		   const char *pidfile)
{
	char *const argv[] = { (char *)noop, NULL };
	char *const envp[] = { NULL };
	pid_t *pids = calloc((size_t)count, sizeof(*pids));
	char byte = 0;
	long i;
	int status;

	if (!pids)
		_exit(1);
	/* Returns 0 (end of file) when the parent releases all workers. */
	if (read(go_fd, &byte, 1) < 0)
		_exit(1);
	for (i = 0; i < count; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("bench-spawn: fork");
			_exit(1);
		}
		if (pid == 0) {
			execve(noop, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench-spawn: %s did not exit with 0 (status 0x%x)\n",
				noop, status);
			_exit(1);
		}
		pids[i] = pid;
	}
	/* Done: the clock stops before the pid list is written. */
	if (write(done_fd, &byte, 1) != 1)
		_exit(1);
	_exit(write_pids(pidfile, pids, count) ? 1 : 0);
}

int main(int argc, char **argv)
{
	int go[2], done[2], status, failed = 0;
	struct rusage ru;
	long count, jobs, j;
	uint64_t t0, t1;
	char byte;

	if (argc != 5) {
		fprintf(stderr, "usage: bench-spawn NOOP COUNT JOBS PIDFILE\n");
		return 2;
	}
	count = parse_count("count", argv[2]);
	jobs = parse_count("jobs", argv[3]);
	if (access(argv[1], X_OK)) {
		fprintf(stderr, "bench-spawn: cannot execute %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	if (pipe(go) || pipe(done)) {
		perror("bench-spawn: pipe");
		return 1;
	}
	for (j = 0; j < jobs; j++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("bench-spawn: fork");
			return 1;
		}
		if (pid == 0) {
			close(go[1]);
			close(done[0]);
			worker(argv[1], count, go[0], done[1], argv[4]);
		}
	}
	close(go[0]);
	close(done[1]);
	t0 = now_ns(CLOCK_MONOTONIC);
	close(go[1]);
	for (j = 0; j < jobs; j++)
		if (read(done[0], &byte, 1) != 1)
			break;
	t1 = now_ns(CLOCK_MONOTONIC);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	if (failed || j != jobs) {
		fprintf(stderr, "bench-spawn: a worker failed\n");
		return 1;
	}
	/* Every descendant has been waited for, so all of them are in here. */
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("elapsed_ns=%llu cpu_ns=%llu spawns=%ld\n", (unsigned long long)(t1 - t0),
	       (unsigned long long)((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
				    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL),
	       count * jobs);
	return 0;
}
