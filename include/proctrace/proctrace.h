/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file proctrace.h
 * @brief libproctrace: process exec and exit events from the kernel, through a callback.
 *
 * Reports, for every process on the machine, when it executes a program
 * (exec) and when it ends (exit); if asked, also when it is created (fork),
 * the processes already running, and failed exec attempts.  A session:
 * proctrace_open(), proctrace_start(), proctrace_poll() in a loop,
 * proctrace_close().  proctrace(3) has examples.
 *
 * @par Conventions
 * - Functions that return int return 0 (or a count) on success and a negative
 *   errno value on failure; they also set errno to the positive value.
 *   Functions that return a pointer return NULL on failure and set errno.
 * - Every failure also sends one line to the log callback (the handle's
 *   own, proctrace_opts::log_fn, else the process-wide one of
 *   proctrace_set_log()) that says what went wrong and what to do.
 * - The library prints nothing by itself except through that callback, whose
 *   default writes warnings to stderr prefixed with "libproctrace: ".
 *
 * @par Thread safety
 * A handle is not thread-safe: use it from one thread at a time (different
 * handles may be used from different threads at once).
 * proctrace_set_log() changes process-wide state: call it before creating
 * handles, or give each handle its own proctrace_opts::log_fn.  The other
 * global functions (version queries, proctrace_signal_name()) are
 * thread-safe.
 *
 * @par ABI
 * Symbols are versioned and never removed; public structures only grow at
 * their end and start with their size: set by the caller for those passed
 * in (PROCTRACE_OPTS()), by the library for those passed out
 * (struct proctrace_event).
 */
#ifndef PROCTRACE_PROCTRACE_H
#define PROCTRACE_PROCTRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PROCTRACE_API
#define PROCTRACE_API __attribute__((visibility("default")))
#endif

/** @brief Major version of the header the application was compiled with. @since 0.1 */
#define PROCTRACE_VERSION_MAJOR 0
/** @brief Minor version of the header the application was compiled with. @since 0.1 */
#define PROCTRACE_VERSION_MINOR 3
/** @brief Patch version of the header the application was compiled with. @since 0.1 */
#define PROCTRACE_VERSION_PATCH 2

/** @brief Size of struct proctrace_event::comm, including the terminating NUL. @since 0.1 */
#define PROCTRACE_COMM_LEN 16

/** @brief Opaque tracing session. Create with proctrace_open(). @since 0.1 */
struct proctrace;

/** @brief What happened to a process: struct proctrace_event::type. */
enum proctrace_event_type {
	/** The process executed a new program (execve(2) and friends succeeded). @since 0.1 */
	PROCTRACE_EVENT_EXEC = 1,
	/** The process ended: its last thread exited.  Exactly one per
	 * process, never for a thread; queued before wait(2) can report the
	 * end (see proctrace_poll()).  @since 0.1 */
	PROCTRACE_EVENT_EXIT = 2,
	/** A new process was created (fork(2), vfork(2), clone(2) without
	 * CLONE_THREAD).  Only with PROCTRACE_OPT_FORK_EVENTS.  @since 0.2 */
	PROCTRACE_EVENT_FORK = 3,
	/** A process already running when tracing started, with the fields of
	 * an EXEC but @c filename: see PROCTRACE_OPT_SNAPSHOT.  Also what
	 * proctrace_process_lookup() returns.  @since 0.3 */
	PROCTRACE_EVENT_PROCESS = 4,
	/** An execve(2) or execveat(2) returned an error (a PATH search makes
	 * one per directory tried).  Only with PROCTRACE_OPT_EXEC_FAILED.
	 * @since 0.3 */
	PROCTRACE_EVENT_EXEC_FAILED = 5,
	/** A thread's ids or capability sets changed without an exec
	 * (setuid(2), setresuid(2), setgid(2), setgroups(2), capset(2) and
	 * the like): the new ones in @c uid ... @c cap_inheritable, the old
	 * ones in @c old_uid ... @c old_cap_inheritable.  One per system
	 * call that changed something, per thread (the C library's setuid()
	 * makes one call per thread of the process).  Only with
	 * PROCTRACE_OPT_CRED_CHANGES.  @since 0.4 */
	PROCTRACE_EVENT_CRED_CHANGE = 6,
};

/* Bits of struct proctrace_event::flags: each qualifies another field. */

/** @brief @c args was cut at opts.max_args_size bytes (PROCESS: also at
 * 24 KiB); its last string may be cut short.  @since 0.2 */
#define PROCTRACE_EVENT_F_ARGS_TRUNCATED (1u << 0)
/** @brief EXIT: the process was killed by a signal and dumped core. @since 0.2 */
#define PROCTRACE_EVENT_F_CORE_DUMPED (1u << 1)
/** @brief @c exe is longer than PATH_MAX or deeper than 128 components: it
 * holds the path's last components.  @since 0.3 */
#define PROCTRACE_EVENT_F_EXE_TRUNCATED (1u << 2)
/** @brief @c exe is not reachable from the root of the process's mount
 * namespace (a detached mount, e.g. after umount -l): it is the path inside
 * its own file system.  @since 0.3 */
#define PROCTRACE_EVENT_F_EXE_UNREACHABLE (1u << 3)
/** @brief With PROCTRACE_OPT_SNAPSHOT: the library does not know the
 * program (its exec was lost or filtered out), so @c filename, @c exe,
 * @c args and @c cwd are NULL; it never guesses from a reused pid.
 * @since 0.3 */
