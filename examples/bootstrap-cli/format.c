/* SPDX-License-Identifier: BSD-2-Clause */
#include "format.h"
#include "errnames.h"

#include "fields.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

/*
 * Length of the well-formed UTF-8 sequence at @s (1 to 4), or 0 if the
 * bytes there are not one: a stray continuation byte, a truncated
 * sequence, an overlong form, a surrogate or a value past U+10FFFF
 * (Unicode 15, table 3-7).
 */
static size_t utf8_sequence_len(const unsigned char *s, uint32_t *cp)
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

static void put_hex_bytes(FILE *out, const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(out, "\\x%02x", s[i]);
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
		 * of it, and this is the per-event cost of the output.
		 */
		for (n = 0; s[n] >= 0x20 && s[n] < 0x7f && s[n] != '\\' && s[n] != '"'; n++)
			;
		if (n) {
			fwrite(s, 1, n, out);
			s += n;
			continue;
		}
		n = utf8_sequence_len(s, &cp);
		if (n == 0) {
			put_invalid(out, *s);
			s++;
		} else {
			put_valid(out, s, n, cp);
			s += n;
		}
	}
}

static bool is_control(uint32_t cp)
{
	/*
	 * C1 controls count too: some terminals act on U+009B (CSI) even when
	 * it comes UTF-8 encoded.
	 */
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

static void text_valid(FILE *out, const unsigned char *s, size_t n, uint32_t cp)
{
	if (is_control(cp))
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

void format_escape_text(FILE *out, const char *str)
{
	escape_each(out, str, text_valid, text_invalid);
}

static void json_valid(FILE *out, const unsigned char *s, size_t n, uint32_t cp)
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
	if (is_control(cp) || cp == 0x2028 || cp == 0x2029)
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

void format_escape_json(FILE *out, const char *str)
{
	escape_each(out, str, json_valid, json_invalid);
}

/* The table's own columns (fields with a column), left to right. */
static const struct cli_field *column_field(int column)
{
	size_t i;

	for (i = 0; i < cli_fields_count; i++)
		if (cli_fields[i].column == column)
			return &cli_fields[i];
	return NULL;
}

void format_table_header(FILE *out)
{
	const struct cli_field *f;
	int c;

	fprintf(out, "%-8s ", "TIME");
	for (c = 1; (f = column_field(c)); c++)
		fprintf(out, "%-*s ", f->width, f->title);
	fputs("FILENAME/EXIT CODE\n", out);
}

/*
 * The comm column is padded to 16 display columns as in the seed's
 * "%-16s".  An escaped comm can be longer than that; it then pushes the
 * rest of the row right rather than being cut.
 */
static void put_text_column(FILE *out, const char *comm, int width)
{
	const unsigned char *c = (const unsigned char *)comm;
	/* fmemopen writes no NUL when nothing was written: start with one. */
	char buf[PROCTRACE_COMM_LEN * 4 + 1] = "";
	long len = 0;
	FILE *mem;

	/* The usual case needs no escaping and no scratch stream. */
	while (*c >= 0x20 && *c < 0x7f && *c != '\\')
		c++;
	if (!*c) {
		fprintf(out, "%-*s ", width, comm);
		return;
	}

	mem = fmemopen(buf, sizeof(buf), "w");
	if (mem) {
		format_escape_text(mem, comm);
		len = ftell(mem);
		fclose(mem);
	}
	if (!mem || len < 0 || (size_t)len >= sizeof(buf)) {
		/* Cannot happen for a 15-byte comm; stay correct anyway. */
		format_escape_text(out, comm);
		fputc(' ', out);
		return;
	}
	fprintf(out, "%-*s ", width, buf);
}

#define FIELD_PTR(e, f, type) ((const type *)((const char *)(e) + (f)->offset))

/* One field in its table column. */
static void put_column(FILE *out, const struct proctrace_event *e,
		       const struct cli_field *f)
{
	if (!cli_field_present(f, e)) {
		fprintf(out, "%-*s ", f->width, "");
		return;
	}
	switch (f->kind) {
	case CLI_TYPE:
		fprintf(out, "%-*s ", f->width,
			cli_type_name(*FIELD_PTR(e, f, uint32_t), 1));
		break;
	case CLI_U32:
		fprintf(out, "%-*" PRIu32 " ", f->width, *FIELD_PTR(e, f, uint32_t));
		break;
	case CLI_I32:
		fprintf(out, "%-*" PRId32 " ", f->width, *FIELD_PTR(e, f, int32_t));
		break;
	case CLI_U64:
		fprintf(out, "%-*" PRIu64 " ", f->width, *FIELD_PTR(e, f, uint64_t));
		break;
	case CLI_TEXT:
		put_text_column(out, FIELD_PTR(e, f, char), f->width);
		break;
	case CLI_STRING: {
		const char *str = *FIELD_PTR(e, f, const char *);

		put_text_column(out, str ? str : "", f->width);
		break;
	}
	case CLI_ARGV:
	case CLI_FLAG:
	case CLI_ERRNO_NAME:
		fprintf(out, "%-*s ", f->width, "");
		break;
	}
}

void format_table_event(FILE *out, const struct proctrace_event *e,
			const char *clock)
{
	const struct cli_field *f;
	size_t i;
	int c;

	fprintf(out, "%-8s ", clock);
	for (c = 1; (f = column_field(c)); c++)
		put_column(out, e, f);
	for (i = 0; i < cli_fields_count; i++)
		if (cli_fields[i].detail && cli_field_present(&cli_fields[i], e))
			cli_fields[i].detail(out, e);
	fputc('\n', out);
}

static void put_json_string(FILE *out, const char *value)
{
	fputc('"', out);
	format_escape_json(out, value ? value : "");
	fputc('"', out);
}

/* One field's JSON value. */
static void put_json_value(FILE *out, const struct proctrace_event *e,
			   const struct cli_field *f)
{
	uint32_t i;

	switch (f->kind) {
	case CLI_TYPE:
		fprintf(out, "\"%s\"", cli_type_name(*FIELD_PTR(e, f, uint32_t), 0));
		break;
	case CLI_U32:
		fprintf(out, "%" PRIu32, *FIELD_PTR(e, f, uint32_t));
		break;
	case CLI_I32:
		fprintf(out, "%" PRId32, *FIELD_PTR(e, f, int32_t));
		break;
	case CLI_U64:
		fprintf(out, "%" PRIu64, *FIELD_PTR(e, f, uint64_t));
		break;
	case CLI_TEXT:
		put_json_string(out, FIELD_PTR(e, f, char));
		break;
	case CLI_STRING:
		put_json_string(out, *FIELD_PTR(e, f, const char *));
		break;
	case CLI_ARGV:
		fputc('[', out);
		for (i = 0; e->args && i < e->args_count; i++) {
			if (i)
				fputc(',', out);
			put_json_string(out, e->args[i]);
		}
		fputc(']', out);
		break;
	case CLI_FLAG:
		fputs(*FIELD_PTR(e, f, uint32_t) & f->flag ? "true" : "false", out);
		break;
	case CLI_ERRNO_NAME:
		put_json_string(out, errno_name(*FIELD_PTR(e, f, int32_t)));
		break;
	}
}

void format_json_event(FILE *out, const struct proctrace_event *e)
{
	const char *sep = "{";
	size_t i;

	for (i = 0; i < cli_fields_count; i++) {
		if (!cli_field_present(&cli_fields[i], e))
			continue;
		fprintf(out, "%s\"%s\":", sep, cli_fields[i].key);
		put_json_value(out, e, &cli_fields[i]);
		sep = ",";
	}
	fputs("}\n", out);
}

void format_json_lost(FILE *out, uint64_t timestamp_ns, uint64_t ring_full,
		      uint64_t other, uint64_t malformed)
{
	fprintf(out, "{\"type\":\"lost\",\"timestamp_ns\":%" PRIu64
		",\"count\":%" PRIu64 ",\"ring_full\":%" PRIu64 ",\"other\":%" PRIu64
		",\"malformed\":%" PRIu64 "}\n", timestamp_ns,
		ring_full + other + malformed, ring_full, other, malformed);
}
