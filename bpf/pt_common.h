/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What every program of the BPF object shares: the settings the library
 * fills in before load, the ring buffer and loss counters, the record's
 * scratch slot, the filters, the record's header (fill_common()) and its
 * strings (put_record()).  proctrace.bpf.c and exec_failed.bpf.h each
 * include it; both go into one object (bpf/meson.build builds the skeleton
 * from proctrace.bpf.c alone), so the definitions here are made once.
 *
 * Settings are read-only globals that the library fills in before load;
 * the verifier sees them as constants and drops the code of every filter
 * that is off.
 */
#ifndef PT_COMMON_H
#define PT_COMMON_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "proctrace_core.h"
#include "proctrace_wire.h"
#include "pt_path.h"
#include "pt_cwd.h"

/* Bytes of argument vector to copy per exec; at most PT_WIRE_ARGS_MAX. */
const volatile __u32 max_args_size = 4096;

/*
 * Wake-ups.  Waking the reader costs far more than writing a record, so
 * by default records are submitted without one, and the reader drains on
 * a timer (the latency bound) or when this much data waits.  With
 * wake_every_event the kernel's default policy applies instead: the
 * reader is woken whenever it has caught up, i.e. for nearly every event.
 */
const volatile bool wake_every_event = false;
const volatile __u64 wakeup_bytes = 1;

/* Filters, combined with AND; each is off when its flag is false. */
const volatile bool filter_subtree = false;
const volatile bool filter_by_uid = false;
const volatile __u32 filter_uid = 0;
const volatile __u64 filter_cgroup_id = 0;
const volatile bool filter_by_comm = false;
const volatile char filter_comm[PT_WIRE_COMM_LEN] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);	/* the library sets the size */
} events SEC(".maps");

/* Events that passed the filters but could not be sent, by cause. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PT_LOSS_NR);
	__type(key, __u32);
	__type(value, __u64);
} losses SEC(".maps");

/*
 * An exec record carries up to 4 KiB of filename and 32 KiB of arguments,
 * far too large for the 512-byte BPF stack and above the 32 KiB limit of
 * a per-CPU map value.  It is built in a slot of this type, one per CPU
 * (exec_scratch in proctrace.bpf.c, failed_scratch in exec_failed.bpf.h),
 * and copied into the ring buffer at its real length, so a short command
 * line takes a short record.
 */
struct exec_scratch {
	struct pt_wire_event hdr;
	/*
	 * The strings of enum pt_wire_str, in that order.  The verifier
	 * wants every write's offset bounded: offsets are clamped (or, for a
	 * failed exec's argument strings, masked), and the array is large
	 * enough for a write of the largest size at the largest such offset:
	 * a 4 KiB filename, then up to 32 KiB of strings each written at an
	 * offset of up to 32 KiB (bpf/exec_failed.bpf.h).
	 */
	char data[2 * PT_WIRE_ARGS_MAX + PT_WIRE_PATH_MAX];
	/* where bpf/pt_path.h builds the executable's and cwd's paths */
	char path[PT_PATH_SCRATCH_SIZE];
};

/* Longest offset at which a path is written into exec_scratch.data. */
#define SCRATCH_PATH_AT_MAX (2 * PT_WIRE_ARGS_MAX)

/*
 * Per-task state (the subtree mark here, the exit and snapshot marks in
 * proctrace.bpf.c).  Full variant: task storage, which lives and dies with
 * the task, so there is no table to fill up.  Compat variant (no task
 * storage before Linux 5.11): a hash map keyed by the task_struct's
 * address (pt_task_key()), an entry deleted when its task is freed
 * (proctrace_free), so that a key never names two tasks; the library sizes
 * it (lib/bpf_config.c), and docs/design.md says what happens when it is
 * full.  The maps have the same names in both variants (one skeleton).
 */
#ifdef PT_COMPAT
#define PT_TASK_MAP(name, value_type)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_HASH);			\
		__uint(map_flags, BPF_F_NO_PREALLOC);			\
		__uint(max_entries, 1);	/* the library sets it */	\
		__type(key, __u64);					\
		__type(value, value_type);				\
	} name SEC(".maps")

/* The compat maps' key of @task: its address, unique while it lives. */
static __always_inline __u64 pt_task_key(struct task_struct *task)
{
	return (__u64)(unsigned long)task;
}

/* @task's entry in the compat map @map, or NULL. */
#define pt_task_lookup(map, task)					\
	({ __u64 key_ = pt_task_key(task); bpf_map_lookup_elem(map, &key_); })
