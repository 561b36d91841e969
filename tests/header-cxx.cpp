// SPDX-License-Identifier: BSD-2-Clause
// The public header must compile as C++ (-pedantic -Werror) and link
// with C linkage.
#include <proctrace/proctrace.h>

static int on_event(const struct proctrace_event *e, void *)
{
	return PROCTRACE_EVENT_HAS(e, filename) ? 0 : 1;
}

int main()
{
	struct proctrace_opts opts = {};
	opts.sz = sizeof(opts);
	struct proctrace_event ev = {};
	ev.size = sizeof(ev);
	proctrace_event_fn fn = on_event;
	(void)opts;
	return fn(&ev, nullptr);
}
