/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the running kernel offers the BPF programs, asked of the kernel
 * itself (a map or a two-instruction program each), once per process,
 * and which of the embedded variants (bpf/meson.build) it can run.
 * docs/kernels.md has the table of capabilities and kernels.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_internal.h"

/* 0: not probed yet; else PT_KERNEL_PROBED and what was found. */
static unsigned int probed;

unsigned int pt_bpf_kernel(void)
{
	unsigned int k = __atomic_load_n(&probed, __ATOMIC_RELAXED);

	if (k)
		return k;
	k = PT_KERNEL_PROBED;
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1)
		k |= PT_KERNEL_RINGBUF;
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1)
		k |= PT_KERNEL_TASK_STORAGE;
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, NULL) == 1)
		k |= PT_KERNEL_BPF_LOOP;
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_get_current_task_btf,
				    NULL) == 1)
		k |= PT_KERNEL_CURRENT_TASK_BTF;
	/* Idempotent: threads racing here store the same answer. */
	__atomic_store_n(&probed, k, __ATOMIC_RELAXED);
	return k;
}

/*
 * PROCTRACE_COMPAT=1 in the environment: every session as if with
 * PROCTRACE_OPT_COMPAT, so that a whole test suite or program can be run
 * on the compat programs without a change (proctrace(3), ENVIRONMENT).
 */
bool pt_bpf_compat_forced(void)
{
	const char *v = secure_getenv("PROCTRACE_COMPAT");

	return v && !strcmp(v, "1");
}

bool pt_bpf_kernel_runs_full(unsigned int k)
{
	return (k & (PT_KERNEL_TASK_STORAGE | PT_KERNEL_BPF_LOOP)) ==
	       (PT_KERNEL_TASK_STORAGE | PT_KERNEL_BPF_LOOP);
}

uint32_t pt_backend_features(const struct pt_backend *b, uint32_t *degraded)
{
	uint32_t active = PROCTRACE_FEATURE_EVENTS | PROCTRACE_FEATURE_PATHS |
			  PROCTRACE_FEATURE_PROCESS_STATE | PROCTRACE_FEATURE_USAGE;

	if (b->flags & PROCTRACE_OPT_SNAPSHOT)
		active |= PROCTRACE_FEATURE_SNAPSHOT;
	if (b->flags & PROCTRACE_OPT_EXEC_FAILED)
		active |= PROCTRACE_FEATURE_EXEC_FAILED;
	*degraded = 0;
	/* Paths: the compat walk goes as deep as the full one (bpf/pt_path.h). */
	if (b->compat)
		*degraded |= PROCTRACE_FEATURE_PROCESS_STATE | PROCTRACE_FEATURE_SNAPSHOT |
			     PROCTRACE_FEATURE_USAGE;
	if (!b->fexit)
		*degraded |= PROCTRACE_FEATURE_EXEC_FAILED;
	*degraded &= active;
	return active;
}
