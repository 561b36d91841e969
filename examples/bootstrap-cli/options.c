/* SPDX-License-Identifier: BSD-2-Clause */
#include "options.h"

#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <proctrace/proctrace.h>

#define NS_PER_MS 1000000ULL

enum { OPT_JSON = 0x100 };

static void print_version(FILE *out, struct argp_state *state)
{
	(void)state;
	fprintf(out, "bootstrap-cli %d.%d.%d (libproctrace %s)\n",
		PROCTRACE_VERSION_MAJOR, PROCTRACE_VERSION_MINOR,
		PROCTRACE_VERSION_PATCH, proctrace_version_string());
}

void (*argp_program_version_hook)(FILE *, struct argp_state *) = print_version;

static const struct argp_option option_table[] = {
	{ "duration", 'd', "MS", 0,
	  "Report only processes that lived at least MS milliseconds "
	  "(a positive whole number); exec events are then not shown", 0 },
	{ "verbose", 'v', NULL, 0,
	  "Print the library's informational and debug messages, "
	  "including libbpf's, to stderr", 0 },
	{ "json", OPT_JSON, NULL, 0,
	  "One JSON object per event and line instead of the table", 0 },
	{ 0 },
};

/*
 * strtoull() accepts leading blanks, a sign (and negates "-5" into a huge
 * value) and trailing junk; a duration is digits only.
 */
static int parse_duration_ms(const char *arg, uint64_t *ns)
{
	unsigned long long ms;
	const char *p;
	char *end;

	if (!*arg)
		return -EINVAL;
	for (p = arg; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
	errno = 0;
	ms = strtoull(arg, &end, 10);
	if (errno == ERANGE || ms > UINT64_MAX / NS_PER_MS)
		return -ERANGE;
	if (ms == 0)
		return -EINVAL;
	*ns = ms * NS_PER_MS;
	return 0;
}

static error_t parse_option(int key, char *arg, struct argp_state *state)
{
	struct cli_options *opts = state->input;
	int err;

	switch (key) {
	case 'd':
		err = parse_duration_ms(arg, &opts->min_duration_ns);
		if (err == -ERANGE)
			argp_error(state, "duration '%s' is too large: at most %llu ms",
				   arg, (unsigned long long)(UINT64_MAX / NS_PER_MS));
		else if (err)
			argp_error(state, "invalid duration '%s': expected a positive whole number of milliseconds",
				   arg);
		return 0;
	case 'v':
		opts->verbose = true;
		return 0;
	case OPT_JSON:
		opts->json = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp parser = {
	.options = option_table,
	.parser = parse_option,
	.doc = "Trace process exec and exit events on this machine, "
	       "through libproctrace, until SIGINT or SIGTERM.\n\n"
	       "Needs root, or CAP_BPF and CAP_PERFMON.",
};

void cli_options_parse(int argc, char **argv, struct cli_options *opts)
{
	/* Bad usage is status 2, as for most Unix tools; argp's default is 64. */
	argp_err_exit_status = 2;
	if (argp_parse(&parser, argc, argv, 0, NULL, opts) != 0)
		exit(2);
}
