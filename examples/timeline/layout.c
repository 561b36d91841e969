/* SPDX-License-Identifier: BSD-2-Clause */
#include "layout.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_US UINT64_C(1000)
#define NS_PER_MS UINT64_C(1000000)
#define NS_PER_S UINT64_C(1000000000)
#define NS_PER_MIN (60 * NS_PER_S)

/* One ticked label per this many pixels, about. */
#define PX_PER_TICK 100.0

struct interval {
	double a, b;
};

struct lane {
	struct interval *iv;	/* disjoint, in order */
	size_t n, cap;
};

double tl_x(const struct tl_model *m, const struct tl_layout *l, uint64_t ns)
{
	return ns <= m->t0_ns ? 0.0 : (double)(ns - m->t0_ns) * l->px_per_ns;
}

double tl_bar_width(const struct tl_layout *l, const struct tl_proc *p)
{
	double w = (double)(p->end_ns - p->start_ns) * l->px_per_ns;
	double min = tl_failed(p) ? TL_MIN_FAILED_BAR_PX : TL_MIN_BAR_PX;

	return w < min ? min : w;
}

double tl_bar_extent(const struct tl_layout *l, const struct tl_proc *p)
{
	return tl_bar_width(l, p) + (tl_failed(p) ? TL_END_MARK_PX : 0);
}

