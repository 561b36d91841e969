// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel side of libproctrace: one record per exec, per process exit and,
 * when asked, per fork, sent to user space through a BPF ring buffer.
 *
 * All programs are BTF-enabled raw tracepoints (tp_btf/...): they attach
 * through the BPF syscall alone, so tracefs need not be mounted, and they
 * receive the kernel's own task_struct pointers as arguments.  The
 * failed-exec programs (opt-in) are in exec_failed.bpf.h, included last;
 * what the programs share, settings included, is in pt_common.h.
 */
#include <linux/errno.h>

#include "pt_common.h"
#include "pt_usage.h"

/* bpf_probe_read_kernel*() are GPL-only helpers. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * When non-zero, exec records are not sent and exits of shorter-lived
 * processes are dropped here, before they take ring-buffer space.
 */
const volatile __u64 min_duration_ns = 0;
const volatile bool fork_events = false;
/*
 * The library keeps a process table (PROCTRACE_OPT_SNAPSHOT): fork
 * records are then always sent, as a child that never calls exec runs
 * its parent's program; the library delivers them to the application only
 * if it asked for fork events.
 */
const volatile bool process_table = false;
/* The exec_scratch slot of the snapshot iterator: the number of CPUs. */
const volatile __u32 snapshot_slot = 0;
/*
 * Set by the library while the snapshot iterator runs (tracepoints already
 * attached): a process must then be described once, by the iterator or by
 * its fork record, and whoever comes first claims it (see claim()).
 */
__u32 snapshot_running = 0;

/*
 * One slot per CPU for the tracepoints, which run with preemption off,
 * plus one (snapshot_slot) for the snapshot iterator, which may sleep or
 * be preempted on its CPU and must not share a slot with them.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* the library sets CPUs + 1 */
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_scratch SEC(".maps");

/*
 * Threads of one process may run do_exit() at the same moment (exit_group
 * kills them all), and more than one may then see the group's live count
 * at zero.  The first to set this mark, kept for the thread-group leader
 * (PT_TASK_MAP), sends the exit; the others find it set and stay silent.
 * The mark lives as long as the process's leader, so a reused pid starts
 * afresh.
 */
PT_TASK_MAP(exit_sent, __u32);

/*
 * "Described" mark of the snapshot: claimed, for the thread-group leader,
 * by the snapshot iterator or by the fork record of a process created
 * while the snapshot runs, whichever comes first.
 */
PT_TASK_MAP(described, __u32);

/* Who described a process first while the snapshot ran (the "described" mark). */
#define CLAIMED_BY_FORK 1
#define CLAIMED_BY_SNAPSHOT 2

/*
 * True if @by (CLAIMED_BY_*) is the first to describe the process @leader
 * leads, while the snapshot runs.  The iterator may run twice for one
 * task: when a record does not fit in what is left of the reader's
 * buffer, the kernel drops it and shows the task again in the next read;
 * so a mark already set by the same side counts as its own.  Without
 * memory for the mark, both may describe it: a rare double, never a gap.
 */
static __always_inline bool claim(struct task_struct *leader, __u32 by)
{
	__u32 *mark;
#ifdef PT_COMPAT
	/*
	 * No atomic exchange before Linux 5.12: the hash map's insert is
	 * the atomic step, only one BPF_NOEXIST insert of a key succeeds.
	 */
	__u64 key = pt_task_key(leader);
	long err = bpf_map_update_elem(&described, &key, &by, BPF_NOEXIST);

	if (err != -EEXIST)
		return true;	/* ours; or the map is full: a rare double */
	mark = bpf_map_lookup_elem(&described, &key);
	return !mark || *mark == by;
#else
	__u32 old;

	mark = bpf_task_storage_get(&described, leader, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!mark)
		mark = bpf_task_storage_get(&described, leader, 0, 0);
	if (!mark)
		return true;
	old = __sync_val_compare_and_swap(mark, 0, by);
	return old == 0 || old == by;
#endif
}

