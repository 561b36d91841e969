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
	const char *output;		/* -o: the events' file; NULL: stdout */
	uint64_t rotate_size;		/* bytes; 0: -o FILE is never rotated */
	unsigned int rotate_keep;	/* old files kept when rotating */
	bool journal;			/* to the journal instead of lines */
	bool fork_events;		/* also report forks */
	bool snapshot;			/* running processes first, process table */
	bool creds;			/* --creds: credential changes too */
	bool wake_every_event;		/* the library's low-latency mode */
	bool has_uid;
	uint32_t uid;			/* -u, if has_uid */
	int32_t pid;			/* -p: subtree root, 0 if none */
	uint64_t cgroup_id;		/* -c, resolved from the path; 0 if none */
	const char *comm;		/* -n, or NULL */
	uint32_t ring_size;		/* bytes; 0: the library's default */
	uint32_t latency_ms;		/* 0: the library's default */
	uint32_t max_args;		/* bytes; 0: the library's default */
	const char *user;		/* -Z: run as this user after start, or NULL */
	bool failed;			/* -x: failed exec attempts too */
	bool failed_except;		/* failed_errnos lists those NOT to report */
	int32_t failed_errnos[64];	/* --failed=LIST, ended by 0; none: all */
	char **command;			/* after "--": what to run, or NULL */
	bool compat;			/* the programs of old kernels, on any kernel */
	bool features;			/* --features: print what runs, and exit */
};

/*
 * Fills @opts from the command line.  On a bad option or value it prints
 * a message and exits with status 2; --help and --version exit 0.
 */
void cli_options_parse(int argc, char **argv, struct cli_options *opts);

#endif
