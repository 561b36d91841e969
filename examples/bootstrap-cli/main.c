/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bootstrap-cli: prints process exec, exit and (optionally) fork events,
 * one line each, as a table or as JSON lines.  It uses libproctrace's
 * public API only.
 *
 * Two ways to run:
 *   bootstrap-cli [OPTIONS]               the whole machine (or a filter),
 *                                         until SIGINT or SIGTERM;
 *   bootstrap-cli [OPTIONS] -- CMD ARG... CMD and its descendants only,
 *                                         until all of them are gone.
 *
 * Exit status: 0 after SIGINT or SIGTERM; with a command, the command's
 * own status (128 + N if signal N killed it, 127 if it could not be run);
 * 1 when tracing cannot start or output cannot be written; 2 for bad usage.
 * Lost events are reported as they happen and summed up at exit on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "format.h"
#include "options.h"

/* Long enough to stay cheap, short enough that a signal is seen soon. */
#define POLL_TIMEOUT_MS 200

static volatile sig_atomic_t stop_signal;
/* The stop signal came from kill(2), not from the terminal (see below). */
static volatile sig_atomic_t stop_signal_sent;
static volatile sig_atomic_t stop_count;

/*
 * stdout's buffer into a file or pipe.  It must be our own: given NULL,
 * glibc's setvbuf() ignores the size and uses st_blksize (4 KiB), which
 * measured as one write(2) per 57 table rows.
 */
static char output_buffer[1 << 16];

struct output {
	FILE *out;
	bool json;
	/* The last second formatted as HH:MM:SS, so that it is done once. */
	time_t clock_second;
	char clock[16];
	/* Losses already reported, and when to look again. */
	struct proctrace_stats reported;
	uint64_t next_loss_check_ms;
};

static void on_stop_signal(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	stop_signal = sig;
	stop_signal_sent = info && (info->si_code == SI_USER || info->si_code == SI_QUEUE);
	stop_count++;
}

/* Only there to interrupt the wait in proctrace_poll() when a child ends. */
static void on_child(int sig)
{
	(void)sig;
}

/*
 * No SA_RESTART: a signal must interrupt the wait inside proctrace_poll(),
 * which then returns -EINTR.
 */
