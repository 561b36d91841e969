/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few kernel types the BPF program reads, written by hand.
 *
 * We do not generate vmlinux.h from the build host's kernel: a build must
 * not depend on which kernel happens to run there.  With
 * preserve_access_index, every field access below is recorded as a CO-RE
 * relocation by name, and libbpf resolves it against the BTF of the kernel
 * the program is loaded into.  Only the fields we read need to be listed,
 * in any order, with any offsets.  Sizes do matter where we index an
 * array (struct upid) or copy a whole struct.
 */
#ifndef PROCTRACE_CORE_H
#define PROCTRACE_CORE_H

#include <linux/types.h>

/*
 * Types whose layout every kernel shares, declared without CO-RE: each
 * type a relocation starts from costs libbpf a scan of the kernel's whole
 * BTF at load (1.4 ms here), and these need none.
 */

/* struct pid's numbers[]: { nr, ns }, 16 bytes, since 2.6.24. */
struct upid {
	int nr;
	void *ns;
};

/* The kernel's doubly linked list; only next is read. */
struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	__u32 val;
} kuid_t;

typedef struct {
	__u32 val;
} kgid_t;

/*
 * A capability set: a __u64 val since Linux 6.3, two __u32 words (low
 * word first) before.  A union here, so that one type matches either
 * kernel's struct by member name; pt_cap() asks which member exists.
 */
typedef union {
	__u64 val;		/* 6.3+ */
	__u32 cap[2];		/* before 6.3 */
} kernel_cap_t;

struct group_info;

struct cred {
	kuid_t uid;		/* real uid */
	kgid_t gid;		/* real gid */
	kuid_t suid;		/* saved */
	kgid_t sgid;
	kuid_t euid;		/* effective */
	kgid_t egid;
	kuid_t fsuid;		/* file-system access */
	kgid_t fsgid;
	kernel_cap_t cap_inheritable;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
	kernel_cap_t cap_bset;	/* the bounding set */
	kernel_cap_t cap_ambient;	/* since 4.3 */
	struct group_info *group_info;	/* setgroups(2) installs a new one */
};

struct inode {
	unsigned short i_mode;	/* umode_t */
	kuid_t i_uid;
	kgid_t i_gid;
};

struct kernfs_node {
	__u64 id;		/* since 5.5; the cgroup id for a cgroup's node */
};

struct cgroup {
	struct kernfs_node *kn;
};

struct css_set {
	struct cgroup *dfl_cgrp;	/* the task's cgroup v2 */
};

struct pid {
	unsigned int level;	/* depth of the pid namespace; 0 = initial */
	struct upid numbers[1];	/* one per level, up to .level */
};

/* seqlock_t: only the sequence number, to see a concurrent update. */
struct seqcount {
	unsigned int sequence;
};

struct seqcount_spinlock {
	struct seqcount seqcount;
};

typedef struct {
	struct seqcount_spinlock seqcount;
} seqlock_t;

/*
 * Byte counters of /proc/PID/io.  rchar and wchar exist only with
 * CONFIG_TASK_XACCT, read_bytes and write_bytes only with
 * CONFIG_TASK_IO_ACCOUNTING: bpf/pt_usage.h asks before it reads them.
 */
struct task_io_accounting {
	__u64 rchar;
	__u64 wchar;
	__u64 read_bytes;
	__u64 write_bytes;
};

/* What cputime_adjust() last reported for the process (monotonic). */
struct prev_cputime {
	__u64 utime;
	__u64 stime;
};

