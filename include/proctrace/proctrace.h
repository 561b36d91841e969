/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file proctrace.h
 * @brief libproctrace: process exec and exit events from the kernel, through a callback.
 *
 * libproctrace loads a small BPF program (embedded in the library) into the
 * running kernel and reports, for every process on the machine, when it
 * executes a program (exec) and when it ends (exit), with how long it lived.
 *
 * Typical use:
 * @code
 * struct proctrace *pt = proctrace_open(on_event, &my_state, NULL);
 * if (!pt || proctrace_start(pt) < 0)
 *         ... errno / the negative return says why, the log callback said more ...
 * while (running)
 *         proctrace_poll(pt, 1000);
 * proctrace_close(pt);
 * @endcode
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
 * A struct proctrace handle is not thread-safe: use it from one thread at a
 * time (different handles may be used from different threads at once).
 * proctrace_set_log() changes process-wide state: call it before creating
 * handles, not while another thread uses the library; or give each handle
 * its own callback (proctrace_opts::log_fn), which needs no global state.  The remaining global
 * functions (version queries) are thread-safe.
 *
 * @par ABI
 * The library's ABI never breaks: symbols are versioned and never removed,
 * and public structures only grow at their end.  Structures passed *into*
 * the library start with a size (@c sz) set by the caller (see
 * PROCTRACE_OPTS()); structures passed *out* start with a size set by the
 * library (see struct proctrace_event).
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

/** @brief Major version of the header the application was compiled with. */
#define PROCTRACE_VERSION_MAJOR 0
/** @brief Minor version of the header the application was compiled with. */
#define PROCTRACE_VERSION_MINOR 3
/** @brief Patch version of the header the application was compiled with. */
#define PROCTRACE_VERSION_PATCH 2

/** @brief Size of struct proctrace_event::comm, including the terminating NUL. */
#define PROCTRACE_COMM_LEN 16

/** @brief Opaque tracing session. Create with proctrace_open(). */
struct proctrace;

/** @brief What happened to a process. */
enum proctrace_event_type {
	/** The process executed a new program (execve(2) and friends succeeded). */
	PROCTRACE_EVENT_EXEC = 1,
	/**
	 * The process ended: its last thread exited.  Exactly one per
	 * process, never for a thread.  It is queued before the process can
	 * be reaped: once wait(2) has reported the process ended, a
	 * proctrace_poll(pt, 0) delivers its EXIT, if the event passed the
	 * filters and was not lost (see proctrace_poll()).
	 */
	PROCTRACE_EVENT_EXIT = 2,
	/**
	 * A new process was created (fork(2), vfork(2), clone(2) without
	 * CLONE_THREAD).  Delivered only if PROCTRACE_OPT_FORK_EVENTS is set.
	 * @since 0.2
	 */
	PROCTRACE_EVENT_FORK = 3,
	/**
	 * A process that was running when tracing started (the snapshot),
	 * with the fields an EXEC has, except @c filename (the kernel does
	 * not keep the name passed to exec): one per user-space process
	 * alive when proctrace_start() returned, delivered by the first
	 * proctrace_poll() calls before any other event.  Delivered only if
	 * PROCTRACE_OPT_SNAPSHOT is set.  Also the type of the records
	 * proctrace_process_lookup() returns.
	 * @since 0.3
	 */
	PROCTRACE_EVENT_PROCESS = 4,
	/**
	 * An execve(2) or execveat(2) returned an error: the process that
	 * called it goes on running its old program.  One per failed call
	 * (a PATH search by execvp(3) makes one per directory tried).
	 * Delivered only if PROCTRACE_OPT_EXEC_FAILED is set.
	 * @since 0.3
	 */
	PROCTRACE_EVENT_EXEC_FAILED = 5,
};

/** @brief struct proctrace_event::flags: the argument vector was cut at opts.max_args_size bytes. */
#define PROCTRACE_EVENT_F_ARGS_TRUNCATED (1u << 0)
/** @brief struct proctrace_event::flags: the process was killed by a signal and dumped core. */
#define PROCTRACE_EVENT_F_CORE_DUMPED (1u << 1)
/**
 * @brief struct proctrace_event::flags: @c exe is cut: the path is longer
 * than PATH_MAX or deeper than 128 components; @c exe holds its last
 * components.  @since 0.3
 */
