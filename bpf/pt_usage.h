/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What a process used (CPU time, peak memory, I/O, context switches, page
 * faults), read when its last thread exits, for the EXIT record.
 *
 * The kernel keeps these counters in two places, and getrusage(),
 * wait4() and /proc/PID/{stat,io} add them up the same way:
 *   - per thread, in its task_struct (utime, stime, se.sum_exec_runtime,
 *     nvcsw, nivcsw, min_flt, maj_flt, ioac);
 *   - per process, in signal_struct, the counters of its threads already
 *     gone: __exit_signal() adds a thread's own counters there, under
 *     signal->stats_lock, in the same step that takes it off
 *     signal->thread_head.
 * So the process's total at any moment is signal's counters plus those of
 * every thread still on thread_head, which is what thread_group_cputime()
 * and getrusage(RUSAGE_SELF) compute.  At sched_process_exit of the last
 * thread, thread_head holds that thread, a leader that exited first (a
 * zombie kept until the process is reaped) and any thread of an
 * exit_group() that has not been released yet; each is counted once,
 * either on the list or in signal, never both: stats_lock's sequence
 * number tells a release that ran while we read, and the read is redone.
 *
 * No scaling here: the CPU times are sent raw (tick-sampled utime and
 * stime, and the exact runtime) with the process's prev_cputime, and the
 * library scales them as cputime_adjust() does for getrusage() and
 * wait4() (lib/usage.c): 64-bit products overflow and BPF has no 128-bit
 * division.
 *
 * Reads of signal and of the exiting thread are direct (BTF pointers, no
 * helper call); other threads are reached by walking a list, so their
 * fields are read with bpf_probe_read_kernel().  A single-threaded
 * process, by far the most frequent, never walks.
 */
#ifndef PT_USAGE_H
#define PT_USAGE_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "proctrace_core.h"
#include "proctrace_wire.h"

/* More threads than this on the list at exit are not walked (see below). */
#define PT_USAGE_MAX_THREADS 65536

/* The counters one thread keeps itself, added to @u. */
#define PT_USAGE_ADD_THREAD(u, t, READ)                                      \
	do {                                                                 \
		(u)->runtime_ns += READ(t, se.sum_exec_runtime);             \
		(u)->utime_ns += READ(t, utime);                             \
		(u)->stime_ns += READ(t, stime);                             \
		(u)->nvcsw += READ(t, nvcsw);                                \
		(u)->nivcsw += READ(t, nivcsw);                              \
		(u)->min_flt += READ(t, min_flt);                            \
		(u)->maj_flt += READ(t, maj_flt);                            \
		if (bpf_core_field_exists(struct signal_struct, ioac.rchar)) { \
			(u)->rchar += READ(t, ioac.rchar);                   \
			(u)->wchar += READ(t, ioac.wchar);                   \
		}                                                            \
		if (bpf_core_field_exists(struct signal_struct, ioac.read_bytes)) { \
			(u)->read_bytes += READ(t, ioac.read_bytes);         \
			(u)->write_bytes += READ(t, ioac.write_bytes);       \
		}                                                            \
	} while (0)

#define PT_USAGE_DIRECT(t, field) ((t)->field)
#define PT_USAGE_PROBE(t, field) BPF_CORE_READ(t, field)

struct pt_usage_walk {
	struct pt_wire_usage *u;
	__u64 node;		/* the list_head to visit next */
	__u64 head;		/* &signal->thread_head: the end of the list */
	__u64 node_off;		/* offsetof(struct task_struct, thread_node) */
};

static long pt_usage_walk_step(__u32 i, void *ctx)
{
	struct pt_usage_walk *w = ctx;
	struct pt_wire_usage *u = w->u;
	struct list_head *node = (struct list_head *)w->node;
	struct task_struct *t;

	if (w->node == w->head || !node)
		return 1;	/* back at the head: every thread seen */
	/* container_of(node, struct task_struct, thread_node) */
	t = (struct task_struct *)(w->node - w->node_off);
	PT_USAGE_ADD_THREAD(u, t, PT_USAGE_PROBE);
	/*
	 * list_head is not relocated (its next comes first in every kernel);
	 * a failed read leaves 0, on which the next step stops.
	 */
	bpf_probe_read_kernel(&w->node, sizeof(w->node), &node->next);
	return 0;
}

