/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Credential changes without exec (opt-in): one CRED_CHANGE record per
 * system call that changed a thread's ids or capability sets (setuid(),
 * setresuid(), setgid(), setgroups(), capset() and the like), with the
 * credentials before and after.  Included by proctrace.bpf.c.
 *
 * The hooks are the raw sys_enter and sys_exit tracepoints (BTF-enabled:
 * no tracefs), as the kernel has no tracepoint for a credential change
 * and the functions that make one (commit_creds()) can only be reached by
 * fentry or a kprobe, which some kernels refuse (fexit and kprobes are
 * both unavailable on some; docs/design.md, "Credential changes").  Both
 * run on every system call of the machine and return at once unless it
 * is one of the calls below; for those, sys_enter keeps the thread's
 * credentials in a hash by thread id and sys_exit compares them with the
 * ones the call left.  Per thread, as credentials are: a thread of a
 * threaded process that makes the raw system call changes only its own
 * (the C library's setuid() makes one call per thread, so one record
 * per thread).
 */
#ifndef PT_CRED_CHANGE_BPF_H
#define PT_CRED_CHANGE_BPF_H

#include "pt_common.h"

/* thread_info.status: the task is in a 32-bit system call. */
#ifndef TS_COMPAT
#define TS_COMPAT 0x0002
#endif

struct cred_before {
	__u64 group_info;	/* the pointer, as a number: changed by setgroups() */
	struct pt_wire_creds creds;
};

/* Threads inside one of the calls; the library sizes it (max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cred_before);
} cred_before SEC(".maps");

/* x86 system call numbers (fixed by the kernel ABI), 64-bit then 32-bit. */
static __always_inline bool cred_call(long nr, struct task_struct *task)
{
	if (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT) {
		switch (nr) {
		case 23: case 46: case 70: case 71: case 81: case 138:
		case 139: case 164: case 170: case 185: case 203: case 204:
		case 206: case 208: case 210: case 213: case 214: case 215:
		case 216:
			return true;
		}
		return false;
	}
	switch (nr) {
	case 105:	/* setuid */
	case 106:	/* setgid */
	case 113:	/* setreuid */
	case 114:	/* setregid */
	case 116:	/* setgroups */
	case 117:	/* setresuid */
	case 119:	/* setresgid */
	case 122:	/* setfsuid */
	case 123:	/* setfsgid */
	case 126:	/* capset */
		return true;
	}
	return false;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(proctrace_idin, struct pt_regs *regs, long nr)
{
	struct task_struct *task;
	struct cred_before b;
	const struct cred *cred;
	__u32 tid;

	/* The cheap test first: this runs for every system call. */
	if (nr > 216 || nr < 23)
		return 0;
	task = bpf_get_current_task_btf();
	if (!cred_call(nr, task))
		return 0;
	cred = task->real_cred;
	b.group_info = (unsigned long)cred->group_info;
	PT_READ_CREDS(&b.creds, cred);
	tid = task->pid;
	if (bpf_map_update_elem(&cred_before, &tid, &b, BPF_ANY))
		count_loss(PT_LOSS_OTHER);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(proctrace_idout, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	struct cred_before *b;
	struct pt_wire_event e;
	__u64 group_info;
	__u32 tid;
	long nr;

	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr > 216 || nr < 23)
		return 0;
	task = bpf_get_current_task_btf();
	if (!cred_call(nr, task))
		return 0;
	tid = task->pid;
	b = bpf_map_lookup_elem(&cred_before, &tid);
	if (!b)
		return 0;
	group_info = (unsigned long)task->real_cred->group_info;
	fill_common(&e, task, PT_WIRE_CRED_CHANGE);
	e.old = b->creds;
	if (group_info != b->group_info)
		e.flags |= PT_WIRE_F_GROUPS_CHANGED;
	bpf_map_delete_elem(&cred_before, &tid);
	if (!(e.flags & PT_WIRE_F_GROUPS_CHANGED) &&
	    e.old.uid == e.uid && e.old.gid == e.gid && e.old.euid == e.euid &&
	    e.old.suid == e.suid && e.old.fsuid == e.fsuid &&
	    e.old.egid == e.egid && e.old.sgid == e.sgid &&
	    e.old.fsgid == e.fsgid &&
	    e.old.cap_effective == e.cap_effective &&
	    e.old.cap_permitted == e.cap_permitted &&
	    e.old.cap_inheritable == e.cap_inheritable)
		return 0;	/* refused, or changed nothing */
	e.flags |= PT_WIRE_F_OLD_CREDS;
	if (!in_subtree(task) || !record_passes(&e))
		return 0;
	send(&e, sizeof(e));
	return 0;
}

#endif /* PT_CRED_CHANGE_BPF_H */
