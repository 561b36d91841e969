/* SPDX-License-Identifier: BSD-2-Clause */
#include "json-check.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8-check.h"

struct parser {
	const unsigned char *s;
	size_t len, pos;
	const char *err;
};

/* Member names seen so far in one object, as spans of the document. */
struct names {
	size_t *start, *len;
	size_t count, cap;
};

static bool fail(struct parser *p, const char *msg)
{
	if (!p->err)
		p->err = msg;
	return false;
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? p->s[p->pos] : -1;
}

/* RFC 8259 ws: space, tab, line feed, carriage return; nothing else. */
static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static bool expect_literal(struct parser *p, const char *lit)
{
	size_t n = strlen(lit);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, lit, n) != 0)
		return fail(p, "invalid literal (only true, false, null)");
	p->pos += n;
	return true;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool digits(struct parser *p, const char *msg)
{
	if (!is_digit(peek(p)))
		return fail(p, msg);
	while (is_digit(peek(p)))
		p->pos++;
	return true;
}

/* number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT ) */
static bool parse_number(struct parser *p)
{
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0') {
		p->pos++;
		if (is_digit(peek(p)))
			return fail(p, "number with a leading zero");
	} else if (!digits(p, "number without digits")) {
		return false;
	}
	if (peek(p) == '.') {
		p->pos++;
		if (!digits(p, "no digit after the decimal point"))
			return false;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!digits(p, "no digit in the exponent"))
			return false;
	}
	return true;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 4 hex digits after "\u" at the current position. */
static bool parse_hex4(struct parser *p, uint32_t *v)
{
	int i, h;

	*v = 0;
	for (i = 0; i < 4; i++) {
		h = hex_value(peek(p));
		if (h < 0)
			return fail(p, "\\u not followed by 4 hex digits");
		*v = (*v << 4) | (uint32_t)h;
		p->pos++;
	}
	return true;
}

/* After the backslash. */
static bool parse_escape(struct parser *p)
{
	uint32_t hi, lo;

	switch (peek(p)) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		p->pos++;
		return true;
	case 'u':
		p->pos++;
		break;
	default:
		return fail(p, "invalid escape sequence");
	}
	if (!parse_hex4(p, &hi))
		return false;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(p, "\\u escape of a lone low surrogate");
	if (hi < 0xd800 || hi > 0xdbff)
		return true;
	/* A high surrogate must be followed by an escaped low one. */
	if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
		return fail(p, "\\u escape of a lone high surrogate");
	p->pos += 2;
	if (!parse_hex4(p, &lo))
		return false;
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(p, "high surrogate not followed by a low surrogate");
	return true;
}

/* A string; its contents (without the quotes) are returned as a span. */
static bool parse_string(struct parser *p, size_t *start, size_t *len)
{
	uint32_t cp;
	size_t n;

	if (peek(p) != '"')
		return fail(p, "expected a string");
	p->pos++;
	*start = p->pos;
	for (;;) {
		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		unsigned char c = p->s[p->pos];

		if (c == '"')
			break;
		if (c == '\\') {
			p->pos++;
			if (!parse_escape(p))
				return false;
			continue;
		}
		if (c < 0x20)
			return fail(p, "unescaped control character in a string");
		n = utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
		if (n == 0)
			return fail(p, "invalid UTF-8 in a string");
		p->pos += n;
	}
	*len = p->pos - *start;
	p->pos++;
	return true;
}

static bool parse_value(struct parser *p, int depth);

static bool add_name(struct parser *p, struct names *nm, size_t start, size_t len)
{
	size_t i;

	for (i = 0; i < nm->count; i++) {
		if (nm->len[i] == len && memcmp(p->s + nm->start[i], p->s + start, len) == 0) {
			p->pos = start;
			return fail(p, "duplicate member name in an object");
		}
	}
	if (nm->count == nm->cap) {
		size_t cap = nm->cap ? nm->cap * 2 : 16;
		size_t *s = realloc(nm->start, cap * sizeof(*s));

		if (!s)
			return fail(p, "out of memory");
		nm->start = s;
		s = realloc(nm->len, cap * sizeof(*s));
		if (!s)
			return fail(p, "out of memory");
		nm->len = s;
		nm->cap = cap;
	}
	nm->start[nm->count] = start;
	nm->len[nm->count] = len;
	nm->count++;
	return true;
}

static bool parse_members(struct parser *p, int depth, struct names *nm)
{
	size_t start, len;

	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		return true;
	}
	for (;;) {
		skip_ws(p);
		if (peek(p) != '"')
			return fail(p, "expected a member name (a string)");
		if (!parse_string(p, &start, &len) || !add_name(p, nm, start, len))
			return false;
		skip_ws(p);
		if (peek(p) != ':')
			return fail(p, "expected ':' after a member name");
		p->pos++;
		if (!parse_value(p, depth))
			return false;
		skip_ws(p);
		if (peek(p) == '}') {
			p->pos++;
			return true;
		}
		if (peek(p) != ',')
			return fail(p, "expected ',' or '}' in an object");
		p->pos++;
	}
}

static bool parse_object(struct parser *p, int depth)
{
	struct names nm = { 0 };
	bool ok;

	p->pos++; /* '{' */
	ok = parse_members(p, depth, &nm);
	free(nm.start);
	free(nm.len);
	return ok;
}

static bool parse_array(struct parser *p, int depth)
{
	p->pos++; /* '[' */
	skip_ws(p);
	if (peek(p) == ']') {
		p->pos++;
		return true;
	}
	for (;;) {
		if (!parse_value(p, depth))
			return false;
		skip_ws(p);
		if (peek(p) == ']') {
			p->pos++;
			return true;
		}
		if (peek(p) != ',')
			return fail(p, "expected ',' or ']' in an array");
		p->pos++;
	}
}

/* value with the whitespace around it */
static bool parse_value(struct parser *p, int depth)
{
	size_t start, len;
	bool ok;

	skip_ws(p);
	switch (peek(p)) {
	case '{':
	case '[':
		if (depth >= JSON_CHECK_MAX_DEPTH)
			return fail(p, "nested too deeply");
		ok = peek(p) == '{' ? parse_object(p, depth + 1) : parse_array(p, depth + 1);
		break;
	case '"':
		ok = parse_string(p, &start, &len);
		break;
	case 't':
		ok = expect_literal(p, "true");
		break;
	case 'f':
		ok = expect_literal(p, "false");
		break;
	case 'n':
		ok = expect_literal(p, "null");
		break;
	case -1:
		return fail(p, "expected a value, found the end");
	default:
		if (peek(p) == '-' || is_digit(peek(p)))
			ok = parse_number(p);
		else
			return fail(p, "expected a value");
	}
	if (ok)
		skip_ws(p);
	return ok;
}

const char *json_check(const char *doc, size_t len, size_t *where)
{
	struct parser p = { (const unsigned char *)doc, len, 0, NULL };

	if (parse_value(&p, 0) && p.pos != len)
		fail(&p, "more after the JSON value");
	if (where)
		*where = p.pos;
	return p.err;
}
