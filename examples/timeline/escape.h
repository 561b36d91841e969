/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proctrace-timeline's string escaping, one writer per output format.
 *
 * Every string drawn or written (names, paths, arguments) comes from a
 * traced process and may hold any byte but NUL.  Each writer turns it into
 * something that is always valid in its format, whatever it holds:
 *
 *   XML   & < > " ' as entities; control characters (C0, DEL, C1) as the
 *         visible text "\xNN"; invalid UTF-8, and the two code points XML
 *         forbids (U+FFFE, U+FFFF), as U+FFFD.  Safe in text and in
 *         attribute values.
 *   JSON  RFC 8259 string contents: '"', '\' and controls escaped (also
 *         DEL, C1, U+2028 and U+2029), invalid UTF-8 as U+FFFD.
 *   TEXT  for a terminal: controls and every byte of invalid UTF-8 as
 *         "\xNN", backslash as "\\", so no escape sequence gets through.
 *
 * JSON and TEXT are bootstrap-cli's escaping (strescape.h, shared), to
 * which this adds XML and the cut at a number of columns.
 *
 * No library call here: the drawing code is tested without BPF.
 */
#ifndef TIMELINE_ESCAPE_H
#define TIMELINE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum esc_kind {
	ESC_XML,
	ESC_JSON,
	ESC_TEXT,
};

/*
 * Writes @s escaped for @kind.  With @max_cols (0: no limit), it stops
 * before the first character that would take the output past @max_cols
 * columns, writes "…" in place of the rest and returns true.  A column is
 * a code point as displayed: an XML or TEXT "\xNN" takes four; wide
 * characters are not measured (labels may then run a little long).
 */
bool esc_write(FILE *out, const char *s, enum esc_kind kind, size_t max_cols);

/* Columns that esc_write() would use for all of @s. */
size_t esc_columns(const char *s, enum esc_kind kind);

/*
 * A command line for display: @argv's @argc strings joined by spaces,
 * each quoted as a POSIX shell would need it ('it'\''s'), so that where
 * one argument ends stays visible.  At most @max_bytes bytes are kept
 * (0: no limit); *@cut is set when more were dropped.  Returns a new
 * string (free() it), or NULL when out of memory.
 */
char *esc_join_argv(const char *const *argv, size_t argc, size_t max_bytes,
		    bool *cut);

#endif