#define PROCTRACE_EVENT_F_EXE_TRUNCATED (1u << 2)
/**
 * @brief struct proctrace_event::flags: @c exe could not be followed up
 * to the root of the process's mount namespace (its mount was detached,
 * e.g. by umount -l): @c exe is the path inside its file system.
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_EXE_UNREACHABLE (1u << 3)
/**
 * @brief struct proctrace_event::flags: with PROCTRACE_OPT_SNAPSHOT, an
 * EXIT or FORK whose program the library does not know (the process was
 * described by no event it received: its exec was lost to a full ring
 * buffer, or filtered out): @c filename, @c exe and @c args are NULL.
 * The library never guesses from an earlier process with the same pid.
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_PROGRAM_UNKNOWN (1u << 4)
/**
 * @brief struct proctrace_event::flags: EXEC_FAILED: the filename as
 * passed was longer than 4095 bytes and is cut there.
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_FILENAME_TRUNCATED (1u << 5)
/**
 * @brief struct proctrace_event::flags: EXEC_FAILED: a 32-bit program
 * made the call (the compat system call of a 64-bit kernel).
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_COMPAT (1u << 6)
/**
 * @brief struct proctrace_event::flags: the working directory in
 * struct proctrace_event::cwd was longer than 4095 bytes (or deeper than
 * 128 components): only its last components are kept.
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_CWD_TRUNCATED (1u << 7)
/**
 * @brief struct proctrace_event::flags: the working directory had been
 * removed (rmdir(2)); struct proctrace_event::cwd is the path it had,
 * which /proc/PID/cwd shows followed by " (deleted)".
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_CWD_DELETED (1u << 8)
/**
 * @brief struct proctrace_event::flags: the working directory is not
 * below the process's root directory (it entered a chroot(2) elsewhere);
 * struct proctrace_event::cwd is its path from the root of the process's
 * mount namespace instead.
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_CWD_UNREACHABLE (1u << 9)
/**
 * @brief struct proctrace_event::flags: EXEC_FAILED: the argument vector
 * could not be read to its end from the caller's memory, and
 * struct proctrace_event::args holds the strings before the unreadable
 * one.  The hook cannot wait for a page to be read in: a string the
 * caller has not touched since fork(2) (a constant in its program, say)
 * may not be in memory when the call failed before the kernel copied the
 * arguments, e.g. for a missing file.  A bad pointer (EFAULT) shows the
 * same way.
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_ARGS_UNREADABLE (1u << 10)
/**
 * @brief struct proctrace_event::flags, EXIT: this kernel counts no storage
 * I/O (built without CONFIG_TASK_IO_ACCOUNTING): @c read_bytes and
 * @c write_bytes are 0 because they are not available, not because
 * nothing was read or written.
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_NO_IO_BYTES (1u << 11)
/**
 * @brief struct proctrace_event::flags, EXIT: this kernel counts no
 * read/write calls (built without CONFIG_TASK_XACCT): @c rchar and
 * @c wchar are 0 because they are not available.
 * @since 0.3
 */
#define PROCTRACE_EVENT_F_NO_IO_CHARS (1u << 12)

/**
 * @brief One process event, as handed to the event callback.
 *
 * ABI rule: fields are only ever appended to this structure, never removed,
 * moved or given a new meaning.  @c size holds the size of the structure as
 * the library filled it.  An application compiled against a newer header
 * than the library it runs with must read a field only if
 * @c size covers it, e.g. with PROCTRACE_EVENT_HAS().
 *
 * Lifetime: the event and every string it points to belong to the library
 * and are valid only until the callback returns.  Copy what you keep.
 *
 * Strings come from the traced processes and are attacker-controlled: they
 * may hold any byte except NUL, including control characters, escape
 * sequences and invalid UTF-8.  Escape them before display.
 */
struct proctrace_event {
	/** Size in bytes of this structure as filled by the library. */
	size_t size;
	/** An enum proctrace_event_type value. */
	uint32_t type;
	/**
	 * Process id (thread-group id), as seen in the initial pid namespace.
	 * FORK: the new child's (with @c start_time_ns, the child's key).
	 */
	int32_t pid;
	/**
	 * Process id of the real parent at the time of the event.  FORK: the
	 * process that forked (with @c parent_start_time_ns, its key).
	 */
	int32_t ppid;
	/**
	 * EXIT: the exit status (0-255) that wait(2) would give the parent
	 * (WEXITSTATUS), the low byte of what the process passed to exit(2)
	 * or returned from main().  0 if the process was killed by a signal
	 * (see @c signal) and for other types.
	 */
	int32_t exit_code;
	/**
	 * When the event happened, in nanoseconds since the Unix epoch
	 * (CLOCK_REALTIME).  The instant is taken in the kernel on
	 * CLOCK_BOOTTIME and converted with the offset between the two clocks
	 * when the event is delivered, so it does not jump if the wall clock
	 * is set while the event waits in the ring buffer.
	 */
	uint64_t timestamp_ns;
	/**
	 * EXIT: how long the process lived, in nanoseconds, from its creation
	 * (the fork that made it, also if it was created before tracing
	 * started and also if it never called exec) to the exit of its last
	 * thread.  0 for other types.
	 */
	uint64_t duration_ns;
	/**
	 * Command name (the kernel's task comm) at the time of the event,
	 * NUL-terminated, at most PROCTRACE_COMM_LEN - 1 bytes.  For EXEC this
	 * is already the new program's name; for FORK it is the parent's (the
	 * child starts with the same name).
	 */
	char comm[PROCTRACE_COMM_LEN];
	/**
	 * EXEC: the filename as passed to exec (not resolved against $PATH or
	 * symlinks; relative if the caller passed a relative name), NUL
	 * terminated, up to 4095 bytes (PATH_MAX with its NUL).  NULL for
	 * other types, except (since 0.3, with PROCTRACE_OPT_SNAPSHOT) EXIT
	 * and FORK: that of the program the process was running when it
	 * ended, or the parent was running when it forked; NULL there if
	 * the program is known only from the snapshot, or unknown
	 * (PROCTRACE_EVENT_F_PROGRAM_UNKNOWN).
	 */
	const char *filename;

	/* ---- Added in 0.2; check with PROCTRACE_EVENT_HAS(). ---- */

