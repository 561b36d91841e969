/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The record format between the BPF program and the library, and the
 * layout of the loss counters the program keeps.
 *
 * This is private to libproctrace: the BPF object and the library that
 * embeds it are always built together, so this layout may change freely.
 * The public, stable layout is struct proctrace_event in
 * <proctrace/proctrace.h>; lib/event_decode.c translates one into the other.
 *
 * Adding a field: a per-process one is a line of bpf/proctrace_fields.h,
 * which makes its member here; another fixed-size one goes into struct
 * pt_wire_event; a string goes at the
 * end of enum pt_wire_str, and its bytes after the others' in the record.
 * The decoder checks every length generically, so a new string needs no
 * new bounds check, only its meaning (see lib/event_decode.c).
 */
#ifndef PROCTRACE_WIRE_H
#define PROCTRACE_WIRE_H

#include <linux/types.h>

#include "proctrace_fields.h"

#define PT_WIRE_COMM_LEN 16
/*
 * Most threads the compat variant walks for an EXIT's usage
 * (bpf/pt_usage.h), where it has no bpf_loop() and each step of a plain
 * loop is verified on its own (docs/design.md, "Bounded loops"); the full
 * variant walks up to 65,536.  lib/features.c names it.
 */
#define PT_WIRE_USAGE_BOUNDED_THREADS 256
/* Longest filename the BPF side copies, including its terminating NUL. */
#define PT_WIRE_PATH_MAX 4096
/* Most bytes of argument vector the BPF side copies (a power of two). */
#define PT_WIRE_ARGS_MAX 32768
/*
 * Most bytes of argument vector in a snapshot record: the kernel's
 * iterator output holds at most 32 KiB per process (its seq_file buffer),
 * which must also hold the header, an executable path and the working
 * directory.
 */
#define PT_WIRE_SNAPSHOT_ARGS_MAX (PT_WIRE_ARGS_MAX - 2 * PT_WIRE_PATH_MAX - 512)

enum pt_wire_type {
	PT_WIRE_EXEC = 1,
	PT_WIRE_EXIT = 2,
	PT_WIRE_FORK = 3,
	PT_WIRE_PROCESS = 4,	/* snapshot: a process alive at start */
	PT_WIRE_EXEC_FAILED = 5,	/* an execve()/execveat() that returned an error */
	PT_WIRE_CRED_CHANGE = 6,	/* ids or capabilities changed without exec */
};

/*
 * The variable-length parts of a record, in this order after the header;
 * pt_wire_event.len[] gives each one's length (0: absent).
 */
enum pt_wire_str {
	/* EXEC, EXEC_FAILED: the name passed to exec, NUL-terminated. */
	PT_WIRE_STR_FILENAME = 0,
	/*
	 * EXEC, PROCESS, EXEC_FAILED: the argument vector, NUL-separated
	 * strings, the last one cut short (no NUL) if PT_WIRE_F_ARGS_TRUNCATED.
	 */
	PT_WIRE_STR_ARGS = 1,
	/* EXEC, PROCESS: the resolved executable, NUL-terminated. */
	PT_WIRE_STR_EXE = 2,
	/* EXEC, PROCESS, EXEC_FAILED: the working directory (bpf/pt_cwd.h). */
	PT_WIRE_STR_CWD = 3,
	/* EXEC_FAILED from execveat() with a descriptor: its file's path. */
	PT_WIRE_STR_DIRFD_PATH = 4,
	PT_WIRE_STR_NR,
};

/* pt_wire_event.flags */
#define PT_WIRE_F_ARGS_TRUNCATED (1u << 0)
#define PT_WIRE_F_EXE_TRUNCATED (1u << 1)	/* PT_PATH_F_TRUNCATED */
#define PT_WIRE_F_EXE_UNREACHABLE (1u << 2)	/* PT_PATH_F_UNREACHABLE */
/* EXEC_FAILED: the filename as passed was longer than PT_WIRE_PATH_MAX - 1. */
#define PT_WIRE_F_FILENAME_TRUNCATED (1u << 4)
/* EXEC_FAILED: a 32-bit (compat) system call. */
#define PT_WIRE_F_COMPAT (1u << 5)
/* EXEC_FAILED: execveat(), so dirfd and at_flags are what was passed. */
#define PT_WIRE_F_EXECVEAT (1u << 6)
/* The working directory (see bpf/pt_cwd.h). */
#define PT_WIRE_F_CWD_TRUNCATED (1u << 7)
#define PT_WIRE_F_CWD_UNREACHABLE (1u << 8)
#define PT_WIRE_F_CWD_DELETED (1u << 9)
/* EXEC_FAILED: the argument vector could not be read to its end. */
#define PT_WIRE_F_ARGS_UNREADABLE (1u << 10)
/* EXEC: privilege rose, by a set-user-id or set-group-id file mode, file capabilities. */
#define PT_WIRE_F_PRIV_SETUID (1u << 11)
#define PT_WIRE_F_PRIV_SETGID (1u << 12)
#define PT_WIRE_F_PRIV_FILE_CAPS (1u << 13)
/* pt_wire_event.old holds the credentials before the event. */
#define PT_WIRE_F_OLD_CREDS (1u << 14)
/* CRED_CHANGE: the supplementary groups changed. */
#define PT_WIRE_F_GROUPS_CHANGED (1u << 15)

