/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Processes with unusual endings, for the live lifecycle tests:
 *
 *   pt-proc leader-first CODE MS   the main thread exits first
 *                                  (pthread_exit); a second thread lives
 *                                  MS milliseconds more, then exit(CODE).
 *   pt-proc exit-group N CODE      N threads, then exit(CODE) from one of
 *                                  them while all run: they die together.
 *   pt-proc thread-exec PATH ARGV0 ARG...
 *                                  a second thread writes its thread id
 *                                  to stdout, then execs PATH with the
 *                                  argument vector ARGV0 ARG...
 *   pt-proc thread-exec-wait PATH ARGV0 ARG...
 *                                  the same, but the second thread waits
 *                                  for a byte on stdin before it execs.
 *   pt-proc segv                   dereferences NULL.
 *   pt-proc fexecve PATH ARGV0 ARG...
 *                                  opens PATH and executes the open file
 *                                  (fexecve(3)), with ARGV0 ARG...
 *   pt-proc churn N PATH MAX MS    starts N processes, up to MAX at a
 *                                  time: half of them exec PATH (with "0"
 *                                  and MS: pt-child sleeps MS ms), the
 *                                  others sleep MS ms and _exit(0); waits
 *                                  for them all.  SIGUSR1 stops it
 *                                  starting more (it still waits).
 *
 * Everything it reports goes to stdout, one decimal number per line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int code;
static volatile sig_atomic_t churn_stop;
static long delay_ms;
static char **exec_argv;

static void on_usr1(int sig)
{
	(void)sig;
	churn_stop = 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static void *outlive_leader(void *arg)
{
	(void)arg;
	sleep_ms(delay_ms);
	exit(code);
}

/* Busy, so that threads are on CPUs and exit in parallel when killed. */
static void *spin(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	for (;;)
		n++;
	return NULL;
}

static int exec_waits;

static void *exec_from_thread(void *arg)
{
	char b;

	(void)arg;
	printf("%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	if (exec_waits && read(STDIN_FILENO, &b, 1) != 1)
		_exit(125);
	execv(exec_argv[0], exec_argv + 1);
	perror("execv");
	_exit(127);
}

static void start_thread(void *(*fn)(void *))
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, NULL) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		_exit(126);
	}
}

int main(int argc, char **argv)
{
	int i, n;

	if (argc >= 4 && !strcmp(argv[1], "leader-first")) {
		code = atoi(argv[2]);
		delay_ms = atol(argv[3]);
		start_thread(outlive_leader);
		pthread_exit(NULL);
	}
	if (argc >= 4 && !strcmp(argv[1], "exit-group")) {
		n = atoi(argv[2]);
		for (i = 0; i < n; i++)
			start_thread(spin);
		sleep_ms(20);
		exit(atoi(argv[3]));
	}
	if (argc >= 3 && (!strcmp(argv[1], "thread-exec") ||
			  !strcmp(argv[1], "thread-exec-wait"))) {
		exec_waits = !strcmp(argv[1], "thread-exec-wait");
		exec_argv = argv + 2;
		start_thread(exec_from_thread);
		for (;;)
			pause();
	}
	if (argc >= 2 && !strcmp(argv[1], "segv")) {
		volatile int *p = NULL;

		return *p;
	}
	if (argc >= 4 && !strcmp(argv[1], "fexecve")) {
		extern char **environ;
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(argv[2]);
			return 126;
		}
		fexecve(fd, argv + 3, environ);
		perror("fexecve");
		return 127;
	}
	if (argc >= 6 && !strcmp(argv[1], "churn")) {
		int running = 0, started, max = atoi(argv[4]);
		/* No SA_RESTART: the signal ends a blocked wait() at once. */
		struct sigaction sa = { .sa_handler = on_usr1 };

		sigaction(SIGUSR1, &sa, NULL);
		n = atoi(argv[2]);
		for (started = 0; started < n || running > 0;) {
			if (churn_stop && started < n)
				n = started;
			if (started < n && running < max) {
				pid_t pid = fork();

				if (pid == 0) {
					if (started % 2) {
						sleep_ms(atol(argv[5]));
						_exit(0);
					}
					execl(argv[3], "pt-child", "0", argv[5], (char *)NULL);
					_exit(127);
				}
				if (pid > 0) {
					started++;
					running++;
					continue;
				}
			}
			if (wait(NULL) > 0)
				running--;
		}
		return 0;
	}
	fprintf(stderr, "usage: pt-proc leader-first|exit-group|thread-exec|"
		"thread-exec-wait|segv|fexecve|churn ...\n");
	return 2;
}
