/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A strict JSON validator (RFC 8259) for the fuzz checks.  It accepts
 * exactly the grammar of RFC 8259 section 2 to 7 over well-formed UTF-8,
 * and in addition rejects what the RFC only warns about (section 8):
 *   - a byte order mark;
 *   - a \u escape that is an unpaired surrogate;
 *   - the same member name twice in one object (compared as written,
 *     so "a" and "\u0061" count as different).
 * No NUL byte is accepted anywhere; nesting deeper than JSON_CHECK_MAX_DEPTH
 * is rejected so that the check itself cannot overflow the stack.
 */
#ifndef FUZZ_JSON_CHECK_H
#define FUZZ_JSON_CHECK_H

#include <stddef.h>

#define JSON_CHECK_MAX_DEPTH 64

/*
 * Checks that the @len bytes at @doc are one JSON text.  Returns NULL if
 * so, otherwise a static message saying what is wrong, with *@where (if
 * @where is not NULL) set to the offset of the offending byte.
 */
const char *json_check(const char *doc, size_t len, size_t *where);

#endif