/* Index of the first interval that starts at or after @b. */
static size_t upper(const struct lane *ln, double b)
{
	size_t lo = 0, hi = ln->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ln->iv[mid].a < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A one-pixel line at @x crosses a bar of the lane: the last interval
 * that starts before its right edge is the one that ends latest of them.
 */
static bool crosses(const struct lane *ln, double x)
{
	size_t idx = upper(ln, x + 0.5);

	return idx > 0 && ln->iv[idx - 1].b > x - 0.5;
}

/*
 * Intervals in a lane are disjoint, so the last one that starts before @b
 * is also the one that ends latest among them: [a, b) fits if it ends by
 * @a.  Returns the insertion index, or SIZE_MAX if it does not fit.
 */
static size_t fits(const struct lane *ln, double a, double b)
{
	size_t idx = upper(ln, b);

	return idx == 0 || ln->iv[idx - 1].b <= a ? idx : SIZE_MAX;
}

static int lane_insert(struct lane *ln, size_t idx, double a, double b)
{
	if (ln->n == ln->cap) {
		size_t cap = ln->cap ? ln->cap * 2 : 8;
		struct interval *iv = realloc(ln->iv, cap * sizeof(*iv));

		if (!iv)
			return -ENOMEM;
		ln->iv = iv;
		ln->cap = cap;
	}
	memmove(&ln->iv[idx + 1], &ln->iv[idx], (ln->n - idx) * sizeof(*ln->iv));
	ln->iv[idx] = (struct interval){ a, b };
	ln->n++;
	return 0;
}

static int pack_lanes(const struct tl_model *m, struct tl_layout *l)
{
	struct lane *lanes = NULL;
	size_t n_lanes = 0, cap = 0, k, i, idx;
	int err = 0;

	for (k = 0; k < m->n && !err; k++) {
		size_t pi = m->order[k];
		const struct tl_proc *p = &m->procs[pi];
		double a = tl_x(m, l, p->start_ns);
		double b = a + tl_bar_extent(l, p);

		i = p->parent == TL_NONE ? 0 : l->lane[p->parent] + 1;
		for (idx = SIZE_MAX; i < n_lanes; i++) {
			idx = fits(&lanes[i], a, b);
			if (idx != SIZE_MAX)
				break;
		}
		if (i >= n_lanes) {
			/* A new lane, and any skipped below a deep parent. */
			if (i >= cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct lane *nl;

				while (ncap <= i)
					ncap *= 2;
				nl = realloc(lanes, ncap * sizeof(*nl));
				if (!nl) {
					err = -ENOMEM;
					break;
				}
				lanes = nl;
				cap = ncap;
			}
			while (n_lanes <= i)
				memset(&lanes[n_lanes++], 0, sizeof(*lanes));
			idx = 0;
		}
		l->lane[pi] = i;
		err = lane_insert(&lanes[i], idx, a, b);
	}
	/*
	 * Once every bar is placed: a line is clear if no lane between the
	 * parent's and the child's has a bar at the child's start.  The
	 * first bar found stops the search, and most lines have none to
	 * look through (a child is mostly in the lane below its parent).
	 */
	for (k = 0; k < m->n && !err; k++) {
		const struct tl_proc *p = &m->procs[k];
		double x = tl_x(m, l, p->start_ns);

		if (p->parent == TL_NONE)
			continue;
		l->line_clear[k] = true;
		for (i = l->lane[p->parent] + 1; i < l->lane[k] && l->line_clear[k]; i++)
			l->line_clear[k] = !crosses(&lanes[i], x);
	}
	for (i = 0; i < n_lanes; i++)
		free(lanes[i].iv);
	free(lanes);
	l->n_lanes = n_lanes;
	return err;
}

/* Trailing zeros and point dropped: 1.50 -> 1.5, 2.000 -> 2. */
static void format_number(double v, char *buf, size_t size)
{
	char *end;

	snprintf(buf, size, "%.3f", v);
	end = buf + strlen(buf) - 1;
	while (end > buf && *end == '0')
		*end-- = '\0';
	if (*end == '.')
		*end = '\0';
}

/*
 * Steps of the axis, in nanoseconds: 1-2-5 up to 10 s, then steps that
 * divide minutes and hours, then days.
 */
static uint64_t tick_step(uint64_t span, double target)
{
	static const uint64_t long_steps[] = {
		15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600,
		6 * 3600, 12 * 3600, 24 * 3600,
	};
	static const uint64_t f[] = { 1, 2, 5 };
	uint64_t mult, day = 24 * 3600 * NS_PER_S;
	size_t i;

	for (mult = 1; mult <= NS_PER_S; mult *= 10)
		for (i = 0; i < 3; i++)
			if ((double)span / (double)(f[i] * mult) <= target)
				return f[i] * mult;
	if ((double)span / (double)(10 * NS_PER_S) <= target)
		return 10 * NS_PER_S;
	for (i = 0; i < sizeof(long_steps) / sizeof(*long_steps); i++)
		if ((double)span / (double)(long_steps[i] * NS_PER_S) <= target)
			return long_steps[i] * NS_PER_S;
	return ((uint64_t)((double)span / target) / day + 1) * day;
}

static int make_ticks(const struct tl_model *m, struct tl_layout *l)
{
	uint64_t span = m->t1_ns - m->t0_ns, step, unit, t;
	double target = l->width / PX_PER_TICK;
	const char *unit_name;
	size_t i, n;
	char num[16];

	if (target < 2)
		target = 2;
	step = tick_step(span, target);
	/* The unit of the labels follows the step and the run's length. */
	if (step >= NS_PER_MIN)
		unit = NS_PER_MIN, unit_name = "min";
	else if (step >= NS_PER_S || span >= 2 * NS_PER_S)
		unit = NS_PER_S, unit_name = "s";
	else if (step >= NS_PER_MS || span >= 2 * NS_PER_MS)
		unit = NS_PER_MS, unit_name = "ms";
	else
		unit = NS_PER_US, unit_name = "us";

	n = (size_t)(span / step) + 1;
	l->ticks = calloc(n, sizeof(*l->ticks));
	if (!l->ticks)
		return -ENOMEM;
	for (i = 0, t = 0; i < n; i++, t += step) {
		l->ticks[i].x = (double)t * l->px_per_ns;
		format_number((double)t / (double)unit, num, sizeof(num));
		snprintf(l->ticks[i].label, sizeof(l->ticks[i].label), "%s %s",
			 num, unit_name);
	}
	l->n_ticks = n;
	return 0;
}

int tl_layout_compute(const struct tl_model *m, double width, struct tl_layout *l)
{
	uint64_t span = m->t1_ns - m->t0_ns;
	int err;

	memset(l, 0, sizeof(*l));
	l->width = width;
	/* An empty or instant run still gets a scale: one millisecond. */
	l->px_per_ns = width / (double)(span ? span : NS_PER_MS);
	l->lane = calloc(m->n ? m->n : 1, sizeof(*l->lane));
	l->line_clear = calloc(m->n ? m->n : 1, sizeof(*l->line_clear));
	if (!l->lane || !l->line_clear) {
		tl_layout_free(l);
		return -ENOMEM;
	}
	err = pack_lanes(m, l);
	if (!err)
		err = make_ticks(m, l);
	if (err)
		tl_layout_free(l);
	return err;
}

void tl_layout_free(struct tl_layout *l)
{
	free(l->lane);
	free(l->line_clear);
	free(l->ticks);
	memset(l, 0, sizeof(*l));
}

void tl_format_duration(uint64_t ns, char *buf, size_t size)
{
	if (ns < NS_PER_MS)
		snprintf(buf, size, "%" PRIu64 " us", ns / NS_PER_US);
	else if (ns < NS_PER_S)
		snprintf(buf, size, "%.1f ms", (double)ns / NS_PER_MS);
	else if (ns < NS_PER_MIN)
		snprintf(buf, size, "%.2f s", (double)ns / NS_PER_S);
	else
		snprintf(buf, size, "%" PRIu64 " min %" PRIu64 " s", ns / NS_PER_MIN,
			 ns % NS_PER_MIN / NS_PER_S);
}

void tl_format_bytes(uint64_t bytes, char *buf, size_t size)
{
	if (bytes < 1024 * 1024)
		snprintf(buf, size, "%" PRIu64 " KiB", bytes / 1024);
	else if (bytes < UINT64_C(1024) * 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", (double)bytes / (1024.0 * 1024));
	else
		snprintf(buf, size, "%.2f GiB", (double)bytes / (1024.0 * 1024 * 1024));
}
