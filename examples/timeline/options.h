/* SPDX-License-Identifier: BSD-2-Clause */
/* proctrace-timeline's command line, parsed with argp. */
#ifndef TIMELINE_OPTIONS_H
#define TIMELINE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct tl_options {
	const char *svg_path;		/* -o; "timeline.svg" by default */
	const char *trace_path;		/* --trace, or NULL */
	uint32_t width;			/* plot width in pixels */
	uint32_t ring_size;		/* bytes; 0: the library's default */
	uint32_t max_args;		/* bytes; 0: the library's default */
	bool quiet;			/* no summary */
	bool verbose;			/* every library message to stderr */
	char **command;			/* after "--": what to run */
};

/*
 * Fills @opts from the command line.  On a bad option or value it prints
 * a message and exits with status 2; --help and --version exit 0.
 */
void tl_options_parse(int argc, char **argv, struct tl_options *opts);

#endif
