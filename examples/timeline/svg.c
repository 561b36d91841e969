/* SPDX-License-Identifier: BSD-2-Clause */
#include "svg.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "label.h"

/* Advance of an 11 px monospace glyph (0.6 em), and a label's margin. */
#define CHAR_W 6.7
#define LABEL_PAD 3.0
#define LABEL_MIN_COLS 2

/*
 * Tooltips hold whole command lines and paths, which are up to 32 KiB
 * each: over many processes they are cut, so that the file stays small
 * (10,000 processes in well under 5 MB): about TITLE_TOTAL bytes of them
 * in all, never fewer than TITLE_MIN per process.  The trace JSON keeps
 * them whole.
 */
#define TITLE_TOTAL 1000000
#define TITLE_MIN 80
#define TITLE_MAX_EXECS 8

static const char *const outcome_class[] = {
	[TL_OK] = "ok", [TL_FAILED] = "failed", [TL_KILLED] = "killed", [TL_OPEN] = "open",
};

struct geom {
	double lane_h, bar_h;
	bool labels;
	size_t title_budget;
};

/* @v (>= 0) rounded to a tenth, as "%.1f" writes it. */
static double tenth(double v)
{
	return (double)(long long)(v * 10 + 0.5) / 10;
}

static void put_status(FILE *out, const struct tl_proc *p)
{
	char sig[24];

	switch (tl_outcome(p)) {
	case TL_OK:
	case TL_FAILED:
		fprintf(out, "exit %" PRId32, p->exit_code);
		break;
	case TL_KILLED:
		fprintf(out, "killed by %s%s", tl_signal_name(p->signal, sig, sizeof(sig)),
			p->core_dumped ? " (core dumped)" : "");
		break;
	case TL_OPEN:
		fputs("exit not seen (its event was lost, or it outlived the tracing): "
		      "drawn to the end of the run", out);
		break;
	}
}

/* A command line, cut at @budget bytes, escaped. */
static void put_command_line(FILE *out, const char *const *argv, size_t argc,
			     size_t budget, bool truncated)
{
	bool cut = false;
	char *line = esc_join_argv(argv, argc, budget, &cut);

	if (line)
		esc_write(out, line, ESC_XML, 0);
	if (!line || cut || truncated)
		fputs(" \xe2\x80\xa6", out);
	free(line);
}

static void put_title(FILE *out, const struct tl_model *m, const struct tl_proc *p,
		      const struct geom *g)
{
	char when[32], dur[32];
	uint32_t argc;
	const char *const *argv = tl_proc_argv(p, &argc);
	size_t i;

	fputs("<title>", out);
	if (argc)
		put_command_line(out, argv, argc, g->title_budget,
				 p->execs[p->n_execs - 1].args_truncated);
	else
		esc_write(out, p->comm, ESC_XML, 0);
	tl_format_duration(p->start_ns - m->t0_ns, when, sizeof(when));
	tl_format_duration(p->end_ns - p->start_ns, dur, sizeof(dur));
	fprintf(out, "\npid %" PRId32 ", parent %" PRId32 "\nstart +%s, duration %s%s\n",
		p->pid, p->ppid, when, p->has_exit ? "" : "at least ", dur);
	put_status(out, p);
	if (p->cpu_ns || p->max_rss_bytes) {
		char cpu[32], rss[32];

		tl_format_duration(p->cpu_ns, cpu, sizeof(cpu));
		tl_format_bytes(p->max_rss_bytes, rss, sizeof(rss));
		fprintf(out, "\nCPU %s, peak RSS %s", cpu, rss);
	}
	for (i = 0; i < p->n_execs && i < TITLE_MAX_EXECS; i++) {
		tl_format_duration(p->execs[i].ts_ns - m->t0_ns, when, sizeof(when));
		fprintf(out, "\nexec at +%s: ", when);
		esc_write(out, p->execs[i].filename, ESC_XML, g->title_budget / 2);
		if (p->execs[i].priv)
			fprintf(out, " [privilege raised: %s]", tl_priv_causes(p->execs[i].priv));
	}
	if (p->n_execs > TITLE_MAX_EXECS)
		fprintf(out, "\nand %zu more execs", p->n_execs - TITLE_MAX_EXECS);
	fputs("</title>", out);
}

