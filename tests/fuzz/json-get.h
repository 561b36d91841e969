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
	JSON_GET_ABSENT,     /* no such member */
	JSON_GET_NOT_STRING, /* it exists but is not a string (not an array) */
	JSON_GET_STRING,     /* found: a string (an array), decoded */
};

/*
 * Finds the member @name of the top-level object of @doc (a document that
 * json_check() accepted) and decodes its value, a string (escapes
 * resolved, \u escapes written as UTF-8), into a new buffer *@out of
 * *@out_len bytes plus a NUL, which the caller frees.
 */
enum json_get_result json_get_string(const char *doc, size_t len, const char *name,
				     char **out, size_t *out_len);

/*
 * Like json_get_string() for a member whose value is an array: *@count
 * elements, each decoded into (*@items)[i] of (*@lens)[i] bytes if it is a
 * string, NULL otherwise.  Free with json_free_array().
 */
enum json_get_result json_get_array(const char *doc, size_t len, const char *name,
				    char ***items, size_t **lens, size_t *count);

void json_free_array(char **items, size_t *lens, size_t count);

/*
 * The value of member @name as it is written (a number, true, false, or
 * a string or array with its quotes and escapes), in a new buffer *@out;
 * JSON_GET_STRING if found.
 */
enum json_get_result json_get_raw(const char *doc, size_t len, const char *name,
				  char **out);

/* The top-level object's keys, in order, each decoded and NUL-terminated;
 * returns how many.  Free each and the array. */
size_t json_get_keys(const char *doc, size_t len, char ***keys);

#endif