static int install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	sa.sa_flags = 0;
	sa.sa_handler = on_child;
	if (sigaction(SIGCHLD, &sa, NULL))
		return -errno;
	/* A closed pipe shows up as a write error, handled below. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL))
		return -errno;
	return 0;
}

static const char *clock_of(struct output *o, uint64_t timestamp_ns)
{
	time_t sec = (time_t)(timestamp_ns / 1000000000ULL);
	struct tm tm;

	if (sec != o->clock_second || !o->clock[0]) {
		if (localtime_r(&sec, &tm))
			strftime(o->clock, sizeof(o->clock), "%H:%M:%S", &tm);
		else
			snprintf(o->clock, sizeof(o->clock), "??:??:??");
		o->clock_second = sec;
	}
	return o->clock;
}

static int on_event(const struct proctrace_event *e, void *ctx)
{
	struct output *o = ctx;

	if (o->json)
		format_json_event(o->out, e);
	else
		format_table_event(o->out, e, clock_of(o, e->timestamp_ns));
	return 0;
}

static void log_everything(enum proctrace_log_level level, const char *msg,
			   void *ctx)
{
	(void)level;
	(void)ctx;
	fprintf(stderr, "libproctrace: %s\n", msg);
}

/* Returns 0, or 1 after saying why the output is gone. */
static int flush_output(FILE *out)
{
	if (fflush(out) == 0 && !ferror(out))
		return 0;
	fprintf(stderr, "bootstrap-cli: cannot write events: %s\n",
		strerror(errno ? errno : EIO));
	return 1;
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Says so when events were lost since the last check: a JSON record in
 * the event stream, or a line on stderr next to the table.  Never silent.
 */
static void report_losses(struct proctrace *pt, struct output *o, bool now_or_never)
{
	struct proctrace_stats now = { .sz = sizeof(now) };
	uint64_t ring_full, other, malformed;
	uint64_t ms = monotonic_ms();

	/* Reading the counters is a system call: at most ten times a second. */
	if (!now_or_never && ms < o->next_loss_check_ms)
		return;
	o->next_loss_check_ms = ms + 100;

	if (proctrace_stats(pt, &now) < 0 || now.events_lost == o->reported.events_lost)
		return;
	ring_full = now.lost_ring_full - o->reported.lost_ring_full;
	other = now.lost_other - o->reported.lost_other;
	malformed = now.lost_malformed - o->reported.lost_malformed;
	if (o->json)
		format_json_lost(o->out, now_realtime_ns(), ring_full, other, malformed);
	else
		fprintf(stderr, "bootstrap-cli: lost %" PRIu64 " events (ring buffer "
			"full: %" PRIu64 ", other: %" PRIu64 ", malformed: %" PRIu64
			"); try a larger --ring-size\n", ring_full + other + malformed,
			ring_full, other, malformed);
	o->reported = now;
}

/* Everything queued in the kernel now, without waiting for the timer. */
static void deliver_queued(struct proctrace *pt)
{
	while (proctrace_poll(pt, 0) > 0)
		;
}

static void print_summary(struct proctrace *pt)
{
	struct proctrace_stats s = { .sz = sizeof(s) };

	if (proctrace_stats(pt, &s) < 0)
		return;
	fprintf(stderr, "bootstrap-cli: summary: delivered=%" PRIu64 " lost=%" PRIu64
		" (ring_full=%" PRIu64 " other=%" PRIu64 " malformed=%" PRIu64 ")\n",
		s.events_delivered, s.events_lost, s.lost_ring_full, s.lost_other,
		s.lost_malformed);
}

/*
 * The command, forked but held before exec until tracing has started, so
 * that its exec is the first event of the subtree.  Its pid is known
 * before that, which is what the subtree filter needs.
 */
struct command {
	pid_t pid;
	int release_fd;		/* write end: one byte, or close, lets it run */
	bool done;
	int status;		/* its wait status, once done */
};

static int command_fork(struct command *cmd, char **argv)
{
	int go[2];
	char byte;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	cmd->pid = fork();
	if (cmd->pid < 0) {
		close(go[0]);
		close(go[1]);
		return -errno;
	}
	if (cmd->pid == 0) {
		ssize_t n;

		/* The command gets the signal dispositions we were given. */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close(go[1]);
		do
			n = read(go[0], &byte, 1);
		while (n < 0 && errno == EINTR);
		/* EOF without a byte: tracing failed, do not run at all. */
		if (n != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "bootstrap-cli: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(go[0]);
	cmd->release_fd = go[1];
	return 0;
}

static void command_release(struct command *cmd, bool run)
{
	if (run && write(cmd->release_fd, "x", 1) != 1)
		fprintf(stderr, "bootstrap-cli: cannot start the command: %s\n",
			strerror(errno));
	close(cmd->release_fd);
	cmd->release_fd = -1;
}

/*
 * Reaps every child that has ended: the command itself, and, since we are
 * a child subreaper, every orphaned descendant.  Returns true once none
 * is left.
 */
static bool command_reap(struct command *cmd)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == cmd->pid) {
			cmd->done = true;
			cmd->status = status;
		} else if (pid == 0) {
			return false;
		} else if (pid < 0) {
			return errno == ECHILD;
		}
	}
}

static int command_exit_status(const struct command *cmd)
{
	if (WIFSIGNALED(cmd->status))
		return 128 + WTERMSIG(cmd->status);
	return WEXITSTATUS(cmd->status);
}

static struct proctrace *open_tracer(const struct cli_options *cli,
				     struct output *output, int32_t pid)
{
	PROCTRACE_OPTS(opts,
		.min_duration_ns = cli->min_duration_ns,
		.flags = (cli->fork_events ? PROCTRACE_OPT_FORK_EVENTS : 0) |
			 (cli->has_uid ? PROCTRACE_OPT_FILTER_UID : 0) |
			 (cli->wake_every_event ? PROCTRACE_OPT_WAKE_EVERY_EVENT : 0),
		.max_args_size = cli->max_args,
		.ring_buffer_size = cli->ring_size,
		.max_latency_ms = cli->latency_ms,
		.filter_pid = pid,
		.filter_uid = cli->uid,
		.filter_cgroup_id = cli->cgroup_id,
		.filter_comm = cli->comm);
	struct proctrace *pt;
	int err;

	pt = proctrace_open(on_event, output, &opts);
	if (!pt) {
		fprintf(stderr, "bootstrap-cli: cannot set up tracing: %s\n",
			strerror(errno));
		return NULL;
	}
	err = proctrace_start(pt);
	if (err) {
		fprintf(stderr, "bootstrap-cli: cannot start tracing: %s\n",
			strerror(-err));
		proctrace_close(pt);
		return NULL;
	}
	return pt;
}