#define PROCTRACE_EVENT_F_PROGRAM_UNKNOWN (1u << 4)
/** @brief EXEC_FAILED: @c filename was longer than 4095 bytes and is cut there. @since 0.3 */
#define PROCTRACE_EVENT_F_FILENAME_TRUNCATED (1u << 5)
/** @brief EXEC_FAILED: a 32-bit program made the call (a compat system call). @since 0.3 */
#define PROCTRACE_EVENT_F_COMPAT (1u << 6)
/** @brief @c cwd was longer than 4095 bytes or deeper than 128 components:
 * only its last components are kept.  @since 0.3 */
#define PROCTRACE_EVENT_F_CWD_TRUNCATED (1u << 7)
/** @brief The working directory had been removed (rmdir(2)): @c cwd is the
 * path it had (which /proc/PID/cwd shows followed by " (deleted)").
 * @since 0.3 */
#define PROCTRACE_EVENT_F_CWD_DELETED (1u << 8)
/** @brief The working directory is not below the process's root directory (it
 * entered a chroot(2) elsewhere): @c cwd is its path from the root of the
 * process's mount namespace instead.  @since 0.3 */
#define PROCTRACE_EVENT_F_CWD_UNREACHABLE (1u << 9)
/** @brief EXEC_FAILED: @c args holds the strings before one that could not
 * be read from the caller's memory: a bad pointer, or possibly a string it
 * has not touched since fork(2) when the call failed early.  Since 0.4 also
 * PROCESS (and EXIT and FORK with its program) on the compat programs
 * (proctrace_features(), PROCTRACE_FEATURE_SNAPSHOT degraded): the process
 * ended before its arguments could be read from /proc, and @c args is
 * NULL.  @since 0.3 */
#define PROCTRACE_EVENT_F_ARGS_UNREADABLE (1u << 10)
/** @brief EXIT: @c read_bytes and @c write_bytes are 0 because the kernel
 * does not count them (no CONFIG_TASK_IO_ACCOUNTING).  @since 0.3 */
#define PROCTRACE_EVENT_F_NO_IO_BYTES (1u << 11)
/** @brief EXIT: @c rchar and @c wchar are 0 because the kernel does not
 * count them (no CONFIG_TASK_XACCT).  @since 0.3 */
#define PROCTRACE_EVENT_F_NO_IO_CHARS (1u << 12)
/** @brief EXEC: privilege rose through a set-user-id file: the file has
 * S_ISUID and the effective uid is now other than the real one.  @since 0.4 */
#define PROCTRACE_EVENT_F_PRIV_SETUID (1u << 13)
/** @brief EXEC: privilege rose through a set-group-id file (S_ISGID with
 * group execute): the effective gid is now other than the real one.
 * @since 0.4 */
#define PROCTRACE_EVENT_F_PRIV_SETGID (1u << 14)
/** @brief EXEC: privilege rose through file capabilities: a process of a
 * non-root real and effective uid holds permitted capabilities beyond its
 * ambient set.  @since 0.4 */
#define PROCTRACE_EVENT_F_PRIV_FILE_CAPS (1u << 15)
/** @brief @c old_uid ... @c old_cap_inheritable hold the credentials just
 * before the event: always on CRED_CHANGE; on an EXEC with a
 * PROCTRACE_EVENT_F_PRIV_* flag unless they could not be kept (rare: two
 * execs at once whose pids are equal modulo 1024).  @since 0.4 */
#define PROCTRACE_EVENT_F_OLD_CREDS (1u << 16)
/** @brief CRED_CHANGE: the supplementary groups changed (setgroups(2)). @since 0.4 */
#define PROCTRACE_EVENT_F_GROUPS_CHANGED (1u << 17)
/** @brief Any of the PROCTRACE_EVENT_F_PRIV_* flags: an EXEC that raised privilege. @since 0.4 */
#define PROCTRACE_EVENT_F_PRIV_RAISED                                         \
	(PROCTRACE_EVENT_F_PRIV_SETUID | PROCTRACE_EVENT_F_PRIV_SETGID |      \
	 PROCTRACE_EVENT_F_PRIV_FILE_CAPS)

/**
 * @brief One process event, as handed to the event callback.
 *
 * Fields are only ever appended, never removed, moved or given a new
 * meaning; read one added after the oldest library you support only if
 * @c size covers it (PROCTRACE_EVENT_HAS()).  A field the event's type
 * does not have is 0 (NULL for a pointer).  The event and its strings
 * belong to the library and are valid only until the callback returns (a
 * lookup's: see proctrace_process_lookup()).  Strings come from the traced
 * processes: they may hold any byte but NUL (control characters, escape
 * sequences, invalid UTF-8); escape them before display.
 * @since 0.1
 */
