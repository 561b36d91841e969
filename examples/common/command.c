/* SPDX-License-Identifier: BSD-2-Clause */
/* Running one command as a traced subtree: see command.h. */
#define _GNU_SOURCE
#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
/* The stop signal came from kill(2), not from the terminal. */
static volatile sig_atomic_t stop_signal_sent;
static volatile sig_atomic_t stop_count;

/*
 * The dispositions we were given for the signals we change, restored in
 * the command before it runs; SIGALRM only once command_tick_on_stop()
 * changed it.
 */
static const int changed_signals[] = { SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGALRM };
#define N_CHANGED (sizeof(changed_signals) / sizeof(changed_signals[0]))
static struct sigaction given[N_CHANGED];
static size_t n_changed = N_CHANGED - 1;

/* command_tick_on_stop()'s timer, once it exists, and its period. */
static timer_t tick;
static volatile sig_atomic_t tick_ready;
static long tick_ns;

/* Async-signal-safe (timer_settime() is). */
static void tick_set(bool on)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (!tick_ready)
		return;
	if (on) {
		its.it_interval.tv_sec = tick_ns / 1000000000L;
		its.it_interval.tv_nsec = tick_ns % 1000000000L;
		its.it_value = its.it_interval;
	}
	timer_settime(tick, 0, &its, NULL);
}

static void on_stop_signal(int sig, siginfo_t *info, void *uctx)
{
	int saved_errno = errno;

	(void)uctx;
	stop_signal = sig;
	stop_signal_sent = info && (info->si_code == SI_USER || info->si_code == SI_QUEUE);
	stop_count++;
	tick_set(true);
	errno = saved_errno;
}

/* Only there to interrupt a blocking system call: see command_tick_on_stop(). */
static void on_tick(int sig)
{
	(void)sig;
}

/* Only there to interrupt a blocking wait when a child ends. */
static void on_child(int sig)
{
	(void)sig;
}

static int set_action(size_t i, const struct sigaction *sa)
{
	return sigaction(changed_signals[i], sa, &given[i]) ? -errno : 0;
}

int command_catch_signals(void)
{
	struct sigaction sa;
	int err;

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
	if ((err = set_action(0, &sa)) || (err = set_action(1, &sa)))
		return err;
	sa.sa_flags = 0;
	sa.sa_handler = on_child;
	if ((err = set_action(2, &sa)))
		return err;
	sa.sa_handler = SIG_IGN;
	return set_action(3, &sa);
}

int command_stop_signal(void)
{
	return stop_signal;
}

int command_stop_count(void)
{
	return stop_count;
}

int command_tick_on_stop(unsigned int interval_ms)
{
	struct sigevent sev;
	struct sigaction sa;
	int err;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_tick;
	if ((err = set_action(N_CHANGED - 1, &sa)))
		return err;
	n_changed = N_CHANGED;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	if (timer_create(CLOCK_MONOTONIC, &sev, &tick))
		return -errno;
	tick_ns = (long)interval_ms * 1000000L;
	tick_ready = 1;
	/* A signal that came before the timer existed. */
	if (stop_count)
		tick_set(true);
	return 0;
}

/* Stops the ticks, unless a stop signal comes meanwhile. */
static void tick_cancel(void)
{
	sig_atomic_t seen = stop_count;

	tick_set(false);
	if (stop_count != seen)
		tick_set(true);
}

/*
 * In the forked child, with every signal blocked: our handlers must not
 * run here, so the dispositions we were given come back before the
 * signal mask does; a signal sent meanwhile waits, then acts as it would
 * on the command.  An exec failure goes to the parent through @err_fd.
 */
static void __attribute__((noreturn)) run_command(char *const argv[],
						  const sigset_t *mask, int err_fd)
{
	size_t i;
	int err;

	for (i = 0; i < n_changed; i++)
		sigaction(changed_signals[i], &given[i], NULL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(argv[0], argv);
	err = errno;
	if (write(err_fd, &err, sizeof(err)) != sizeof(err)) {
		/* The parent then sees status 127 without the reason. */
	}
	_exit(127);
}

int command_spawn(struct command *cmd, char *const argv[])
{
	sigset_t all, mask;
	int err_pipe[2], err = 0;
	ssize_t n;
	pid_t pid;

	/* Orphaned descendants become our children: we see them end. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) || pipe2(err_pipe, O_CLOEXEC)) {
		err = errno;
		goto failed;
	}
	/*
	 * Not posix_spawn(): glibc's leaves its two internal signals (32 and
	 * 33) ignored in the new program, which could not then use them.
	 */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &mask);
	pid = fork();
	if (pid == 0) {
		close(err_pipe[0]);
		run_command(argv, &mask, err_pipe[1]);
	}
	if (pid < 0)
		err = errno;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	close(err_pipe[1]);
	if (pid < 0) {
		close(err_pipe[0]);
		goto failed;
	}
	cmd->pid = pid;
	/* End of file: exec succeeded (the pipe is close-on-exec). */
	do
		n = read(err_pipe[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(err_pipe[0]);
	if (n != sizeof(err))
		return 0;
	/* The child exits with 127; command_reap() will see that. */
	fprintf(stderr, "%s: cannot run '%s': %s\n", cmd->name, argv[0], strerror(err));
	return -err;
failed:
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
		if (stop_signal_sent && cmd->pid > 0 && kill(cmd->pid, stop_signal) &&
		    errno == EPERM)
			/* We gave up our user after spawning it (bootstrap-cli -Z). */
			fprintf(stderr, "%s: cannot pass signal %d on to the command, which "
				"runs as another user; signal it directly, or signal %s "
				"again to stop\n", cmd->name, (int)stop_signal, cmd->name);
		stop_signal = 0;
		/* We wait on: nothing to interrupt. */
		tick_cancel();
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