/*
 * Errno values the in-kernel filter of failed exec attempts knows one by
 * one (a bit each); larger ones follow exec_failed_other_errnos.
 */
#define PT_WIRE_ERRNO_WORDS 3
#define PT_WIRE_ERRNO_LIMIT (PT_WIRE_ERRNO_WORDS * 64)

/* execve()'s implied dirfd; the value of <fcntl.h>, fixed by the kernel ABI. */
#define PT_AT_FDCWD (-100)

typedef char pt_wire_comm_t[PT_WIRE_COMM_LEN];

/* A process's credentials: ids in the initial user namespace, capability sets. */
struct pt_wire_creds {
	__u32 uid, gid, euid, suid, fsuid, egid, sgid, fsgid;
	__u64 cap_effective, cap_permitted, cap_inheritable;
};

/* A member of struct pt_wire_event from the list of bpf/proctrace_fields.h. */
#define PT_WIRE_MEMBER(name, wire, wire_type, ...) wire_type wire;

struct pt_wire_event {
	__u16 type;		/* enum pt_wire_type */
	__u16 flags;		/* PT_WIRE_F_* */
	__u32 exit_code;	/* EXIT: the wait(2) status, as the kernel keeps it */
	/* Every process field of the list, filled by fill_common(). */
	PT_PROCESS_FIELDS(PT_WIRE_MEMBER)
	__u64 ts_boot_ns;	/* CLOCK_BOOTTIME when the event happened */
	/* EXEC_FAILED: the errno the system call returned (positive). */
	__s32 error;
	/* EXEC_FAILED from execveat(): its dirfd and flags arguments. */
	__s32 dirfd;
	__u32 at_flags;
	/*
	 * With PT_WIRE_F_OLD_CREDS: the credentials before the event (EXEC
	 * that raised privilege, CRED_CHANGE); the header's are the new ones.
	 */
	struct pt_wire_creds old;
	/* Bytes of each enum pt_wire_str part that follows, in that order. */
	__u16 len[PT_WIRE_STR_NR];
	/* (padding up to 8 bytes, zeroed by the BPF side) */
};

/*
 * The snapshot's records follow one another in one stream, each padded
 * to a multiple of this, like the ring buffer's.
 */
#define PT_WIRE_ALIGN 8

/* pt_wire_usage.flags: the kernel has no such counter (config off). */
#define PT_WIRE_USAGE_F_NO_IO_BYTES (1u << 0)	/* read_bytes, write_bytes */
#define PT_WIRE_USAGE_F_NO_IO_CHARS (1u << 1)	/* rchar, wchar */

/*
 * What a process used, as the kernel counts it, taken when its last
 * thread exits (bpf/pt_usage.h); it follows the header of every EXIT
 * record.  Raw counters: the library turns them into the public fields
 * (lib/usage.c), e.g. scales the CPU times as getrusage() does.
 */
struct pt_wire_usage {
	__u32 flags;		/* PT_WIRE_USAGE_F_* */
	__u32 reserved;
	__u64 runtime_ns;	/* exact time on a CPU, all threads */
	__u64 utime_ns;		/* tick-sampled user time, all threads */
	__u64 stime_ns;		/* tick-sampled system time, all threads */
	__u64 prev_utime_ns;	/* signal->prev_cputime: last reported */
	__u64 prev_stime_ns;
	__u64 maxrss_pages;
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 min_flt;
	__u64 maj_flt;
	__u64 rchar;
	__u64 wchar;
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 cutime_ns;	/* children waited for, already scaled */
	__u64 cstime_ns;
	__u64 cmaxrss_pages;
};

/* Indexes into the per-CPU "loss" counters. */
enum pt_wire_loss {
	PT_LOSS_RING_FULL = 0,	/* no room in the ring buffer */
	PT_LOSS_OTHER = 1,	/* no scratch memory, or any other failure */
	PT_LOSS_NR,
};

#endif /* PROCTRACE_WIRE_H */