struct proctrace_event {
	/** Size in bytes of this structure as filled by the library. @since 0.1 */
	size_t size;
	/** An enum proctrace_event_type value. @since 0.1 */
	uint32_t type;
	/** Process id (thread-group id), initial pid namespace; FORK: the child's. @since 0.1 */
	int32_t pid;
	/** Process id of the real parent at the event; FORK: the forking process. @since 0.1 */
	int32_t ppid;
	/** EXIT: the exit status (0-255) wait(2) gives the parent
	 * (WEXITSTATUS); 0 if a signal killed it (@c signal).  @since 0.1 */
	int32_t exit_code;
	/** When the event happened, in nanoseconds since the Unix epoch, on the
	 * wall clock (CLOCK_REALTIME) as set when it is delivered.  @since 0.1 */
	uint64_t timestamp_ns;
	/** EXIT: how long the process lived, in nanoseconds, from its fork
	 * (also before tracing started) to its last thread's exit.
	 * @since 0.1 */
	uint64_t duration_ns;
	/** Command name (the task comm) at the event, NUL-terminated.  EXEC:
	 * the new program's; FORK: the parent's, which the child starts with.
	 * @since 0.1 */
	char comm[PROCTRACE_COMM_LEN];
	/** EXEC, EXEC_FAILED: the filename as passed to exec, not resolved
	 * against $PATH or symlinks, up to 4095 bytes.  EXIT and FORK with
	 * PROCTRACE_OPT_SNAPSHOT (since 0.3): the program's; NULL if it is
	 * unknown or known only from the snapshot.  @since 0.1 */
	const char *filename;

	/* ---- Added in 0.2; check with PROCTRACE_EVENT_HAS(). ---- */

	/** EXEC, EXEC_FAILED: the program's argument vector as main()
	 * receives it, @c args_count NUL-terminated strings and a NULL
	 * pointer, at most opts.max_args_size bytes (counting each NUL; see
	 * PROCTRACE_EVENT_F_ARGS_TRUNCATED).  Since 0.3 also PROCESS, and
	 * EXIT and FORK with PROCTRACE_OPT_SNAPSHOT: the program's.
	 * @since 0.2 */
	const char *const *args;
	/** Number of strings in @c args; 0 when it is NULL. @since 0.2 */
	uint32_t args_count;
	/** PROCTRACE_EVENT_F_* bits. @since 0.2 */
	uint32_t flags;
	/** EXIT: the signal that killed the process (WTERMSIG; named by
	 * proctrace_signal_name()), or 0 if it exited by itself (then
	 * @c exit_code is its status).  See PROCTRACE_EVENT_F_CORE_DUMPED.
	 * @since 0.2 */
	int32_t signal;
	/** Real user id at the event (EXEC: after it), initial user namespace. @since 0.2 */
	uint32_t uid;
	/** Real group id of the process, like @c uid. @since 0.2 */
	uint32_t gid;
	/** The pid the process sees for itself (getpid()) in its own pid namespace. @since 0.2 */
	int32_t ns_pid;
	/** Id (directory inode number) of the process's cgroup v2, or 0. @since 0.2 */
	uint64_t cgroup_id;

	/* ---- Added in 0.3; check with PROCTRACE_EVENT_HAS(). ---- */

	/** When the process was created (its fork), in nanoseconds since the
	 * Unix epoch, the same on each of its events in a session.  With
	 * @c pid, the key of a process across pid reuse.  @since 0.3 */
	uint64_t start_time_ns;
	/** The same for the real parent (@c ppid) at the time of the event; 0
	 * if the parent is the kernel (pid 0).  @since 0.3 */
	uint64_t parent_start_time_ns;
	/** EXEC, PROCESS: the absolute path of the file executed (for a "#!"
	 * script, its interpreter), as /proc/PID/exe shows it at the event
	 * but without " (deleted)"; see the PROCTRACE_EVENT_F_EXE_* flags.
	 * EXIT and FORK with PROCTRACE_OPT_SNAPSHOT: the program's.
	 * @since 0.3 */
	const char *exe;
	/** With PROCTRACE_OPT_SNAPSHOT: the path of cgroup @c cgroup_id from
	 * the cgroup2 root, e.g. "/system.slice/ssh.service", as when the
	 * library first met that id (a later rename may not show); NULL if
	 * the cgroup was already gone then or there is no cgroup2 mount.
	 * @since 0.3 */
	const char *cgroup;
	/** EXEC_FAILED: the error the call returned, a positive errno value. @since 0.3 */
	int32_t error;
	/** EXEC_FAILED: execveat(2)'s @c dirfd; else AT_FDCWD (-100). @since 0.3 */
	int32_t exec_dirfd;
	/** EXEC_FAILED: execveat(2)'s @c flags (AT_EMPTY_PATH, ...); else 0. @since 0.3 */
	uint32_t exec_at_flags;
	/** Reserved, 0. @since 0.3 */
	uint32_t reserved0;
	/** EXEC, EXEC_FAILED, PROCESS: the working directory then, as
	 * getcwd(3) would give it in the process; see the
	 * PROCTRACE_EVENT_F_CWD_* flags.  EXIT and FORK with
	 * PROCTRACE_OPT_SNAPSHOT, and lookups (since 0.4): the program's
	 * (where it started, not where the process ended).  @since 0.3 */
	const char *cwd;
	/** EXEC_FAILED from execveat(2) with a descriptor: the path of its
	 * file (with AT_EMPTY_PATH, the file to execute); NULL if it was not
	 * open.  @since 0.3 */
	const char *exec_dirfd_path;

	/*
	 * What the process used, all its threads together, as its last thread
	 * exits; without its children but in the I/O counters.  wait4()'s
	 * rusage adds the children_* fields and may be a little higher (the
	 * last thread's final moments: at most about a tick of CPU time, one
	 * voluntary context switch).
	 */

