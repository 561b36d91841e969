/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The seam between the library's logic and the kernel.
 *
 * Every libbpf call lives behind these functions (bpf_backend.c).  The unit
 * tests link the rest of the library against a fake implementation
 * (tests/fake-backend.c), so that argument checks, state transitions and
 * record decoding are tested without privileges or a kernel.
 */
#ifndef PROCTRACE_BACKEND_H
#define PROCTRACE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

struct pt_backend;

/*
 * Called for each record the kernel side sent.  A negative return stops
 * the drain and is returned by pt_backend_poll().
 */
typedef int (*pt_record_fn)(void *ctx, const void *data, size_t size);

struct pt_backend_params {
	uint64_t min_duration_ns;
	const char *btf_path;	/* NULL: the running kernel's BTF */
	pt_record_fn on_record;
	void *ctx;
};

/*
 * Loads, verifies and attaches the BPF program and sets up the ring
 * buffer.  Returns 0 and *out, or a negative errno after logging why.
 */
int pt_backend_start(const struct pt_backend_params *params,
		     struct pt_backend **out);

/* Waits up to @timeout_ms, then drains; returns records seen or -errno. */
int pt_backend_poll(struct pt_backend *b, int timeout_ms);

/* The descriptor that becomes readable when records are queued. */
int pt_backend_fd(const struct pt_backend *b);

/* Detaches and frees everything; NULL-safe. */
void pt_backend_destroy(struct pt_backend *b);

#endif /* PROCTRACE_BACKEND_H */