/* signal's counters: the threads already released. */
static __always_inline void pt_usage_add_signal(struct pt_wire_usage *u,
						struct signal_struct *sig)
{
	u->runtime_ns = sig->sum_sched_runtime;
	u->utime_ns = sig->utime;
	u->stime_ns = sig->stime;
	u->nvcsw = sig->nvcsw;
	u->nivcsw = sig->nivcsw;
	u->min_flt = sig->min_flt;
	u->maj_flt = sig->maj_flt;
	u->rchar = 0;
	u->wchar = 0;
	u->read_bytes = 0;
	u->write_bytes = 0;
	if (bpf_core_field_exists(struct signal_struct, ioac.rchar)) {
		u->rchar = sig->ioac.rchar;
		u->wchar = sig->ioac.wchar;
	}
	if (bpf_core_field_exists(struct signal_struct, ioac.read_bytes)) {
		u->read_bytes = sig->ioac.read_bytes;
		u->write_bytes = sig->ioac.write_bytes;
	}
}

/*
 * One reading of the counters that move: signal's and the threads' on
 * the list.  False if a thread was released meanwhile (stats_lock's
 * sequence number moved or was odd): then the sums may count it twice or
 * not at all, and the caller reads again.  A function of its own (a BPF
 * subprogram), not inlined: called up to three times, it would otherwise
 * be in the program three times.
 */
static __noinline bool pt_usage_try(struct pt_wire_usage *u,
				    struct task_struct *task,
				    struct signal_struct *sig)
{
	struct pt_usage_walk w = {};
	unsigned int seq;
	int nr;

	seq = sig->stats_lock.seqcount.seqcount.sequence;
	/*
	 * BPF has no fence instruction: this only keeps the compiler from
	 * moving loads across the sequence reads, which is what
	 * read_seqbegin() needs on x86 (loads are not reordered with loads
	 * there).  Elsewhere a torn read stays possible, as rare as a
	 * release racing the exit of the last thread.
	 */
	asm volatile("" ::: "memory");
	pt_usage_add_signal(u, sig);
	nr = sig->nr_threads;
	if (nr <= 1) {
		/* Only the exiting thread is left on the list. */
		PT_USAGE_ADD_THREAD(u, task, PT_USAGE_DIRECT);
	} else {
		w.u = u;
		w.head = (__u64)&sig->thread_head;
		w.node = (__u64)BPF_CORE_READ(sig, thread_head.next);
		w.node_off = bpf_core_field_offset(struct task_struct, thread_node);
		/*
		 * One more step than threads to see the end.  A list longer
		 * than PT_USAGE_MAX_THREADS is counted in part (documented):
		 * it would take a process that many threads exiting at once.
		 */
		bpf_loop(nr < PT_USAGE_MAX_THREADS ? nr + 1 : PT_USAGE_MAX_THREADS,
			 pt_usage_walk_step, &w, 0);
	}
	asm volatile("" ::: "memory");
	return !(seq & 1) && seq == sig->stats_lock.seqcount.seqcount.sequence;
}

/*
 * Fills @u for the process of @task, its last thread, at
 * sched_process_exit.
 */
static __always_inline void pt_usage_read(struct pt_wire_usage *u,
					  struct task_struct *task)
{
	struct signal_struct *sig = task->signal;

	u->flags = 0;
	u->reserved = 0;
	/*
	 * Asked of struct signal_struct (task_io_accounting within it): no
	 * relocation starts from a type libbpf would look up for it alone.
	 */
	if (!bpf_core_field_exists(struct signal_struct, ioac.rchar))
		u->flags |= PT_WIRE_USAGE_F_NO_IO_CHARS;
	if (!bpf_core_field_exists(struct signal_struct, ioac.read_bytes))
		u->flags |= PT_WIRE_USAGE_F_NO_IO_BYTES;

	/*
	 * Written once, by the exit of the last thread (do_exit() folds the
	 * mm's high-water mark into maxrss before this tracepoint, as
	 * exec_mmap() does for an mm left by exec), and by wait4() for
	 * cmaxrss: stable here.
	 */
	u->maxrss_pages = sig->maxrss;
	u->cmaxrss_pages = sig->cmaxrss;
	u->cutime_ns = sig->cutime;
	u->cstime_ns = sig->cstime;
	if (bpf_core_field_exists(sig->prev_cputime)) {
		u->prev_utime_ns = sig->prev_cputime.utime;
		u->prev_stime_ns = sig->prev_cputime.stime;
	} else {
		u->prev_utime_ns = 0;
		u->prev_stime_ns = 0;
	}

	/*
	 * Three calls rather than a loop: Linux 6.1's verifier refused the
	 * loop's back-edge here (measured: "back-edge from insn 348 to
	 * 349"), and clang cannot unroll it.
	 */
	if (!pt_usage_try(u, task, sig))
		if (!pt_usage_try(u, task, sig))
			pt_usage_try(u, task, sig);
}

#endif /* PT_USAGE_H */
