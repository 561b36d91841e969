/* SPDX-License-Identifier: BSD-2-Clause */
/* Running one command as a traced subtree: see command.h. */
#define _GNU_SOURCE
#include "command.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t stop_signal;
/* The stop signal came from kill(2), not from the terminal. */
static volatile sig_atomic_t stop_signal_sent;
static volatile sig_atomic_t stop_count;

/* Signals whose disposition was SIG_DFL at start and that we changed. */
static sigset_t restore_default;

static void on_stop_signal(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	stop_signal = sig;
	stop_signal_sent = info && (info->si_code == SI_USER || info->si_code == SI_QUEUE);
	stop_count++;
}

/* Only there to interrupt a blocking wait when a child ends. */
static void on_child(int sig)
{
	(void)sig;
}

/* Installs @sa for @sig, noting in restore_default if it was SIG_DFL. */
static int set_action(int sig, const struct sigaction *sa)
{
	struct sigaction old;

	if (sigaction(sig, sa, &old))
		return -errno;
	if (old.sa_handler == SIG_DFL)
		sigaddset(&restore_default, sig);
	return 0;
}

int command_catch_signals(void)
{
	struct sigaction sa;
	int err;

	sigemptyset(&restore_default);
	/* No SA_RESTART: a signal must interrupt the wait of proctrace_poll(). */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO;
	/*
	 * Also if they were ignored at start, as a shell without job control
	 * does for a background job: `bootstrap-cli &` must still stop on
	 * kill -INT.
	 */
	if ((err = set_action(SIGINT, &sa)) || (err = set_action(SIGTERM, &sa)))
		return err;
	sa.sa_flags = 0;
	sa.sa_handler = on_child;
	if ((err = set_action(SIGCHLD, &sa)))
		return err;
	sa.sa_handler = SIG_IGN;
	return set_action(SIGPIPE, &sa);
}

int command_stop_signal(void)
{
	return stop_signal;
}

int command_spawn(struct command *cmd, char *const argv[])
{
	posix_spawnattr_t attr;
	int err;

	/* Orphaned descendants become our children: we see them end. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		err = errno;
		goto failed;
	}
	/*
	 * posix_spawn() blocks every signal until the child has reset the
	 * handlers it inherited, so no signal reaches our handlers in the
	 * child; exec resets the handled signals (SIGINT, SIGTERM, SIGCHLD)
	 * to their defaults, and SIGPIPE is put back to the default if that
	 * is what we were given.
	 */
	err = posix_spawnattr_init(&attr);
	if (err)
		goto failed;
	err = posix_spawnattr_setsigdefault(&attr, &restore_default);
	if (!err)
		err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	if (!err)
		err = posix_spawnp(&cmd->pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (!err)
		return 0;
failed:
	/* glibc reaped the child that could not exec, if there was one. */
	fprintf(stderr, "%s: cannot run '%s': %s\n", cmd->name, argv[0], strerror(err));
	cmd->pid = -1;
	cmd->done = true;
	cmd->status = 127 << 8;
	return -err;
}

bool command_reap(struct command *cmd)
{
	int status;
	pid_t pid;

	if (stop_signal) {
		/*
		 * Stop now once the command has ended and only its orphans
		 * keep us, or on a second signal.
		 */
		if (cmd->done || stop_count > 1) {
			if (!cmd->done)
				cmd->interrupted = stop_signal;
			return true;
		}
		/*
		 * A terminal's ^C reached the command's process group
		 * already; pass on only a signal sent to us alone.
		 */
		if (stop_signal_sent && cmd->pid > 0)
			kill(cmd->pid, stop_signal);
		stop_signal = 0;
	}
	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0 && pid == cmd->pid) {
			cmd->done = true;
			cmd->status = status;
		} else if (pid == 0) {
			return false;
		} else if (pid < 0) {
			return errno == ECHILD;
		}
	}
}

void command_wait(struct command *cmd)
{
	if (cmd->done || cmd->interrupted || cmd->pid <= 0)
		return;
	while (waitpid(cmd->pid, &cmd->status, 0) < 0 && errno == EINTR)
		;
	cmd->done = true;
}

int command_exit_status(const struct command *cmd)
{
	if (!cmd->done)
		return 128 + cmd->interrupted;
	if (WIFSIGNALED(cmd->status))
		return 128 + WTERMSIG(cmd->status);
	return WEXITSTATUS(cmd->status);
}

bool command_is_tracer(int32_t pid)
{
	return pid == (int32_t)getpid();
}