	/**
	 * EXEC: the argument vector of the new program, @c args_count
	 * NUL-terminated strings followed by a NULL pointer, as the process
	 * received it in main().  At most opts.max_args_size bytes of it
	 * (counting each string's NUL) are kept: if it was longer,
	 * PROCTRACE_EVENT_F_ARGS_TRUNCATED is set in @c flags and the last
	 * string may be cut short.  NULL for other types, except (since
	 * 0.3) PROCESS, and EXIT and FORK with PROCTRACE_OPT_SNAPSHOT, like
	 * @c filename (a snapshot's arguments are cut at 24 KiB).
	 */
	const char *const *args;
	/** Number of strings in @c args; 0 when it is NULL. */
	uint32_t args_count;
	/** PROCTRACE_EVENT_F_* bits. */
	uint32_t flags;
	/**
	 * EXIT: the signal that killed the process (WTERMSIG), or 0 if it
	 * exited by itself (then @c exit_code holds its status).  If it
	 * dumped core, PROCTRACE_EVENT_F_CORE_DUMPED is set in @c flags.
	 */
	int32_t signal;
	/**
	 * Real user id of the process at the time of the event (for EXEC:
	 * after the exec), in the initial user namespace.
	 */
	uint32_t uid;
	/** Real group id of the process, like @c uid. */
	uint32_t gid;
	/**
	 * The process id as the process itself sees it (getpid()) in its own
	 * pid namespace; equal to @c pid outside containers.
	 */
	int32_t ns_pid;
	/**
	 * Id of the process's cgroup v2 (the inode number of its directory
	 * under the cgroup2 mount, as name_to_handle_at() or stat(2) on it
	 * gives); 0 on a machine without a cgroup v2 hierarchy.
	 */
	uint64_t cgroup_id;

	/* ---- Added in 0.3; check with PROCTRACE_EVENT_HAS(). ---- */

	/**
	 * When the process was created (the fork that made it), in
	 * nanoseconds since the Unix epoch: the kernel's start time of its
	 * thread-group leader, the same on every event of the process (EXEC
	 * included: the kernel hands it to a thread that execs).  The pair
	 * (@c pid, @c start_time_ns) names one process across pid reuse: use
	 * it as the key of a process.  Converted from CLOCK_BOOTTIME with the
	 * offset between the clocks measured once, at proctrace_start(), so
	 * that it never changes during a session; compared with /proc's
	 * start time (clock ticks since boot), it agrees to 10 ms.
	 * @since 0.3
	 */
	uint64_t start_time_ns;
	/**
	 * The same for the process's real parent (@c ppid) at the time of
	 * the event; with @c ppid, the parent's key.  0 if the parent is the
	 * kernel (pid 0).
	 * @since 0.3
	 */
	uint64_t parent_start_time_ns;
	/**
	 * EXEC and PROCESS: the absolute path of the file actually executed,
	 * as /proc/PID/exe shows it, resolved in the kernel when the event
	 * happened: through symlinks, /dev/fd/N (fexecve()), relative names
	 * and mount points, from the root of the process's mount namespace;
	 * for a "#!" script, its interpreter.  A file deleted before the exec
	 * completes keeps its last name (without /proc's " (deleted)").  See
	 * PROCTRACE_EVENT_F_EXE_TRUNCATED and PROCTRACE_EVENT_F_EXE_UNREACHABLE.
	 * EXIT and FORK with PROCTRACE_OPT_SNAPSHOT: that of the program, like
	 * @c filename.  NULL if unknown or for other types.
	 * @since 0.3
	 */
	const char *exe;
	/**
	 * With PROCTRACE_OPT_SNAPSHOT: the path of the process's cgroup v2
	 * (@c cgroup_id) from the root of the cgroup2 hierarchy, e.g.
	 * "/system.slice/ssh.service"; resolved in user space when the
	 * library first sees the id, then cached.  NULL without the option,
	 * without a cgroup2 mount, or if the cgroup was removed before the
	 * library could resolve it.
	 * @since 0.3
	 */
	const char *cgroup;
	/**
	 * EXEC_FAILED: the error the call returned, a positive errno value
	 * (ENOENT, EACCES, ENOEXEC, ...).  0 for other types.
	 */
	int32_t error;
	/**
	 * EXEC_FAILED from execveat(2): its @c dirfd argument, against
	 * which a relative @c filename was to be resolved (with
	 * AT_EMPTY_PATH and an empty @c filename, the file itself).
	 * AT_FDCWD (-100) for execve(2) and for other types.
	 */
	int32_t exec_dirfd;
	/** EXEC_FAILED from execveat(2): its @c flags argument (AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW); 0 otherwise. */
	uint32_t exec_at_flags;
	/** Reserved, 0. */
	uint32_t reserved0;
	/**
	 * EXEC, EXEC_FAILED and PROCESS: the process's working directory at
	 * that moment (for PROCESS, when the snapshot was taken),
	 * an absolute path as the process sees it, what getcwd(3) would
	 * return there: resolved in the kernel through mount points (a bind
	 * mount's path is where it is mounted), relative to the process's
	 * root directory (chroot) and mount namespace.  For EXEC it is taken
	 * as the new program starts, so it is right even for a process that
	 * lives a millisecond.  If the path was longer than 4095 bytes, its
	 * first components are cut off and PROCTRACE_EVENT_F_CWD_TRUNCATED
	 * is set; see also PROCTRACE_EVENT_F_CWD_DELETED and
	 * PROCTRACE_EVENT_F_CWD_UNREACHABLE.
	 * EXIT and FORK with PROCTRACE_OPT_SNAPSHOT, and
	 * proctrace_process_lookup() (since 0.4): that of the program, like
	 * @c filename: the directory the program was started in (at its
	 * exec, or at the snapshot), not where the process was when it
	 * ended, with the program's CWD flags.  NULL if unknown or for other
	 * types.
	 */
	const char *cwd;
	/**
	 * EXEC_FAILED from execveat(2) with a descriptor (@c exec_dirfd not
	 * AT_FDCWD): the path of that descriptor's file, resolved in the
	 * kernel like @c cwd, against which a relative @c filename was
	 * resolved; with AT_EMPTY_PATH and an empty @c filename, the file
	 * the call tried to execute.  NULL for other events, and if the
	 * descriptor was not open.
	 */
	const char *exec_dirfd_path;

