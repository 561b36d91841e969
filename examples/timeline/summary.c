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
		enum tl_outcome o = tl_outcome(p);

		if (o != TL_FAILED && o != TL_KILLED)
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

static void put_longest(FILE *out, const struct tl_model *m)
{
	size_t top[TL_SUMMARY_LONGEST], n_top = 0, i, j;
	char dur[32];

	/* Insertion into a short sorted list: n times at most ten steps. */
	for (i = 0; i < m->n; i++) {
		uint64_t d = m->procs[i].end_ns - m->procs[i].start_ns;

		for (j = n_top; j > 0; j--) {
			const struct tl_proc *q = &m->procs[top[j - 1]];

			if (q->end_ns - q->start_ns >= d)
				break;
			if (j < TL_SUMMARY_LONGEST)
				top[j] = top[j - 1];
		}
		if (j < TL_SUMMARY_LONGEST) {
			top[j] = i;
			if (n_top < TL_SUMMARY_LONGEST)
				n_top++;
		}
	}
	if (!n_top)
		return;
	fprintf(out, "proctrace-timeline: longest:\n");
	for (i = 0; i < n_top; i++) {
		const struct tl_proc *p = &m->procs[top[i]];

		tl_format_duration(p->end_ns - p->start_ns, dur, sizeof(dur));
		fprintf(out, "  %-12s pid %-7" PRId32 " ", dur, p->pid);
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
	put_longest(out, m);
	if (tl_run_lost(run))
		fprintf(out, "proctrace-timeline: %" PRIu64 " events lost in the kernel "
			"(ring buffer full: %" PRIu64 ", other: %" PRIu64 ", malformed: %"
			PRIu64 "): processes may be missing or drawn open-ended; try a "
			"larger --ring-size\n", tl_run_lost(run), run->lost_ring_full,
			run->lost_other, run->lost_malformed);
	if (run->incomplete)
		fprintf(out, "proctrace-timeline: out of memory: some events were not recorded\n");
}