int main(int argc, char **argv)
{
	struct cli_options cli = { 0 };
	struct output output = { .out = stdout };
	struct command cmd = { .pid = -1, .release_fd = -1 };
	struct proctrace *pt;
	int err, status = 0;
	bool interactive = isatty(STDOUT_FILENO), unflushed = false;
	int interrupted = 0;	/* the signal that ended a command-mode wait */
	uint64_t last_flush_ms, flush_every_ms;

	cli_options_parse(argc, argv, &cli);
	flush_every_ms = cli.latency_ms ? cli.latency_ms : PROCTRACE_LATENCY_DEFAULT_MS;
	output.json = cli.json;
	output.reported.sz = sizeof(output.reported);

	if (cli.verbose)
		proctrace_set_log(log_everything, NULL);

	/*
	 * Into a pipe or file, write in large blocks and flush once per
	 * batch of events rather than once per line.
	 */
	if (!interactive)
		setvbuf(stdout, output_buffer, _IOFBF, sizeof(output_buffer));

	err = install_signal_handlers();
	if (err) {
		fprintf(stderr, "bootstrap-cli: cannot install signal handlers: %s\n",
			strerror(-err));
		return 1;
	}

	if (cli.command) {
		/* Orphaned descendants become our children: we see them end. */
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) || (err = command_fork(&cmd, cli.command))) {
			fprintf(stderr, "bootstrap-cli: cannot start the command: %s\n",
				strerror(err ? -err : errno));
			return 1;
		}
	}

	pt = open_tracer(&cli, &output, cli.command ? cmd.pid : cli.pid);
	if (!pt) {
		if (cli.command) {
			command_release(&cmd, false);
			waitpid(cmd.pid, NULL, 0);
		}
		return 1;
	}

	if (!cli.json)
		format_table_header(output.out);
	status = flush_output(output.out);
	last_flush_ms = monotonic_ms();
	/* If even the header could not be written, the command never runs. */
	if (cli.command)
		command_release(&cmd, !status);

	while (!status) {
		if (stop_signal) {
			/*
			 * Stop now: without a command; or once the command has
			 * ended and only its orphans keep us; or on a second
			 * signal.  What happened before is still shown.
			 */
			if (!cli.command || cmd.done || stop_count > 1) {
				if (cli.command && !cmd.done)
					interrupted = stop_signal;
				deliver_queued(pt);
				break;
			}
			/*
			 * A terminal's ^C reached the command's process group
			 * already; pass on only a signal sent to us alone.
			 */
			if (stop_signal_sent)
				kill(cmd.pid, stop_signal);
			stop_signal = 0;
		}
		if (cli.command && command_reap(&cmd)) {
			/* Every exit happened before its parent could reap it. */
			deliver_queued(pt);
			break;
		}
		/* Do not sit on unwritten events longer than the latency. */
		err = proctrace_poll(pt, unflushed && flush_every_ms < POLL_TIMEOUT_MS ?
					 (int)flush_every_ms : POLL_TIMEOUT_MS);
		if (err == -EINTR)
			continue;
		if (err < 0) {
			fprintf(stderr, "bootstrap-cli: cannot read events: %s\n",
				strerror(-err));
			status = 1;
			break;
		}
		report_losses(pt, &output, false);
		/*
		 * A terminal sees each batch at once.  A file or pipe gets one
		 * write per latency period at most (or per 64 KiB, when stdio's
		 * buffer fills), and the rest as soon as events pause.
		 */
		if (err > 0)
			unflushed = true;
		if (unflushed && (interactive || err == 0 ||
				  monotonic_ms() - last_flush_ms >= flush_every_ms)) {
			status = flush_output(output.out);
			unflushed = false;
			last_flush_ms = monotonic_ms();
		}
	}

	if (!status)
		report_losses(pt, &output, true);
	print_summary(pt);
	proctrace_close(pt);
	if (!status)
		status = flush_output(output.out);
	if (cli.command && !cmd.done && !interrupted) {
		/* Output failed: not our place to kill the command; wait. */
		while (waitpid(cmd.pid, &cmd.status, 0) < 0 && errno == EINTR)
			;
		cmd.done = true;
	}
	if (!status && cli.command)
		status = cmd.done ? command_exit_status(&cmd) : 128 + interrupted;
	return status;
}