	/*
	 * What the process used.  EXIT only (0 for other types), taken in
	 * the kernel when its last thread exits, for the whole process: all
	 * its threads, those still running and those gone before (also the
	 * threads an exec replaced), counted once each.  Its children are not
	 * included, except in the I/O counters (see @c read_bytes); what the
	 * children it waited for used is in the children_* fields.
	 *
	 * How they relate to wait4(): the rusage wait4() gives the parent is
	 * that of the process *plus* the children it waited for (RUSAGE_BOTH):
	 * ru_utime = cpu_user_ns + children_cpu_user_ns, ru_stime likewise,
	 * ru_maxrss * 1024 = max(max_rss_bytes, children_max_rss_bytes),
	 * ru_nvcsw and the others add the children's too.  The process's own
	 * figures here are taken a few microseconds before the last thread
	 * is gone, so wait4() may find a little more: the CPU time the last
	 * thread spends on its way out (about a tick, 4 ms at HZ=250, at
	 * most) and its final switch away (one voluntary switch).
	 */

	/**
	 * EXIT: user CPU time of the process, in nanoseconds, as getrusage()
	 * and wait4() compute it: the exact time its threads spent on a CPU,
	 * split between user and system in the proportion the kernel sampled
	 * at each tick (cputime_adjust()), so short processes are not 0.  As
	 * /proc/PID/stat's utime field, in nanoseconds instead of ticks.
	 * @since 0.3
	 */
	uint64_t cpu_user_ns;
	/** EXIT: system CPU time of the process, in nanoseconds; see @c cpu_user_ns. @since 0.3 */
	uint64_t cpu_sys_ns;
	/**
	 * EXIT: peak resident set size of the process, in bytes: the
	 * kernel's high-water mark of its memory (also of an earlier program
	 * it ran before an exec, and so of the copy of its parent's memory it
	 * started as after fork), as getrusage()'s ru_maxrss (which is in
	 * KiB) for the process alone.  A multiple of the page size.
	 * @since 0.3
	 */
	uint64_t max_rss_bytes;
	/**
	 * EXIT: bytes the process caused to be read from storage (the block
	 * layer; reads served from the page cache are not counted), as
	 * read_bytes of /proc/PID/io.  Like /proc/PID/io, it includes the
	 * I/O of the children the process waited for: the kernel adds a
	 * reaped child's I/O counters to its parent's and keeps no separate
	 * total.  0 with PROCTRACE_EVENT_F_NO_IO_BYTES set if the kernel does
	 * not count it.
	 * @since 0.3
	 */
	uint64_t read_bytes;
	/**
	 * EXIT: bytes the process caused to be written to storage, counted
	 * when page-cache pages are dirtied or direct I/O is issued, as
	 * write_bytes of /proc/PID/io (without subtracting
	 * cancelled_write_bytes, dirty pages truncated before they were
	 * written back).  Includes waited-for children, as @c read_bytes.
	 * 0 on a file system that does not write back (tmpfs).
	 * @since 0.3
	 */
	uint64_t write_bytes;
	/**
	 * EXIT: bytes passed through read(2)-like calls (read, pread, readv,
	 * sendfile, splice, ...), whether or not storage was involved, as
	 * rchar of /proc/PID/io.  Includes waited-for children, as
	 * @c read_bytes.  0 with PROCTRACE_EVENT_F_NO_IO_CHARS if the kernel
	 * does not count it.
	 * @since 0.3
	 */
	uint64_t rchar;
	/** EXIT: bytes passed through write(2)-like calls, as wchar of /proc/PID/io; see @c rchar. @since 0.3 */
	uint64_t wchar;
	/**
	 * EXIT: voluntary context switches of the process's threads (it
	 * blocked: sleep, wait for I/O or a lock), as getrusage()'s ru_nvcsw.
	 * @since 0.3
	 */
	uint64_t ctx_voluntary;
	/** EXIT: involuntary context switches (preempted), as ru_nivcsw. @since 0.3 */
	uint64_t ctx_involuntary;
	/** EXIT: minor page faults (no I/O needed), as ru_minflt and /proc/PID/stat's minflt. @since 0.3 */
	uint64_t min_flt;
	/** EXIT: major page faults (the page was read from storage), as ru_majflt and /proc/PID/stat's majflt. @since 0.3 */
	uint64_t maj_flt;
	/**
	 * EXIT: user CPU time, in nanoseconds, of the children the process
	 * waited for (wait(2) family) and, recursively, of theirs: the
	 * kernel's cutime, what getrusage(RUSAGE_CHILDREN) would have given
	 * the process (/proc/PID/stat's cutime field, in nanoseconds).
	 * Children it did not wait for (still running, orphaned, or reaped
	 * automatically because SIGCHLD was ignored) are not included.  For a shell, the cost of the commands it ran,
	 * while @c cpu_user_ns is its own.
	 * @since 0.3
	 */
	uint64_t children_cpu_user_ns;
	/** EXIT: system CPU time of the waited-for children (cstime); see @c children_cpu_user_ns. @since 0.3 */
	uint64_t children_cpu_sys_ns;
	/**
	 * EXIT: the largest peak resident set size among the waited-for
	 * children and their own waited-for descendants, in bytes (cmaxrss,
	 * getrusage(RUSAGE_CHILDREN)'s ru_maxrss in bytes).
	 * @since 0.3
	 */
	uint64_t children_max_rss_bytes;
};

