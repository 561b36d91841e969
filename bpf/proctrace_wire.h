/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The record format between the BPF program and the library, and the
 * layout of the loss counters the program keeps.
 *
 * This is private to libproctrace: the BPF object and the library that
 * embeds it are always built together, so this layout may change freely.
 * The public, stable layout is struct proctrace_event in
 * <proctrace/proctrace.h>; lib/event_decode.c translates one into the other.
 */
#ifndef PROCTRACE_WIRE_H
#define PROCTRACE_WIRE_H

#include <linux/types.h>

#define PT_WIRE_COMM_LEN 16
/* Longest filename the BPF side copies, including its terminating NUL. */
#define PT_WIRE_PATH_MAX 4096
/* Most bytes of argument vector the BPF side copies (a power of two). */
#define PT_WIRE_ARGS_MAX 32768

enum pt_wire_type {
	PT_WIRE_EXEC = 1,
	PT_WIRE_EXIT = 2,
	PT_WIRE_FORK = 3,
};

/* pt_wire_event.flags */
#define PT_WIRE_F_ARGS_TRUNCATED (1u << 0)

struct pt_wire_event {
	__u16 type;		/* enum pt_wire_type */
	__u16 flags;		/* PT_WIRE_F_* */
	/*
	 * EXEC: bytes of filename that follow this header, including the NUL
	 * the kernel's string copy always writes, then args_len bytes of
	 * argument vector (NUL-separated strings, the last one cut short if
	 * PT_WIRE_F_ARGS_TRUNCATED).  0 for records without them.
	 */
	__u16 filename_len;
	__u16 args_len;		/* fits: at most PT_WIRE_ARGS_MAX */
	__u32 pid;		/* thread-group id */
	__u32 ppid;		/* thread-group id of the real parent */
	__u32 exit_code;	/* EXIT: the wait(2) status, as the kernel keeps it */
	__u32 uid;		/* real uid, initial user namespace */
	__u32 gid;
	__s32 ns_pid;		/* tgid in the process's own pid namespace */
	__u64 cgroup_id;	/* cgroup v2 id */
	__u64 ts_boot_ns;	/* CLOCK_BOOTTIME when the event happened */
	__u64 start_boot_ns;	/* CLOCK_BOOTTIME when the process was created */
	char comm[PT_WIRE_COMM_LEN];
	/* followed by filename_len + args_len bytes */
};

/* Indexes into the per-CPU "loss" counters. */
enum pt_wire_loss {
	PT_LOSS_RING_FULL = 0,	/* no room in the ring buffer */
	PT_LOSS_OTHER = 1,	/* no scratch memory, or any other failure */
	PT_LOSS_NR,
};

#endif /* PROCTRACE_WIRE_H */