/*
 * The credentials a task had just before its exec, for the EXEC record of
 * an exec that raised privilege.  The exec tracepoint runs after the
 * kernel installed the new ones and dropped the old (commit_creds());
 * task_rename runs in the same exec just before that, once the exec can
 * no longer fail, so proctrace_oldid copies them there.  A slot per pid
 * modulo EXEC_CREDS_SLOTS, an array that needs no allocation and is never
 * full; the copy names its task and exec, and a slot that another task
 * took meanwhile (two execs of pids equal modulo the size at once) reads
 * as unknown.  docs/design.md, "Privilege-raising execs", has the why.
 */
#define EXEC_CREDS_SLOTS 1024

struct exec_creds {
	__u32 pid;		/* the task, after de_thread(): the process id */
	__u32 reserved;
	__u64 start_boot_ns;	/* its start time: with pid, the task */
	__u64 exec_id;		/* its self_exec_id before the exec */
	struct pt_wire_creds creds;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EXEC_CREDS_SLOTS);
	__type(key, __u32);
	__type(value, struct exec_creds);
} exec_creds SEC(".maps");

/*
 * Also runs for prctl(PR_SET_NAME) and writes to /proc/PID/comm: the
 * copy's exec id then never matches an exec's, one higher.
 */
SEC("tp_btf/task_rename")
int BPF_PROG(proctrace_oldid, struct task_struct *task, const char *comm)
{
	struct exec_creds *c;
	__u32 key;

	/* A rename of another task (/proc/PID/comm) is no exec. */
	if (task->pid != (__u32)bpf_get_current_pid_tgid())
		return 0;
	key = task->pid & (EXEC_CREDS_SLOTS - 1);
	c = bpf_map_lookup_elem(&exec_creds, &key);
	if (!c)
		return 0;
	c->pid = task->pid;
	c->start_boot_ns = task->start_boottime;
	c->exec_id = task->self_exec_id;
	PT_READ_CREDS(&c->creds, task->real_cred);
	return 0;
}

/*
 * Whether this exec raised privilege, and how: the kernel's own tests for
 * a "secure" exec (AT_SECURE, cap_bprm_creds_from_file()), made on the
 * new credentials alone, as exec never changes the real ids:
 * - set-user-id: the file has S_ISUID and the effective uid is no longer
 *   the real one (a nosuid mount, a tracer or no_new_privs keep it);
 * - set-group-id: S_ISGID with S_IXGRP, and likewise for the group;
 * - file capabilities: a process of a non-root real and effective uid
 *   permitted more than its ambient set, which only file capabilities
 *   give.  (A set-user-id-root file that also has capabilities counts
 *   as set-user-id only.)
 * Then the credentials before it, if proctrace_oldid kept them.
 */
static __always_inline void exec_privilege(struct pt_wire_event *e,
					   struct task_struct *task,
					   struct linux_binprm *bprm)
{
	const struct cred *cred = task->real_cred;
	struct file *file = bprm->file;
	struct exec_creds *c;
	__u16 mode, fl = 0;
	__u32 key;

	if (!file)
		return;
	mode = file->f_inode->i_mode;
	if ((mode & PT_S_ISUID) && e->euid != e->uid)
		fl |= PT_WIRE_F_PRIV_SETUID;
	if ((mode & (PT_S_ISGID | PT_S_IXGRP)) == (PT_S_ISGID | PT_S_IXGRP) &&
	    e->egid != e->gid)
		fl |= PT_WIRE_F_PRIV_SETGID;
	if (e->uid != 0 && e->euid != 0 &&
	    (e->cap_permitted & ~PT_CAP(cred, cap_ambient)))
		fl |= PT_WIRE_F_PRIV_FILE_CAPS;
	if (!fl)
		return;
	key = task->pid & (EXEC_CREDS_SLOTS - 1);
	c = bpf_map_lookup_elem(&exec_creds, &key);
	if (c && c->pid == task->pid && c->start_boot_ns == task->start_boottime &&
	    c->exec_id + 1 == task->self_exec_id) {
		__builtin_memcpy(&e->old, &c->creds, sizeof(e->old));
		fl |= PT_WIRE_F_OLD_CREDS;
	}
	e->flags |= fl;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(proctrace_exec, struct task_struct *task, int old_pid,
	     struct linux_binprm *bprm)
{
	struct exec_scratch *s;
	__u32 cpu;

