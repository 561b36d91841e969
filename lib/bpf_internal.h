/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the files of the BPF backend (lib/bpf_*.c) share.  Only they
 * include it, and only they call libbpf: backend.h is the seam the rest
 * of the library sees, and the unit tests replace (tests/fake-backend.c).
 * Which file does what: docs/design.md, "lib/ map".
 */
#ifndef PROCTRACE_BPF_INTERNAL_H
#define PROCTRACE_BPF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"
/*
 * The skeleton defines proctrace_bpf__destroy() static but not inline:
 * unused in most of the files that need the skeleton's types.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proctrace.skel.h"
#pragma GCC diagnostic pop

struct pt_backend {
	struct proctrace_bpf *skel;
	/* The compat variant runs (bpf/meson.build, docs/kernels.md). */
	bool compat;
	/* Failed exec attempts through fexit programs (else sys_exit). */
	bool fexit;
	uint32_t flags;		/* PROCTRACE_OPT_* of the session */
	struct ring_buffer *ring;
	/*
	 * What proctrace_fd() hands out: an epoll set of the ring buffer
	 * (readable when the kernel wakes us) and, unless every event wakes
	 * the reader, a periodic timer that bounds how long an event waits.
	 */
	int epoll_fd;
	int timer_fd;		/* -1 if none */
	struct pt_logger log;
	pt_record_fn on_record;
	void *ctx;
	/* The proctrace_poll_n() bound of the drain in progress (0: none). */
	unsigned int budget;
	unsigned int seen;
	/*
	 * The snapshot's records (PROCTRACE_OPT_SNAPSHOT), read from the
	 * task iterator during start, delivered by the first polls before
	 * anything from the ring buffer; freed once delivered.
	 */
	char *snap;
	size_t snap_len, snap_pos;
	/*
	 * The program the kernel refused, and the verifier's reason
	 * (keep_verdict() in bpf_load.c).
	 */
	char refused[64];
	char verdict[160];
};

/* bpf_privileges.c */
const char *pt_bpf_missing_privileges(void);
int pt_bpf_privileges_error(const struct pt_logger *lg);

/* bpf_config.c */
/* bpf_probe.c: what the running kernel offers (PT_KERNEL_* bits). */
#define PT_KERNEL_PROBED (1u << 0)
#define PT_KERNEL_RINGBUF (1u << 1)		/* BPF ring buffers: Linux 5.8 */
#define PT_KERNEL_TASK_STORAGE (1u << 2)	/* task storage maps: 5.11 */
#define PT_KERNEL_BPF_LOOP (1u << 3)		/* bpf_loop(): 5.17 */
#define PT_KERNEL_CURRENT_TASK_BTF (1u << 4)	/* bpf_get_current_task_btf(): 5.11 */
unsigned int pt_bpf_kernel(void);
/* True if the full variant's programs can load (but for the snapshot's, 5.18). */
bool pt_bpf_kernel_runs_full(unsigned int kernel);
bool pt_bpf_compat_forced(void);

int pt_bpf_configure(struct proctrace_bpf *skel,
		     const struct pt_backend_params *p, bool compat, bool allow_fexit);

/* bpf_subtree.c */
int pt_bpf_mark_subtree_root(struct pt_backend *b, int32_t pid);

/* bpf_ring.c */
int pt_bpf_ring_open(struct pt_backend *b, const struct pt_backend_params *p);

/* bpf_snapshot.c */
int pt_bpf_take_snapshot(struct pt_backend *b);
int pt_bpf_deliver_snapshot(struct pt_backend *b);

#endif /* PROCTRACE_BPF_INTERNAL_H */
