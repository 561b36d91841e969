/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "burst.h"

/* Room left for the rest of the machine while the burst is alive. */
#define SPARE_TASKS 2000

static long read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Threads and processes on the machine: the 4th field of /proc/loadavg. */
static long tasks_now(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	long running = 0, total = -1;

	if (f) {
		if (fscanf(f, "%*s %*s %*s %ld/%ld", &running, &total) != 2)
			total = -1;
		fclose(f);
	}
	return total;
}

/*
 * pids.max of our cgroup and of every ancestor: cgroup v2 ("0::/path", at
 * /sys/fs/cgroup or /sys/fs/cgroup/unified) or v1's pids controller.
 */
static void check_cgroup_pids(size_t n)
{
	static const char *const roots_v2[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char line[4096], path[4096 + 64], *cg = NULL;
	const char *root = NULL;
	FILE *f = fopen("/proc/self/cgroup", "re");
	size_t r;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "0::", 3)) {
			p = line + 3;
			for (r = 0; r < 2; r++) {
				snprintf(path, sizeof(path), "%s/cgroup.controllers", roots_v2[r]);
				if (!access(path, R_OK)) {
					root = roots_v2[r];
					break;
				}
			}
		} else if ((p = strstr(line, ":pids:"))) {
			p += 6;
			root = "/sys/fs/cgroup/pids";
		} else {
			continue;
		}
		if (!root)
			continue;
		cg = strdup(p);
		break;
	}
	fclose(f);
	if (!cg)
		return;

	for (;;) {
		long max, cur;
		char *slash;

		snprintf(path, sizeof(path), "%s%s/pids.max", root, cg);
		max = read_long(path);	/* "max" reads as -1: no limit */
		snprintf(path, sizeof(path), "%s%s/pids.current", root, cg);
		cur = read_long(path);
		if (max >= 0 && cur >= 0 && (size_t)(max - cur) < n + 100)
			fail_msg("cgroup %s allows %ld tasks and has %ld; the burst needs %zu more: "
				 "raise its pids.max (systemd: TasksMax=)", cg, max, cur, n);
		slash = strrchr(cg, '/');
		if (!slash || slash == cg) {
			if (!cg[0] || !strcmp(cg, "/"))
				break;
			strcpy(cg, "");	/* the root itself */
			continue;
		}
		*slash = '\0';
	}
	free(cg);
}

void burst_check_limits(size_t n)
{
	long pid_max = read_long("/proc/sys/kernel/pid_max");
	long threads_max = read_long("/proc/sys/kernel/threads-max");
	long tasks = tasks_now();
	struct rlimit rl;

	assert_true(pid_max > 0 && threads_max > 0 && tasks > 0);
	if ((size_t)pid_max < tasks + n + SPARE_TASKS)
		fail_msg("kernel.pid_max is %ld with %ld tasks running; the burst needs %zu more "
			 "(sysctl -w kernel.pid_max=%zu)", pid_max, tasks, n,
			 (size_t)tasks + n + SPARE_TASKS);
	if ((size_t)threads_max < tasks + n + SPARE_TASKS)
		fail_msg("kernel.threads-max is %ld with %ld tasks running; the burst needs %zu more",
			 threads_max, tasks, n);
	/*
	 * The soft limit up to the hard one (always allowed).  The kernel
	 * exempts uid 0 from RLIMIT_NPROC, so a lower hard limit (raising it
	 * needs CAP_SYS_RESOURCE, which containers often drop) only matters
	 * for another user.
	 */
	assert_int_equal(getrlimit(RLIMIT_NPROC, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NPROC, &rl) != 0)
		fail_msg("cannot raise RLIMIT_NPROC to its hard limit: %s", strerror(errno));
	if (getuid() != 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)(tasks + n))
		fail_msg("RLIMIT_NPROC is %llu; the burst needs %zu processes more",
			 (unsigned long long)rl.rlim_max, n);
	check_cgroup_pids(n);
}

/* Each child's stack: it only calls read() and exit. */
#define CHILD_STACK_SIZE (16 * 1024)

/* What a child needs, packed into clone()'s argument. */
#define CHILD_ARG(rfd, wfd, code) ((void *)(((uintptr_t)(rfd) << 32) | ((uintptr_t)(wfd) << 8) | (uintptr_t)(code)))

/*
 * The child, on its own stack but in our address space (CLONE_VM): raw
 * system calls only, since libc's state (errno, locks) is the parent's.
 * Not instrumented by sanitizers, whose bookkeeping is the parent's too.
 */
