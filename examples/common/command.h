/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Running one command, and everything it starts, as a traced subtree.
 *
 * Shared by the example programs (bootstrap-cli, proctrace-timeline);
 * compiled into each of them, neither installed nor part of the library.
 * It uses no libproctrace function: it is the process side of the recipe
 * in proctrace(3), EXAMPLES.
 *
 * The order, and why:
 *
 *   command_catch_signals();        SIGINT/SIGTERM are noted, SIGCHLD
 *                                   interrupts a blocking proctrace_poll()
 *   opts.filter_pid = getpid();     this program is the subtree's root,
 *   proctrace_open(); proctrace_start();
 *   command_spawn(&cmd, argv);      and the command is created after the
 *                                   load: its duration is its own, and
 *                                   its fork and exec are in the subtree
 *   while (!command_reap(&cmd))     until the command and every orphan
 *           proctrace_poll(pt, T);  it left behind have been reaped
 *   while (proctrace_poll(pt, 0) > 0)
 *           ;                       each of their EXIT records is already
 *                                   queued (proctrace(3)): deliver them
 *   proctrace_close(pt);
 *   return command_exit_status(&cmd);
 *
 * Forking the command first and holding it until tracing has started
 * would also see all of it, but its duration would then include the time
 * the BPF program took to load (50 to 200 ms).
 *
 * The tracing program is itself in the subtree: drop events about it with
 * command_is_tracer().  With fork events on, the command's own creation is
 * a FORK event whose ppid is the tracing program.
 *
 * Not thread-safe; for a single-threaded program with one command.
 */
#ifndef EXAMPLES_COMMON_COMMAND_H
#define EXAMPLES_COMMON_COMMAND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct command {
	/* Set before command_spawn(): prefixes messages ("NAME: ..."). */
	const char *name;
	/* The command's pid; -1 until command_spawn() created it. */
	pid_t pid;
	/* The command itself has ended and was reaped: @status is valid. */
	bool done;
	/* Its wait status (waitpid(2)); 127 << 8 if it could not be run. */
	int status;
	/* The stop signal that ended the wait before the command ended; or 0. */
	int interrupted;
};

/* Declares a struct command called VAR, ready for command_spawn(). */
#define COMMAND_INIT(VAR, NAME) struct command VAR = { .name = (NAME), .pid = -1 }

/*
 * Installs the handlers both modes need, without SA_RESTART so that a
 * blocking proctrace_poll() returns -EINTR: SIGINT and SIGTERM are noted
 * (see command_stop_signal() and command_reap()); SIGCHLD only interrupts
 * the wait; SIGPIPE is ignored, so that a closed output is a write error.
 * SIGINT and SIGTERM are caught also if they were ignored at start (as a
 * shell without job control does for a background job), so that a
 * program run with `&` still stops on kill -INT.  Returns 0 or -errno.
 */
int command_catch_signals(void);

/*
 * Without a command: the stop signal (SIGINT or SIGTERM) received since
 * the start, or 0.  With one, use command_reap(), which decides.
 */
int command_stop_signal(void);

/* How many SIGINT and SIGTERM were received since the start. */
int command_stop_count(void);

/*
 * For a program that must stop soon after a stop signal whatever its
 * output's reader does: from the first SIGINT or SIGTERM on (also one
 * received before this call), a timer sends SIGALRM every @interval_ms
 * (handled, without SA_RESTART), so that a system call blocked on a slow
 * descriptor (a write to a full pipe) returns, short or with EINTR, at
 * least that often; the caller then decides whether to go on.  Stopped
 * again when command_reap() passes a signal on to the command and waits
 * on.  SIGALRM's disposition is restored in the command like the others.
 * Call it after command_catch_signals().  Returns 0 or -errno.
 */
int command_tick_on_stop(unsigned int interval_ms);

/*
 * Starts argv[0] (searched in PATH) with argv.  Call it once tracing has
 * started with filter_pid = getpid().  First makes this process a child
 * subreaper (PR_SET_CHILD_SUBREAPER), so that every descendant the
 * command orphans is reparented here and seen to end.  The command gets
 * this process's environment, descriptors (those not close-on-exec),
 * signal mask and the signal dispositions it was started with (those
 * command_catch_signals() changed are restored before the command can
 * receive a signal, so one sent to it at once is not lost).
 *
 * Returns 0; or -errno after printing "NAME: cannot run 'CMD': REASON" on
 * stderr; the command then ends, or counts as ended, with status 127 (a
 * child that failed to exec was created and is reaped by command_reap():
 * its FORK and EXIT events, if asked for, are in the subtree).
 */
int command_spawn(struct command *cmd, char *const argv[]);

/*
 * Never blocks.  Acts on the stop signals received since the last call,
 * then reaps every child that has ended: the command, and the orphans
 * reparented here.  Returns true when the wait is over:
 *  - no child is left (every process of the subtree has ended and been
 *    reaped, so each EXIT record is in the ring buffer or counted lost);
 *  - or a stop signal arrived once the command itself had ended (only
 *    orphans were left), or a second one arrived; @interrupted says which.
 * A first SIGINT or SIGTERM while the command runs is passed on to it if
 * it was sent to this process alone (kill(2)); from a terminal (^C), the
 * command's process group has received it already.  Then the wait goes
 * on until the command reacts.
 */
bool command_reap(struct command *cmd);

/*
 * Blocks until the command itself (not its orphans) has ended, unless
 * command_reap() already saw that or was interrupted.  For a program that
 * stops tracing early (e.g. its output failed) and must still not leave
 * the command running unwatched nor kill it.
 */
void command_wait(struct command *cmd);

/*
 * The status a shell would give: the command's exit status; 128 + N if
 * signal N killed it; 127 if it could not be run; 128 + N if stop signal
 * N ended the wait before the command ended.
 */
int command_exit_status(const struct command *cmd);

/* True if @pid is this program: the subtree's root, not part of the command. */
bool command_is_tracer(int32_t pid);

#endif
