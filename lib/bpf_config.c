/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the skeleton is told between open and load: the settings its
 * programs read as constants, the map sizes, and which programs load
 * (for failed exec attempts, fexit where the kernel accepts it, which a
 * probe program tells, else the raw sys_exit tracepoint).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_internal.h"

_Static_assert(sizeof(((struct pt_backend_params *)0)->exec_failed_errnos) ==
	       sizeof(((struct proctrace_bpf *)0)->rodata->exec_failed_errnos),
	       "the errno set has the BPF side's size");

/* True if the running kernel has function @name (in its BTF). */
static bool kernel_has_function(const char *name)
{
	return libbpf_find_vmlinux_btf_id(name, BPF_TRACE_FEXIT) > 0;
}

/*
 * True if the kernel accepts an fexit program on @name: it may have the
 * function and BPF trampolines and still refuse them (a security policy,
 * or a JIT without trampolines).  Loads a two-instruction program.
 */
static bool fexit_allowed(const struct pt_logger *lg, const char *name)
{
	const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = libbpf_find_vmlinux_btf_id(name, BPF_TRACE_FEXIT);
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FEXIT,
		    .attach_btf_id = id > 0 ? (__u32)id : 0);
	int fd;

	if (id <= 0)
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "pt_probe", "GPL", ret0, 2, &opts);
	if (fd < 0) {
		pt_debug(lg, "fexit on %s refused (%s)", name, strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/*
 * Failed exec attempts.  Off, none of their programs is loaded (nothing
 * attached, nothing verified) and their scratch map keeps one slot.  On:
 * fexit programs on the exec system calls where the kernel takes them
 * (the 32-bit compat ones where it has 32-bit compat), else the raw
 * sys_exit tracepoint, which every kernel with BTF has but which runs on
 * every system call (docs/design.md).
 */
static int configure_exec_failed(struct proctrace_bpf *skel,
				 const struct pt_backend_params *p, int ncpus,
				 bool allow_fexit)
{
	bool on = p->flags & PROCTRACE_OPT_EXEC_FAILED;
	bool fexit = on && allow_fexit && kernel_has_function("__x64_sys_execveat") &&
		     fexit_allowed(&p->log, "__x64_sys_execve");
	bool compat = fexit && kernel_has_function("__ia32_compat_sys_execve") &&
		      kernel_has_function("__ia32_compat_sys_execveat");
	int err;

	memcpy((void *)skel->rodata->exec_failed_errnos, p->exec_failed_errnos,
	       sizeof(p->exec_failed_errnos));
	skel->rodata->exec_failed_other_errnos = p->exec_failed_other_errnos;
	skel->rodata->exec_failed_fexit = fexit;
	err = bpf_program__set_autoload(skel->progs.proctrace_execve_failed, fexit);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_execveat_failed,
						fexit);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_execve_failed32,
						compat);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_execveat_failed32,
						compat);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_sys_exit_failed,
						on && !fexit);
	if (!err && on)
		err = bpf_map__set_max_entries(skel->maps.failed_scratch, ncpus);
	if (!err && on)
		pt_info(&p->log, "failed exec attempts: %s", fexit ?
			(compat ? "fexit on the 64-bit and 32-bit exec system calls" :
			 "fexit on the 64-bit exec system calls (this kernel has no "
			 "32-bit compat exec)") :
			"the raw sys_exit tracepoint (no fexit programs here), which "
			"runs on every system call");
	return err;
}

/*
 * Most entries of each of the compat variant's per-task hash maps
 * (PT_TASK_MAP in bpf/pt_common.h).  A task has at most one entry in each
 * and every task has a pid, so pid_max entries never fill; but an empty
 * map still costs its bucket array (16 bytes an entry), and pid_max may be
 * 4 million: capped (docs/design.md says what a full map costs).
 */
#define STATE_ENTRIES_MAX 65536u

static __u32 state_entries(void)
{
	unsigned long pid_max = 0;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

	if (f) {
		if (fscanf(f, "%lu", &pid_max) != 1)
			pid_max = 0;
		fclose(f);
	}
	if (!pid_max || pid_max > STATE_ENTRIES_MAX)
		return STATE_ENTRIES_MAX;
	return (__u32)pid_max;
}

/*
 * The compat variant's per-task maps: exit_sent always in use, the others
 * with their option only (a map cannot have 0 entries).
 */
static int size_state_maps(struct proctrace_bpf *skel,
			   const struct pt_backend_params *p)
{
	__u32 n = state_entries();
	int err;

	err = bpf_map__set_max_entries(skel->maps.exit_sent, n);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.described,
					       p->flags & PROCTRACE_OPT_SNAPSHOT ? n : 1);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.subtree,
					       p->filter_pid > 0 ? n : 1);
	return err;
}

