/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The seam between the library's logic and the kernel.
 *
 * Every libbpf call lives behind these functions (the bpf_*.c files).  The
 * unit tests link the rest of the library against a fake implementation
 * (tests/fake-backend.c), so that argument checks, state transitions and
 * record decoding are tested without privileges or a kernel.
 */
#ifndef PROCTRACE_BACKEND_H
#define PROCTRACE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proctrace/proctrace.h>

struct pt_backend;

/*
 * Called for each record the kernel side sent.  A negative return stops
 * the drain and is returned by pt_backend_poll().
 */
typedef int (*pt_record_fn)(void *ctx, const void *data, size_t size);

/* Where a handle's messages go (opts.log_fn); fn NULL: the global one. */
struct pt_logger {
	proctrace_log_fn fn;
	void *ctx;
};

/* Everything the kernel side needs to know, checked by the caller. */
struct pt_backend_params {
	uint64_t min_duration_ns;
	const char *btf_path;	/* NULL: the running kernel's BTF */
	uint32_t flags;		/* PROCTRACE_OPT_* */
	uint32_t max_args_size;	/* 1 .. PROCTRACE_ARGS_SIZE_MAX */
	uint32_t ring_buffer_size;	/* a power of two >= 4096 */
	uint32_t max_latency_ms;	/* >= 1 */
	int32_t filter_pid;	/* 0: off */
	uint32_t filter_uid;	/* if PROCTRACE_OPT_FILTER_UID */
	uint64_t filter_cgroup_id;	/* 0: off */
	const char *filter_comm;	/* NULL: off; else 1-15 bytes */
	struct pt_logger log;	/* every message about the handle */
	/*
	 * Failed exec attempts (PROCTRACE_OPT_EXEC_FAILED): bit N of the
	 * set reports errno N (N < 192); larger errnos are reported if
	 * exec_failed_other_errnos.
	 */
	uint64_t exec_failed_errnos[3];
	bool exec_failed_other_errnos;
	pt_record_fn on_record;
	void *ctx;
};

/* Losses counted by the kernel side, summed over CPUs. */
struct pt_backend_losses {
	uint64_t ring_full;
	uint64_t other;
};

/*
 * Loads, verifies and attaches the BPF program and sets up the ring
 * buffer.  Returns 0 and *out, or a negative errno after logging why.
 */
int pt_backend_start(const struct pt_backend_params *params,
		     struct pt_backend **out);

/*
 * Drains the records queued now, at most @max_records of them (0: no
 * limit); if there were none, waits up to @timeout_ms (negative: no limit)
 * for records to become due (a wake-up from the kernel or the latency
 * timer) and drains again.  Returns the records seen, 0 after the timeout,
 * or a negative errno (-EINTR on a signal, or the record callback's
 * negative value).  Records left behind by the limit stay queued, and the
 * descriptor stays readable while any are.
 */
int pt_backend_poll(struct pt_backend *b, int timeout_ms, unsigned int max_records);

/* The descriptor that becomes readable when records are due. */
int pt_backend_fd(const struct pt_backend *b);

/* Reads the kernel's loss counters; 0 or a negative errno. */
int pt_backend_losses(const struct pt_backend *b, struct pt_backend_losses *out);

/*
 * The PROCTRACE_FEATURE_* capabilities the session runs; *@degraded gets
 * those of them that run degraded on this kernel (or by PROCTRACE_OPT_COMPAT).
 */
uint32_t pt_backend_features(const struct pt_backend *b, uint32_t *degraded);

/* Detaches and frees everything; NULL-safe. */
void pt_backend_destroy(struct pt_backend *b);

#endif /* PROCTRACE_BACKEND_H */