__attribute__((no_sanitize_address, no_sanitize("undefined")))
static int burst_child(void *arg)
{
	uintptr_t a = (uintptr_t)arg;
	char c;

	syscall(SYS_close, (int)((a >> 8) & 0xffffff));	/* our copy of the write end */
	while (syscall(SYS_read, (int)(a >> 32), &c, 1) < 0)
		;
	syscall(SYS_exit_group, (int)(a & 0xff));
	return 0;
}

void burst_fork(struct burst *b, size_t n)
{
	int fds[2];
	size_t i;

	memset(b, 0, sizeof(*b));
	b->release_fd = -1;
	b->pid_max = (size_t)read_long("/proc/sys/kernel/pid_max");
	b->index_of_pid = malloc((b->pid_max + 1) * sizeof(int));
	b->pids = calloc(n, sizeof(pid_t));
	assert_non_null(b->index_of_pid);
	assert_non_null(b->pids);
	memset(b->index_of_pid, 0xff, (b->pid_max + 1) * sizeof(int));
	/* Only touched pages cost memory: about one per child. */
	b->stacks_size = n * CHILD_STACK_SIZE;
	b->stacks = mmap(NULL, b->stacks_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (b->stacks == MAP_FAILED)
		fail_msg("cannot map %zu bytes of child stacks: %s", b->stacks_size,
			 strerror(errno));
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	b->release_fd = fds[1];

	/*
	 * clone(CLONE_VM) rather than fork(): each child is a process of its
	 * own (its own pid, thread group and exit), but creating it copies no
	 * page tables, which makes 10,000 of them take well under a second
	 * instead of seconds (minutes under AddressSanitizer, whose shadow
	 * memory fork() would copy).
	 */
	for (i = 0; i < n; i++) {
		char *stack_top = (char *)b->stacks + (i + 1) * CHILD_STACK_SIZE;
		pid_t pid = clone(burst_child, stack_top, CLONE_VM | SIGCHLD,
				  CHILD_ARG(fds[0], fds[1], burst_code(i)));

		if (pid < 0) {
			int err = errno;

			close(fds[0]);
			burst_free(b);
			fail_msg("clone failed after %zu of %zu children: %s", i, n, strerror(err));
		}
		/*
		 * Its own process group, so that burst_reap() waits for these
		 * children only; set before it can exit (it waits for the pipe).
		 */
		if (setpgid(pid, b->pgid) != 0)
			fail_msg("setpgid: %s", strerror(errno));
		if (!b->pgid)
			b->pgid = pid;
		b->pids[i] = pid;
		b->n = i + 1;
		if ((size_t)pid <= b->pid_max)
			b->index_of_pid[pid] = (int)i;
	}
	close(fds[0]);
}

void burst_release(struct burst *b)
{
	if (b->release_fd >= 0) {
		close(b->release_fd);
		b->release_fd = -1;
	}
}

int burst_index(const struct burst *b, pid_t pid)
{
	if (pid <= 0 || (size_t)pid > b->pid_max)
		return -1;
	return b->index_of_pid[pid];
}

size_t burst_reap(struct burst *b, int block)
{
	size_t now = 0;
	int status, i;
	pid_t pid;

	while (b->reaped < b->n) {
		pid = waitpid(-b->pgid, &status, block ? 0 : WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			fail_msg("waitpid: %s", strerror(errno));
		if (pid == 0)
			break;
		i = burst_index(b, pid);
		if (i < 0)
			fail_msg("waitpid gave pid %d, not one of the burst", (int)pid);
		b->reaped++;
		now++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != burst_code((size_t)i))
			fail_msg("child %d ended with status 0x%x, expected exit code %d",
				 (int)pid, status, burst_code((size_t)i));
	}
	return now;
}

void burst_free(struct burst *b)
{
	int status;

	burst_release(b);
	while (b->n && b->reaped < b->n) {
		pid_t pid = waitpid(-b->pgid, &status, 0);

		if (pid < 0 && errno != EINTR)
			break;
		if (pid > 0)
			b->reaped++;
	}
	/* Every child is gone: nothing runs on these stacks any more. */
	if (b->stacks && b->stacks != MAP_FAILED)
		munmap(b->stacks, b->stacks_size);
	free(b->pids);
	free(b->index_of_pid);
	memset(b, 0, sizeof(*b));
	b->release_fd = -1;
}
