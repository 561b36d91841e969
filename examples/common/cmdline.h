/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the example programs' argp parsers share (bootstrap-cli,
 * proctrace-timeline): the parse itself (messages, status, --version),
 * whole numbers as options take them, the command after "--", and the
 * library's verdict on delivery settings.  Compiled into each of them,
 * neither installed nor part of the library.
 */
#ifndef EXAMPLES_COMMON_CMDLINE_H
#define EXAMPLES_COMMON_CMDLINE_H

#include <argp.h>
#include <stdint.h>

/*
 * Parses with @parser (ARGP_IN_ORDER: a word before "--" reaches
 * ARGP_KEY_ARG where it stands, see cmdline_command()), as program @name:
 * every message starts "NAME: ", --version prints "NAME X.Y.Z
 * (libproctrace V)" (the version of the header the program was built
 * with, and that of the library it runs with), and bad usage exits with
 * status 2, as for most Unix tools (argp's default is 64).
 */
void cmdline_parse(const struct argp *parser, int argc, char **argv,
		   void *input, const char *name);

/*
 * strtoull() accepts leading blanks, a sign (and negates "-5" into a huge
 * value) and trailing junk; every number of an option is digits only.
 * Sets *@out and returns 0; or returns -EINVAL for anything but digits
 * (the empty string too), -ERANGE past @max.
 */
int cmdline_number(const char *arg, unsigned long long max,
		   unsigned long long *out);

/*
 * A whole number in [@min, @max], or a usage error naming @what
 * (argp_error(): it exits): "invalid WHAT 'ARG': expected a whole number
 * from MIN to MAX".
 */
unsigned long long cmdline_ranged(struct argp_state *state, const char *what,
				  const char *arg, unsigned long long min,
				  unsigned long long max);

/*
 * For ARGP_KEY_ARG.  If @arg is the first word after "--", returns the
 * command (@arg and every word after it) and ends the parse.  Else NULL,
 * and the word, which has no place there, is kept for cmdline_end().
 */
char **cmdline_command(struct argp_state *state, const char *arg);

/*
 * For ARGP_KEY_END, before any other check: a usage error for a word
 * kept by cmdline_command() (with '--', "'WORD' before '--'": argp would
 * have made it part of the command), for a "--" with nothing after it,
 * and, if @required, for no @command at all.
 */
void cmdline_end(struct argp_state *state, char **command, int required);

/* What proctrace_open() said when it refused settings. */
struct cmdline_verdict {
	char msg[512];
};

/*
 * proctrace_open()'s verdict on these delivery settings (0: the library's
 * default; it loads nothing): NULL if accepted, else its message.
 */
const char *cmdline_library_refuses(uint32_t max_args, uint32_t ring_size,
				    uint32_t latency_ms, struct cmdline_verdict *v);

/*
 * --ring-size's @arg, with @max_args (0: the default) known, hence at
 * ARGP_KEY_END: a power of two the library accepts, or a usage error that
 * names the range it accepts with these @max_args.
 */
uint32_t cmdline_ring_size(struct argp_state *state, const char *arg,
			   uint32_t max_args);

#endif
