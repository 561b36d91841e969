/* SPDX-License-Identifier: BSD-2-Clause */
/* What the outputs say about the run as a whole, besides its processes. */
#ifndef TIMELINE_RUN_H
#define TIMELINE_RUN_H

#include <stddef.h>
#include <stdint.h>

struct tl_run {
	const char *const *command;	/* what was run: its argv */
	size_t command_argc;
	/* Events lost in the kernel (proctrace_stats()): ring full, other, malformed. */
	uint64_t lost_ring_full;
	uint64_t lost_other;
	uint64_t lost_malformed;
	/* The model lacks data: memory ran out while recording. */
	int incomplete;
};

static inline uint64_t tl_run_lost(const struct tl_run *r)
{
	return r->lost_ring_full + r->lost_other + r->lost_malformed;
}

#endif
