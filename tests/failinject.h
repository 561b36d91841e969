/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Failure injection for test-failinject: every fallible call the library
 * makes, directly or inside libbpf and libelf, goes through a wrapper
 * (the test binary links them statically with -Wl,--wrap=NAME, see
 * tests/meson.build).  While armed, the wrappers count the calls they see
 * and make the fail_at-th one fail, with the errno that call would give,
 * as SQLite's tests do with allocations.
 */
#ifndef PROCTRACE_TESTS_FAILINJECT_H
#define PROCTRACE_TESTS_FAILINJECT_H

#include <stdbool.h>
#include <stdint.h>

#define FI_MAX_OBJECTS 256

enum fi_object { FI_PROG, FI_MAP, FI_LINK };

struct fi_state {
	bool armed;		/* count and inject only inside the library's calls */
	unsigned long fail_at;	/* 1-based; 0: count only */
	unsigned long count;	/* fallible calls seen while armed */
	bool injected;
	char what[64];		/* the call that was made to fail, e.g. "malloc" */
	int injected_errno;
	void *caller;		/* its return address */
	/*
	 * It was made inside libbpf's feature detection (kernel_supports()),
	 * whose verdict libbpf keeps for the rest of the process.
	 */
	bool in_feature_probe;
	/* BPF objects created through bpf(2) while armed: kind and id. */
	struct {
		enum fi_object kind;
		uint32_t id;
	} objects[FI_MAX_OBJECTS];
	int n_objects;
	/*
	 * Not a failure: added to the recursion_misses of every program
	 * whose information bpf_obj_get_info_by_fd() returns (counted in
	 * prog_infos), to stand for runs the kernel skipped.
	 */
	uint64_t add_recursion_misses;
	unsigned long prog_infos;
};

extern struct fi_state fi;

#endif
