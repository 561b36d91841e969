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
 * Once tracing has started (and a command was spawned) it gives up every
 * capability (and, with --user, its user); the command keeps the caller's.
 *
 * Exit status: 0 after SIGINT or SIGTERM; with a command, the command's
 * own status (128 + N if signal N killed it, 127 if it could not be run);
 * 1 when tracing cannot start or output cannot be written; 2 for bad usage.
 * Lost events are reported as they happen and summed up at exit on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "command.h"
#include "format.h"
#include "options.h"
#include "privdrop.h"

/* Long enough to stay cheap, short enough that a signal is seen soon. */
#define POLL_TIMEOUT_MS 200
/*
 * Most events one poll delivers before the loop looks at its signals, the
 * command and the flush timer again: under a steady stream an unbounded
 * poll would never return.  Big enough that the bound costs nothing.
 */
#define POLL_BATCH 1024

/*
 * The output's buffer into a file or pipe.  It must be our own: given NULL,
 * glibc's setvbuf() ignores the size and uses st_blksize (4 KiB), which
 * measured as one write(2) per 57 table rows.
 */
static char output_buffer[1 << 16];

struct output {
	FILE *out;
	bool json;
	bool command_mode;
	/* The last second formatted as HH:MM:SS, so that it is done once. */
	time_t clock_second;
	char clock[16];
	/* Losses already reported, and when to look again. */
	struct proctrace_stats reported;
	uint64_t next_loss_check_ms;
};

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

	/* In command mode we are the subtree's root, not part of it. */
	if (o->command_mode && command_is_tracer(e->pid))
		return 0;
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

/*
 * Where the events go: standard output, or with -o a file of their own,
 * so that a command writing to standard output cannot mix its lines into
 * them.  Not inherited by the command.
 */
static FILE *open_output(const char *path)
{
	FILE *f;

	if (!path)
		return stdout;
	f = fopen(path, "we");
	if (!f)
		fprintf(stderr, "bootstrap-cli: cannot open '%s' for the events: %s\n",
			path, strerror(errno));
	return f;
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
	while (proctrace_poll_n(pt, 0, POLL_BATCH) > 0)
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

static struct proctrace *open_tracer(const struct cli_options *cli,
				     struct output *output, int32_t pid)
{
	PROCTRACE_OPTS(opts,
		.min_duration_ns = cli->min_duration_ns,
		.flags = (cli->fork_events ? PROCTRACE_OPT_FORK_EVENTS : 0) |
			 (cli->has_uid ? PROCTRACE_OPT_FILTER_UID : 0) |
			 (cli->wake_every_event ? PROCTRACE_OPT_WAKE_EVERY_EVENT : 0) |
			 (cli->snapshot ? PROCTRACE_OPT_SNAPSHOT : 0) |
			 (cli->failed ? PROCTRACE_OPT_EXEC_FAILED : 0) |
			 (cli->failed_except ? PROCTRACE_OPT_EXEC_FAILED_EXCEPT : 0),
		.exec_failed_errnos = cli->failed_errnos[0] ? cli->failed_errnos : NULL,
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
	struct output output = { 0 };
	COMMAND_INIT(cmd, "bootstrap-cli");
	struct privdrop drop;
	struct proctrace *pt;
	int err, status = 0;
	bool interactive, unflushed = false;
	uint64_t last_flush_ms, flush_every_ms;

	cli_options_parse(argc, argv, &cli);
	flush_every_ms = cli.latency_ms ? cli.latency_ms : PROCTRACE_LATENCY_DEFAULT_MS;
	output.json = cli.json;
	output.command_mode = cli.command != NULL;
	output.reported.sz = sizeof(output.reported);

	if (cli.verbose)
		proctrace_set_log(log_everything, NULL);

	/*
	 * Into a pipe or file, write in large blocks and flush once per
	 * batch of events rather than once per line.
	 */
	output.out = open_output(cli.output);
	if (!output.out)
		return 1;
	interactive = isatty(fileno(output.out));
	if (!interactive)
		setvbuf(output.out, output_buffer, _IOFBF, sizeof(output_buffer));

	/* An unknown --user, or one we could not become, fails before anything starts. */
	err = privdrop_prepare(cli.user, &drop);
	if (err)
		return err;

	err = command_catch_signals();
	if (err) {
		fprintf(stderr, "bootstrap-cli: cannot install signal handlers: %s\n",
			strerror(-err));
		return 1;
	}

	/*
	 * A command is created only once tracing has started, with us as the
	 * subtree's root: its duration is then its own, not our start-up's.
	 */
	pt = open_tracer(&cli, &output, cli.command ? (int32_t)getpid() : cli.pid);
	if (!pt)
		return 1;

	if (!cli.json)
		format_table_header(output.out);
	status = flush_output(output.out);
	last_flush_ms = monotonic_ms();
	/* If even the header could not be written, the command never runs. */
	if (cli.command && !status)
		command_spawn(&cmd, cli.command);
	/*
	 * From here on nothing needs a privilege.  The command, just forked,
	 * keeps the credentials we were started with: hence after the spawn,
	 * and before anything reads events.
	 */
	if (!status && privdrop_apply(&drop, cli.verbose))
		status = 1;
	privdrop_free(&drop);

	while (!status) {
		if (cli.command ? command_reap(&cmd) : command_stop_signal() != 0) {
			/*
			 * Without a command, a signal stops us.  With one,
			 * every process of the subtree has been reaped, so
			 * every EXIT is queued (or a signal cut the wait
			 * short): deliver what happened, then stop.
			 */
			deliver_queued(pt);
			break;
		}
		/* Do not sit on unwritten events longer than the latency. */
		err = proctrace_poll_n(pt, unflushed && flush_every_ms < POLL_TIMEOUT_MS ?
					   (int)flush_every_ms : POLL_TIMEOUT_MS, POLL_BATCH);
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
	if (output.out != stdout && fclose(output.out) && !status) {
		fprintf(stderr, "bootstrap-cli: cannot write events: %s\n", strerror(errno));
		status = 1;
	}
	if (cli.command) {
		/* Output failed: not our place to kill the command; wait. */
		command_wait(&cmd);
		if (!status)
			status = command_exit_status(&cmd);
	}
	return status;
}
