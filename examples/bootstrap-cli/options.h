/* SPDX-License-Identifier: BSD-2-Clause */
/* bootstrap-cli's command line, parsed with argp. */
#ifndef BOOTSTRAP_CLI_OPTIONS_H
#define BOOTSTRAP_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct cli_options {
	uint64_t min_duration_ns;	/* 0: report every exec and exit */
	bool verbose;			/* every library message to stderr */
	bool json;			/* JSON lines instead of the table */
};

/*
 * Fills @opts from the command line.  On a bad option or value it prints
 * a message and exits with status 2; --help and --version exit 0.
 */
void cli_options_parse(int argc, char **argv, struct cli_options *opts);

#endif
