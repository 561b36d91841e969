/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proctrace-timeline: runs a command, traces it and every process it
 * starts, and draws them over time (svg.h), optionally also as a Trace
 * Event Format file (trace.h), with a summary on stderr (summary.h).
 * It uses libproctrace's public API only; the drawing code does not call
 * the library at all and is tested on synthetic events.
 *
 *   proctrace-timeline [-o FILE.svg] [--trace FILE.json] [OPTIONS] -- CMD [ARG...]
 *
 * Exit status: the command's own (128 + N if signal N killed it, 127 if
 * it could not be run); 1 when tracing cannot start or a file cannot be
 * written; 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

#include "command.h"
#include "layout.h"
#include "model.h"
#include "options.h"
#include "run.h"
#include "summary.h"
#include "svg.h"
#include "trace.h"

#define NAME "proctrace-timeline"

/* Long enough to stay cheap, short enough that a signal is seen soon. */
#define POLL_TIMEOUT_MS 200

/* Output files, opened before the command runs so that it never runs for nothing. */
struct output {
	const char *path;
	FILE *f;
};

static int on_event(const struct proctrace_event *e, void *ctx)
{
	/* Out of memory is noted in the model and said in every output. */
	tl_model_add(ctx, e);
	return 0;
}

static void log_everything(enum proctrace_log_level level, const char *msg, void *ctx)
{
	(void)level;
	(void)ctx;
	fprintf(stderr, "libproctrace: %s\n", msg);
}

static uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int output_open(struct output *o, const char *path)
{
	o->path = path;
	o->f = path ? fopen(path, "w") : NULL;
	if (path && !o->f) {
		fprintf(stderr, NAME ": cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Closes; 0, or 1 after saying why the file is incomplete. */
static int output_close(struct output *o)
{
	int bad;

	if (!o->f)
		return 0;
	errno = 0;
	bad = fflush(o->f) != 0 || ferror(o->f);
	bad |= fclose(o->f) != 0;
	o->f = NULL;
	if (!bad)
		return 0;
	fprintf(stderr, NAME ": cannot write '%s': %s\n", o->path,
		strerror(errno ? errno : EIO));
	return 1;
}

/* Tracing could not start: leave no empty file behind. */
static void output_discard(struct output *o)
{
	if (!o->f)
		return;
	fclose(o->f);
	o->f = NULL;
	unlink(o->path);
}

static struct proctrace *start_tracing(const struct tl_options *opt, struct tl_model *m)
{
	/* Our own pid: the command, spawned after the start, is in the subtree. */
	PROCTRACE_OPTS(opts,
		.flags = PROCTRACE_OPT_FORK_EVENTS,
		.max_args_size = opt->max_args,
		.ring_buffer_size = opt->ring_size,
		.filter_pid = (int32_t)getpid());
	struct proctrace *pt = proctrace_open(on_event, m, &opts);
	int err;

	if (!pt) {
		fprintf(stderr, NAME ": cannot set up tracing: %s\n", strerror(errno));
		return NULL;
	}
	err = proctrace_start(pt);
	if (err) {
		fprintf(stderr, NAME ": cannot start tracing: %s\n", strerror(-err));
		proctrace_close(pt);
		return NULL;
	}
	return pt;
}

/* Delivers events until the command and every process it left are gone. */
static int trace_until_done(struct proctrace *pt, struct command *cmd)
{
	int err;

	while (!command_reap(cmd)) {
		err = proctrace_poll(pt, POLL_TIMEOUT_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, NAME ": cannot read events: %s\n", strerror(-err));
			return 1;
		}
	}
	/* Every EXIT was queued before its process could be reaped. */
	while (proctrace_poll(pt, 0) > 0)
		;
	return 0;
}

static void read_losses(struct proctrace *pt, struct tl_run *run)
{
	struct proctrace_stats s = { .sz = sizeof(s) };

	if (proctrace_stats(pt, &s) < 0)
		return;
	run->lost_ring_full = s.lost_ring_full;
	run->lost_other = s.lost_other;
	run->lost_malformed = s.lost_malformed;
}

static int write_outputs(const struct tl_options *opt, struct tl_model *m,
			 const struct tl_run *run, struct output *svg, struct output *trace)
{
	struct tl_layout layout;
	int status = 0;

	if (tl_layout_compute(m, opt->width, &layout)) {
		fprintf(stderr, NAME ": out of memory while laying out %zu processes\n", m->n);
		output_close(svg);
		output_close(trace);
		return 1;
	}
	tl_svg_write(svg->f, m, &layout, run);
	status |= output_close(svg);
	if (trace->f) {
		tl_trace_write(trace->f, m, &layout, run);
		status |= output_close(trace);
	}
	tl_layout_free(&layout);
	return status;
}

int main(int argc, char **argv)
{
	struct tl_options opt;
	struct tl_model model;
	struct tl_run run = { 0 };
	struct output svg = { 0 }, trace = { 0 };
	struct proctrace *pt;
	COMMAND_INIT(cmd, NAME);
	int status, err;

	tl_options_parse(argc, argv, &opt);
	if (opt.verbose)
		proctrace_set_log(log_everything, NULL);
	for (run.command = (const char *const *)opt.command; opt.command[run.command_argc];)
		run.command_argc++;

	if (output_open(&svg, opt.svg_path) || output_open(&trace, opt.trace_path)) {
		output_discard(&svg);
		return 1;
	}
	err = command_catch_signals();
	if (err) {
		fprintf(stderr, NAME ": cannot install signal handlers: %s\n", strerror(-err));
		output_discard(&svg);
		output_discard(&trace);
		return 1;
	}

	tl_model_init(&model, (int32_t)getpid());
	pt = start_tracing(&opt, &model);
	if (!pt) {
		output_discard(&svg);
		output_discard(&trace);
		return 1;
	}
	/* A command that cannot be run still ends the run normally: status 127. */
	command_spawn(&cmd, opt.command);
	status = trace_until_done(pt, &cmd);
	read_losses(pt, &run);
	proctrace_close(pt);
	/* Tracing stopped early: the command is still ours to wait for. */
	command_wait(&cmd);

	run.incomplete = model.oom;
	if (tl_model_finish(&model, now_realtime_ns())) {
		fprintf(stderr, NAME ": out of memory with %zu processes\n", model.n);
		status = 1;
		output_close(&svg);
		output_close(&trace);
	} else {
		status |= write_outputs(&opt, &model, &run, &svg, &trace);
		if (!opt.quiet)
			tl_summary_write(stderr, &model, &run);
	}
	tl_model_free(&model);
	return status ? status : command_exit_status(&cmd);
}