/**
 * @brief True if @p event, as filled by the library, includes @p field.
 *
 * Use before reading a field that was added after the oldest library
 * version the application supports.
 */
#define PROCTRACE_EVENT_HAS(event, field)                                     \
	((event)->size >= offsetof(struct proctrace_event, field) +           \
			  sizeof((event)->field))

/**
 * @brief Event callback.
 *
 * Called from within proctrace_poll(), once per event, on the thread that
 * called it.
 *
 * @param event the event; valid only until the callback returns.
 * @param ctx the @c ctx pointer given to proctrace_open().
 * @return 0 to continue; any other value stops proctrace_poll() after this
 *         event, and proctrace_poll() returns that value.  Use a negative
 *         value so that it cannot be mistaken for an event count.
 *         The library must not be called from the callback with the same
 *         handle, except proctrace_fd() and proctrace_process_lookup().
 */
typedef int (*proctrace_event_fn)(const struct proctrace_event *event, void *ctx);

/** @brief Severity of a log message. */
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
 * @param ctx the @c ctx pointer given to proctrace_set_log(), or
 *        opts.log_ctx for a handle's own callback (proctrace_opts::log_fn).
 */
typedef void (*proctrace_log_fn)(enum proctrace_log_level level,
				 const char *msg, void *ctx);

/**
 * @brief Options for proctrace_open().
 *
 * Declare with PROCTRACE_OPTS() so that @c sz is set and every byte,
 * including fields a newer header adds, starts at zero.  Zero means
 * "default" for every field.
 *
 * ABI rule: fields are only appended.  A library given a larger structure
 * than it knows accepts it only if every byte it does not know is zero, and
 * fails with -EINVAL otherwise, so that a request it cannot honour is never
 * silently ignored.
 */
struct proctrace_opts {
	/** Size of this structure: sizeof(struct proctrace_opts). */
	size_t sz;
	/**
	 * Minimum lifetime, in nanoseconds, of processes to report; the same
	 * as calling proctrace_set_min_duration() before proctrace_start().
	 */
	uint64_t min_duration_ns;
	/**
	 * Path of the kernel BTF to load the BPF program against; NULL for the
	 * running kernel's own (/sys/kernel/btf/vmlinux).  Only useful for
	 * kernels whose BTF is shipped separately.
	 */
	const char *btf_path;

	/* ---- Added in 0.2. ---- */

	/** PROCTRACE_OPT_* bits. */
	uint32_t flags;
	/**
	 * Bytes of each exec's argument vector to report, counting each
	 * string's NUL; 0 for the default, PROCTRACE_ARGS_SIZE_DEFAULT.  At
	 * most PROCTRACE_ARGS_SIZE_MAX.
	 */
	uint32_t max_args_size;
	/**
	 * Size in bytes of the kernel ring buffer that holds events until
	 * they are delivered: a power of two, at least twice the largest
	 * exec record (about 4 KiB of filename plus max_args_size: 32 KiB
	 * with the default max_args_size, 16 KiB with 1 byte of it), at most
	 * 1 GiB; 0 for the default, PROCTRACE_RING_SIZE_DEFAULT.  Events that
	 * find it full are lost and counted (see proctrace_stats()).  (Since
	 * 0.3 records also carry paths, the executable's and the working
	 * directory, not reckoned in that minimum: at the smallest size, one
	 * with long paths may find the ring full when the reader is behind.)
	 */
	uint32_t ring_buffer_size;
	/**
	 * Longest time, in milliseconds, an event may wait in the kernel
	 * before the reader is woken to deliver it; 0 for the default,
	 * PROCTRACE_LATENCY_DEFAULT_MS.  At most 60000.  The reader is also
	 * woken early when an eighth of the ring buffer is in use.  Shorter means more
	 * wake-ups; see also PROCTRACE_OPT_WAKE_EVERY_EVENT.
	 */
	uint32_t max_latency_ms;
	/**
	 * Filter: report only this process and the descendants it creates
	 * after proctrace_start(), also those later reparented away from it
	 * (they stay in the set for life); descendants it already had are
	 * not included.  A thread id, or a pid that does not exist, makes
	 * proctrace_start() fail.  0: no such filter.
	 *
	 * To trace a command you run, with true durations: set this to
	 * getpid(), start, and only then create the command, so that the
	 * tracer is the subtree's root and the command's life starts after
	 * the load.  (Creating the command first and holding it until the
	 * start adds the load time, 50 to 200 ms, to its duration.)
	 * proctrace(3), EXAMPLES, has the complete recipe, with
	 * PR_SET_CHILD_SUBREAPER to see orphaned descendants end.
	 */
	int32_t filter_pid;
	/** Filter: report only processes whose real uid is this; needs PROCTRACE_OPT_FILTER_UID. */
	uint32_t filter_uid;
	/** Filter: report only processes in the cgroup v2 with this id (not its children); 0: none. */
	uint64_t filter_cgroup_id;
	/** Filter: report only processes whose comm is exactly this (1 to 15 bytes); NULL: none. */
	const char *filter_comm;

