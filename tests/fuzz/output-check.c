/* SPDX-License-Identifier: BSD-2-Clause */
#include "output-check.h"

#include <stdint.h>

#include "json-check.h"
#include "utf8-check.h"

/* The checks both formats share: one line, ending in '\n', valid UTF-8. */
static const char *check_line(const unsigned char *s, size_t len, size_t *where,
			      size_t *body_len)
{
	size_t i;

	*where = 0;
	if (len == 0)
		return "no output";
	if (s[len - 1] != '\n') {
		*where = len - 1;
		return "does not end in a newline";
	}
	for (i = 0; i + 1 < len; i++) {
		if (s[i] == '\n') {
			*where = i;
			return "more than one line";
		}
	}
	*body_len = len - 1;
	return NULL;
}

static const char *forbidden_code_point(uint32_t cp, int json)
{
	if (cp < 0x20 && !json)
		return "C0 control character";
	if (cp == '\r')
		return "raw carriage return";
	if (cp == 0x7f)
		return "raw DEL";
	if (cp >= 0x80 && cp <= 0x9f)
		return "raw C1 control character";
	if (json && (cp == 0x2028 || cp == 0x2029))
		return "raw U+2028 or U+2029";
	return NULL;
}

/*
 * Walks the line one code point at a time; in JSON, C0 controls other
 * than CR are left to json_check(), which knows where they are allowed
 * (whitespace) and where not (strings).
 */
static const char *check_code_points(const unsigned char *s, size_t len, size_t *where,
				     int json)
{
	const char *msg;
	uint32_t cp;
	size_t i = 0, n;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			*where = i;
			return "invalid UTF-8";
		}
		msg = forbidden_code_point(cp, json);
		if (msg) {
			*where = i;
			return msg;
		}
		i += n;
	}
	return NULL;
}

const char *check_json_line(const char *out, size_t len, size_t *where)
{
	const unsigned char *s = (const unsigned char *)out;
	const char *msg;
	size_t body, dummy;

	if (!where)
		where = &dummy;
	msg = check_line(s, len, where, &body);
	if (!msg)
		msg = check_code_points(s, body, where, 1);
	if (!msg)
		msg = json_check(out, body, where);
	if (!msg && s[0] != '{') {
		*where = 0;
		msg = "not a JSON object";
	}
	return msg;
}

const char *check_table_line(const char *out, size_t len, size_t *where)
{
	const unsigned char *s = (const unsigned char *)out;
	const char *msg;
	size_t body, dummy;

	if (!where)
		where = &dummy;
	msg = check_line(s, len, where, &body);
	if (!msg)
		msg = check_code_points(s, body, where, 0);
	return msg;
}
