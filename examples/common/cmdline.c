/* SPDX-License-Identifier: BSD-2-Clause */
/* What the example programs' argp parsers share: see cmdline.h. */
#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proctrace/proctrace.h>

int cmdline_number(const char *arg, unsigned long long max,
		   unsigned long long *out)
{
	unsigned long long v;
	const char *p;

	if (!*arg)
		return -EINVAL;
	for (p = arg; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
	errno = 0;
	v = strtoull(arg, NULL, 10);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

unsigned long long cmdline_ranged(struct argp_state *state, const char *what,
				  const char *arg, unsigned long long min,
				  unsigned long long max)
{
	unsigned long long v = 0;

	if (cmdline_number(arg, max, &v) || v < min)
		argp_error(state, "invalid %s '%s': expected a whole number from %llu to %llu",
			   what, arg, min, max);
	return v;
}

char **cmdline_command(struct argp_state *state, const char *arg)
{
	char **command;

	if (state->next > 1 && !strcmp(state->argv[state->next - 2], "--") &&
	    state->argv[state->next - 1] == arg) {
		command = &state->argv[state->next - 1];
		state->next = state->argc;
		return command;
	}
	return NULL;
}

static const char *program_name;

static void print_version(FILE *out, struct argp_state *state)
{
	(void)state;
	fprintf(out, "%s %d.%d.%d (libproctrace %s)\n", program_name,
		PROCTRACE_VERSION_MAJOR, PROCTRACE_VERSION_MINOR,
		PROCTRACE_VERSION_PATCH, proctrace_version_string());
}

void cmdline_version(const char *name)
{
	program_name = name;
	argp_program_version_hook = print_version;
}