	/* ---- Added in 0.3. ---- */

	/**
	 * This handle's own log callback: every message about the handle,
	 * from proctrace_open() on (including a bad @c sz or unknown bytes
	 * in these options) to proctrace_close(), goes here instead of to the
	 * process-wide callback of proctrace_set_log(), and the verifier's
	 * log of a failed load arrives here at PROCTRACE_LOG_DEBUG.  Called
	 * on the thread that called the library with this handle.  NULL: the
	 * process-wide callback.  To silence one handle, pass a callback that
	 * does nothing.
	 * @since 0.3
	 */
	proctrace_log_fn log_fn;
	/** Passed to @c log_fn as is. @since 0.3 */
	void *log_ctx;
	/**
	 * With PROCTRACE_OPT_EXEC_FAILED: the errno values (1 to 4095) of
	 * the failed exec attempts to report, ended by a 0; NULL reports
	 * every failure.  With PROCTRACE_OPT_EXEC_FAILED_EXCEPT, those NOT
	 * to report.  The filter runs in the kernel: a filtered attempt takes
	 * no ring-buffer space.  The library copies the list at
	 * proctrace_open().
	 * @since 0.3
	 */
	const int32_t *exec_failed_errnos;
};

/** @brief proctrace_opts::flags: also deliver PROCTRACE_EVENT_FORK events (off by default: fork is the most frequent event). */
#define PROCTRACE_OPT_FORK_EVENTS (1u << 0)
/** @brief proctrace_opts::flags: proctrace_opts::filter_uid is set (uid 0 is a valid filter). */
#define PROCTRACE_OPT_FILTER_UID (1u << 1)
/**
 * @brief proctrace_opts::flags: wake the reader for every event, as simple
 * BPF tracers do.  Lowest latency, highest cost per event; meant for
 * comparison and for consumers that need each event at once.
 */
#define PROCTRACE_OPT_WAKE_EVERY_EVENT (1u << 2)
/**
 * @brief proctrace_opts::flags: describe the processes already running
 * (PROCTRACE_EVENT_PROCESS events first) and keep the process table: EXIT
 * and FORK events then carry the program (@c filename, @c exe, @c args),
 * every event its @c cgroup path, and proctrace_process_lookup() works.
 *
 * Every process alive when proctrace_start() returns is described exactly
 * once, by its PROCESS event or by the live events that follow, and never
 * as alive after its own EXIT.  Kernel threads are left out.  The table
 * holds the live processes the library has seen (a few hundred bytes
 * each plus their strings) and forgets each at its EXIT.  Not allowed
 * with a minimum duration (the table needs every exec and exit).
 * @since 0.3
 */
#define PROCTRACE_OPT_SNAPSHOT (1u << 3)
/**
 * @brief proctrace_opts::flags: also deliver PROCTRACE_EVENT_EXEC_FAILED
 * events, for the errnos proctrace_opts::exec_failed_errnos selects.
 * Off, nothing for it is loaded into the kernel.
 * @since 0.3
 */
#define PROCTRACE_OPT_EXEC_FAILED (1u << 4)
/**
 * @brief proctrace_opts::flags: proctrace_opts::exec_failed_errnos lists
 * the errnos NOT to report (e.g. only ENOENT: every failure but the
 * PATH-search misses).
 * @since 0.3
 */
#define PROCTRACE_OPT_EXEC_FAILED_EXCEPT (1u << 5)

/** @brief Default of proctrace_opts::max_args_size. */
#define PROCTRACE_ARGS_SIZE_DEFAULT 4096
/** @brief Largest proctrace_opts::max_args_size. */
#define PROCTRACE_ARGS_SIZE_MAX 32768
/** @brief Default of proctrace_opts::ring_buffer_size. */
#define PROCTRACE_RING_SIZE_DEFAULT (4u * 1024 * 1024)
/** @brief Default of proctrace_opts::max_latency_ms. */
#define PROCTRACE_LATENCY_DEFAULT_MS 50
/** @brief Largest proctrace_opts::max_latency_ms. @since 0.3 */
#define PROCTRACE_LATENCY_MAX_MS 60000
/**
 * @brief Largest proctrace_opts::ring_buffer_size.  The smallest depends
 * on max_args_size (see there); proctrace_open() names it when refusing.
 * @since 0.3
 */
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
 */
#define PROCTRACE_OPTS(NAME, ...)                                             \
	struct proctrace_opts NAME = {                                        \
		.sz = sizeof(struct proctrace_opts), __VA_ARGS__              \
	}

/**
 * @brief Send the library's messages to @p fn instead of the default.
 *
 * The default writes PROCTRACE_LOG_WARN messages to stderr, prefixed with
 * "libproctrace: ", and drops the rest.
 *
 * Process-wide and not thread-safe: call it before other library calls.
 *
 * @param fn the new callback; NULL silences the library entirely.
 * @param ctx passed to @p fn as is.
 * @return the previous callback (NULL if it was silenced).
 */
PROCTRACE_API proctrace_log_fn proctrace_set_log(proctrace_log_fn fn, void *ctx);

/**
 * @brief The default log callback, for applications that wrap it.
 *
 * Writes @p msg to stderr, prefixed with "libproctrace: ", if @p level is
 * PROCTRACE_LOG_WARN; ignores other levels.
 */
