/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reads string values back out of a JSON object that json_check()
 * accepted, so the fuzz target can check that what was escaped decodes to
 * what went in.
 */
#ifndef FUZZ_JSON_GET_H
#define FUZZ_JSON_GET_H

#include <stddef.h>

enum json_get_result {
	JSON_GET_ABSENT,     /* no such member, or no such array element */
	JSON_GET_NOT_STRING, /* it exists but is not a string */
	JSON_GET_STRING,     /* *out holds the decoded string (malloc'd) */
};

/*
 * Finds the member @name of the top-level object of @doc (a document that
 * json_check() accepted).  With @index < 0 its value is wanted; otherwise
 * the value must be an array and its element @index is wanted.  A string
 * is decoded (escapes resolved, \u escapes written as UTF-8) into a new
 * buffer *@out of *@out_len bytes plus a NUL, which the caller frees.
 * *@count (if not NULL) gets the number of elements when @index >= 0 and
 * the value is an array, else 0.
 */
enum json_get_result json_get_string(const char *doc, size_t len, const char *name,
				     long index, char **out, size_t *out_len, size_t *count);

#endif
