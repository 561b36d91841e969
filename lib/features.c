/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The capabilities proctrace_features() reports: their names, and what
 * each gives up in its degraded form (docs/kernels.md says on which
 * kernels, and why).
 */
#include <errno.h>
#include <stddef.h>

#include "internal.h"
#include "proctrace_wire.h"

#define PT_STR_(x) #x
#define PT_STR(x) PT_STR_(x)

static const struct {
	uint32_t bit;
	const char *name;
	const char *degraded;
} features[] = {
	{ PROCTRACE_FEATURE_EVENTS, "events",
	  "never degraded" },
	{ PROCTRACE_FEATURE_PATHS, "paths",
	  "never degraded" },
	{ PROCTRACE_FEATURE_PROCESS_STATE, "process state",
	  "kept in hash maps instead of task storage: the same guarantees while they "
	  "have room (a process each, up to 65,536), beyond it a rare duplicate EXIT or "
	  "snapshot record, or a subtree descendant dropped and counted as lost" },
	{ PROCTRACE_FEATURE_SNAPSHOT, "snapshot",
	  "arguments are read from /proc/PID/cmdline after the kernel's walk, with the "
	  "same cap: a process that ended in between has none "
	  "(PROCTRACE_EVENT_F_ARGS_UNREADABLE)" },
	{ PROCTRACE_FEATURE_EXEC_FAILED, "failed exec attempts",
	  "caught at the raw sys_exit tracepoint instead of fexit: every system call "
	  "of the machine pays for it while tracing" },
	{ PROCTRACE_FEATURE_USAGE, "usage",
	  "at most " PT_STR(PT_WIRE_USAGE_BOUNDED_THREADS) " threads still on their way out "
	  "when the last one exits are counted (instead of 65536): a process with more "
	  "such threads has the rest of their counters missing, unflagged" },
};

static int find(uint32_t bit)
{
	size_t i;

	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (features[i].bit == bit)
			return (int)i;
	errno = EINVAL;
	return -1;
}

PROCTRACE_API const char *proctrace_feature_name(uint32_t feature)
{
	int i = find(feature);

	return i < 0 ? NULL : features[i].name;
}

PROCTRACE_API const char *proctrace_feature_degraded(uint32_t feature)
{
	int i = find(feature);

	return i < 0 ? NULL : features[i].degraded;
}
