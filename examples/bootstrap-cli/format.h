/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bootstrap-cli's output formats.  Pure functions of an event: no global
 * state, no library calls, so that what reaches the terminal or a JSON
 * consumer can be reasoned about on its own.
 *
 * Every string in an event comes from a traced process and may hold any
 * byte.  Both formats escape it (strescape.h), so that one event is always
 * exactly one line and no control character or escape sequence reaches the
 * reader.
 */
#ifndef BOOTSTRAP_CLI_FORMAT_H
#define BOOTSTRAP_CLI_FORMAT_H

#include <stdint.h>
#include <stdio.h>

#include <proctrace/proctrace.h>

/*
 * How the lines that are not events start: a JSON lost record, and the
 * table's header.  No event line starts so.
 */
#define FORMAT_JSON_LOST_START "{\"type\":\"lost\","
#define FORMAT_TABLE_HEADER_START "TIME "

/* The column header of the table format, with its newline. */
void format_table_header(FILE *out);

/*
 * One table row, with its newline.  @clock is the event's local time of
 * day as "HH:MM:SS"; the columns and the last column's pieces come from
 * fields.c.  EXIT shows "[CODE]" or "[SIGNAME]".
 */
void format_table_event(FILE *out, const struct proctrace_event *e,
			const char *clock);

/*
 * The table's last column ("FILENAME/EXIT CODE"): the pieces of fields.c
 * that event @e has, escaped, without a newline.
 */
void format_details(FILE *out, const struct proctrace_event *e);

struct cli_field;
/* Field @f's JSON value in event @e (which has it: cli_field_present()). */
void format_json_value(FILE *out, const struct proctrace_event *e,
		       const struct cli_field *f);

/*
 * One JSON object on one line, with its newline: one key per field of
 * fields.c that the event has, in that table's order.
 */
void format_json_event(FILE *out, const struct proctrace_event *e);

/* The JSON record of events lost since the previous one (type "lost"). */
void format_json_lost(FILE *out, uint64_t timestamp_ns, uint64_t ring_full,
		      uint64_t other, uint64_t malformed);

#endif