/* The widest of @n forms that fits between @x0 and @x1, else the last one cut. */
static void put_label(FILE *out, char *const *forms, size_t n, double x0, double x1,
		      double y)
{
	double room = x1 - x0 - 2 * LABEL_PAD;
	size_t cols = room > 0 ? (size_t)(room / CHAR_W) : 0, need = 0, i;

	if (!n || cols < LABEL_MIN_COLS)
		return;
	for (i = 0; i < n; i++) {
		need = esc_columns(forms[i], ESC_XML);
		if (need <= cols)
			break;
	}
	if (i == n)
		i = n - 1;
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", x0 + LABEL_PAD, y);
	/* The "…" takes a column of its own. */
	esc_write(out, forms[i], ESC_XML, need <= cols ? 0 : cols - 1);
	fputs("</text>", out);
}

static void put_labels(FILE *out, const struct tl_model *m, const struct tl_layout *l,
		       const struct tl_proc *p, double y, const struct geom *g)
{
	double x_end = tl_x(m, l, p->start_ns) + tl_bar_width(l, p);
	double base = y + g->bar_h - 3.5;
	size_t i;

	if (!p->n_execs) {
		char *comm = (char *)p->comm;

		put_label(out, &comm, 1, tl_x(m, l, p->start_ns), x_end, base);
		return;
	}
	for (i = 0; i < p->n_execs; i++) {
		double x0 = tl_x(m, l, p->execs[i].ts_ns);
		double x1 = i + 1 < p->n_execs ? tl_x(m, l, p->execs[i + 1].ts_ns) : x_end;
		struct tl_label lb;

		if (x1 - x0 - 2 * LABEL_PAD < LABEL_MIN_COLS * CHAR_W)
			continue;
		/*
		 * No more than fits: a column takes at most four bytes (one
		 * for "\xNN"), so a form cut at this many still shows its "…".
		 */
		if (tl_label_make(&lb, &p->execs[i], 4 * (size_t)((x1 - x0) / CHAR_W) + 8))
			continue;
		put_label(out, lb.form, lb.n, x0, x1, base);
		tl_label_free(&lb);
	}
}

/*
 * A failure's mark: a triangle pointing at the bar's end, as tall as the
 * lane (it stands out of the bar above and below), in the room the
 * layout kept after the bar.
 */
static void put_end_mark(FILE *out, double x_end, double y, const struct geom *g,
			 const char *cls)
{
	double half = g->lane_h / 2;

	fprintf(out, "<path class=\"end %s\" d=\"M%.1f %.1fl%.1f %.1fv%.1fz\"/>", cls,
		x_end, y + g->bar_h / 2, TL_SVG_END_MARK_W, -half, 2 * half);
}