	if (min_duration_ns)
		return 0;
	if (!in_subtree(task))
		return 0;

	cpu = bpf_get_smp_processor_id();
	s = bpf_map_lookup_elem(&exec_scratch, &cpu);
	if (!s) {
		count_loss(PT_LOSS_OTHER);
		return 0;
	}

	/*
	 * After de_thread(), @task is the thread-group leader even if a
	 * non-leader thread called exec: its tgid is the pid the parent
	 * knows, and it inherited the old leader's start time.
	 */
	fill_common(&s->hdr, task, PT_WIRE_EXEC);
	if (!record_passes(&s->hdr))
		return 0;
	exec_privilege(&s->hdr, task, bprm);

	/*
	 * The executable is the file actually executed, as /proc/PID/exe
	 * will show it: the kernel already followed symlinks, /dev/fd/N and
	 * relative names to open it.  For a "#!" script it is the
	 * interpreter, as in /proc/PID/exe: binfmt_script put it in
	 * bprm->file.
	 */
	send(s, put_record(s, PT_PATH_SLOT_EXEC, task, PT_NAME_KERNEL,
			   BPF_CORE_READ(bprm, filename), args_of_current, task,
			   PT_WIRE_ARGS_MAX, BPF_CORE_READ(bprm, file)));
	return 0;
}

/* The status wait(2) would give the parent: signal, core flag, exit code. */
static __always_inline __u32 wait_status(struct task_struct *task)
{
	struct signal_struct *sig = BPF_CORE_READ(task, signal);

	/* exit_group() and fatal signals set one code for the whole group. */
	if (BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT)
		return BPF_CORE_READ(sig, group_exit_code);
	/* Otherwise, as in wait_task_zombie(), the leader's own code. */
	return BPF_CORE_READ(task, group_leader, exit_code);
}

/* An EXIT record: the common header, then what the process used. */
struct exit_record {
	struct pt_wire_event hdr;
	struct pt_wire_usage usage;
};

/*
 * Whether EXIT records carry what the process used.  Always on in the
 * library; bench/exit-cost.c turns it off to measure what it costs.
 */
const volatile bool read_usage = true;

/*
 * True if @task, the last thread of its process to exit, is the first to
 * claim its EXIT (see exit_sent).
 */
static __always_inline bool first_to_exit(struct task_struct *task)
{
	/*
	 * The mark is needed only if another thread can still race us to
	 * it: one that has not been released yet (nr_threads counts them; a
	 * thread is released after its exit tracepoint).  Alone, we only look
	 * for a mark that a thread released before us may have set, and
	 * allocate nothing: most processes have one thread, and the
	 * allocation was most of the exit program's cost (docs/performance.md).
	 */
	bool racing = BPF_CORE_READ(task, signal, nr_threads) > 1;
#ifdef PT_COMPAT
	__u64 key = pt_task_key(task->group_leader);
	__u32 one = 1;

	if (!racing)
		return !bpf_map_lookup_elem(&exit_sent, &key);
	/*
	 * The first insert wins; no room in the map: the exit is sent
	 * anyway, as a rare duplicate is better than a loss.
	 */
	return bpf_map_update_elem(&exit_sent, &key, &one, BPF_NOEXIST) != -EEXIST;
#else
	__u32 *sent;

	sent = bpf_task_storage_get(&exit_sent, task->group_leader, 0,
				    racing ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	/*
	 * Two threads creating the slot at once: the loser gets NULL (its
	 * insert finds the winner's), and then finds the winner's slot.
	 */
	if (!sent && racing)
		sent = bpf_task_storage_get(&exit_sent, task->group_leader, 0, 0);
	/*
	 * Still no slot (no memory, or task storage busy on this CPU): the
	 * exit is sent anyway, as a rare duplicate is better than a loss.
	 */
	return !sent || !__sync_lock_test_and_set(sent, 1);
#endif
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proctrace_exit, struct task_struct *task)
{
	struct exit_record r;
	struct pt_wire_event *e = &r.hdr;

	/*
	 * do_exit() has already taken this thread off signal->live: zero
	 * means it is the last thread, the process is gone.  A thread that
	 * vanishes in another thread's exec never sees zero.
	 */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	if (!in_subtree(task))
		return 0;

	fill_common(e, task, PT_WIRE_EXIT);
	if (min_duration_ns && e->ts_boot_ns - e->start_boot_ns < min_duration_ns)
		return 0;
	if (!record_passes(e))
		return 0;

	if (!first_to_exit(task))
		return 0;
	e->exit_code = wait_status(task);
	if (read_usage) {
		pt_usage_read(&r.usage, task);
		send(&r, sizeof(r));
	} else {
		send(e, sizeof(*e));
	}
	return 0;
}

/* Puts the subtree filter's mark on @task; false if there is no room. */
static __always_inline bool mark_subtree(struct task_struct *task)
{
#ifdef PT_COMPAT
	__u64 key = pt_task_key(task);
	__u8 one = 1;

	return !bpf_map_update_elem(&subtree, &key, &one, BPF_ANY);
#else
	return bpf_task_storage_get(&subtree, task, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE) != NULL;
#endif
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(proctrace_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	struct pt_wire_event e;

	if (filter_subtree) {
		if (!in_subtree(parent))
			return 0;
		/* Threads get the mark too: any of them may exec or exit last. */
		if (!mark_subtree(child)) {
			count_loss(PT_LOSS_OTHER);
			return 0;
		}
	}
	if (!fork_events && !process_table)
		return 0;
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;	/* a new thread, not a new process */

	fill_common(&e, child, PT_WIRE_FORK);
	if (!record_passes(&e))
		return 0;
	/* Already described by the snapshot, which saw the child first. */
	if (process_table && snapshot_running &&
	    !claim(child, CLAIMED_BY_FORK))
		return 0;
	send(&e, sizeof(e));
	return 0;
}

/*
 * The compat variant keeps per-task state in hash maps keyed by the task's
 * address (PT_TASK_MAP): a task's entries go when the task is freed, so
 * that the address, reused for another task, starts afresh.  Every entry
 * is put while its task is alive (at fork, exit, in the snapshot or the
 * root's marking, all before the task's release and the RCU grace period
 * that precedes this tracepoint).  The full variant has the program too,
 * so that both objects have the same programs (bpf/meson.build); the
 * library does not load it there.
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(proctrace_free, struct task_struct *task)
{
#ifdef PT_COMPAT
	__u64 key = pt_task_key(task);

	/* Only leaders have the process-wide marks, but a miss is cheap. */
	bpf_map_delete_elem(&exit_sent, &key);
	if (process_table)
		bpf_map_delete_elem(&described, &key);
	if (filter_subtree)
		bpf_map_delete_elem(&subtree, &key);
#endif
	return 0;
}

/*
 * The subtree filter's root in the compat variant, where the library
 * cannot name a task to the map (no task storage, no pidfd key): its
 * thread-group id, and this iterator, which the library runs once between
 * load and attach, marks each of its threads.  Neither is used in the full
 * variant, where the library marks the root by pidfd.
 */
const volatile __s32 subtree_root = 0;

SEC("iter/task")
int proctrace_mark_root(struct bpf_iter__task *ctx)
{
#ifdef PT_COMPAT
	struct task_struct *task = ctx->task;

	if (!task || task->tgid != subtree_root)
		return 0;
	if (!mark_subtree(task))
		count_loss(PT_LOSS_OTHER);
#endif
	return 0;
}

/*
 * The snapshot: one PROCESS record per user-space process alive now,
 * written to the iterator's seq_file, which the library reads through
 * the iterator link's fd (no tracefs, no /proc walk).  Runs after the
 * tracepoints are attached; see claim() and docs/design.md for why no
 * process is described twice or after its exit.  Sleepable, to read
 * another process's arguments with bpf_copy_from_user_task() (5.18+);
 * in the compat variant, not, and without the arguments.
 */
#ifdef PT_COMPAT
/*
 * pt_args_reader of the compat snapshot: none.  Before Linux 5.18 a BPF
 * program cannot read another process's memory; the library fills the
 * arguments in from /proc/PID/cmdline after the walk (lib/bpf_snapshot.c).
 */
static __always_inline __u64 args_none(struct exec_scratch *s, __u64 at,
				       __u64 limit, void *ctx)
{
	return 0;
}
#define SNAPSHOT_SEC "iter/task"
#define SNAPSHOT_ARGS args_none
#else
#define SNAPSHOT_SEC "iter.s/task"
#define SNAPSHOT_ARGS args_of_task
#endif

SEC(SNAPSHOT_SEC)
int proctrace_snapshot(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	__u32 key = snapshot_slot;
	struct exec_scratch *s;
	__u64 size;

	if (!task)
		return 0;	/* the end of the walk */
	/* One record per process: its leader stands for it. */
	if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid))
		return 0;
	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		return 0;
	/* Its last thread has started to exit: its EXIT is (or will be) sent. */
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		return 0;
	/* A leader: its own mark is the process's. */
	if (!marked(task))
		return 0;

