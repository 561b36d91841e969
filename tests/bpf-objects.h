/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which BPF programs, links and maps exist in the kernel, for the leak
 * tests.  Two views:
 *  - bpf_objects_of_pid(): the objects a process holds through its file
 *    descriptors (from /proc/PID/fdinfo), i.e. exactly the ones it loaded;
 *  - bpf_objects_named(): every program in the kernel whose name starts
 *    with a prefix, and every link to such a program.
 * Leak checks assert on the first view (object ids are never reused soon,
 * so "all ids we saw are gone" cannot be fooled by another process loading
 * the same program at the same time); the second gives machine-wide counts.
 */
#ifndef PROCTRACE_TESTS_BPF_OBJECTS_H
#define PROCTRACE_TESTS_BPF_OBJECTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct id_set {
	uint32_t *ids;
	size_t n, cap;
};

struct bpf_objects {
	struct id_set progs, links, maps;
};

/* The name every program of ours starts with (see bpf/proctrace.bpf.c). */
#define BPF_OBJECTS_OUR_PREFIX "proctrace"

/*
 * The programs a session with default options loads, in the order the
 * kernel gives them ids (bpf_new_program_names()).
 */
#define PT_DEFAULT_PROGRAMS "proctrace_oldid proctrace_exec proctrace_exit"

/* Makes room for @cap ids, so that later adds do not allocate. */
int id_set_reserve(struct id_set *s, size_t cap);
/* Adds @id unless present. Returns 0 or -ENOMEM. */
int id_set_add(struct id_set *s, uint32_t id);
void bpf_objects_free(struct bpf_objects *o);
/* Adds every id of @from to @into. */
int bpf_objects_merge(struct bpf_objects *into, const struct bpf_objects *from);

/*
 * Adds to @o the programs, links and maps held by the file descriptors of
 * process @pid (0: this process).  Returns 0 or a negative errno.
 */
int bpf_objects_of_pid(pid_t pid, struct bpf_objects *o);

/*
 * Adds to @o every program in the kernel whose name starts with @prefix,
 * and every link whose program is one of them (maps are left out: they
 * have no owner name).  Returns 0 or a negative errno.
 */
int bpf_objects_named(const char *prefix, struct bpf_objects *o);

/*
 * How many of the ids in @o still exist in the kernel, in @progs, @links
 * and @maps.  Returns 0 or a negative errno.
 */
int bpf_objects_alive(const struct bpf_objects *o, size_t *progs,
		      size_t *links, size_t *maps);

/*
 * The names of the programs this process holds that are not in @before
 * (a session a failed test left open is not counted), joined with ' ', in
 * the order the kernel gave them ids, into @out.  Returns 0 or a negative
 * errno.
 */
int bpf_new_program_names(const struct bpf_objects *before, char *out,
			  size_t size);

/*
 * Waits up to @timeout_ms for every id of @o to be gone: the kernel frees
 * programs and maps after an RCU grace period or from a work queue, not
 * always by the time close() or the owner's death returns.  Returns the
 * number still alive (0 on success) or a negative errno; @progs, @links
 * and @maps get the last counts.
 */
int bpf_objects_wait_gone(const struct bpf_objects *o, int timeout_ms,
			  size_t *progs, size_t *links, size_t *maps);

#endif