#else
#define PT_TASK_MAP(name, value_type)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_TASK_STORAGE);		\
		__uint(map_flags, BPF_F_NO_PREALLOC);			\
		__type(key, int);					\
		__type(value, value_type);				\
	} name SEC(".maps")

#define pt_task_lookup(map, task) bpf_task_storage_get(map, task, 0, 0)
#endif

/*
 * The subtree filter: a mark per traced task, set by the library on the
 * root and its threads before attaching (lib/bpf_subtree.c) and copied to
 * every child at fork; a descendant keeps it when it is reparented.
 */
PT_TASK_MAP(subtree, __u8);

static __always_inline void count_loss(__u32 cause)
{
	__u64 *n = bpf_map_lookup_elem(&losses, &cause);

	/* Per-CPU, and programs do not nest on one CPU here: no atomics. */
	if (n)
		*n += 1;
}

static __always_inline __u64 submit_flags(void)
{
	if (wake_every_event)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void send(void *rec, __u64 size)
{
	if (bpf_ringbuf_output(&events, rec, size, submit_flags()))
		count_loss(PT_LOSS_RING_FULL);
}

/*
 * The subtree filter's test for @task, a pointer the verifier trusts as
 * a helper's argument: in every program the task it was handed, never
 * one loaded from another task (in the sleepable snapshot such a pointer
 * is untrusted, and bpf_task_storage_get() refuses it).
 */
static __always_inline bool marked(struct task_struct *task)
{
	return !filter_subtree || pt_task_lookup(&subtree, task);
}

/* @task, or its thread-group leader, is in the subtree. */
static __always_inline bool in_subtree(struct task_struct *task)
{
	if (marked(task))
		return true;
	/* Threads the root had before tracing started carry no mark. */
	return pt_task_lookup(&subtree, task->group_leader) != NULL;
}

/* The filters that look at the record itself. */
static __always_inline bool record_passes(const struct pt_wire_event *e)
{
	int i;

	if (filter_by_uid && e->uid != filter_uid)
		return false;
	if (filter_cgroup_id && e->cgroup_id != filter_cgroup_id)
		return false;
	if (filter_by_comm) {
		for (i = 0; i < PT_WIRE_COMM_LEN; i++) {
			if (e->comm[i] != filter_comm[i])
				return false;
			if (!filter_comm[i])
				break;
		}
	}
	return true;
}

/* The process's pid in its own pid namespace, as getpid() returns it. */
static __always_inline __s32 ns_tgid(struct task_struct *leader)
{
	struct pid *pid = leader->thread_pid;
	unsigned int level = pid->level;
	struct upid up = {};

	/* A variable index: a helper's read, not a direct load. */
	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	return up.nr;
}

/*
 * Capability set @set of cred @c, in either kernel's layout (see
 * kernel_cap_t in proctrace_core.h); the other branch is dropped at load.
 */
#define PT_CAP(c, set)                                                        \
	(bpf_core_field_exists((c)->set.val) ? (c)->set.val :                 \
	 ((c)->set.cap[0] | (__u64)(c)->set.cap[1] << 32))

/*
 * The credentials of cred @c into @d, a struct pt_wire_event (the
 * record's own) or a struct pt_wire_creds (a copy from before an event):
 * their members have the same names.
 */
#define PT_READ_CREDS(d, c)                                                   \
	do {                                                                  \
		(d)->uid = (c)->uid.val;                                      \
		(d)->gid = (c)->gid.val;                                      \
		(d)->euid = (c)->euid.val;                                    \
		(d)->suid = (c)->suid.val;                                    \
		(d)->fsuid = (c)->fsuid.val;                                  \
		(d)->egid = (c)->egid.val;                                    \
		(d)->sgid = (c)->sgid.val;                                    \
		(d)->fsgid = (c)->fsgid.val;                                  \
		(d)->cap_effective = PT_CAP(c, cap_effective);                \
		(d)->cap_permitted = PT_CAP(c, cap_permitted);                \
		(d)->cap_inheritable = PT_CAP(c, cap_inheritable);            \
	} while (0)

/*
 * Fields every record carries, taken from the process @task belongs to.
 * @task is a BTF pointer (every caller has one): fields are read by
 * direct loads, which the kernel turns into plain loads guarded by its
 * exception table, rather than a helper call per field (measured: 1.3 us
 * for this function with BPF_CORE_READ(), cold caches included).
 */
static __always_inline void fill_common(struct pt_wire_event *e,
					struct task_struct *task, __u16 type)
{
	struct task_struct *leader = task->group_leader;
	struct task_struct *parent = task->real_parent;
	const struct cred *cred = task->real_cred;

	/* Also the padding: the whole header goes to user space. */
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->pid = task->tgid;
	e->ppid = parent->tgid;
	/* The objective credentials, as /proc/PID/status shows them. */
	PT_READ_CREDS(e, cred);
	e->ns_pid = ns_tgid(leader);
	e->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	/*
	 * The leader's: the same on every record of the process, as
	 * de_thread() hands it to a thread that execs.  (pid, start time)
	 * names a process across pid reuse.
	 */
	e->start_boot_ns = leader->start_boottime;
	e->parent_start_boot_ns = parent->group_leader->start_boottime;
	/* The process's name: a thread may have renamed only itself. */
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), leader->comm);
}