	/** EXIT: user CPU time of the process, in nanoseconds, as getrusage()
	 * and wait4() report it (/proc/PID/stat's utime).  @since 0.3 */
	uint64_t cpu_user_ns;
	/** EXIT: system CPU time, in nanoseconds; see @c cpu_user_ns. @since 0.3 */
	uint64_t cpu_sys_ns;
	/** EXIT: peak resident set size in bytes, as ru_maxrss (in KiB) for the
	 * process alone, programs before an exec included.  @since 0.3 */
	uint64_t max_rss_bytes;
	/** EXIT: bytes the process caused to be read from storage (not the
	 * page cache), as read_bytes of /proc/PID/io, which includes the
	 * children it waited for; see PROCTRACE_EVENT_F_NO_IO_BYTES.
	 * @since 0.3 */
	uint64_t read_bytes;
	/** EXIT: bytes the process caused to be written to storage, as
	 * write_bytes of /proc/PID/io (cancelled_write_bytes not subtracted;
	 * 0 on tmpfs), with children and a flag as @c read_bytes.  @since 0.3 */
	uint64_t write_bytes;
	/** EXIT: bytes through read(2)-like calls, storage or not, as rchar of
	 * /proc/PID/io; see PROCTRACE_EVENT_F_NO_IO_CHARS.  @since 0.3 */
	uint64_t rchar;
	/** EXIT: bytes passed through write(2)-like calls, as wchar; see @c rchar. @since 0.3 */
	uint64_t wchar;
	/** EXIT: voluntary context switches (it blocked), as ru_nvcsw. @since 0.3 */
	uint64_t ctx_voluntary;
	/** EXIT: involuntary context switches (it was preempted), as ru_nivcsw. @since 0.3 */
	uint64_t ctx_involuntary;
	/** EXIT: minor page faults (no I/O needed), as ru_minflt. @since 0.3 */
	uint64_t min_flt;
	/** EXIT: major page faults (read from storage), as ru_majflt. @since 0.3 */
	uint64_t maj_flt;
	/** EXIT: user CPU time, in nanoseconds, of the children the process
	 * waited for and, recursively, theirs, as getrusage(RUSAGE_CHILDREN)
	 * gives it (cutime).  Children not waited for are not included.
	 * @since 0.3 */
	uint64_t children_cpu_user_ns;
	/** EXIT: system CPU time of the waited-for children (cstime). @since 0.3 */
	uint64_t children_cpu_sys_ns;
	/** EXIT: the largest peak RSS of the waited-for children,
	 * recursively, in bytes (cmaxrss). @since 0.3 */
	uint64_t children_max_rss_bytes;

	/* ---- Added in 0.4; check with PROCTRACE_EVENT_HAS(). ---- */

	/*
	 * The process's credentials at the event (EXEC: after it), as
	 * /proc/PID/status shows them: ids in the initial user namespace like
	 * @c uid, capability sets as 64-bit masks (bit N: capability N, e.g.
	 * CAP_NET_RAW is 13).
	 */

	/** Effective user id, the one permission checks use. @since 0.4 */
	uint32_t euid;
	/** Saved set-user-id. @since 0.4 */
	uint32_t suid;
	/** File-system user id (setfsuid(2)). @since 0.4 */
	uint32_t fsuid;
	/** Effective group id. @since 0.4 */
	uint32_t egid;
	/** Saved set-group-id. @since 0.4 */
	uint32_t sgid;
	/** File-system group id. @since 0.4 */
	uint32_t fsgid;
	/** Effective capability set (CapEff). @since 0.4 */
	uint64_t cap_effective;
	/** Permitted capability set (CapPrm). @since 0.4 */
	uint64_t cap_permitted;
	/** Inheritable capability set (CapInh). @since 0.4 */
	uint64_t cap_inheritable;

	/*
	 * With PROCTRACE_EVENT_F_OLD_CREDS (CRED_CHANGE; an EXEC that raised
	 * privilege): the credentials just before the event, like the
	 * fields above; else 0.
	 */

	/** Real user id before the event. @since 0.4 */
	uint32_t old_uid;
	/** Real group id before the event. @since 0.4 */
	uint32_t old_gid;
	/** Effective user id before the event. @since 0.4 */
	uint32_t old_euid;
	/** Saved set-user-id before the event. @since 0.4 */
	uint32_t old_suid;
	/** File-system user id before the event. @since 0.4 */
	uint32_t old_fsuid;
	/** Effective group id before the event. @since 0.4 */
	uint32_t old_egid;
	/** Saved set-group-id before the event. @since 0.4 */
	uint32_t old_sgid;
	/** File-system group id before the event. @since 0.4 */
	uint32_t old_fsgid;
	/** Effective capability set before the event. @since 0.4 */
	uint64_t old_cap_effective;
	/** Permitted capability set before the event. @since 0.4 */
	uint64_t old_cap_permitted;
	/** Inheritable capability set before the event. @since 0.4 */
	uint64_t old_cap_inheritable;
};

/** @brief True if @p event, as filled by the library, includes @p field. @since 0.1 */
#define PROCTRACE_EVENT_HAS(event, field)                                     \
	((event)->size >= offsetof(struct proctrace_event, field) +           \
			  sizeof((event)->field))

