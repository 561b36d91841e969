/* SPDX-License-Identifier: BSD-2-Clause */
#include "options.h"

#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proctrace/proctrace.h>

#include "cmdline.h"
#include "svg.h"

enum {
	OPT_TRACE = 0x100,
	OPT_WIDTH,
	OPT_RING_SIZE,
	OPT_MAX_ARGS,
};

static const struct argp_option option_table[] = {
	{ NULL, 0, NULL, 0, "Output:", 1 },
	{ "output", 'o', "FILE", 0, "Write the picture to FILE (default timeline.svg)", 1 },
	{ "trace", OPT_TRACE, "FILE", 0,
	  "Also write the run as Trace Event Format JSON to FILE, for Perfetto UI, "
	  "chrome://tracing or speedscope", 1 },
	{ "width", OPT_WIDTH, "PX", 0, "Width of the time axis in pixels (200-100000; default 1200)", 1 },
	{ "quiet", 'q', NULL, 0, "No summary on standard error", 1 },
	{ "verbose", 'v', NULL, 0,
	  "Print the library's informational and debug messages to stderr", 1 },
	{ NULL, 0, NULL, 0, "Tracing:", 2 },
	{ "ring-size", OPT_RING_SIZE, "BYTES", 0,
	  "Kernel ring buffer size: a power of two up to 1073741824, and at least "
	  "two of the largest exec records (32768 with the default --max-args); "
	  "default 4 MiB; larger if events are lost", 2 },
	{ "max-args", OPT_MAX_ARGS, "BYTES", 0,
	  "Keep up to BYTES of each exec's arguments (1-32768; default 4096)", 2 },
	{ 0 },
};

/*
 * What the parse keeps besides the options: --ring-size's word, judged at
 * the end, as the smallest ring depends on --max-args.
 */
struct parse {
	struct tl_options *opts;
	const char *ring_size;
};

static error_t parse_option(int key, char *arg, struct argp_state *state)
{
	struct parse *p = state->input;
	struct tl_options *opts = p->opts;

	switch (key) {
	case 'o':
		if (!*arg)
			argp_error(state, "the output file name is empty");
		opts->svg_path = arg;
		return 0;
	case OPT_TRACE:
		if (!*arg)
			argp_error(state, "the trace file name is empty");
		opts->trace_path = arg;
		return 0;
	case OPT_WIDTH:
		opts->width = (uint32_t)cmdline_ranged(state, "width", arg, 200, 100000);
		return 0;
	case 'q':
		opts->quiet = true;
		return 0;
	case 'v':
		opts->verbose = true;
		return 0;
	case OPT_RING_SIZE:
		p->ring_size = arg;
		return 0;
	case OPT_MAX_ARGS:
		opts->max_args = (uint32_t)cmdline_ranged(state, "argument size", arg, 1,
							  PROCTRACE_ARGS_SIZE_MAX);
		return 0;
	case ARGP_KEY_ARG:
		opts->command = cmdline_command(state, arg);
		return 0;
	case ARGP_KEY_END:
		cmdline_end(state, opts->command, 1);
		if (p->ring_size)
			opts->ring_size = cmdline_ring_size(state, p->ring_size, opts->max_args);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp parser = {
	.options = option_table,
	.parser = parse_option,
	.args_doc = "-- COMMAND [ARG...]",
	.doc = "Run COMMAND, trace it and every process it starts through "
	       "libproctrace, and draw them over time: an SVG picture of the "
	       "process tree (one bar per process from its fork to its exit, "
	       "coloured by outcome) and, with --trace, a Trace Event Format "
	       "file.  Exits with COMMAND's status (128+N if signal N killed it).\n\n"
	       "Needs root, or CAP_BPF and CAP_PERFMON.",
};

void tl_options_parse(int argc, char **argv, struct tl_options *opts)
{
	struct parse p = { .opts = opts };

	memset(opts, 0, sizeof(*opts));
	opts->svg_path = "timeline.svg";
	opts->width = TL_SVG_WIDTH;
	cmdline_parse(&parser, argc, argv, &p, "proctrace-timeline");
}
