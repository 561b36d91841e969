/* SPDX-License-Identifier: BSD-2-Clause */
#include "format.h"
#include "errnames.h"

#include "fields.h"
#include "strescape.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

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
		strescape_text(mem, comm);
		len = ftell(mem);
		fclose(mem);
	}
	if (!mem || len < 0 || (size_t)len >= sizeof(buf)) {
		/* Cannot happen for a 15-byte comm; stay correct anyway. */
		strescape_text(out, comm);
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
	int c;

	fprintf(out, "%-8s ", clock);
	for (c = 1; (f = column_field(c)); c++)
		put_column(out, e, f);
	format_details(out, e);
	fputc('\n', out);
}

void format_details(FILE *out, const struct proctrace_event *e)
{
	size_t i;

	for (i = 0; i < cli_fields_count; i++)
		if (cli_fields[i].detail && cli_field_present(&cli_fields[i], e))
			cli_fields[i].detail(out, e);
}

static void put_json_string(FILE *out, const char *value)
{
	fputc('"', out);
	strescape_json(out, value ? value : "");
	fputc('"', out);
}

void format_json_value(FILE *out, const struct proctrace_event *e,
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
		format_json_value(out, e, &cli_fields[i]);
		sep = ",";
	}
	fputs("}\n", out);
}

void format_json_lost(FILE *out, uint64_t timestamp_ns, uint64_t ring_full,
		      uint64_t other, uint64_t malformed)
{
	fprintf(out, FORMAT_JSON_LOST_START "\"timestamp_ns\":%" PRIu64
		",\"count\":%" PRIu64 ",\"ring_full\":%" PRIu64 ",\"other\":%" PRIu64
		",\"malformed\":%" PRIu64 "}\n", timestamp_ns,
		ring_full + other + malformed, ring_full, other, malformed);
}