PROCTRACE_API void proctrace_log_stderr(enum proctrace_log_level level,
					const char *msg, void *ctx);

/**
 * @brief Create a tracing session. Nothing is loaded into the kernel yet.
 *
 * @param cb called once per event from proctrace_poll(); must not be NULL.
 * @param ctx passed to @p cb as is.
 * @param opts options, or NULL for the defaults.
 * @return a new handle, or NULL with errno set: EINVAL for a NULL @p cb or
 *         invalid @p opts, ENOMEM when out of memory.
 */
PROCTRACE_API struct proctrace *proctrace_open(proctrace_event_fn cb, void *ctx,
					       const struct proctrace_opts *opts);

/**
 * @brief Report only processes that lived at least @p min_duration_ns.
 *
 * When non-zero, no EXEC events are delivered, and an EXIT event only for a
 * process whose lifetime (struct proctrace_event::duration_ns) is at least
 * @p min_duration_ns.  FORK events, if asked for, are not affected.  The filter runs in the kernel: filtered events cost
 * no ring-buffer space and never wake the reader.  0 (the default) turns the
 * filter off.
 *
 * @return 0; -EINVAL if @p pt is NULL; -EBUSY after proctrace_start().
 */
PROCTRACE_API int proctrace_set_min_duration(struct proctrace *pt,
					     uint64_t min_duration_ns);

/**
 * @brief Load the BPF program into the kernel, verify it and attach it.
 *
 * Events start to queue in the kernel as soon as this returns; deliver them
 * with proctrace_poll().  Privileges are needed only here: once this has
 * returned 0, proctrace_poll(), proctrace_fd(), proctrace_stats() and
 * proctrace_close() need none, so the caller may give them up.
 *
 * @return 0 on success, or a negative errno:
 *         -EINVAL if @p pt is NULL;
 *         -EALREADY if the session was already started;
 *         -EPERM if the caller lacks the privileges (root, or
 *         CAP_BPF and CAP_PERFMON);
 *         -EOPNOTSUPP if the kernel has no BTF (CONFIG_DEBUG_INFO_BTF) or
 *         lacks a needed BPF feature (Linux 5.17 or later is needed, 5.18 with
 *         PROCTRACE_OPT_SNAPSHOT);
 *         -EACCES if the kernel's verifier refused a program although the
 *         kernel has every feature it needs: a libproctrace bug for that
 *         kernel and those options, to be reported; the message names the
 *         program and the verifier's reason, and a PROCTRACE_LOG_DEBUG log
 *         callback receives the verifier's whole log;
 *         -ESRCH if opts.filter_pid names no process;
 *         -EINVAL if opts.filter_pid is a thread id, not a process id;
 *         another negative errno if loading failed otherwise.
 *         A failed start may be retried, e.g. after fixing privileges;
 *         but a transient failure (out of memory) inside libbpf's
 *         one-time probe of what the kernel supports is remembered by
 *         libbpf for the life of the process, and the retry then fails
 *         the same way (docs/security.md).
 */
PROCTRACE_API int proctrace_start(struct proctrace *pt);

/**
 * @brief Wait up to @p timeout_ms for events and deliver them.
 *
 * Delivers every event queued so far through the callback, waiting first
 * for up to @p timeout_ms milliseconds if none is queued (0: do not wait,
 * negative: wait without limit).
 *
 * To keep the cost per event low, the kernel does not wake the reader for
 * each event: a waiting call returns once events have waited
 * opts.max_latency_ms or fill an eighth of the ring buffer, whichever
 * comes first.  A call with @p timeout_ms 0 delivers whatever is queued at
 * once.
 *
 * Exits and wait(2): the EXIT record is written in the kernel's exit
 * path before the process becomes a zombie its parent can reap.  So once
 * wait(2) or waitpid(2) has reported that a process ended (or SIGCHLD
 * for it arrived, or its pidfd became readable), a call with
 * @p timeout_ms 0 delivers its EXIT, provided the event passed the
 * filters and was not lost (proctrace_stats() then counts it) and the
 * callback does not stop the delivery before it.  No timeout is needed
 * to collect the exits of processes one has reaped.
 *
 * @return the number of events delivered (0 if the timeout passed); the
 *         callback's own value if it returned non-zero, which stops the
 *         delivery after that event; -EINTR if a signal interrupted the
 *         wait; -EINVAL if @p pt is NULL or not started.
 */
PROCTRACE_API int proctrace_poll(struct proctrace *pt, int timeout_ms);

/**
 * @brief Like proctrace_poll(), but delivers at most @p max_events events.
 *
 * proctrace_poll() delivers everything queued, so under a steady stream of
 * events faster than the callback it may not return for a long time.
 * This call returns once it has handed @p max_events events to the
 * callback, however many are still queued; the rest stay queued (and
 * proctrace_fd() stays readable) for the next call.  An event loop that
 * calls it with a bound gets control back at least every @p max_events
 * callbacks, so its signals and timers are served.
 *
 * @param pt the started session.
 * @param timeout_ms as for proctrace_poll(): how long to wait if nothing is
 *        queued (0: do not wait, negative: no limit).
 * @param max_events the most events to deliver; 0 means no limit (the same
 *        as proctrace_poll()).
 * @return as proctrace_poll(): the number of events delivered (at most
 *         @p max_events), the callback's non-zero value, or a negative
 *         errno.  A return equal to @p max_events means more may be
 *         queued: call again with @p timeout_ms 0.
 * @since 0.3
 */
