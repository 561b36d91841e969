/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Credentials for the privilege tests, with raw capset(2) and prctl(2)
 * (no libcap): become another user keeping chosen capabilities, or give
 * up every capability for good, and read back what /proc says.
 */
#ifndef PROCTRACE_TESTS_CAPS_H
#define PROCTRACE_TESTS_CAPS_H

#include <stdint.h>
#include <sys/types.h>
#include <linux/capability.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#define CAP_MASK(cap) (1ULL << (cap))

/*
 * Switches to @uid/@gid with no supplementary groups, keeping exactly
 * @caps in the effective and permitted sets (none inheritable, none
 * ambient).  Must be called as root.  Returns 0 or a negative errno.
 */
int caps_become_user(uid_t uid, gid_t gid, uint64_t caps);

/*
 * Gives up everything: the bounding set, then ambient, then switches to
 * @uid/@gid with no supplementary groups, empties the effective,
 * permitted and inheritable sets and sets no_new_privs.  Must be called
 * as root.  Returns 0 or a negative errno.
 */
int caps_drop_all(uid_t uid, gid_t gid);

/*
 * The hexadecimal capability set @key ("CapEff", "CapBnd", ...) of
 * process @pid (0: this one) from /proc/PID/status, or -1.
 */
int64_t caps_status_set(pid_t pid, const char *key);

/*
 * A numeric line of /proc/PID/status: the @index-th number after @key
 * ("Uid", "Gid": 0 real, 1 effective, 2 saved, 3 file system;
 * "NoNewPrivs": 0), or -1.
 */
long caps_status_number(pid_t pid, const char *key, int index);

/* The "Groups:" line of /proc/PID/status, without the key; "" if none. */
int caps_status_groups(pid_t pid, char *buf, size_t size);

#endif
