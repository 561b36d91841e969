/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the example programs' argp parsers share (bootstrap-cli,
 * proctrace-timeline): whole numbers as options take them, the command
 * after "--", and the --version line.  Compiled into each of them, neither installed nor
 * part of the library.
 */
#ifndef EXAMPLES_COMMON_CMDLINE_H
#define EXAMPLES_COMMON_CMDLINE_H

#include <argp.h>

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
 * For ARGP_KEY_ARG: argp stops option parsing at "--", and what follows
 * is the command to run.  If @arg is the first word after "--", returns
 * the command (@arg and every word after it) and ends the parse; else
 * NULL: an argument where none belongs.
 */
char **cmdline_command(struct argp_state *state, const char *arg);

/*
 * Makes --version print "NAME X.Y.Z (libproctrace V)": the version of the
 * header the program was built with, and that of the library it runs
 * with.  Call it before argp_parse().
 */
void cmdline_version(const char *name);

#endif