PROCTRACE_API int proctrace_poll_n(struct proctrace *pt, int timeout_ms,
				   unsigned int max_events);

/**
 * @brief A file descriptor that becomes readable when events are due.
 *
 * For use with epoll(7), poll(2) or an event loop: when it is readable,
 * call proctrace_poll(pt, 0).  It becomes readable every
 * opts.max_latency_ms (a drain timer, also when nothing is queued) and as
 * soon as queued events fill an eighth of the ring buffer; with
 * PROCTRACE_OPT_WAKE_EVERY_EVENT, when any event is queued and never
 * otherwise.  The descriptor belongs to the handle: do not close it.
 *
 * @return the descriptor; -EINVAL if @p pt is NULL or not started.
 */
PROCTRACE_API int proctrace_fd(const struct proctrace *pt);

/**
 * @brief A live process as the process table knows it.
 *
 * With PROCTRACE_OPT_SNAPSHOT, returns the table's record of process
 * @p pid, as a PROCTRACE_EVENT_PROCESS event: its key (@c pid,
 * @c start_time_ns), its parent's key (@c ppid, @c parent_start_time_ns,
 * as of the last event that described it), @c uid, @c gid, @c comm, the
 * program it runs (@c filename if it was seen to exec, @c exe, @c args, or
 * PROCTRACE_EVENT_F_PROGRAM_UNKNOWN), @c cgroup_id and @c cgroup;
 * @c timestamp_ns is when that last event happened.
 *
 * To walk the ancestors of an event's process (what `pstree -s PID`
 * shows), look up @c ppid in turn until pid 1 or 0, checking that each
 * parent's @c start_time_ns equals the child's @c parent_start_time_ns: a
 * parent that has exited is no longer in the table, and a pid reused since
 * is a different process.
 *
 * May be called from the event callback.  The table is updated as events
 * are delivered: a process is in it from the event that describes it
 * until its EXIT has been delivered.
 *
 * @param pt the started session.
 * @param pid a process id (thread-group id) in the initial pid namespace.
 * @return the record, valid until the next call into the library with
 *         @p pt (including the next lookup); NULL with errno ESRCH if the
 *         table holds no live process @p pid, EINVAL if @p pt is NULL,
 *         not started, or has no table (PROCTRACE_OPT_SNAPSHOT not set).
 * @since 0.3
 */
PROCTRACE_API const struct proctrace_event *
proctrace_process_lookup(struct proctrace *pt, int32_t pid);

/**
 * @brief Counters of a session, filled by proctrace_stats().
 *
 * Set @c sz to sizeof(struct proctrace_stats) before the call; the library
 * fills the fields that @c sz covers and that it knows, and zeroes the
 * rest up to @c sz.  Fields are only ever appended.
 * @since 0.2
 */
struct proctrace_stats {
	/** Size of this structure, set by the caller. */
	size_t sz;
	/** Events handed to the callback since proctrace_start(). */
	uint64_t events_delivered;
	/** Events that passed the filters but were never delivered: the sum of the lost_* fields. */
	uint64_t events_lost;
	/** Lost because the ring buffer was full (see opts.ring_buffer_size). */
	uint64_t lost_ring_full;
	/**
	 * Lost in the kernel for another reason: no scratch memory, or (since
	 * 0.3.1) a run of one of the library's programs that the kernel
	 * skipped because it was already running on that CPU.  Such a run may
	 * have been one the filters would have dropped: an upper bound.
	 */
	uint64_t lost_other;
	/** Records the library could not decode (a libproctrace bug). */
	uint64_t lost_malformed;
};

/**
 * @brief Read the session's counters, including events lost and why.
 *
 * The kernel counts losses per CPU without locks; this sums them.
 * @return 0; -EINVAL if @p pt or @p stats is NULL, if @p pt is not
 *         started, or if stats->sz is smaller than its first counter.
 * @since 0.2
 */
PROCTRACE_API int proctrace_stats(const struct proctrace *pt,
				  struct proctrace_stats *stats);

/**
 * @brief Stop tracing, detach from the kernel and free the handle.
 *
 * Events not yet delivered are discarded.  Safe to call with NULL.
 */
PROCTRACE_API void proctrace_close(struct proctrace *pt);

/**
 * @brief The name of signal @p sig, e.g. "SIGKILL", as in struct proctrace_event::signal.
 *
 * For the standard signals of the architecture the library was built for
 * (those below the real-time range); real-time signals have no fixed name
 * (their numbering depends on the C library's SIGRTMIN).  Unlike
 * sigabbrev_np(), the same with every C library; unlike strsignal(), a
 * name rather than a translated description.  Thread-safe.
 *
 * @param sig a signal number, such as struct proctrace_event::signal.
 * @return a static string; NULL for 0, a negative number, a real-time
 *         signal or a number the library does not know.
 * @since 0.3
 */
PROCTRACE_API const char *proctrace_signal_name(int32_t sig);

/**
 * @brief Version of the library the application runs with.
 * @return (major << 16) | (minor << 8) | patch.
 */
PROCTRACE_API uint32_t proctrace_version(void);

/**
 * @brief Version of the library the application runs with, as "MAJOR.MINOR.PATCH".
 * @return a static string.
 */
PROCTRACE_API const char *proctrace_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* PROCTRACE_PROCTRACE_H */