/**
 * @brief Event callback.
 *
 * Called from within proctrace_poll() or proctrace_poll_n(), once per
 * event, on the thread that called it.  It must not call the library with
 * the same handle, except proctrace_fd() and proctrace_process_lookup().
 *
 * @param event the event; valid only until the callback returns.
 * @param ctx the @c ctx pointer given to proctrace_open().
 * @return 0 to continue; any other value stops the delivery after this
 *         event, and the poll returns it: use a negative value, which
 *         cannot be mistaken for an event count.
 * @since 0.1
 */
typedef int (*proctrace_event_fn)(const struct proctrace_event *event, void *ctx);

/** @brief Severity of a log message. @since 0.1 */
enum proctrace_log_level {
	/** Something failed or was lost. The default callback prints these. */
	PROCTRACE_LOG_WARN = 0,
	/** Progress worth knowing about (what was loaded and attached). */
	PROCTRACE_LOG_INFO = 1,
	/** Details for debugging, including libbpf's and the verifier's output. */
	PROCTRACE_LOG_DEBUG = 2,
};

/**
 * @brief Log callback.
 * @param level severity of the message.
 * @param msg one line of text, without a trailing newline; valid only
 *        during the call.
 * @param ctx the @c ctx given to proctrace_set_log(), or opts.log_ctx for
 *        a handle's own callback (proctrace_opts::log_fn).
 * @since 0.1
 */
typedef void (*proctrace_log_fn)(enum proctrace_log_level level,
				 const char *msg, void *ctx);

/**
 * @brief Options for proctrace_open().
 *
 * Declare with PROCTRACE_OPTS(), which sets @c sz and zeroes every other
 * byte; zero means "default" for every field.  proctrace_open() copies
 * what it needs: the structure, its strings and lists may then be freed.
 * Fields are only appended; a library given a larger structure than it
 * knows fails with -EINVAL unless every byte it does not know is zero.
 *
 * The filters combine with AND and with the minimum duration; events they
 * drop take no ring-buffer space and are not counted as lost.
 * @since 0.1
 */
struct proctrace_opts {
	/** Size of this structure: sizeof(struct proctrace_opts). @since 0.1 */
	size_t sz;
	/** Minimum lifetime to report, in nanoseconds: as
	 * proctrace_set_min_duration(). @since 0.1 */
	uint64_t min_duration_ns;
	/** Path of a kernel BTF file to load against; NULL: the running
	 * kernel's (/sys/kernel/btf/vmlinux).  @since 0.1 */
	const char *btf_path;

	/* ---- Added in 0.2. ---- */

	/** PROCTRACE_OPT_* bits; an unknown bit fails with -EINVAL. @since 0.2 */
	uint32_t flags;
	/** Bytes of each exec's argument vector to report, counting each
	 * string's NUL; 0 for PROCTRACE_ARGS_SIZE_DEFAULT, at most
	 * PROCTRACE_ARGS_SIZE_MAX.  @since 0.2 */
	uint32_t max_args_size;
	/** Size in bytes of the kernel ring buffer that holds events until
	 * they are delivered; 0 for PROCTRACE_RING_SIZE_DEFAULT.  A power of
	 * two up to PROCTRACE_RING_SIZE_MAX that holds two of the largest exec
	 * records (a 4096-byte filename and max_args_size bytes: 32 KiB with
	 * the default), a minimum proctrace_open() names when it refuses a
	 * size.  Events that find it full are lost and counted.  @since 0.2 */
	uint32_t ring_buffer_size;
	/** Longest time, in milliseconds, an event waits in the kernel before
	 * the reader is woken (see proctrace_fd()); 0 for
	 * PROCTRACE_LATENCY_DEFAULT_MS, at most PROCTRACE_LATENCY_MAX_MS.
	 * @since 0.2 */
	uint32_t max_latency_ms;
	/** Filter: report only this process and the descendants it creates
	 * after proctrace_start(), even once reparented; 0: none.  To trace a
	 * command with its true duration, set it to getpid() and create the
	 * command after the start (proctrace(3) has the recipe).  @since 0.2 */
	int32_t filter_pid;
	/** Filter: only processes of this real uid, with PROCTRACE_OPT_FILTER_UID. @since 0.2 */
	uint32_t filter_uid;
	/** Filter: only processes in this cgroup v2 (not its children); 0: none. @since 0.2 */
	uint64_t filter_cgroup_id;
	/** Filter: only processes whose comm is this (1 to 15 bytes); NULL: none. @since 0.2 */
	const char *filter_comm;

	/* ---- Added in 0.3. ---- */

	/** This handle's own log callback: it gets every message about the
	 * handle, from proctrace_open() (bad options included) to
	 * proctrace_close(), and the verifier's log at PROCTRACE_LOG_DEBUG, on
	 * the thread that called the library.  NULL: the process-wide
	 * callback.  @since 0.3 */
	proctrace_log_fn log_fn;
	/** Passed to @c log_fn as is. @since 0.3 */
	void *log_ctx;
	/** With PROCTRACE_OPT_EXEC_FAILED: the errnos (1 to 4095) of the
	 * failed exec attempts to report, ended by a 0; NULL: all.  With
	 * PROCTRACE_OPT_EXEC_FAILED_EXCEPT, those not to report (errnos from
	 * 192 up can only be left out this way, together).  @since 0.3 */
	const int32_t *exec_failed_errnos;
};

