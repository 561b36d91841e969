/* SPDX-License-Identifier: BSD-2-Clause */
/* Small helpers shared by the benchmark's C programs. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A positive count from the command line, or exit with usage status 2. */
static inline long parse_count(const char *what, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v <= 0) {
		fprintf(stderr, "invalid %s '%s': expected a positive number\n",
			what, arg);
		exit(2);
	}
	return v;
}

#endif
