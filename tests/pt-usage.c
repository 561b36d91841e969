/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Processes that use known amounts of resources, for the live usage
 * tests (test-usage.c).  CPU amounts are measured on the thread's own CPU
 * clock, so they hold on a loaded machine (only the wall time grows).
 *
 *   pt-usage burn MS1 [MS2]     the main thread burns MS1 ms of user CPU;
 *                               with MS2, a second thread burns MS2 ms
 *                               at the same time (joined before exit).
 *   pt-usage sys MS             MS ms of CPU in read(2)s of /dev/zero,
 *                               nearly all of it system time.
 *   pt-usage rss MIB            touches MIB MiB, frees them, then exits.
 *   pt-usage write FILE MIB     writes MIB MiB to FILE, fsync()s it,
 *                               removes it.
 *   pt-usage null MIB           writes MIB MiB to /dev/null.
 *   pt-usage sleeps N           sleeps 1 ms, N times.
 *   pt-usage leader-first MS1 MS2
 *                               the main thread burns MS1 ms and exits
 *                               alone (pthread_exit); a second thread
 *                               burns MS2 ms more, then exit(0).
 *   pt-usage thread-exec MS PATH ARG...
 *                               a thread burns MS ms and is joined; a
 *                               second thread burns MS ms and stays;
 *                               a third execs PATH ARG... (the two
 *                               earlier threads' time stays the process's).
 *   pt-usage exit-group N MS    N threads burn until one of them has
 *                               burnt MS ms, which calls exit(0): all die
 *                               at once, each with its time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void burn_ms(long ms)
{
	long long end = thread_cpu_ns() + ms * 1000000LL;
	volatile unsigned long n = 0;

	while (thread_cpu_ns() < end) {
		int i;

		/* Mostly user time: a few calls per millisecond. */
		for (i = 0; i < 20000; i++)
			n++;
	}
}

static void *burn_thread(void *arg)
{
	burn_ms((long)arg);
	return NULL;
}

static pthread_t start(void *(*fn)(void *), long arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, (void *)arg) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		_exit(126);
	}
	return t;
}

static void sys_ms(long ms)
{
	static char buf[1 << 16];
	long long end = thread_cpu_ns() + ms * 1000000LL;
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0) {
		perror("/dev/zero");
		_exit(126);
	}
	while (thread_cpu_ns() < end)
		if (read(fd, buf, sizeof(buf)) < 0)
			_exit(126);
	close(fd);
}

static void rss(long mib)
{
	size_t len = (size_t)mib << 20, off;
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		_exit(126);
	}
	for (off = 0; off < len; off += (size_t)page)
		p[off] = 1;
	munmap(p, len);
}

static void write_file(const char *path, long mib)
{
	static char buf[1 << 20];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	long i;

	if (fd < 0) {
		perror(path);
		_exit(126);
	}
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < mib; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("write");
			_exit(126);
		}
	if (fsync(fd) != 0) {
		perror("fsync");
		_exit(126);
	}
	close(fd);
	unlink(path);
}

static void write_null(long mib)
{
	static char buf[1 << 20];
	int fd = open("/dev/null", O_WRONLY);
	long i;

	if (fd < 0) {
		perror("/dev/null");
		_exit(126);
	}
	for (i = 0; i < mib; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			_exit(126);
	close(fd);
}

static void sleeps(long n)
{
	struct timespec ts = { 0, 1000000 };
	long i;

	for (i = 0; i < n; i++)
		nanosleep(&ts, NULL);
}

static long leader_ms2;
static volatile int leader_done;

static void *outlive_leader(void *arg)
{
	(void)arg;
	/* The leader must have burnt its share and exited: then burn. */
	while (!leader_done)
		usleep(1000);
	usleep(20000);
	burn_ms(leader_ms2);
	exit(0);
}

static char **exec_argv;

static void *exec_thread(void *arg)
{
	(void)arg;
	execv(exec_argv[0], exec_argv);
	perror("execv");
	_exit(127);
}

static long group_ms;

static void *group_thread(void *arg)
{
	(void)arg;
	burn_ms(group_ms);
	exit(0);
}

static void *spin_thread(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	for (;;)
		n++;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long a = argc > 2 ? atol(argv[2]) : 0;
	long b = argc > 3 ? atol(argv[3]) : 0;
	pthread_t t;
	long i;

	if (!strcmp(mode, "burn") && argc >= 3) {
		if (argc > 3)
			t = start(burn_thread, b);
		burn_ms(a);
		if (argc > 3)
			pthread_join(t, NULL);
	} else if (!strcmp(mode, "sys") && argc == 3) {
		sys_ms(a);
	} else if (!strcmp(mode, "rss") && argc == 3) {
		rss(a);
	} else if (!strcmp(mode, "write") && argc == 4) {
		write_file(argv[2], b);
	} else if (!strcmp(mode, "null") && argc == 3) {
		write_null(a);
	} else if (!strcmp(mode, "sleeps") && argc == 3) {
		sleeps(a);
	} else if (!strcmp(mode, "leader-first") && argc == 4) {
		leader_ms2 = b;
		start(outlive_leader, 0);
		burn_ms(a);
		leader_done = 1;
		pthread_exit(NULL);
	} else if (!strcmp(mode, "thread-exec") && argc >= 4) {
		pthread_join(start(burn_thread, a), NULL);
		start(burn_thread, a);
		usleep(10000);
		exec_argv = argv + 3;
		pthread_join(start(exec_thread, 0), NULL);
	} else if (!strcmp(mode, "exit-group") && argc == 4) {
		group_ms = b;
		for (i = 1; i < a; i++)
			start(spin_thread, 0);
		group_thread(NULL);
	} else {
		fprintf(stderr, "usage: see the comment at the top of pt-usage.c\n");
		return 2;
	}
	return 0;
}
