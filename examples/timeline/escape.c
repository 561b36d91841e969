/* SPDX-License-Identifier: BSD-2-Clause */
#include "escape.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strescape.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */
#define ELLIPSIS "\xe2\x80\xa6"		/* U+2026 */

static void put_xml(FILE *out, const unsigned char *s, size_t n, uint32_t cp)
{
	switch (cp) {
	case '&': fputs("&amp;", out); return;
	case '<': fputs("&lt;", out); return;
	case '>': fputs("&gt;", out); return;
	case '"': fputs("&quot;", out); return;
	case '\'': fputs("&apos;", out); return;
	}
	/* XML 1.0 has no way to hold most controls, not even as &#N;. */
	if (strescape_is_control(cp))
		fprintf(out, "\\x%02" PRIx32, cp);
	else if (cp == 0xfffe || cp == 0xffff)
		fputs(REPLACEMENT, out);
	else
		fwrite(s, 1, n, out);
}

static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && !strchr("&<>\"'\\", c);
}

/* Columns one character takes once escaped ("\xNN" for four). */
static size_t columns_of(enum esc_kind kind, size_t n, uint32_t cp)
{
	if (kind == ESC_JSON)
		return 1;
	if (n == 0)
		return kind == ESC_TEXT ? 4 : 1;
	if (strescape_is_control(cp))
		return 4 * n;
	return kind == ESC_TEXT && cp == '\\' ? 2 : 1;
}

bool esc_write(FILE *out, const char *str, enum esc_kind kind, size_t max_cols)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t cols = 0, n, w;
	uint32_t cp = 0;

	if (!s)
		return false;
	while (*s) {
		/* Most names and paths are plain ASCII: one run at a time. */
		for (n = 0; plain(s[n]) && (!max_cols || cols + n < max_cols); n++)
			;
		if (n) {
			fwrite(s, 1, n, out);
			s += n;
			cols += n;
			continue;
		}
		n = strescape_utf8_len(s, &cp);
		w = columns_of(kind, n, cp);
		if (max_cols && cols + w > max_cols) {
			fputs(ELLIPSIS, out);
			return true;
		}
		cols += w;
		if (n == 0) {
			/* One replacement per bad byte: how much was bad stays visible. */
			if (kind == ESC_TEXT)
				fprintf(out, "\\x%02x", *s);
			else
				fputs(REPLACEMENT, out);
			s++;
		} else {
			if (kind == ESC_XML)
				put_xml(out, s, n, cp);
			else if (kind == ESC_JSON)
				strescape_json_char(out, s, n, cp);
			else
				strescape_text_char(out, s, n, cp);
			s += n;
		}
	}
	return false;
}

size_t esc_columns(const char *str, enum esc_kind kind)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t cols = 0, n;
	uint32_t cp = 0;

	while (s && *s) {
		n = strescape_utf8_len(s, &cp);
		cols += columns_of(kind, n, cp);
		s += n ? n : 1;
	}
	return cols;
}

static bool needs_quotes(const char *arg)
{
	const char *p;

	if (!*arg)
		return true;
	for (p = arg; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_@%+=:,./-", *p))
			return true;
	return false;
}

/* Appends to a growing buffer; false when out of memory. */
static bool append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t want = (*cap ? *cap * 2 : 64);
		char *p;

		while (want < *len + n + 1)
			want *= 2;
		p = realloc(*buf, want);
		if (!p)
			return false;
		*buf = p;
		*cap = want;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return true;
}

char *esc_join_argv(const char *const *argv, size_t argc, size_t max_bytes,
		    bool *cut)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, i;
	const char *p;
	bool ok = append(&buf, &len, &cap, "", 0);

	*cut = false;
	for (i = 0; ok && i < argc; i++) {
		const char *arg = argv[i] ? argv[i] : "";

		if (i)
			ok = append(&buf, &len, &cap, " ", 1);
		if (!needs_quotes(arg)) {
			ok = ok && append(&buf, &len, &cap, arg, strlen(arg));
			continue;
		}
		ok = ok && append(&buf, &len, &cap, "'", 1);
		for (p = arg; ok && *p; p++)
			ok = *p == '\'' ? append(&buf, &len, &cap, "'\\''", 4)
					: append(&buf, &len, &cap, p, 1);
		ok = ok && append(&buf, &len, &cap, "'", 1);
		if (max_bytes && len > max_bytes)
			break;
	}
	if (!ok) {
		free(buf);
		return NULL;
	}
	if (max_bytes && len > max_bytes) {
		/* Cut on a character boundary, not inside a UTF-8 sequence. */
		len = max_bytes;
		while (len > 0 && ((unsigned char)buf[len] & 0xc0) == 0x80)
			len--;
		buf[len] = '\0';
		*cut = true;
	}
	return buf;
}
