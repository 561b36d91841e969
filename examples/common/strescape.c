/* SPDX-License-Identifier: BSD-2-Clause */
/* Strings from traced processes, escaped for JSON and a terminal: see strescape.h. */
#include "strescape.h"

#include <inttypes.h>

size_t strescape_utf8_len(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	/* A NUL ends the string and fails this test, so no overread. */
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

bool strescape_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

static void put_hex_bytes(FILE *out, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(out, "\\x%02x", s[i]);
}

void strescape_text_char(FILE *out, const unsigned char *s, size_t n, uint32_t cp)
{
	if (strescape_is_control(cp))
		put_hex_bytes(out, s, n);
	else if (cp == '\\')
		fputs("\\\\", out);
	else
		fwrite(s, 1, n, out);
}

static void text_invalid(FILE *out, unsigned char byte)
{
	put_hex_bytes(out, &byte, 1);
}

void strescape_json_char(FILE *out, const unsigned char *s, size_t n, uint32_t cp)
{
	switch (cp) {
	case '"':  fputs("\\\"", out); return;
	case '\\': fputs("\\\\", out); return;
	case '\b': fputs("\\b", out); return;
	case '\f': fputs("\\f", out); return;
	case '\n': fputs("\\n", out); return;
	case '\r': fputs("\\r", out); return;
	case '\t': fputs("\\t", out); return;
	}
	/*
	 * RFC 8259 requires only U+0000..U+001F escaped; DEL, the C1 controls
	 * and the JavaScript line separators are escaped as well, so that a
	 * careless consumer that prints a value cannot be steered by it.
	 */
	if (strescape_is_control(cp) || cp == 0x2028 || cp == 0x2029)
		fprintf(out, "\\u%04" PRIx32, cp);
	else
		fwrite(s, 1, n, out);
}

static void json_invalid(FILE *out, unsigned char byte)
{
	/* One U+FFFD per bad byte: how much was bad stays visible. */
	(void)byte;
	fputs("\xef\xbf\xbd", out);
}

/*
 * Walks @str one code point at a time: @put_valid gets each well-formed
 * UTF-8 sequence, @put_invalid each byte that starts none.
 */
static void escape_each(FILE *out, const char *str,
			void (*put_valid)(FILE *, const unsigned char *, size_t, uint32_t),
			void (*put_invalid)(FILE *, unsigned char))
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;
	size_t n;

	while (*s) {
		/*
		 * Printable ASCII other than the two characters both formats
		 * escape goes out as one run: most names and paths are all
		 * of it, and this is the per-event cost of bootstrap-cli's
		 * output.
		 */
		for (n = 0; s[n] >= 0x20 && s[n] < 0x7f && s[n] != '\\' && s[n] != '"'; n++)
			;
		if (n) {
			fwrite(s, 1, n, out);
			s += n;
			continue;
		}
		n = strescape_utf8_len(s, &cp);
		if (n == 0) {
			put_invalid(out, *s);
			s++;
		} else {
			put_valid(out, s, n, cp);
			s += n;
		}
	}
}

void strescape_text(FILE *out, const char *str)
{
	escape_each(out, str, strescape_text_char, text_invalid);
}

void strescape_json(FILE *out, const char *str)
{
	escape_each(out, str, strescape_json_char, json_invalid);
}
