// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Kernel side of libproctrace: one record per exec and per process exit,
 * sent to user space through a BPF ring buffer.
 *
 * Both programs are BTF-enabled raw tracepoints (tp_btf/...): they attach
 * through the BPF syscall alone, so tracefs need not be mounted, and they
 * receive the kernel's own task_struct pointers as arguments.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "proctrace_core.h"
#include "proctrace_wire.h"

/* bpf_probe_read_kernel*() are GPL-only helpers. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Set by the library before load; constant for the verifier, so the
 * branches that test it cost nothing when it is zero.  When non-zero,
 * exec records are not sent and exits of shorter-lived processes are
 * dropped here, before they take ring-buffer space.
 */
const volatile __u64 min_duration_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* the library may resize it */
} events SEC(".maps");

/*
 * An exec record carries up to PT_WIRE_PATH_MAX bytes of filename, too
 * large for the 512-byte BPF stack.  It is built in this per-CPU scratch
 * slot and copied into the ring buffer at its real length, so a short path
 * takes a short record.
 */
struct exec_scratch {
	struct pt_wire_event hdr;
	char filename[PT_WIRE_PATH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_scratch SEC(".maps");

static __always_inline void fill_common(struct pt_wire_event *e,
					struct task_struct *task, __u16 type)
{
	e->type = type;
	e->filename_len = 0;
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->exit_code = 0;
	e->ts_boot_ns = bpf_ktime_get_boot_ns();
	e->start_boot_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->comm);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(proctrace_exec, struct task_struct *task, int old_pid,
	     struct linux_binprm *bprm)
{
	struct exec_scratch *s;
	__u32 zero = 0;
	long n;

	if (min_duration_ns)
		return 0;

	s = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!s)
		return 0;

	fill_common(&s->hdr, task, PT_WIRE_EXEC);
	n = bpf_probe_read_kernel_str(s->filename, sizeof(s->filename),
				      BPF_CORE_READ(bprm, filename));
	if (n < 1) {
		s->filename[0] = '\0';
		n = 1;
	}
	if (n > PT_WIRE_PATH_MAX)
		n = PT_WIRE_PATH_MAX;
	s->hdr.filename_len = n;

	bpf_ringbuf_output(&events, s, sizeof(s->hdr) + n, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(proctrace_exit, struct task_struct *task)
{
	struct pt_wire_event *e;
	__u64 now, start;

	/* One record per process: skip threads other than the leader. */
	if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid))
		return 0;

	now = bpf_ktime_get_boot_ns();
	start = BPF_CORE_READ(task, group_leader, start_boottime);
	if (min_duration_ns && now - start < min_duration_ns)
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_common(e, task, PT_WIRE_EXIT);
	e->exit_code = BPF_CORE_READ(task, exit_code);
	e->ts_boot_ns = now;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
