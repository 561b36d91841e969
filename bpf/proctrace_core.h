/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few kernel types the BPF program reads, written by hand.
 *
 * We do not generate vmlinux.h from the build host's kernel: a build must
 * not depend on which kernel happens to run there.  With
 * preserve_access_index, every field access below is recorded as a CO-RE
 * relocation by name, and libbpf resolves it against the BTF of the kernel
 * the program is loaded into.  Only the fields we read need to be listed,
 * in any order, with any offsets.
 */
#ifndef PROCTRACE_CORE_H
#define PROCTRACE_CORE_H

#include <linux/types.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct task_struct {
	int pid;
	int tgid;
	int exit_code;
	__u64 start_boottime;	/* since 5.5; CLOCK_BOOTTIME at fork */
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	char comm[16];
};

struct linux_binprm {
	const char *filename;	/* the name as passed to execve() */
};

#pragma clang attribute pop

#endif /* PROCTRACE_CORE_H */
