/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The record format between the BPF program and the library.
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

enum pt_wire_type {
	PT_WIRE_EXEC = 1,
	PT_WIRE_EXIT = 2,
};

struct pt_wire_event {
	__u16 type;		/* enum pt_wire_type */
	/*
	 * Bytes of filename that follow this header, including the NUL the
	 * kernel's string copy always writes; 0 for records without one.
	 */
	__u16 filename_len;
	__u32 pid;		/* thread-group id */
	__u32 ppid;		/* thread-group id of the real parent */
	__u32 exit_code;	/* task->exit_code as the kernel keeps it */
	__u64 ts_boot_ns;	/* CLOCK_BOOTTIME when the event happened */
	__u64 start_boot_ns;	/* CLOCK_BOOTTIME when the process was created */
	char comm[PT_WIRE_COMM_LEN];
	/* followed by filename_len bytes of filename */
};

#endif /* PROCTRACE_WIRE_H */
