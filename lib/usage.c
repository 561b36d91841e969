/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a process used, from the raw counters of an EXIT record
 * (struct pt_wire_usage, read by bpf/pt_usage.h) to the public fields.
 *
 * The only arithmetic is the CPU time split.  The kernel samples user and
 * system time at ticks (task->utime/stime) but measures the time on a CPU
 * exactly (se.sum_exec_runtime).  getrusage(), wait4(), times() and
 * /proc/PID/stat all report the exact total, split in the sampled ratio,
 * and never less than they reported before: cputime_adjust() in
 * kernel/sched/cputime.c.  We do the same, with the process's own
 * prev_cputime, so that cpu_user_ns and cpu_sys_ns are what wait4() gives
 * the parent for the process itself (less the few microseconds the last
 * thread still runs after the exit tracepoint).  It is done here rather
 * than in the kernel because the product needs 128 bits.
 */
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "proctrace_wire.h"

void pt_cputime_adjust(uint64_t rtime, uint64_t utime, uint64_t stime,
		       uint64_t prev_utime, uint64_t prev_stime,
		       uint64_t *ut, uint64_t *st)
{
	/* Already reported at least this much: report that again. */
	if (prev_stime + prev_utime >= rtime) {
		*ut = prev_utime;
		*st = prev_stime;
		return;
	}
	/* No tick of one kind: all of the runtime is of the other kind. */
	if (stime == 0)
		;	/* utime = rtime, below */
	else if (utime == 0)
		stime = rtime;
	else
		stime = (uint64_t)((unsigned __int128)stime * rtime /
				   (stime + utime));
	/* Neither part goes backwards; rtime never does. */
	if (stime < prev_stime)
		stime = prev_stime;
	utime = rtime - stime;
	if (utime < prev_utime) {
		utime = prev_utime;
		stime = rtime - utime;
	}
	*ut = utime;
	*st = stime;
}

int pt_decode_usage(const void *data, size_t size, struct proctrace_event *out)
{
	struct pt_wire_usage u;
	uint64_t page;
	long ps;

	/* A record without the block (see bench/exit-cost.c): all zero. */
	if (size == 0)
		return 0;
	if (!data || size < sizeof(u))
		return -EBADMSG;
	/* Records are only 8-byte aligned in the ring at best: copy. */
	memcpy(&u, data, sizeof(u));

	ps = sysconf(_SC_PAGESIZE);
	page = ps > 0 ? (uint64_t)ps : 4096;

	pt_cputime_adjust(u.runtime_ns, u.utime_ns, u.stime_ns,
			  u.prev_utime_ns, u.prev_stime_ns,
			  &out->cpu_user_ns, &out->cpu_sys_ns);
	out->max_rss_bytes = u.maxrss_pages * page;
	out->read_bytes = u.read_bytes;
	out->write_bytes = u.write_bytes;
	out->rchar = u.rchar;
	out->wchar = u.wchar;
	out->ctx_voluntary = u.nvcsw;
	out->ctx_involuntary = u.nivcsw;
	out->min_flt = u.min_flt;
	out->maj_flt = u.maj_flt;
	/* cutime/cstime were scaled when each child was reaped. */
	out->children_cpu_user_ns = u.cutime_ns;
	out->children_cpu_sys_ns = u.cstime_ns;
	out->children_max_rss_bytes = u.cmaxrss_pages * page;
	if (u.flags & PT_WIRE_USAGE_F_NO_IO_BYTES)
		out->flags |= PROCTRACE_EVENT_F_NO_IO_BYTES;
	if (u.flags & PT_WIRE_USAGE_F_NO_IO_CHARS)
		out->flags |= PROCTRACE_EVENT_F_NO_IO_CHARS;
	return 0;
}