/*
 * Credential changes (bpf/cred_change.bpf.h).  Off, their programs are not
 * loaded and their map keeps one entry.  On: the raw sys_enter and
 * sys_exit tracepoints, which every kernel with BTF has, and which know
 * the system calls by their x86 numbers.
 */
static int configure_cred_changes(struct proctrace_bpf *skel,
				  const struct pt_backend_params *p)
{
	bool on = p->flags & PROCTRACE_OPT_CRED_CHANGES;
	int err;

#ifndef __x86_64__
	if (on) {
		pt_warn(&p->log, "proctrace_start: PROCTRACE_OPT_CRED_CHANGES needs x86-64 "
			"(the BPF side knows the credential system calls by their x86 numbers)");
		return -EOPNOTSUPP;
	}
#endif
	err = bpf_program__set_autoload(skel->progs.proctrace_idin, on);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_idout, on);
	/* Threads inside a set*id() or capset() call at one moment. */
	if (!err && on)
		err = bpf_map__set_max_entries(skel->maps.cred_before, 4096);
	return err;
}

/* The settings the BPF program reads as constants, and the map sizes. */
int pt_bpf_configure(struct proctrace_bpf *skel,
		     const struct pt_backend_params *p, bool compat, bool allow_fexit)
{
	int ncpus = libbpf_num_possible_cpus();
	int err;

	if (ncpus < 1) {
		pt_warn(&p->log, "proctrace_start: cannot count the possible CPUs: %s",
			strerror(ncpus ? -ncpus : EINVAL));
		return ncpus ? ncpus : -EINVAL;
	}
	skel->rodata->min_duration_ns = p->min_duration_ns;
	skel->rodata->max_args_size = p->max_args_size;
	skel->rodata->fork_events = p->flags & PROCTRACE_OPT_FORK_EVENTS;
	skel->rodata->wake_every_event = p->flags & PROCTRACE_OPT_WAKE_EVERY_EVENT;
	/*
	 * Wake the reader early once an eighth of the ring is in use: far
	 * from full even if the reader is slow to run, yet thousands of
	 * events per wake-up.
	 */
	skel->rodata->wakeup_bytes = p->ring_buffer_size / 8;
	skel->rodata->filter_subtree = p->filter_pid > 0;
	skel->rodata->subtree_root = p->filter_pid;
	skel->rodata->filter_by_uid = p->flags & PROCTRACE_OPT_FILTER_UID;
	skel->rodata->filter_uid = p->filter_uid;
	skel->rodata->filter_cgroup_id = p->filter_cgroup_id;
	skel->rodata->process_table = p->flags & PROCTRACE_OPT_SNAPSHOT;
	/* The last exec_scratch slot is the iterator's (see the BPF side). */
	skel->rodata->snapshot_slot = (__u32)ncpus;
	if (p->filter_comm) {
		skel->rodata->filter_by_comm = true;
		strncpy((char *)skel->rodata->filter_comm, p->filter_comm,
			sizeof(skel->rodata->filter_comm) - 1);
	}

	err = bpf_map__set_max_entries(skel->maps.events, p->ring_buffer_size);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.exec_scratch, ncpus + 1);
	if (!err)
		err = configure_exec_failed(skel, p, ncpus, allow_fexit && !compat);
	if (!err)
		err = configure_cred_changes(skel, p);
	if (err == -EOPNOTSUPP)
		return err;	/* said why */
	/* The compat variant's per-task hash maps are emptied as tasks go. */
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_free, compat);
	if (!err && compat)
		err = size_state_maps(skel, p);
	/* Run once by the library (lib/bpf_subtree.c), never attached. */
	bpf_program__set_autoattach(skel->progs.proctrace_mark_root, false);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_mark_root,
						compat && p->filter_pid > 0);
	/* The credentials before an exec serve only EXEC records. */
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_oldid,
						!p->min_duration_ns);
	/* Fork is the busiest tracepoint: attach only if something needs it. */
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_fork,
						(p->flags & (PROCTRACE_OPT_FORK_EVENTS |
							     PROCTRACE_OPT_SNAPSHOT)) ||
						p->filter_pid > 0);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_snapshot,
						p->flags & PROCTRACE_OPT_SNAPSHOT);
	if (err)
		pt_warn(&p->log, "proctrace_start: cannot configure the BPF object: %s",
			strerror(-err));
	return err;
}