/** @brief proctrace_opts::flags: also deliver PROCTRACE_EVENT_FORK events. @since 0.2 */
#define PROCTRACE_OPT_FORK_EVENTS (1u << 0)
/** @brief proctrace_opts::flags: proctrace_opts::filter_uid is set. @since 0.2 */
#define PROCTRACE_OPT_FILTER_UID (1u << 1)
/** @brief proctrace_opts::flags: wake the reader for every event. @since 0.2 */
#define PROCTRACE_OPT_WAKE_EVERY_EVENT (1u << 2)
/**
 * @brief proctrace_opts::flags: describe the processes already running and
 * keep a table of the live processes.
 *
 * The first polls deliver a PROCTRACE_EVENT_PROCESS per user-space process
 * alive when proctrace_start() returned, before any other event: each is
 * described once, by that event or by the live events that follow, never
 * as alive after its EXIT.  EXIT and FORK events carry the program
 * (@c filename, @c exe, @c args, @c cwd), every event its @c cgroup, and
 * proctrace_process_lookup() works.  Below Linux 5.18 the arguments of
 * the processes described come from /proc (see proctrace_features()).
 * @since 0.3
 */
#define PROCTRACE_OPT_SNAPSHOT (1u << 3)
/** @brief proctrace_opts::flags: also deliver PROCTRACE_EVENT_EXEC_FAILED
 * events (x86-64 only).  @since 0.3 */
#define PROCTRACE_OPT_EXEC_FAILED (1u << 4)
/** @brief proctrace_opts::flags: exec_failed_errnos are those not to report. @since 0.3 */
#define PROCTRACE_OPT_EXEC_FAILED_EXCEPT (1u << 5)
/** @brief proctrace_opts::flags: run the programs made for old kernels
 * (Linux 5.8 on) even where the kernel offers more, so that every
 * capability runs in its degraded form (see proctrace_features()): to see
 * or test on a new kernel what an old one gives.  @since 0.4 */
#define PROCTRACE_OPT_COMPAT (1u << 6)
/** @brief proctrace_opts::flags: also deliver PROCTRACE_EVENT_CRED_CHANGE
 * events (x86-64 and Linux 5.11 or later only: -EOPNOTSUPP otherwise).
 * Adds a little to every system call of the machine while on
 * (docs/performance.md).  @since 0.4 */
#define PROCTRACE_OPT_CRED_CHANGES (1u << 7)

/** @brief Default of proctrace_opts::max_args_size, in bytes. @since 0.2 */
#define PROCTRACE_ARGS_SIZE_DEFAULT 4096
/** @brief Largest proctrace_opts::max_args_size, in bytes. @since 0.2 */
#define PROCTRACE_ARGS_SIZE_MAX 32768
/** @brief Default of proctrace_opts::ring_buffer_size, in bytes. @since 0.2 */
#define PROCTRACE_RING_SIZE_DEFAULT (4u * 1024 * 1024)
/** @brief Default of proctrace_opts::max_latency_ms. @since 0.2 */
#define PROCTRACE_LATENCY_DEFAULT_MS 50
/** @brief Largest proctrace_opts::max_latency_ms. @since 0.3 */
#define PROCTRACE_LATENCY_MAX_MS 60000
/** @brief Largest proctrace_opts::ring_buffer_size, in bytes. @since 0.3 */
#define PROCTRACE_RING_SIZE_MAX (1u << 30)

/**
 * @brief Declare a struct proctrace_opts called @p NAME, zero-filled, with
 * @c sz set and the given designated initializers applied.
 *
 * @code
 * PROCTRACE_OPTS(opts, .min_duration_ns = 10 * 1000000ULL);
 * struct proctrace *pt = proctrace_open(cb, NULL, &opts);
 * @endcode
 *
 * In C++ before C++20, which has no designated initializers, write
 * @code struct proctrace_opts opts = {}; opts.sz = sizeof(opts); @endcode
 * @since 0.1
 */
#define PROCTRACE_OPTS(NAME, ...)                                             \
	struct proctrace_opts NAME = {                                        \
		.sz = sizeof(struct proctrace_opts), __VA_ARGS__              \
	}

/**
 * @brief Send the library's messages to @p fn instead of the default.
 *
 * Handles with their own callback (proctrace_opts::log_fn) are not
 * affected.  Process-wide and not thread-safe: call it before other
 * library calls.
 * @param fn the new callback; NULL silences the library entirely.
 * @param ctx passed to @p fn as is.
 * @return the previous callback (NULL if it was silenced).
 * @since 0.1
 */
PROCTRACE_API proctrace_log_fn proctrace_set_log(proctrace_log_fn fn, void *ctx);

/** @brief The default log callback, for applications that wrap it: writes
 * @p msg to stderr, prefixed with "libproctrace: ", if @p level is
 * PROCTRACE_LOG_WARN; ignores other levels and @p ctx.  @since 0.1 */
PROCTRACE_API void proctrace_log_stderr(enum proctrace_log_level level,
					const char *msg, void *ctx);

/**
 * @brief Create a tracing session. Nothing is loaded into the kernel yet.
 *
 * @param cb called once per event by the poll functions; must not be NULL.
 * @param ctx passed to @p cb as is.
 * @param opts options, or NULL for the defaults; not used after the call.
 * @return a new handle, to free with proctrace_close(); or NULL with errno
 *         EINVAL (NULL @p cb, invalid @p opts) or ENOMEM.
 * @since 0.1
 */
PROCTRACE_API struct proctrace *proctrace_open(proctrace_event_fn cb, void *ctx,
					       const struct proctrace_opts *opts);

