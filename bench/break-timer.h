/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The benchmark's deliberately broken runs (--disarm-drain-timer): every
 * timerfd this process holds is disarmed right after proctrace_start().
 * The bench programs create no timer of their own, so these are the
 * library's drain timer, found from the outside: the shipped library has
 * no switch for it.  A run without its timer must come out "not met";
 * run.py checks that it does, so that a latency figure that cannot fail
 * is itself caught.
 */
#ifndef BENCH_BREAK_TIMER_H
#define BENCH_BREAK_TIMER_H

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* Returns how many timers were disarmed, or -1 on error. */
static inline int disarm_timerfds(void)
{
	static const struct itimerspec off;	/* zero: disarmed */
	char target[64];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		ssize_t len;

		if (d->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(dir), d->d_name, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (strcmp(target, "anon_inode:[timerfd]"))
			continue;
		if (timerfd_settime(atoi(d->d_name), 0, &off, NULL)) {
			n = -1;
			break;
		}
		n++;
	}
	closedir(dir);
	return n;
}

#endif
