/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The picture: one self-contained SVG file, no script and no external
 * resource, that any browser opens.
 *
 *   <svg data-processes= data-failed= data-peak= data-events-lost= data-wall-ns=>
 *     header (the command, wall time, counts, losses), legend, time axis
 *     <g class="processes" transform="translate(X,Y)">
 *       <g class="process" data-pid="PID" data-ppid="PPID"> per process,
 *          in tree order: <title> (the hover tooltip), the line from its
 *          parent's bar, <rect class="ok|failed|killed|open"> (its bar from
 *          its fork to its exit), a mark per exec, <path class="end
 *          failed|killed"> at the end of a failed process, labels where
 *          they fit (label.h; marks and line only on bars of
 *          TL_SVG_LINE_MIN_PX and more, the line only where it crosses
 *          no other bar).
 *
 * The outcome classes are styled in the file's <style>, so that users can
 * restyle them; every string from a traced process goes through ESC_XML.
 */
#ifndef TIMELINE_SVG_H
#define TIMELINE_SVG_H

#include <stdio.h>

#include "layout.h"
#include "model.h"
#include "run.h"

/* Default width of the plot area, in pixels. */
#define TL_SVG_WIDTH 1200

/* Geometry, so that tests can find what they look for. */
#define TL_SVG_MARGIN 10
#define TL_SVG_PLOT_TOP 96

/* Lanes and bars: tall with labels, thin without when there are many lanes. */
#define TL_SVG_LANE_H 18
#define TL_SVG_BAR_H 14
#define TL_SVG_MANY_LANES 400
#define TL_SVG_THIN_LANE_H 4
#define TL_SVG_THIN_BAR_H 3
/* Bars of 3 px and more are drawn this much shorter than their time. */
#define TL_SVG_SEAM 1.0
/* Bars narrower than this get no exec marks and no line from their parent. */
#define TL_SVG_LINE_MIN_PX 3.0
/* A failure's end mark: this wide (within TL_END_MARK_PX), as tall as a lane. */
#define TL_SVG_END_MARK_W 6.0

/* Writes the whole file to @out; the caller checks ferror(). */
void tl_svg_write(FILE *out, const struct tl_model *m, const struct tl_layout *l,
		  const struct tl_run *run);

#endif
