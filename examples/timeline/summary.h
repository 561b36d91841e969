/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The summary printed on stderr at the end: wall time, processes, the
 * failures with their command lines, the ten processes that used the most
 * CPU time and the ten with the highest peak memory (from libproctrace
 * 0.3's EXIT events), the ten longest processes, and the events lost.  Strings go through ESC_TEXT: nothing a traced process
 * chose reaches the terminal as a control sequence.
 */
#ifndef TIMELINE_SUMMARY_H
#define TIMELINE_SUMMARY_H

#include <stdio.h>

#include "model.h"
#include "run.h"

/* Failures listed one by one before "and N more". */
#define TL_SUMMARY_MAX_FAILED 20
/* The processes in each top list (CPU, memory, longest). */
#define TL_SUMMARY_TOP 10

void tl_summary_write(FILE *out, const struct tl_model *m, const struct tl_run *run);

#endif