struct signal_struct {
	atomic_t live;		/* threads that have not yet started to exit */
	int nr_threads;		/* threads on thread_head */
	int group_exit_code;	/* valid when SIGNAL_GROUP_EXIT is set */
	unsigned int flags;
	struct list_head thread_head;	/* of task_struct.thread_node */
	/*
	 * Counters of the threads already released (their own counters are
	 * added here as they leave thread_head), under stats_lock; the
	 * c-prefixed ones are of the children this process waited for.
	 */
	seqlock_t stats_lock;
	__u64 utime;		/* ns, tick-sampled */
	__u64 stime;
	__u64 cutime;		/* ns, already scaled by cputime_adjust() */
	__u64 cstime;
	struct prev_cputime prev_cputime;
	unsigned long nvcsw;
	unsigned long nivcsw;
	unsigned long min_flt;
	unsigned long maj_flt;
	unsigned long maxrss;	/* pages */
	unsigned long cmaxrss;	/* pages */
	struct task_io_accounting ioac;	/* also the waited-for children's */
	unsigned long long sum_sched_runtime;	/* ns, exact */
};

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	struct file *exe_file;	/* what /proc/PID/exe shows */
};

/* The file-system types bpf/pt_path.h walks. */
struct qstr {
	__u32 len;		/* in an anonymous union in the kernel */
	const unsigned char *name;
};

struct hlist_bl_node {
	struct hlist_bl_node *next, **pprev;
};

struct dentry {
	struct hlist_bl_node d_hash;	/* pprev NULL: unhashed (deleted) */
	struct dentry *d_parent;
	struct qstr d_name;
};

struct vfsmount {
	struct dentry *mnt_root;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;	/* embedded: see pt_real_mount() */
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct fs_struct {
	struct path root;	/* chroot(2) */
	struct path pwd;	/* chdir(2) */
};

struct thread_info {
	__u32 status;		/* x86: TS_COMPAT during a 32-bit system call */
};

struct sched_entity {
	__u64 sum_exec_runtime;	/* ns on a CPU, updated at ticks and switches */
};

struct task_struct {
	unsigned int flags;	/* PF_* */
	struct thread_info thread_info;	/* CONFIG_THREAD_INFO_IN_TASK (x86) */
	int pid;
	int tgid;
	int exit_code;
	__u64 start_boottime;	/* since 5.5; CLOCK_BOOTTIME at fork */
	__u64 self_exec_id;	/* one more per exec; 64 bits since 5.7 */
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct pid *thread_pid;
	struct signal_struct *signal;
	struct mm_struct *mm;
	const struct cred *real_cred;	/* objective: what others see */
	struct css_set *cgroups;
	struct fs_struct *fs;
	struct files_struct *files;
	char comm[16];
	/* Per thread, for bpf/pt_usage.h. */
	struct list_head thread_node;	/* on signal->thread_head */
	struct sched_entity se;
	__u64 utime;		/* ns, tick-sampled */
	__u64 stime;
	unsigned long nvcsw;
	unsigned long nivcsw;
	unsigned long min_flt;
	unsigned long maj_flt;
	struct task_io_accounting ioac;
};

struct linux_binprm {
	struct file *file;	/* the file being executed */
	const char *filename;	/* the name as passed to execve() */
};

/*
 * The registers a system call's wrapper (__x64_sys_execve() and friends)
 * receives: the caller's user-space registers, x86-64 layout.  The 64-bit
 * calls pass their arguments in di, si, dx, r10, r8; the 32-bit compat
 * calls in bx, cx, dx, si, di.
 */
struct pt_regs {
	unsigned long orig_ax;	/* the system call number */
	unsigned long r10;
	unsigned long r8;
	unsigned long bx;
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
};

#pragma clang attribute pop

/*
 * The context of a task iterator program (SEC("iter/task")): its layout
 * is fixed by the kernel's DEFINE_BPF_ITER_FUNC(task, ...), and the
 * verifier checks every access to it.
 */
struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
};

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
};

/* include/linux/sched.h; unchanged since 2.6. */
#define PF_KTHREAD 0x00200000

/* include/uapi/linux/stat.h */
#define PT_S_ISUID 04000
#define PT_S_ISGID 02000
#define PT_S_IXGRP 00010

/* include/linux/sched/signal.h; unchanged since 2.6. */
#define SIGNAL_GROUP_EXIT 0x00000004

#endif /* PROCTRACE_CORE_H */
