/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The per-process fields that every record carries and every layer copies
 * as they are: listed once, here.  The wire record's members, the
 * decoder's copy, the process table's copy and its lookup, bootstrap-cli's
 * JSON keys and table columns, the ABI layout test and the dropped-copy
 * unit test all expand from this list.  Adding such a field is a line
 * here, the BPF line that fills it (fill_common() in bpf/), and the member
 * with its doc in <proctrace/proctrace.h> (docs/design.md, "Adding a
 * field").
 *
 * PT_PROCESS_FIELDS(X) calls X(name, wire, wire_type, type, on, since,
 * decode, cli, column, width, title) once per field, in JSON key order:
 *   name       the member of struct proctrace_event, and the JSON key;
 *   wire       the member of struct pt_wire_event that carries it;
 *   wire_type  its type there (kernel types: this file is also BPF C);
 *   type       its type in struct proctrace_event;
 *   on         the event types that carry it: PT_ON_ALL, or PT_ON()s;
 *   since      the release it arrived in: 1 for 0.1, 4 for 0.4;
 *   decode     COPY as it is, BOOT (CLOCK_BOOTTIME ns, 0: none) turned
 *              into wall-clock ns, or TEXT (a NUL-terminated char array);
 *   cli        how bootstrap-cli prints it: I32, U32, U64 or TEXT;
 *   column, width, title: its column in bootstrap-cli's table (0: none).
 *
 * Each consumer defines X for its own job; the list holds no code.
 */
#ifndef PROCTRACE_FIELDS_H
#define PROCTRACE_FIELDS_H

/* Event types, with the values of enum pt_wire_type / proctrace_event_type. */
#define PT_ON(type) (1u << (type))
#define PT_ON_ALL 0u

#define PT_PROCESS_FIELDS(X)                                                   \
	X(pid, pid, __u32, int32_t, PT_ON_ALL, 1, COPY, I32, 3, 7, "PID")      \
	X(ppid, ppid, __u32, int32_t, PT_ON_ALL, 1, COPY, I32, 4, 7, "PPID")   \
	X(comm, comm, pt_wire_comm_t, pt_comm_t, PT_ON_ALL, 1, TEXT, TEXT,     \
	  2, 16, "COMM")                                                       \
	X(uid, uid, __u32, uint32_t, PT_ON_ALL, 2, COPY, U32, 0, 0, NULL)      \
	X(gid, gid, __u32, uint32_t, PT_ON_ALL, 2, COPY, U32, 0, 0, NULL)      \
	X(ns_pid, ns_pid, __s32, int32_t, PT_ON_ALL, 2, COPY, I32, 0, 0, NULL) \
	X(cgroup_id, cgroup_id, __u64, uint64_t, PT_ON_ALL, 2, COPY, U64,      \
	  0, 0, NULL)                                                          \
	X(start_time_ns, start_boot_ns, __u64, uint64_t, PT_ON_ALL, 3, BOOT,   \
	  U64, 0, 0, NULL)                                                     \
	X(parent_start_time_ns, parent_start_boot_ns, __u64, uint64_t,         \
	  PT_ON_ALL, 3, BOOT, U64, 0, 0, NULL)                                 \
	X(euid, euid, __u32, uint32_t, PT_ON_ALL, 4, COPY, U32, 0, 0, NULL)    \
	X(suid, suid, __u32, uint32_t, PT_ON_ALL, 4, COPY, U32, 0, 0, NULL)    \
	X(fsuid, fsuid, __u32, uint32_t, PT_ON_ALL, 4, COPY, U32, 0, 0, NULL)  \
	X(egid, egid, __u32, uint32_t, PT_ON_ALL, 4, COPY, U32, 0, 0, NULL)    \
	X(sgid, sgid, __u32, uint32_t, PT_ON_ALL, 4, COPY, U32, 0, 0, NULL)    \
	X(fsgid, fsgid, __u32, uint32_t, PT_ON_ALL, 4, COPY, U32, 0, 0, NULL)  \
	X(cap_effective, cap_effective, __u64, uint64_t, PT_ON_ALL, 4, COPY,   \
	  U64, 0, 0, NULL)                                                     \
	X(cap_permitted, cap_permitted, __u64, uint64_t, PT_ON_ALL, 4, COPY,   \
	  U64, 0, 0, NULL)                                                     \
	X(cap_inheritable, cap_inheritable, __u64, uint64_t, PT_ON_ALL, 4,     \
	  COPY, U64, 0, 0, NULL)

#endif
