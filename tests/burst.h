/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A burst of process exits: N child processes that all block on one pipe
 * and exit together, each with a known exit code, when it is closed.  Used
 * by the loss tests, in process and through bootstrap-cli.
 */
#ifndef PROCTRACE_TESTS_BURST_H
#define PROCTRACE_TESTS_BURST_H

#include <stddef.h>
#include <sys/types.h>

struct burst {
	pid_t *pids;		/* pids[i] is child i, which exits with burst_code(i) */
	size_t n;
	size_t reaped;
	int release_fd;		/* write end of the pipe; -1 once released */
	pid_t pgid;		/* the children's process group: reaped apart from others */
	int *index_of_pid;	/* pid -> child index, or -1; pid_max + 1 entries */
	void *stacks;		/* the children's stacks, one mapping */
	size_t stacks_size;
	size_t pid_max;
};

/* The exit code of child @i: every value 0-255 occurs. */
static inline int burst_code(size_t i)
{
	return (int)(i % 256);
}

/*
 * Fails the test, saying which limit to raise, unless @n more processes
 * fit under kernel.pid_max, kernel.threads-max and the pids.max of our
 * cgroup and its ancestors; raises RLIMIT_NPROC (we are root).
 */
void burst_check_limits(size_t n);

/*
 * Creates @n children that wait for burst_release(), in a process group of
 * their own.  Fails the test on error.
 */
void burst_fork(struct burst *b, size_t n);
/* Closes the pipe: every child exits now. */
void burst_release(struct burst *b);
/*
 * Reaps children that have exited (without waiting when @block is false,
 * every remaining one when true); fails the test if a child's status is
 * not the exit code it was given.  Returns how many were reaped now.
 */
size_t burst_reap(struct burst *b, int block);
/* Index of child @pid, or -1 if it is not one of ours. */
int burst_index(const struct burst *b, pid_t pid);
/* Releases and reaps what remains, then frees. */
void burst_free(struct burst *b);

#endif
