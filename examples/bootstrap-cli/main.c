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
 *
 * A signal that stops it does so within a second whatever the output's
 * reader does: events that happened after the signal are not shown, and
 * what the reader does not take in time is counted, not waited for; a
 * second signal stops at once (docs/design.md, "Stopping on a signal").
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
#include "journal.h"
#include "options.h"
#include "privdrop.h"
#include "writer.h"

/* Long enough to stay cheap, short enough that a signal is seen soon. */
#define POLL_TIMEOUT_MS 200
/*
 * Most events one poll delivers before the loop looks at its signals, the
 * command and the flush timer again: under a steady stream an unbounded
 * poll would never return.  Big enough that the bound costs nothing.
 */
#define POLL_BATCH 1024

/*
 * After a stop signal, counted from when it is seen: writing the events
 * is given up after STOP_OUTPUT_MS, events still queued from before the
 * signal are counted (not written) until STOP_DRAIN_MS, writing the
 * summary is given up after STOP_SUMMARY_MS.  Blocked writes are
 * interrupted every STOP_TICK_MS to look at the time.  All within a second.
 */
#define STOP_OUTPUT_MS 400
#define STOP_DRAIN_MS 600
#define STOP_SUMMARY_MS 800
#define STOP_TICK_MS 20
#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * The output's buffer into a file or pipe.  It must be our own: given NULL,
 * glibc's setvbuf() ignores the size and uses st_blksize (4 KiB), which
 * measured as one write(2) per 57 table rows.
 */
static char output_buffer[1 << 16];