/**
 * @brief Report only processes that lived at least @p min_duration_ns.
 *
 * When non-zero, no EXEC events are delivered, and an EXIT only for a
 * process whose struct proctrace_event::duration_ns is at least
 * @p min_duration_ns nanoseconds; FORK events are not affected, and the
 * events left out take no ring-buffer space.  0 (the default): no filter.
 * @return 0; -EINVAL if @p pt is NULL; -EBUSY after proctrace_start().
 * @since 0.1
 */
PROCTRACE_API int proctrace_set_min_duration(struct proctrace *pt,
					     uint64_t min_duration_ns);

/**
 * @brief Load the BPF program into the kernel, verify it and attach it.
 *
 * Events queue in the kernel from the moment this returns.  Privileges are
 * needed only here: the other calls need none.  A failed start may be
 * retried, except that after an out-of-memory failure while libbpf probed
 * the kernel's features it fails the same way until the process restarts.
 *
 * @return 0, or a negative errno:
 *         -EINVAL: @p pt is NULL, opts.filter_pid is a thread id, or
 *         PROCTRACE_OPT_SNAPSHOT is combined with a minimum duration;
 *         -EALREADY: already started;
 *         -EPERM: the caller lacks root, or CAP_BPF and CAP_PERFMON;
 *         -EOPNOTSUPP: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF) or
 *         lacks a BPF feature (Linux 5.8 is needed; 5.11 for
 *         PROCTRACE_OPT_EXEC_FAILED and PROCTRACE_OPT_CRED_CHANGES);
 *         -EACCES: the verifier refused a program on a kernel with every
 *         feature needed, a libproctrace bug to report (the message names
 *         the program and the reason; PROCTRACE_LOG_DEBUG has the whole
 *         verifier log);
 *         -ENOENT (or another access(2) errno): opts.btf_path unreadable;
 *         -ESRCH: opts.filter_pid names no process;
 *         another negative errno if loading failed otherwise.
 * @since 0.1
 */
PROCTRACE_API int proctrace_start(struct proctrace *pt);

/**
 * @brief Wait up to @p timeout_ms for events and deliver them.
 *
 * Delivers every queued event through the callback, first waiting up to
 * @p timeout_ms milliseconds if none is queued (0: do not wait, negative:
 * no limit).  A waiting call returns once events have waited
 * opts.max_latency_ms or fill an eighth of the ring buffer.
 *
 * Once wait(2) has reported that a process ended (or SIGCHLD for it
 * arrived, or its pidfd became readable), a call with @p timeout_ms 0
 * delivers its EXIT, unless the event was filtered out or lost (then
 * counted by proctrace_stats()) or the callback stops the delivery first.
 *
 * @return the number of events delivered (0 if the timeout passed); the
 *         callback's value if it returned non-zero (the delivery stops
 *         after that event); -EINTR if a signal interrupted the wait;
 *         -EINVAL if @p pt is NULL or not started.
 * @since 0.1
 */
PROCTRACE_API int proctrace_poll(struct proctrace *pt, int timeout_ms);

/**
 * @brief Like proctrace_poll(), but delivers at most @p max_events events,
 * so that an event loop gets control back however fast events arrive; the
 * rest stay queued, and proctrace_fd() readable.
 * @param pt as for proctrace_poll().
 * @param timeout_ms as for proctrace_poll().
 * @param max_events the most events to deliver; 0: no limit.
 * @return as proctrace_poll().  @p max_events means more may be queued:
 *         call again with @p timeout_ms 0.  Less does not mean none is.
 * @since 0.3
 */
PROCTRACE_API int proctrace_poll_n(struct proctrace *pt, int timeout_ms,
				   unsigned int max_events);

/**
 * @brief A file descriptor, for epoll(7) or poll(2), that is readable when
 * events are due: then call proctrace_poll(pt, 0).
 *
 * It becomes readable every opts.max_latency_ms (even with nothing queued)
 * and when queued events fill an eighth of the ring buffer; with
 * PROCTRACE_OPT_WAKE_EVERY_EVENT, exactly when an event is queued.  It
 * belongs to the handle: do not close it.
 * @return the descriptor; -EINVAL if @p pt is NULL or not started.
 * @since 0.1
 */
PROCTRACE_API int proctrace_fd(const struct proctrace *pt);

/**
 * @brief A live process as the table of PROCTRACE_OPT_SNAPSHOT knows it,
 * from the event that describes it until its EXIT is delivered.
 *
 * A PROCTRACE_EVENT_PROCESS event with the ids, @c comm, parent and
 * @c timestamp_ns of the last event that described the process, and its
 * program (@c filename only if it was seen to exec).  To walk the
 * ancestors, look up @c ppid in turn, checking that each parent's
 * @c start_time_ns is the child's @c parent_start_time_ns (a reused pid
 * is another process).  May be called from the event callback.
 *
 * @param pt the started session.
 * @param pid a process id (thread-group id) in the initial pid namespace.
 * @return the record, owned by @p pt and valid until the next call with
 *         @p pt (the next lookup included); NULL with errno ESRCH if the
 *         table has no live process @p pid, EINVAL if @p pt is NULL, not
 *         started or without PROCTRACE_OPT_SNAPSHOT.
 * @since 0.3
 */
PROCTRACE_API const struct proctrace_event *
proctrace_process_lookup(struct proctrace *pt, int32_t pid);

