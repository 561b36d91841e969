/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The summary printed on stderr at the end: wall time, processes, the
 * failures with their command lines, the ten longest processes, and the
 * events lost.  Strings go through ESC_TEXT: nothing a traced process
 * chose reaches the terminal as a control sequence.
 */
#ifndef TIMELINE_SUMMARY_H
#define TIMELINE_SUMMARY_H

#include <stdio.h>

#include "model.h"
#include "run.h"

/* Failures listed one by one before "and N more". */
#define TL_SUMMARY_MAX_FAILED 20
/* The longest processes listed. */
#define TL_SUMMARY_LONGEST 10

void tl_summary_write(FILE *out, const struct tl_model *m, const struct tl_run *run);

#endif
