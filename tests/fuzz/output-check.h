/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What bootstrap-cli promises about one formatted event (format.h), as
 * checks on the bytes it wrote.  Each returns NULL if the output keeps the
 * promise, otherwise a static message, with *@where set to the offset of
 * the offending byte.
 */
#ifndef FUZZ_OUTPUT_CHECK_H
#define FUZZ_OUTPUT_CHECK_H

#include <stddef.h>

/*
 * One JSON line: exactly one '\n', at the end; before it a JSON object
 * (json-check.h, so also well-formed UTF-8) with no raw CR, DEL, C1
 * control, U+2028 or U+2029 (format.c escapes those too, so that a
 * consumer that prints a value cannot be steered by it).
 */
const char *check_json_line(const char *out, size_t len, size_t *where);

/*
 * One table line: exactly one '\n', at the end; before it well-formed
 * UTF-8 with no C0 control (so no ESC, CR or tab), no DEL and no C1
 * control (U+0080..U+009F, which some terminals act on even when UTF-8
 * encoded).
 */
const char *check_table_line(const char *out, size_t len, size_t *where);

#endif