static void put_process(FILE *out, const struct tl_model *m, const struct tl_layout *l,
			size_t pi, const struct geom *g)
{
	const struct tl_proc *p = &m->procs[pi];
	double x = tl_x(m, l, p->start_ns), y = (double)l->lane[pi] * g->lane_h;
	double w = tl_bar_width(l, p);
	double true_w = (double)(p->end_ns - p->start_ns) * l->px_per_ns;
	size_t i;

	fprintf(out, "<g class=\"process\" data-pid=\"%" PRId32 "\" data-ppid=\"%" PRId32 "\">",
		p->pid, p->ppid);
	put_title(out, m, p, g);
	/*
	 * The line from the parent, for bars long enough to be seen (those
	 * of thousands of short processes would only hide the bars they
	 * cross), and only where it cuts through no other bar.
	 */
	if (p->parent != TL_NONE && w >= TL_SVG_LINE_MIN_PX && l->line_clear[pi])
		fprintf(out, "<path class=\"fork\" d=\"M%.1f %.0fV%.0f\"/>", x,
			(double)l->lane[p->parent] * g->lane_h + g->bar_h, y);
	/* A seam at the end, so that the next step in the lane stands apart. */
	if (w >= 3 * TL_SVG_SEAM)
		w -= TL_SVG_SEAM;
	/*
	 * Both ends rounded as written, so that bars which only touch in
	 * the layout never overlap by a rounding in the file.
	 */
	fprintf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\"/>",
		outcome_class[tl_outcome(p)], tenth(x), y, tenth(x + w) - tenth(x), g->bar_h);
	/*
	 * On a bar narrower than that in time (if wider on the page, only
	 * to be seen), a mark would hide its colour.
	 */
	for (i = 0; w >= TL_SVG_LINE_MIN_PX && true_w >= TL_SVG_LINE_MIN_PX && i < p->n_execs; i++)
		fprintf(out, "<path class=\"exec\" d=\"M%.1f %.0fv%.0f\"/>",
			tl_x(m, l, p->execs[i].ts_ns), y, g->bar_h);
	/*
	 * A privilege-raising exec is marked however narrow the bar: a
	 * triangle above it, which a reader must not miss.
	 */
	for (i = 0; i < p->n_execs; i++)
		if (p->execs[i].priv)
			fprintf(out, "<path class=\"priv\" data-priv=\"%s\" "
				"d=\"M%.1f %.0fl-4 -5h8z\"/>", tl_priv_causes(p->execs[i].priv),
				tl_x(m, l, p->execs[i].ts_ns), y);
	if (tl_failed(p))
		put_end_mark(out, tenth(x + w), y, g, outcome_class[tl_outcome(p)]);
	if (g->labels)
		put_labels(out, m, l, p, y, g);
	fputs("</g>\n", out);
}

static void put_header(FILE *out, const struct tl_model *m, const struct tl_run *run,
		       size_t failed, size_t peak)
{
	char wall[32];
	bool cut = false;
	char *cmd = esc_join_argv(run->command, run->command_argc, 4096, &cut);

	fprintf(out, "<g class=\"header\"><text class=\"command\" x=\"%d\" y=\"22\">$ ",
		TL_SVG_MARGIN);
	if (cmd)
		esc_write(out, cmd, ESC_XML, 160);
	free(cmd);
	tl_format_duration(m->t1_ns - m->t0_ns, wall, sizeof(wall));
	fprintf(out, "</text><text class=\"stats\" x=\"%d\" y=\"42\">wall time %s \xc2\xb7 "
		"%zu processes \xc2\xb7 %zu failed \xc2\xb7 peak %zu at once",
		TL_SVG_MARGIN, wall, m->n, failed, peak);
	if (tl_run_lost(run))
		fprintf(out, " \xc2\xb7 %" PRIu64 " events lost in the kernel: processes "
			"may be missing, or drawn open-ended", tl_run_lost(run));
	if (run->incomplete)
		fputs(" \xc2\xb7 out of memory: some events were not recorded", out);
	fputs("</text></g>\n", out);
}

static void put_legend(FILE *out)
{
	static const char *const text[] = {
		[TL_OK] = "exit 0", [TL_FAILED] = "exit status not 0",
		[TL_KILLED] = "killed by a signal", [TL_OPEN] = "exit not seen",
	};
	double x = TL_SVG_MARGIN;
	int o;

	fputs("<g class=\"legend\">", out);
	for (o = TL_OK; o <= TL_OPEN; o++) {
		fprintf(out, "<rect class=\"%s\" x=\"%.0f\" y=\"52\" width=\"12\" height=\"12\"/>"
			"<text x=\"%.0f\" y=\"62\">%s</text>", outcome_class[o], x, x + 16, text[o]);
		x += 16 + strlen(text[o]) * CHAR_W + 20;
	}
	fputs("<path class=\"exec\" d=\"M", out);
	fprintf(out, "%.0f 52v12\"/><text x=\"%.0f\" y=\"62\">exec</text>", x + 2, x + 8);
	x += 8 + 4 * CHAR_W + 20;
	fprintf(out, "<path class=\"end failed\" d=\"M%.0f 58l%.0f -7v14z\"/>"
		"<text x=\"%.0f\" y=\"62\">where a process failed</text>", x, TL_SVG_END_MARK_W,
		x + TL_SVG_END_MARK_W + 4);
	x += TL_SVG_END_MARK_W + 4 + strlen("where a process failed") * CHAR_W + 20;
	fprintf(out, "<path class=\"priv\" d=\"M%.0f 62l-4 -8h8z\"/>"
		"<text x=\"%.0f\" y=\"62\">exec that raised privilege</text>", x + 4, x + 12);
	fputs("</g>\n", out);
}