/*
 * The absolute path of @file, resolved here (bpf/pt_path.h), appended to
 * the record in @s (the scratch of @slot, enum pt_path_slot) at @at, its
 * length in the record's header (left 0 if there is no file: callers read
 * it back with stored_len()).
 */
static __always_inline void put_exe(struct exec_scratch *s, __u32 slot,
				     __u64 at, struct file *file)
{
	__u32 fl, off, len;

	if (!file || at > SCRATCH_PATH_AT_MAX)
		return;
	off = pt_path_resolve(&file->f_path, s->path, slot, &fl);
	if (fl & PT_PATH_F_NONE)
		return;
	len = pt_path_len(off);
	if (bpf_probe_read_kernel(s->data + at, len, s->path + off))
		return;
	if (fl & PT_PATH_F_TRUNCATED)
		s->hdr.flags |= PT_WIRE_F_EXE_TRUNCATED;
	if (fl & PT_PATH_F_UNREACHABLE)
		s->hdr.flags |= PT_WIRE_F_EXE_UNREACHABLE;
	s->hdr.len[PT_WIRE_STR_EXE] = len;
}

/*
 * The length of string @which that put_record() stored in the record,
 * read back from it: map memory, whose content the verifier does not
 * track, so it knows the value only as a 16-bit number.  A string's copy
 * returns from many places with different ranges, and the verifier
 * checked everything after it once for each of them (docs/design.md,
 * "Verified instructions").  The caller bounds what it computes from it.
 */
static __always_inline __u32 stored_len(struct exec_scratch *s, int which)
{
	return *(volatile __u16 *)&s->hdr.len[which];
}

/*
 * The two paths' lengths, as stored, for the record's size: masked for the
 * verifier (each is at most PT_WIRE_PATH_MAX), and read where they are
 * used, so that what the size needs to know stops at these loads.
 */
static __always_inline __u32 paths_len(struct exec_scratch *s)
{
	return (stored_len(s, PT_WIRE_STR_EXE) & (2 * PT_WIRE_PATH_MAX - 1)) +
	       (stored_len(s, PT_WIRE_STR_CWD) & (2 * PT_WIRE_PATH_MAX - 1));
}

/*
 * The working directory of @task at @at in the record (bpf/pt_cwd.h), its
 * length in the record's header (left 0 if @at is out of range); @slot as
 * for put_exe().
 */
static __always_inline void put_cwd(struct exec_scratch *s, __u32 slot,
				    __u64 at, struct task_struct *task)
{
	if (at > SCRATCH_PATH_AT_MAX)
		return;
	s->hdr.len[PT_WIRE_STR_CWD] = pt_put_cwd(task, s->data + at, s->path,
						 slot, &s->hdr.flags);
}

/*
 * Reads up to @limit bytes of argument strings (NUL-separated, the last
 * one cut short if they do not all fit) to @s->data at @at, ORs
 * PT_WIRE_F_ARGS_* into the header's flags and returns how many bytes it
 * wrote.  @ctx is the reader's own.  put_record() calls it; every reader
 * is __always_inline and named as a constant, so after inlining the call
 * is a direct one, inlined too (BPF has no indirect calls).
 */
typedef __u64 (*pt_args_reader)(struct exec_scratch *s, __u64 at,
				__u64 limit, void *ctx);

/*
 * The argument strings of @task's program as exec laid them out on its
 * stack, between mm->arg_start and mm->arg_end: their address in *@start
 * and their length, at most @limit.
 */
