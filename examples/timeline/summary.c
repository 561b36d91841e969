/* SPDX-License-Identifier: BSD-2-Clause */
#include "summary.h"

#include <inttypes.h>
#include <stdlib.h>

#include "escape.h"
#include "layout.h"

/* Command lines shown on the terminal, at most this many bytes. */
#define LINE_BYTES 200

static void put_command(FILE *out, const struct tl_proc *p)
{
	uint32_t argc;
	const char *const *argv = tl_proc_argv(p, &argc);
	bool cut = false;
	char *line;

	if (!argc) {
		esc_write(out, p->comm, ESC_TEXT, 0);
		return;
	}
	line = esc_join_argv(argv, argc, LINE_BYTES, &cut);
	if (line)
		esc_write(out, line, ESC_TEXT, 0);
	if (!line || cut)
		fputs(" ...", out);
	free(line);
}

static void put_outcome(FILE *out, const struct tl_proc *p)
{
	char buf[24];

	if (tl_outcome(p) == TL_KILLED)
		fprintf(out, "%-10s", tl_signal_name(p->signal, buf, sizeof(buf)));
	else if (tl_outcome(p) == TL_OPEN)
		fprintf(out, "%-10s", "no exit");
	else
		fprintf(out, "exit %-5" PRId32, p->exit_code);
}

static void put_failed(FILE *out, const struct tl_model *m, size_t failed)
{
	size_t k, shown = 0;

	if (!failed)
		return;
	fprintf(out, "proctrace-timeline: failed:\n");
	for (k = 0; m->order && k < m->n && shown < TL_SUMMARY_MAX_FAILED; k++) {
		const struct tl_proc *p = &m->procs[m->order[k]];

		if (!tl_failed(p))
			continue;
		fputs("  ", out);
		put_outcome(out, p);
		fprintf(out, " pid %-7" PRId32 " ", p->pid);
		put_command(out, p);
		fputc('\n', out);
		shown++;
	}
	if (failed > shown)
		fprintf(out, "  and %zu more\n", failed - shown);
}

/* What a top-ten list ranks processes by; 0 leaves a process out. */
static uint64_t lifetime_of(const struct tl_proc *p)
{
	return p->end_ns - p->start_ns;
}

static uint64_t cpu_of(const struct tl_proc *p)
{
	return p->cpu_ns;
}

static uint64_t rss_of(const struct tl_proc *p)
{
	return p->max_rss_bytes;
}

/*
 * "proctrace-timeline: @title:" and the TL_SUMMARY_TOP processes with the
 * largest @value, largest first (the earlier on ties).  Unless @with_zero,
 * a process whose value is 0 (not known: an older library, or its EXIT
 * lost) is left out, and with none left, so is the list.
 */
static void put_top(FILE *out, const struct tl_model *m, const char *title,
		    uint64_t (*value)(const struct tl_proc *),
		    void (*format)(uint64_t, char *, size_t), bool with_zero)
{
	size_t top[TL_SUMMARY_TOP], n_top = 0, i, j;
	char text[32];

	/* Insertion into a short sorted list: n times at most ten steps. */
	for (i = 0; i < m->n; i++) {
		uint64_t v = value(&m->procs[i]);

		if (!v && !with_zero)
			continue;
		for (j = n_top; j > 0; j--) {
			if (value(&m->procs[top[j - 1]]) >= v)
				break;
			if (j < TL_SUMMARY_TOP)
				top[j] = top[j - 1];
		}
		if (j < TL_SUMMARY_TOP) {
			top[j] = i;
			if (n_top < TL_SUMMARY_TOP)
				n_top++;
		}
	}
	if (!n_top)
		return;
	fprintf(out, "proctrace-timeline: %s:\n", title);
	for (i = 0; i < n_top; i++) {
		const struct tl_proc *p = &m->procs[top[i]];

		format(value(p), text, sizeof(text));
		fprintf(out, "  %-12s pid %-7" PRId32 " ", text, p->pid);
		put_command(out, p);
		fputc('\n', out);
	}
}

void tl_summary_write(FILE *out, const struct tl_model *m, const struct tl_run *run)
{
	size_t failed = tl_model_failed(m);
	char wall[32];

	tl_format_duration(m->t1_ns - m->t0_ns, wall, sizeof(wall));
	fprintf(out, "proctrace-timeline: wall time %s, %zu processes, %zu failed, "
		"peak %zu at once\n", wall, m->n, failed, tl_model_peak(m));
	put_failed(out, m, failed);
	put_top(out, m, "most CPU time", cpu_of, tl_format_duration, false);
	put_top(out, m, "highest peak memory", rss_of, tl_format_bytes, false);
	put_top(out, m, "longest", lifetime_of, tl_format_duration, true);
	if (tl_run_lost(run))
		fprintf(out, "proctrace-timeline: %" PRIu64 " events lost in the kernel "
			"(ring buffer full: %" PRIu64 ", other: %" PRIu64 ", malformed: %"
			PRIu64 "): processes may be missing or drawn open-ended; try a "
			"larger --ring-size\n", tl_run_lost(run), run->lost_ring_full,
			run->lost_other, run->lost_malformed);
	if (run->incomplete)
		fprintf(out, "proctrace-timeline: out of memory: some events were not recorded\n");
}