/**
 * @brief Counters of a session since proctrace_start().  Set @c sz to its
 * size before proctrace_stats(), which fills the fields @c sz covers that
 * it knows and zeroes the rest.  Fields are only ever appended.
 * @since 0.2
 */
struct proctrace_stats {
	/** Size of this structure, set by the caller. @since 0.2 */
	size_t sz;
	/** Events handed to the callback. @since 0.2 */
	uint64_t events_delivered;
	/** Events that passed the filters but were lost: the sum of lost_*. @since 0.2 */
	uint64_t events_lost;
	/** Lost because the ring buffer was full (see opts.ring_buffer_size). @since 0.2 */
	uint64_t lost_ring_full;
	/** Lost in the kernel otherwise (no scratch memory; since 0.3.1, a
	 * run of the library's programs the kernel skipped): an upper bound,
	 * as a skipped run may have been filtered out.  @since 0.2 */
	uint64_t lost_other;
	/** Records the library could not decode (a libproctrace bug). @since 0.2 */
	uint64_t lost_malformed;
};

/**
 * @brief Read the session's counters, including events lost and why.
 * @return 0; -EINVAL if @p pt or @p stats is NULL, @p pt is not started,
 *         or stats->sz is smaller than its first counter.
 * @since 0.2
 */
PROCTRACE_API int proctrace_stats(const struct proctrace *pt,
				  struct proctrace_stats *stats);

/** @brief A capability of proctrace_features(): exec, exit and fork events. @since 0.4 */
#define PROCTRACE_FEATURE_EVENTS (1u << 0)
/** @brief A capability: paths resolved in the kernel (exe, cwd, exec_dirfd_path). @since 0.4 */
#define PROCTRACE_FEATURE_PATHS (1u << 1)
/** @brief A capability: per-process state in the kernel (one EXIT per
 * process, the subtree filter, the snapshot's once-only claims). @since 0.4 */
#define PROCTRACE_FEATURE_PROCESS_STATE (1u << 2)
/** @brief A capability: the snapshot (PROCTRACE_OPT_SNAPSHOT). @since 0.4 */
#define PROCTRACE_FEATURE_SNAPSHOT (1u << 3)
/** @brief A capability: failed exec attempts (PROCTRACE_OPT_EXEC_FAILED). @since 0.4 */
#define PROCTRACE_FEATURE_EXEC_FAILED (1u << 4)
/** @brief A capability: what a process used, on EXIT. @since 0.4 */
#define PROCTRACE_FEATURE_USAGE (1u << 5)

/**
 * @brief Which capabilities a started session runs, and which of them in
 * a degraded form because of the running kernel (docs/kernels.md).  Set
 * @c sz to its size before proctrace_features(); fields are only ever
 * appended.
 * @since 0.4
 */
struct proctrace_features {
	/** Size of this structure, set by the caller. @since 0.4 */
	size_t sz;
	/** PROCTRACE_FEATURE_* bits of the capabilities the session runs
	 * (those its options asked for). @since 0.4 */
	uint32_t active;
	/** The bits of @c active that run in their degraded form, as
	 * proctrace_feature_degraded() describes it. @since 0.4 */
	uint32_t degraded;
};

/**
 * @brief Say which capabilities the session runs, in full or degraded.
 * @return 0; -EINVAL if @p pt or @p features is NULL, @p pt is not
 *         started, or features->sz is smaller than its first field.
 * @since 0.4
 */
PROCTRACE_API int proctrace_features(const struct proctrace *pt,
				     struct proctrace_features *features);

/**
 * @brief The name of one PROCTRACE_FEATURE_* bit, e.g. "paths".
 * @return a static string; NULL (errno EINVAL) for anything but one known bit.
 * @since 0.4
 */
PROCTRACE_API const char *proctrace_feature_name(uint32_t feature);

/**
 * @brief What one PROCTRACE_FEATURE_* capability gives up when degraded,
 * in one sentence.
 * @return a static string; NULL (errno EINVAL) for anything but one known bit.
 * @since 0.4
 */
PROCTRACE_API const char *proctrace_feature_degraded(uint32_t feature);

/**
 * @brief Stop tracing, detach from the kernel and free the handle.
 *
 * Events not yet delivered are discarded; the handle's descriptor and
 * records become invalid.  Safe to call with NULL; leaves errno unchanged.
 * @since 0.1
 */
PROCTRACE_API void proctrace_close(struct proctrace *pt);

/**
 * @brief The name of signal @p sig (struct proctrace_event::signal), e.g.
 * "SIGKILL", the same with every C library.  Thread-safe.
 * @param sig a signal number.
 * @return a static string; NULL for 0, a negative number, a real-time
 *         signal (named after the C library's SIGRTMIN) or a number the
 *         library does not know.
 * @since 0.3
 */
PROCTRACE_API const char *proctrace_signal_name(int32_t sig);

/**
 * @brief Version of the library the application runs with.  Thread-safe.
 * @return (major << 16) | (minor << 8) | patch.
 * @since 0.1
 */
PROCTRACE_API uint32_t proctrace_version(void);

/**
 * @brief Version of the library the application runs with, as
 * "MAJOR.MINOR.PATCH".  Thread-safe.
 * @return a static string.
 * @since 0.1
 */
PROCTRACE_API const char *proctrace_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* PROCTRACE_PROCTRACE_H */
