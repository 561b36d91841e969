/* SPDX-License-Identifier: BSD-2-Clause */
#include "json-get.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The document was validated: these walkers only keep within its bounds. */
struct walk {
	const char *s;
	size_t len, pos;
};

static void skip_ws(struct walk *w)
{
	while (w->pos < w->len && (w->s[w->pos] == ' ' || w->s[w->pos] == '\t' ||
				   w->s[w->pos] == '\r' || w->s[w->pos] == '\n'))
		w->pos++;
}

static unsigned hex4(const char *s)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * At an opening quote: decodes the string into a new buffer if @out is
 * not NULL, and leaves the position after the closing quote.  Decoded
 * text is never longer than its escaped form.
 */
static void read_string(struct walk *w, char **out, size_t *out_len)
{
	size_t n = 0, end = w->pos + 1;
	uint32_t cp, lo;
	char *o = NULL;

	if (out) {
		/* The escaped length bounds the decoded one. */
		while (w->s[end] != '"')
			end += w->s[end] == '\\' ? 2 : 1;
		o = malloc(end - w->pos);
		if (!o)
			abort();
	}
	w->pos++;
	while (w->s[w->pos] != '"') {
		char c = w->s[w->pos++];

		if (c != '\\') {
			if (o)
				o[n] = c;
			n++;
			continue;
		}
		c = w->s[w->pos++];
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			cp = hex4(w->s + w->pos);
			w->pos += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				lo = hex4(w->s + w->pos + 2);
				w->pos += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (o)
				n += put_utf8(o + n, cp);
			else
				n += 4;
			continue;
		default: /* '"', '\\', '/' stand for themselves */
			break;
		}
		if (o)
			o[n] = c;
		n++;
	}
	w->pos++;
	if (o) {
		o[n] = '\0';
		*out = o;
		*out_len = n;
	}
}

/* Any value, strings and nesting included; stops before the ',', '}' or
 * ']' that follows it. */
static void skip_value(struct walk *w)
{
	int depth = 0;
	char c;

	while (w->pos < w->len) {
		c = w->s[w->pos];
		if (depth == 0 && (c == ',' || c == '}' || c == ']'))
			return;
		if (c == '"') {
			read_string(w, NULL, NULL);
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		w->pos++;
	}
}

static bool find_member(struct walk *w, const char *name)
{
	size_t key_len, want = strlen(name);
	char *key;
	bool match;

	skip_ws(w);
	if (w->s[w->pos] != '{')
		return false;
	w->pos++;
	skip_ws(w);
	while (w->s[w->pos] == '"') {
		read_string(w, &key, &key_len);
		match = key_len == want && memcmp(key, name, want) == 0;
		free(key);
		skip_ws(w);
		w->pos++; /* ':' */
		skip_ws(w);
		if (match)
			return true;
		skip_value(w);
		if (w->s[w->pos] != ',')
			break;
		w->pos++;
		skip_ws(w);
	}
	return false;
}

enum json_get_result json_get_string(const char *doc, size_t len, const char *name,
				     char **out, size_t *out_len)
{
	struct walk w = { doc, len, 0 };

	if (!find_member(&w, name))
		return JSON_GET_ABSENT;
	if (w.s[w.pos] != '"')
		return JSON_GET_NOT_STRING;
	read_string(&w, out, out_len);
	return JSON_GET_STRING;
}

static void *grow(void *p, size_t n, size_t size)
{
	p = realloc(p, n * size);
	if (!p)
		abort();
	return p;
}

enum json_get_result json_get_array(const char *doc, size_t len, const char *name,
				    char ***items, size_t **lens, size_t *count)
{
	struct walk w = { doc, len, 0 };
	size_t n = 0, cap = 8;

	*items = NULL;
	*lens = NULL;
	*count = 0;
	if (!find_member(&w, name))
		return JSON_GET_ABSENT;
	if (w.s[w.pos] != '[')
		return JSON_GET_NOT_STRING;
	*items = grow(NULL, cap, sizeof(**items));
	*lens = grow(NULL, cap, sizeof(**lens));
	w.pos++;
	skip_ws(&w);
	while (w.s[w.pos] != ']') {
		if (n == cap) {
			cap *= 2;
			*items = grow(*items, cap, sizeof(**items));
			*lens = grow(*lens, cap, sizeof(**lens));
		}
		(*items)[n] = NULL;
		(*lens)[n] = 0;
		if (w.s[w.pos] == '"')
			read_string(&w, &(*items)[n], &(*lens)[n]);
		else
			skip_value(&w);
		n++;
		skip_ws(&w);
		if (w.s[w.pos] == ',') {
			w.pos++;
			skip_ws(&w);
		}
	}
	*count = n;
	return JSON_GET_STRING;
}

void json_free_array(char **items, size_t *lens, size_t count)
{
	size_t i;

	for (i = 0; items && i < count; i++)
		free(items[i]);
	free(items);
	free(lens);
}

enum json_get_result json_get_raw(const char *doc, size_t len, const char *name,
				  char **out)
{
	struct walk w = { doc, len, 0 };
	size_t start;

	if (!find_member(&w, name))
		return JSON_GET_ABSENT;
	start = w.pos;
	skip_value(&w);
	while (w.pos > start && strchr(" \t\r\n", w.s[w.pos - 1]))
		w.pos--;
	*out = malloc(w.pos - start + 1);
	if (!*out)
		abort();
	memcpy(*out, w.s + start, w.pos - start);
	(*out)[w.pos - start] = '\0';
	return JSON_GET_STRING;
}

size_t json_get_keys(const char *doc, size_t len, char ***keys)
{
	struct walk w = { doc, len, 0 };
	size_t n = 0, key_len;
	char *key;

	*keys = NULL;
	skip_ws(&w);
	if (w.s[w.pos] != '{')
		return 0;
	w.pos++;
	skip_ws(&w);
	while (w.pos < w.len && w.s[w.pos] == '"') {
		read_string(&w, &key, &key_len);
		*keys = grow(*keys, n + 1, sizeof(**keys));
		(*keys)[n++] = key;
		skip_ws(&w);
		w.pos++; /* ':' */
		skip_ws(&w);
		skip_value(&w);
		if (w.s[w.pos] != ',')
			break;
		w.pos++;
		skip_ws(&w);
	}
	return n;
}