static void put_axis(FILE *out, const struct tl_layout *l, double bottom)
{
	size_t i;

	fprintf(out, "<g class=\"axis\" transform=\"translate(%d,0)\">", TL_SVG_MARGIN);
	for (i = 0; i < l->n_ticks; i++)
		fprintf(out, "<path class=\"grid\" d=\"M%.1f %dV%.0f\"/>"
			"<text class=\"tick%s\" x=\"%.1f\" y=\"%d\">%s</text>",
			l->ticks[i].x, TL_SVG_PLOT_TOP - 8, bottom, i ? "" : " first",
			l->ticks[i].x, TL_SVG_PLOT_TOP - 12, l->ticks[i].label);
	fputs("</g>\n", out);
}

void tl_svg_write(FILE *out, const struct tl_model *m, const struct tl_layout *l,
		  const struct tl_run *run)
{
	struct geom g = { TL_SVG_LANE_H, TL_SVG_BAR_H, true, 0 };
	size_t failed = tl_model_failed(m), peak = tl_model_peak(m), k;
	double width, height;

	if (l->n_lanes > TL_SVG_MANY_LANES)
		g = (struct geom){ TL_SVG_THIN_LANE_H, TL_SVG_THIN_BAR_H, false, 0 };
	g.title_budget = TITLE_TOTAL / (m->n ? m->n : 1);
	if (g.title_budget < TITLE_MIN)
		g.title_budget = TITLE_MIN;
	/* Room on the right for the last tick's label. */
	width = TL_SVG_MARGIN + l->width + 40;
	height = TL_SVG_PLOT_TOP + (double)l->n_lanes * g.lane_h + TL_SVG_MARGIN;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" data-processes=\"%zu\" data-failed=\"%zu\" "
		"data-peak=\"%zu\" data-events-lost=\"%" PRIu64 "\" data-wall-ns=\"%" PRIu64 "\">\n",
		width, height, width, height, m->n, failed, peak, tl_run_lost(run),
		m->t1_ns - m->t0_ns);
	fputs("<style>\n"
	      "text{font-family:monospace;font-size:11px;fill:#222;white-space:pre}\n"
	      ".command{font-size:13px;font-weight:bold}\n"
	      ".tick{text-anchor:middle;fill:#555}\n.first{text-anchor:start}\n"
	      ".grid{stroke:#e4e4e4}\n"
	      ".ok{fill:#4e9a06}\n.failed{fill:#cc0000}\n.killed{fill:#75507b}\n.open{fill:#888a85}\n"
	      ".exec{stroke:#000;stroke-opacity:.55}\n"
	      ".priv{fill:#f57900;stroke:#000;stroke-width:.5}\n"
	      ".fork{stroke:#aaa}\n"
	      ".end{stroke:#000;stroke-linejoin:round}\n"
	      ".process text{fill:#fff}\n"
	      ".process:hover rect{stroke:#000}\n"
	      "</style>\n", out);
	fprintf(out, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", width, height);
	put_header(out, m, run, failed, peak);
	put_legend(out);
	put_axis(out, l, height - TL_SVG_MARGIN);
	fprintf(out, "<g class=\"processes\" transform=\"translate(%d,%d)\">\n",
		TL_SVG_MARGIN, TL_SVG_PLOT_TOP);
	for (k = 0; m->order && k < m->n; k++)
		put_process(out, m, l, m->order[k], &g);
	fputs("</g>\n</svg>\n", out);
}
