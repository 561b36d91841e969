/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The public header must compile on its own in strict ISO C99
 * (-std=c99 -pedantic -Werror), and its macros must work there.
 */
#include <proctrace/proctrace.h>

static int on_event(const struct proctrace_event *e, void *ctx)
{
	(void)ctx;
	return PROCTRACE_EVENT_HAS(e, filename) && PROCTRACE_EVENT_HAS(e, cgroup_id) ? 0 : 1;
}

int main(void)
{
	PROCTRACE_OPTS(opts, .min_duration_ns = 1);
	struct proctrace_event ev = { .size = sizeof(struct proctrace_event) };

	(void)opts;
	return on_event(&ev, 0) + (opts.sz == sizeof(opts) ? 0 : 1);
}
