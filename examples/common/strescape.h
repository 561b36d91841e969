/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Strings from traced processes, escaped for JSON and for a terminal.
 * Shared by the example programs (bootstrap-cli's two formats,
 * proctrace-timeline's trace and summary); compiled into each of them,
 * neither installed nor part of the library.  No library call: the code
 * that writes is tested (and fuzzed) without BPF.
 *
 * Every string in an event comes from a traced process and may hold any
 * byte but NUL.  Each writer turns it into something always valid where
 * it goes, whatever it holds:
 *
 *   JSON  the inside of a string (RFC 8259): '"', '\' and controls
 *         escaped (also DEL, C1, U+2028 and U+2029), invalid UTF-8 as
 *         one U+FFFD per bad byte, so the result is valid JSON in valid
 *         UTF-8.
 *   TEXT  for a terminal: valid printable UTF-8 as is; backslash as
 *         "\\"; C0 and C1 control characters, DEL and every byte of an
 *         invalid UTF-8 sequence as "\xNN", so no escape sequence gets
 *         through.
 *
 * The whole-string writers suit most callers; a writer with rules of its
 * own (proctrace-timeline's, which also cuts and writes XML) walks the
 * string with strescape_utf8_len() and hands each character on.
 */
#ifndef EXAMPLES_COMMON_STRESCAPE_H
#define EXAMPLES_COMMON_STRESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes @s escaped as the inside of a JSON string (see above). */
void strescape_json(FILE *out, const char *s);

/* Writes @s escaped for a terminal (see above). */
void strescape_text(FILE *out, const char *s);

/*
 * Length of the well-formed UTF-8 sequence at @s (1 to 4), its code point
 * in *@cp; or 0 if the bytes there are not one: a stray continuation
 * byte, a truncated sequence, an overlong form, a surrogate or a value
 * past U+10FFFF (Unicode 15, table 3-7).  A NUL ends the string and fails
 * the continuation test, so this never reads past it.
 */
size_t strescape_utf8_len(const unsigned char *s, uint32_t *cp);

/*
 * C0 controls, DEL and the C1 controls: C1 counts too, as some terminals
 * act on U+009B (CSI) even when it comes UTF-8 encoded.
 */
bool strescape_is_control(uint32_t cp);

/* One well-formed character (@n bytes at @s, code point @cp), for JSON. */
void strescape_json_char(FILE *out, const unsigned char *s, size_t n, uint32_t cp);

/* One well-formed character (@n bytes at @s, code point @cp), for a terminal. */
void strescape_text_char(FILE *out, const unsigned char *s, size_t n, uint32_t cp);

#endif