static __always_inline __u64 mm_args(struct exec_scratch *s,
				     struct task_struct *task, __u64 limit,
				     unsigned long *start)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	unsigned long arg_start = BPF_CORE_READ(mm, arg_start);
	unsigned long arg_end = BPF_CORE_READ(mm, arg_end);
	__u64 len = arg_end > arg_start ? arg_end - arg_start : 0;

	if (len > limit) {
		len = limit;
		s->hdr.flags |= PT_WIRE_F_ARGS_TRUNCATED;
	}
	*start = arg_start;
	return len;
}

/*
 * pt_args_reader of the exec tracepoint: @ctx is the exec'ing task, the
 * current one, before the new program's first instruction, so its
 * arguments are as passed to exec.
 */
static __always_inline __u64 args_of_current(struct exec_scratch *s,
					     __u64 at, __u64 limit, void *ctx)
{
	unsigned long start;
	__u64 len = mm_args(s, ctx, limit, &start);

	if (len && bpf_probe_read_user(s->data + at, len, (void *)start))
		return 0;
	return len;
}

/*
 * pt_args_reader of the snapshot: @ctx is another task, whose memory a
 * sleepable program reads with bpf_copy_from_user_task() (5.18+).
 */
static __always_inline __u64 args_of_task(struct exec_scratch *s, __u64 at,
					  __u64 limit, void *ctx)
{
	unsigned long start;
	__u64 len = mm_args(s, ctx, limit, &start);

	if (len && bpf_copy_from_user_task(s->data + at, len, (void *)start,
					   ctx, 0))
		return 0;
	return len;
}

/* Where put_record() reads the record's filename. */
enum pt_name_from {
	PT_NAME_NONE,		/* no filename (a snapshot's PROCESS) */
	PT_NAME_KERNEL,		/* the kernel's copy (an exec's bprm->filename) */
	PT_NAME_USER,		/* the caller's memory (a failed exec) */
};

/*
 * The record's strings, in the order of enum pt_wire_str, after the
 * header in @s (the scratch of @slot, enum pt_path_slot): the filename @name (read as @name_from says), the
 * argument vector (@read_args with @ctx, at most max_args_size and @cap
 * bytes), the resolved executable @exe (none if NULL) and the working
 * directory of @task.  Sets their lengths in the header and returns the
 * record's size so far (a failed exec appends one more string).  Every
 * string's offset and length is clamped here or in put_exe()/put_cwd(),
 * for every record that has them.
 */
static __always_inline __u64 put_record(struct exec_scratch *s, __u32 slot,
					struct task_struct *task,
					enum pt_name_from name_from,
					const char *name,
					pt_args_reader read_args, void *ctx,
					__u64 cap, struct file *exe)
{
	__u64 limit = max_args_size < cap ? max_args_size : cap;
	__u64 n = 0, args;
	char last = 0;
	long r;

	if (name_from != PT_NAME_NONE) {
		if (name_from == PT_NAME_USER)
			r = bpf_probe_read_user_str(s->data, PT_WIRE_PATH_MAX, name);
		else
			r = bpf_probe_read_kernel_str(s->data, PT_WIRE_PATH_MAX, name);
		if (r < 1) {
			/* Unreadable (a failed exec's EFAULT): an empty name. */
			s->data[0] = '\0';
			r = 1;
		}
		if (r > PT_WIRE_PATH_MAX)
			r = PT_WIRE_PATH_MAX;
		/* The kernel's copy is never longer than PATH_MAX; the caller's can be. */
		if (name_from == PT_NAME_USER && r == PT_WIRE_PATH_MAX &&
		    !bpf_probe_read_user(&last, 1, name + PT_WIRE_PATH_MAX - 1) &&
		    last)
			s->hdr.flags |= PT_WIRE_F_FILENAME_TRUNCATED;
		/*
		 * Read back (see stored_len()): the copy's result splits the
		 * verifier's state three ways (empty, full, in between), and
		 * everything after it was checked once for each.
		 */
		s->hdr.len[PT_WIRE_STR_FILENAME] = r;
		n = stored_len(s, PT_WIRE_STR_FILENAME) & (2 * PT_WIRE_PATH_MAX - 1);
	}

	args = read_args(s, n, limit, ctx);
	if (args > cap)
		args = cap;
	s->hdr.len[PT_WIRE_STR_ARGS] = args;

	put_exe(s, slot, n + args, exe);
	put_cwd(s, slot, n + args + stored_len(s, PT_WIRE_STR_EXE), task);
	return sizeof(s->hdr) + n + args + paths_len(s);
}

#endif /* PT_COMMON_H */
