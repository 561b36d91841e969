/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A known child for the live tests: `pt-child [EXIT_CODE [SLEEP_MS]]`
 * sleeps SLEEP_MS milliseconds, then exits with EXIT_CODE.  Its own name,
 * short enough to be the whole comm, lets tests assert comm exactly.
 */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	int code = argc > 1 ? atoi(argv[1]) : 0;
	long ms = argc > 2 ? atol(argv[2]) : 0;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
	return code;
}
