/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where each process goes in the picture: the time scale, the axis ticks,
 * and the lanes, packed like a Gantt chart of a parallel build.
 *
 * Processes are placed in tree order (tl_model::order), each in the first
 * lane below its parent's where its bar fits, so that a child is always
 * below its parent and thousands of short sequential processes share a
 * few lanes instead of taking one row each.  Packing is done in pixels,
 * so that two bars in one lane never overlap, even when one is too short
 * to be drawn at its true length.  A step that starts as the previous one
 * ends goes in the same lane: the SVG leaves a one-pixel seam between them.
 *
 * A failed process (non-zero exit, or killed by a signal) is what a reader
 * looks for first: its bar is never narrower than TL_MIN_FAILED_BAR_PX and
 * its lane keeps TL_END_MARK_PX free after it for the mark at its end.
 */
#ifndef TIMELINE_LAYOUT_H
#define TIMELINE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Shortest bar drawn; shortest failed bar; room for a failure's end mark. */
#define TL_MIN_BAR_PX 1.0
#define TL_MIN_FAILED_BAR_PX 5.0
#define TL_END_MARK_PX 7.0

struct tl_tick {
	double x;		/* from the plot's left edge */
	char label[24];		/* e.g. "250 ms", "1.5 s", "2 min" */
};

struct tl_layout {
	double width;		/* the plot's width in pixels */
	double px_per_ns;
	size_t *lane;		/* per process index */
	size_t n_lanes;
	/*
	 * Per process index: a vertical line from its parent's bar down to
	 * its own, at its start, would cross no other bar.
	 */
	bool *line_clear;
	struct tl_tick *ticks;
	size_t n_ticks;
};

/* x of an instant, from the plot's left edge. */
double tl_x(const struct tl_model *m, const struct tl_layout *l, uint64_t ns);

/*
 * A bar's width: its true length, at least TL_MIN_BAR_PX, or at least
 * TL_MIN_FAILED_BAR_PX for a failed process.
 */
double tl_bar_width(const struct tl_layout *l, const struct tl_proc *p);

/* What a bar takes in its lane: its width, and its end mark if it failed. */
double tl_bar_extent(const struct tl_layout *l, const struct tl_proc *p);

/*
 * Lays out a finished model over @width pixels.  0, or -ENOMEM.
 */
int tl_layout_compute(const struct tl_model *m, double width, struct tl_layout *l);
void tl_layout_free(struct tl_layout *l);

/*
 * A duration for people: "850 us", "12.3 ms", "4.56 s", "3 min 12 s".
 */
void tl_format_duration(uint64_t ns, char *buf, size_t size);

/* A size for people: "812 KiB", "12.3 MiB", "2.50 GiB". */
void tl_format_bytes(uint64_t bytes, char *buf, size_t size);

#endif