struct output {
	FILE *out;
	struct writer w;
	bool json;
	/* --journal: no stream (out is NULL); entries not sent, and why. */
	bool journal;
	uint64_t journal_failed;
	int journal_errno;
	bool command_mode;
	/* With a command: it, for command_reap() to pass a first signal on. */
	struct command *cmd;
	/*
	 * Stopping on a signal: since when (monotonic ms), and the wall-clock
	 * time after which events are not shown.
	 */
	bool stopping;
	uint64_t stop_ms, stop_ns;
	/* An event that happened after the signal was delivered: no more. */
	bool past_signal;
	/* The stop's deadline ended the delivery first: some may be left. */
	bool unread;
	/* The output gave up on a second signal, not on its deadline. */
	bool gave_up_on_second;
	/* Events formatted; events delivered once the output had given up. */
	uint64_t formatted, dropped;
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
 * Has a signal asked us to stop?  Without a command, the first SIGINT or
 * SIGTERM; with one, a signal that command_reap() does not pass on to it
 * (the command had ended, or it is the second).  The stop's deadlines
 * count from the first call that sees it.
 */
static bool stop_requested(struct output *o)
{
	if (o->stopping)
		return true;
	if (!command_stop_signal())
		return false;
	if (o->cmd) {
		command_reap(o->cmd);
		if (!command_stop_signal())
			return false;
	}
	o->stopping = true;
	o->stop_ms = monotonic_ms();
	o->stop_ns = now_realtime_ns();
	return true;
}

/* Stopping, and @ms have passed since, or a second signal came. */
static bool stop_past(struct output *o, unsigned int ms)
{
	return stop_requested(o) &&
	       (command_stop_count() > 1 || monotonic_ms() >= o->stop_ms + ms);
}

/* The events' writer: whether to stop waiting for the reader. */
static bool give_up_output(void *ctx)
{
	struct output *o = ctx;

	if (!stop_past(o, STOP_OUTPUT_MS))
		return false;
	o->gave_up_on_second = command_stop_count() > 1;
	return true;
}

static bool give_up_summary(void *ctx)
{
	return stop_past(ctx, STOP_SUMMARY_MS);
}

/*
 * One entry; a send interrupted by the stop's timer is tried again until
 * the output's deadline, then this and every later event is dropped.
 */
static void send_to_journal(struct output *o, const struct proctrace_event *e)
{
	int err;

	while ((err = journal_send_event(e)) == -EINTR)
		if (give_up_output(o)) {
			o->w.gave_up = true;
			o->dropped++;
			return;
		}
	if (err) {
		o->journal_failed++;
		o->journal_errno = -err;
	}
}

static int on_event(const struct proctrace_event *e, void *ctx)
{
	struct output *o = ctx;

	/* In command mode we are the subtree's root, not part of it. */
	if (o->command_mode && command_is_tracer(e->pid))
		return 0;
	if (o->w.gave_up) {
		o->dropped++;
	} else if (o->journal) {
		send_to_journal(o, e);
	} else {
		if (o->json)
			format_json_event(o->out, e);
		else
			format_table_event(o->out, e, clock_of(o, e->timestamp_ns));
		o->formatted++;
	}
	/*
	 * After a stop signal, the first event that happened after it ends
	 * the delivery: under a steady stream (a reader that runs a process
	 * per line, say) draining would never end.
	 */
	if (stop_requested(o) && e->timestamp_ns > o->stop_ns) {
		o->past_signal = true;
		return 1;
	}
	return 0;
}

static volatile sig_atomic_t hangup;

static void on_hangup(int sig)
{
	(void)sig;
	hangup = 1;
}

/* Without SA_RESTART, like the stop signals: the poll's wait ends. */
static int catch_hangup(void)
{
	struct sigaction sa = { .sa_handler = on_hangup };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGHUP, &sa, NULL) ? -errno : 0;
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
 * them.  Not inherited by the command.  Through writer.h, so that a stop
 * does not wait for the reader.
 */
static FILE *open_output(struct output *o, const char *path)
{
	FILE *f;

	o->w.give_up = give_up_output;
	o->w.ctx = o;
	/* Nothing is written to standard output then. */
	if (o->journal)
		return journal_open() ? NULL : stdout;
	o->w.other_prefix = o->json ? FORMAT_JSON_LOST_START : FORMAT_TABLE_HEADER_START;
	f = writer_open(&o->w, path);
	if (!f)
		fprintf(stderr, "bootstrap-cli: cannot open '%s' for the events: %s\n",
			path, strerror(errno));
	return f;
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
	if (o->journal) {
		if (journal_send_lost(now_realtime_ns(), ring_full, other, malformed))
			o->journal_failed++;
	} else if (o->json)
		format_json_lost(o->out, now_realtime_ns(), ring_full, other, malformed);
	else
		fprintf(stderr, "bootstrap-cli: lost %" PRIu64 " events (ring buffer "
			"full: %" PRIu64 ", other: %" PRIu64 ", malformed: %" PRIu64
			"); try a larger --ring-size\n", ring_full + other + malformed,
			ring_full, other, malformed);
	o->reported = now;
}

/*
 * Everything queued in the kernel now, without waiting for the timer;
 * after a stop signal, only what happened before it, and only until the
 * deadline.
 */
static void deliver_queued(struct proctrace *pt, struct output *o)
{
	int n = 1;

	while (n > 0 && !o->past_signal) {
		if (stop_past(o, STOP_DRAIN_MS)) {
			o->unread = true;
			break;
		}
		n = proctrace_poll_n(pt, 0, POLL_BATCH);
	}
}

/*
 * The summary, and before it what a stop had to leave out: how many
 * events it did not write, and whether it left some unread.  Written like
 * the events: a blocked stderr does not hold a stop either.
 */
static void print_summary(struct proctrace *pt, struct output *o)
{
	struct proctrace_stats s = { .sz = sizeof(s) };
	char text[768];
	int len = 0;

	if (o->w.gave_up)
		len = snprintf(text, sizeof(text), "bootstrap-cli: %" PRIu64 " events not "
			       "written: %s\n", o->formatted - writer_events_written(&o->w) +
			       o->dropped, o->gave_up_on_second ? "a second signal stopped "
			       "the output" : "the output's reader did not take them within "
			       STR(STOP_OUTPUT_MS) " ms of the signal");
	if (o->journal_failed)
		len += snprintf(text + len, sizeof(text) - (size_t)len, "bootstrap-cli: "
				"%" PRIu64 " entries not sent to the journal: %s\n",
				o->journal_failed, strerror(o->journal_errno ? o->journal_errno : EIO));
	if (o->unread)
		len += snprintf(text + len, sizeof(text) - (size_t)len, "bootstrap-cli: "
				"events queued before the signal may be left unread: %s\n",
				command_stop_count() > 1 ? "a second signal came" :
				STR(STOP_DRAIN_MS) " ms passed");
	if (proctrace_stats(pt, &s) == 0)
		len += snprintf(text + len, sizeof(text) - (size_t)len,
				"bootstrap-cli: summary: delivered=%" PRIu64 " lost=%" PRIu64
				" (ring_full=%" PRIu64 " other=%" PRIu64 " malformed=%" PRIu64
				")\n", s.events_delivered, s.events_lost, s.lost_ring_full,
				s.lost_other, s.lost_malformed);
	writer_write_all(STDERR_FILENO, text, (size_t)len, give_up_summary, o);
}

/*
 * --features: one line per capability the session runs, "NAME: full" or
 * "NAME: degraded: WHAT IT GIVES UP".
 */
static int print_features(struct proctrace *pt)
{
	struct proctrace_features f = { .sz = sizeof(f) };
	uint32_t bit;
	int err = proctrace_features(pt, &f);

	if (err) {
		fprintf(stderr, "bootstrap-cli: cannot read the capabilities: %s\n",
			strerror(-err));
		return 1;
	}
	for (bit = 1; bit; bit <<= 1) {
		const char *name = proctrace_feature_name(bit);

		if (!name || !(f.active & bit))
			continue;
		if (f.degraded & bit)
			printf("%s: degraded: %s\n", name, proctrace_feature_degraded(bit));
		else
			printf("%s: full\n", name);
	}
	return fflush(stdout) ? 1 : 0;
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
			 (cli->failed_except ? PROCTRACE_OPT_EXEC_FAILED_EXCEPT : 0) |
			 (cli->compat ? PROCTRACE_OPT_COMPAT : 0) |
			 (cli->creds ? PROCTRACE_OPT_CRED_CHANGES : 0),
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
	/* Static: the events' stream points at it until exit() flushes. */
	static struct output output;
	COMMAND_INIT(cmd, "bootstrap-cli");
	struct privdrop drop;
	struct proctrace *pt;
	int err, status = 0;
	bool interactive, unflushed = false;
	uint64_t last_flush_ms, flush_every_ms;

	cli_options_parse(argc, argv, &cli);
	flush_every_ms = cli.latency_ms ? cli.latency_ms : PROCTRACE_LATENCY_DEFAULT_MS;
	output.json = cli.json;
	output.journal = cli.journal;
	output.w.rotate_size = cli.rotate_size;
	output.w.rotate_keep = cli.rotate_keep;
	output.command_mode = cli.command != NULL;
	output.cmd = cli.command ? &cmd : NULL;
	output.reported.sz = sizeof(output.reported);

	if (cli.verbose)
		proctrace_set_log(log_everything, NULL);

	/*
	 * Into a pipe or file, write in large blocks and flush once per
	 * batch of events rather than once per line.
	 */
	output.out = open_output(&output, cli.output);
	if (!output.out)
		return 1;
	interactive = isatty(output.w.fd);
	setvbuf(output.out, output_buffer, interactive ? _IOLBF : _IOFBF,
		sizeof(output_buffer));

	/* An unknown --user, or one we could not become, fails before anything starts. */
	err = privdrop_prepare(cli.user, &drop);
	if (err)
		return err;

	err = command_catch_signals();
	/* SIGHUP reopens the events' file (logrotate's default: it moved it). */
	if (!err && cli.output && !cli.journal)
		err = catch_hangup();
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
	if (cli.features) {
		status = print_features(pt);
		proctrace_close(pt);
		return status;
	}
	/* Not before: a start interrupted again and again could fail. */
	err = command_tick_on_stop(STOP_TICK_MS);
	if (err) {
		fprintf(stderr, "bootstrap-cli: cannot create a timer: %s\n", strerror(-err));
		proctrace_close(pt);
		return 1;
	}

	if (!cli.json && !cli.journal)
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
		if (hangup) {
			hangup = 0;
			status = flush_output(output.out);
			if (!status && !output.w.gave_up && (err = writer_reopen(&output.w)))
				fprintf(stderr, "bootstrap-cli: cannot reopen '%s' (writing on "
					"into the file open): %s\n", cli.output, strerror(-err));
			if (status)
				break;
		}
		if (cli.command ? command_reap(&cmd) : command_stop_signal() != 0) {
			/*
			 * Without a command, a signal stops us.  With one,
			 * every process of the subtree has been reaped, so
			 * every EXIT is queued (or a signal cut the wait
			 * short): deliver what happened, then stop.
			 */
			deliver_queued(pt, &output);
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

	if (!status) {
		report_losses(pt, &output, true);
		status = flush_output(output.out);
	}
	print_summary(pt, &output);
	proctrace_close(pt);
	if (fclose(output.out) && !status) {
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