	s = bpf_map_lookup_elem(&exec_scratch, &key);
	if (!s)
		return 0;
	fill_common(&s->hdr, task, PT_WIRE_PROCESS);
	if (!record_passes(&s->hdr))
		return 0;
	/* Created while we ran, and its fork record came first. */
	if (!claim(task, CLAIMED_BY_SNAPSHOT))
		return 0;

	size = put_record(s, PT_PATH_SLOT_SNAPSHOT, task, PT_NAME_NONE, NULL,
			  SNAPSHOT_ARGS, task, PT_WIRE_SNAPSHOT_ARGS_MAX,
			  BPF_CORE_READ(task, mm, exe_file));

	/*
	 * Padded to 8 bytes, as the ring buffer's records are, so that the
	 * library reads every header in the stream at an aligned address.
	 */
	bpf_seq_write(seq, s, (size + PT_WIRE_ALIGN - 1) & ~(__u64)(PT_WIRE_ALIGN - 1));
	return 0;
}

/* The opt-in programs: one object, so one compilation unit. */
#include "exec_failed.bpf.h"
#include "cred_change.bpf.h"

/*
 * The compat variant's path step (bpf/pt_path.h), on the scratch of @slot
 * (enum pt_path_slot): here, where both scratch maps are defined.  Returns
 * 1 to end the walk, as pt_path_step() does; a slot that cannot be had
 * ends it too, and the path is then flagged truncated.  In the full
 * object too, unused there (libbpf loads only the functions a program
 * calls), so that both objects lay their maps out in one order (the
 * bpf-variants test).
 */
__noinline int pt_path_step_global(__u32 slot)
{
	__u32 key = bpf_get_smp_processor_id();
	struct pt_path_ctx ctx;
	struct failed_scratch *f;
	struct exec_scratch *s;

	if (slot != PT_PATH_SLOT_FAILED) {
		if (slot == PT_PATH_SLOT_SNAPSHOT)
			key = snapshot_slot;
		s = bpf_map_lookup_elem(&exec_scratch, &key);
		if (!s)
			return 1;
		ctx.buf = s->path;
	} else {
		f = bpf_map_lookup_elem(&failed_scratch, &key);
		if (!f)
			return 1;
		ctx.buf = f->rec.path;
	}
	return pt_path_step(0, &ctx);
}
