/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Synthetic event lists for the timeline's tests: the drawing code runs
 * on them without BPF.  Each shape is fed to a model the way the library
 * would deliver it (FORK, EXEC, EXIT in time order).
 */
#ifndef TIMELINE_SYNTHETIC_H
#define TIMELINE_SYNTHETIC_H

#include <stdint.h>

#include <proctrace/proctrace.h>

#include "model.h"

/* The shapes' clock: a Unix time in nanoseconds, and milliseconds. */
#define SYN_T0 UINT64_C(1700000000000000000)
#define SYN_MS(x) (SYN_T0 + (uint64_t)((x) * 1e6))

/* The pid of the tracing program, whose events a model ignores. */
#define SYN_TRACER 99

void syn_fork(struct tl_model *m, int32_t pid, int32_t ppid, uint64_t ts,
	      const char *parent_comm);
void syn_exec(struct tl_model *m, int32_t pid, int32_t ppid, uint64_t ts,
	      const char *filename, const char *const *argv);
void syn_exit(struct tl_model *m, int32_t pid, int32_t ppid, uint64_t ts,
	      uint64_t start, const char *comm, int32_t code, int32_t sig);

/* An EXIT that says what the process used (libproctrace 0.3). */
void syn_exit_usage(struct tl_model *m, int32_t pid, int32_t ppid, uint64_t ts,
		    uint64_t start, const char *comm, uint64_t user_ns,
		    uint64_t sys_ns, uint64_t max_rss_bytes);

/*
 * A build, for the CPU and memory lists: sh (pid 300) runs cc1 (301,
 * 2.2 s user + 0.3 s system, 300 MiB), ld (302, 0.8 s, 1.25 GiB), true
 * (303, 500 us, 900 KiB) and cat (304) whose EXIT comes from a 0.2
 * library (its size stops before the usage fields, which hold garbage).
 * sh itself: 3 ms, 4 MiB.
 */
void syn_usage(struct tl_model *m);

/*
 * The shape: sh (pid 100) runs sleep 0.1 (101), then sleep 0.3
 * (102), then three parallel steps: sleep 0.2 (103, exit 0), sh exiting 3
 * (104, with its sleep 105), sh killed by SIGTERM (106, with its sleep
 * 107).  Eight processes, two failed, six alive at once at the peak.
 */
void syn_shape(struct tl_model *m);

/*
 * A build over 2 s, where a millisecond is 0.6 px at the default width:
 * make (pid 400) runs two compiles through sh -c (401, 405): cc (402,
 * 406) with cc1 (403) and as (404) under the first; then ls /nonexistent
 * (407, 1 ms, exit 2); then sh -c 'make all' (408) whose make (409) runs
 * sh -c 'kill -TERM $$' (410, 1 ms, killed by SIGTERM) and the link,
 * cc -o prog foo.o bar.o (411).  Twelve processes, two failed.
 */
void syn_build(struct tl_model *m);

/*
 * Hostile strings: process 200 (sh) runs 201, named with an escape
 * sequence, '<', '&', quotes, a backslash and invalid UTF-8, whose
 * arguments hold the same and more (C1 controls, U+2028, a lone
 * continuation byte, an overlong NUL).
 */
extern const char *const syn_hostile_name;
void syn_hostile(struct tl_model *m);

/*
 * @n short processes with long arguments (4 KiB each) from a shell (pid
 * 1000), @parallel at a time: the size bound of the picture.
 */
void syn_many(struct tl_model *m, int n, int parallel);

#endif
