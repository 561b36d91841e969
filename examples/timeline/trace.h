/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The run as a Trace Event Format file (the JSON that Perfetto UI,
 * chrome://tracing and speedscope open):
 *
 *   - one complete event ("ph":"X") per process, named after its program,
 *     with its pid, parent pid, argv and exit code or signal in "args";
 *   - the processes are laid out in the picture's lanes, one track
 *     ("tid") per lane under one process (the command), so the tree reads
 *     as in the SVG, and a flow arrow leads from each parent to its child;
 *   - an instant event ("ph":"i") per exec, with its filename (and its
 *     argv, but for the last exec, whose argv is the process's own).
 *
 * Times are microseconds from the command's start; the Unix time of that
 * start is in "otherData".  Every string goes through ESC_JSON.
 */
#ifndef TIMELINE_TRACE_H
#define TIMELINE_TRACE_H

#include <stdio.h>

#include "layout.h"
#include "model.h"
#include "run.h"

/* Writes the whole file to @out; the caller checks ferror(). */
void tl_trace_write(FILE *out, const struct tl_model *m, const struct tl_layout *l,
		    const struct tl_run *run);

#endif
