/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bootstrap-cli: prints process exec and exit events, one line each, as a
 * table or as JSON lines.  It uses libproctrace's public API only.
 *
 * Exit status: 0 after SIGINT or SIGTERM, 1 when tracing cannot start or
 * output cannot be written, 2 for bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "format.h"
#include "options.h"

/* Long enough to stay cheap, short enough that a signal is seen soon. */
#define POLL_TIMEOUT_MS 200

static volatile sig_atomic_t stop_requested;

struct output {
	FILE *out;
	bool json;
	/* The last second formatted as HH:MM:SS, so that it is done once. */
	time_t clock_second;
	char clock[16];
};

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * No SA_RESTART: the signal must interrupt the wait inside
 * proctrace_poll(), which then returns -EINTR.
 */
static int install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
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

int main(int argc, char **argv)
{
	struct cli_options cli = { 0 };
	struct output output = { .out = stdout };
	struct proctrace *pt;
	int err, status = 0;

	cli_options_parse(argc, argv, &cli);
	output.json = cli.json;

	if (cli.verbose)
		proctrace_set_log(log_everything, NULL);

	/*
	 * Into a pipe or file, write in large blocks and flush once per
	 * batch of events rather than once per line.
	 */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	err = install_signal_handlers();
	if (err) {
		fprintf(stderr, "bootstrap-cli: cannot install signal handlers: %s\n",
			strerror(-err));
		return 1;
	}

	PROCTRACE_OPTS(opts, .min_duration_ns = cli.min_duration_ns);
	pt = proctrace_open(on_event, &output, &opts);
	if (!pt) {
		fprintf(stderr, "bootstrap-cli: cannot set up tracing: %s\n",
			strerror(errno));
		return 1;
	}
	err = proctrace_start(pt);
	if (err) {
		fprintf(stderr, "bootstrap-cli: cannot start tracing: %s\n",
			strerror(-err));
		proctrace_close(pt);
		return 1;
	}

	if (!cli.json)
		format_table_header(output.out);
	status = flush_output(output.out);

	while (!status && !stop_requested) {
		err = proctrace_poll(pt, POLL_TIMEOUT_MS);
		if (err == -EINTR)
			continue;
		if (err < 0) {
			fprintf(stderr, "bootstrap-cli: cannot read events: %s\n",
				strerror(-err));
			status = 1;
			break;
		}
		if (err > 0)
			status = flush_output(output.out);
	}

	proctrace_close(pt);
	if (!status)
		status = flush_output(output.out);
	return status;
}
