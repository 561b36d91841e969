/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel side of proctrace_stats(): the losses map's per-CPU counters,
 * summed, and the runs of our programs the kernel skipped.
 */
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_internal.h"
#include "proctrace_wire.h"

/*
 * Runs of our programs that the kernel skipped, added to @other.  A
 * tracing program does not run while it is already running on the same
 * CPU (an interrupt, or a preempted fexit program): the kernel then skips
 * it and counts only its recursion_misses (Linux 5.12; 0 before).  The
 * skipped run may have been one the filters would have dropped, so this
 * makes lost_other an upper bound rather than leave a loss uncounted.
 */
static int add_skipped_runs(const struct pt_backend *b, uint64_t *other)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, b->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)	/* not loaded (autoload off) */
			continue;
		/* Its skipped run loses no event, only an EXEC's old credentials. */
		if (prog == b->skel->progs.proctrace_oldid)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			int err = -errno;

			pt_warn(&b->log, "proctrace_stats: cannot read how often the kernel "
				"skipped program %s: %s", bpf_program__name(prog),
				strerror(-err));
			return err;
		}
		*other += info.recursion_misses;
	}
	return 0;
}

int pt_backend_losses(const struct pt_backend *b, struct pt_backend_losses *out)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *per_cpu;
	uint32_t key;
	uint64_t sum[PT_LOSS_NR];
	int i, err = 0;

	if (ncpus < 1) {
		pt_warn(&b->log, "proctrace_stats: cannot count the possible CPUs: %s",
			strerror(ncpus ? -ncpus : EINVAL));
		return ncpus ? ncpus : -EINVAL;
	}
	per_cpu = calloc((size_t)ncpus, sizeof(*per_cpu));
	if (!per_cpu) {
		pt_warn(&b->log, "proctrace_stats: out of memory");
		return -ENOMEM;
	}
	for (key = 0; key < PT_LOSS_NR; key++) {
		sum[key] = 0;
		if (bpf_map__lookup_elem(b->skel->maps.losses, &key, sizeof(key),
					 per_cpu, (size_t)ncpus * sizeof(*per_cpu), 0)) {
			err = -errno;
			break;
		}
		for (i = 0; i < ncpus; i++)
			sum[key] += per_cpu[i];
	}
	free(per_cpu);
	if (err == -EPERM) {
		/*
		 * Reading a map through a descriptor we hold needs no
		 * privilege, except on older kernels, where sysctl
		 * kernel.unprivileged_bpf_disabled refuses every bpf() call
		 * (docs/security.md).
		 */
		pt_warn(&b->log, "proctrace_stats: reading the kernel's loss counters was refused: "
			"this kernel refuses every bpf() call to a process without "
			"CAP_BPF while sysctl kernel.unprivileged_bpf_disabled is set; "
			"keep CAP_BPF, clear that sysctl or use a newer kernel");
		return err;
	}
	if (err) {
		pt_warn(&b->log, "proctrace_stats: cannot read the kernel's loss counters: %s",
			strerror(-err));
		return err;
	}
	out->ring_full = sum[PT_LOSS_RING_FULL];
	out->other = sum[PT_LOSS_OTHER];
	return add_skipped_runs(b, &out->other);
}
