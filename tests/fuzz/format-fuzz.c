/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Builds one struct proctrace_event from the fuzz input (layout in
 * format-fuzz.h), formats it as a table row and as a JSON line, and aborts
 * if either output breaks what format.h promises (output-check.h), or if
 * a string of the JSON line does not decode to the valid UTF-8 it was
 * made from (json-get.h): valid JSON that lost or changed a character
 * is caught too.
 *
 * Every string is in its own exactly-sized allocation, so that under
 * AddressSanitizer a formatter reading one byte too far is caught.
 */
#define _GNU_SOURCE
#include "format-fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proctrace/proctrace.h>

#include "fields.h"
#include "format.h"
#include "json-get.h"
#include "output-check.h"
#include "utf8-check.h"

struct reader {
	const uint8_t *data;
	size_t size, pos;
};

/* Little-endian, zero past the end of the input. */
static uint64_t take(struct reader *r, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++, r->pos++)
		if (r->pos < r->size)
			v |= (uint64_t)r->data[r->pos] << (8 * i);
	return v;
}

static char *copy_string(const uint8_t *s, size_t n)
{
	char *c = malloc(n + 1);

	if (!c) {
		fputs("format-fuzz: out of memory\n", stderr);
		abort();
	}
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

/* The next NUL-terminated (or input-terminated) segment of the strings. */
static char *next_string(struct reader *r, size_t *len)
{
	const uint8_t *start = r->data + r->pos;
	const uint8_t *nul = memchr(start, 0, r->size - r->pos);
	size_t n = nul ? (size_t)(nul - start) : r->size - r->pos;

	r->pos += n + (nul ? 1 : 0);
	*len = n;
	return copy_string(start, n);
}

static void dump(const char *what, const char *s, size_t n)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes): ", what, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputc('\n', stderr);
}

static void check(const char *format, const char *out, size_t len,
		  const char *(*checker)(const char *, size_t, size_t *))
{
	size_t where = 0;
	const char *msg = checker(out, len, &where);

	if (!msg)
		return;
	fprintf(stderr, "format-fuzz: %s output broken: %s at byte %zu\n",
		format, msg, where);
	dump("output", out, len);
	abort();
}

static void round_trip_failed(const char *json, size_t len, const char *what,
			      const char *got, size_t got_len, const char *want)
{
	fprintf(stderr, "format-fuzz: JSON %s does not decode to its input\n", what);
	dump("decoded", got ? got : "", got ? got_len : 0);
	dump("input", want, strlen(want));
	dump("output", json, len);
	abort();
}

/* Decoded @got must be @want exactly, if @want is valid UTF-8 (invalid
 * bytes are replaced, so they cannot come back). */
static void check_same(const char *json, size_t len, const char *what,
		       const char *got, size_t got_len, const char *want)
{
	if (!utf8_valid((const unsigned char *)want, strlen(want)))
		return;
	if (!got || got_len != strlen(want) || memcmp(got, want, got_len))
		round_trip_failed(json, len, what, got, got_len, want);
}

/* A member the format always prints: missing or of another type is a bug. */
static void missing_member(const char *json, size_t len, const char *name,
			   const char *what)
{
	fprintf(stderr, "format-fuzz: JSON member \"%s\" is not %s\n", name, what);
	dump("output", json, len);
	abort();
}

static void check_member(const char *json, size_t len, const char *name, const char *want)
{
	char *got = NULL;
	size_t got_len = 0;

	if (json_get_string(json, len, name, &got, &got_len) != JSON_GET_STRING)
		missing_member(json, len, name, "a string");
	check_same(json, len, name, got, got_len, want);
	free(got);
}

/*
 * comm always, exe and cgroup when set; filename and args of an exec (a
 * NULL filename prints as "", NULL args as []): present, and as they went
 * in.
 */
static void check_json_round_trip(const char *json, size_t len,
				  const struct proctrace_event *e)
{
	char **items;
	size_t *lens, count, i, want_count;

	check_member(json, len, "comm", e->comm);
	if (e->cgroup)
		check_member(json, len, "cgroup", e->cgroup);
	if (e->exe && e->type >= PROCTRACE_EVENT_EXEC && e->type <= PROCTRACE_EVENT_PROCESS)
		check_member(json, len, "exe", e->exe);
	if (e->type != PROCTRACE_EVENT_EXEC)
		return;
	check_member(json, len, "filename", e->filename ? e->filename : "");
	if (json_get_array(json, len, "args", &items, &lens, &count) != JSON_GET_STRING)
		missing_member(json, len, "args", "an array");
	want_count = e->args ? e->args_count : 0;
	if (count != want_count) {
		fprintf(stderr, "format-fuzz: JSON args has %zu elements, not %zu\n",
			count, want_count);
		dump("output", json, len);
		abort();
	}
	for (i = 0; i < count; i++) {
		if (!items[i])
			missing_member(json, len, "args", "an array of strings");
		check_same(json, len, "args element", items[i], lens[i], e->args[i]);
	}
	json_free_array(items, lens, count);
}

static void format_and_check(const struct proctrace_event *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	mem = open_memstream(&buf, &len);
	if (!mem)
		abort();
	format_table_event(mem, e, "12:34:56");
	if (fclose(mem))
		abort();
	check("table", buf, len, check_table_line);
	free(buf);

	buf = NULL;
	mem = open_memstream(&buf, &len);
	if (!mem)
		abort();
	format_json_event(mem, e);
	if (fclose(mem))
		abort();
	check("JSON", buf, len, check_json_line);
	check_json_round_trip(buf, len, e);
	free(buf);
}

/* The integer fields of bootstrap-cli's table are what the header fills. */
static bool is_header_field(const struct cli_field *f)
{
	return f->kind == CLI_U32 || f->kind == CLI_I32 || f->kind == CLI_U64;
}

size_t fuzz_header_size(void)
{
	size_t i, n = 3;

	for (i = 0; i < cli_fields_count; i++)
		if (is_header_field(&cli_fields[i]))
			n += cli_fields[i].end - cli_fields[i].offset;
	return n;
}

void fuzz_print_layout(FILE *out)
{
	size_t i;

	for (i = 0; i < cli_fields_count; i++)
		if (is_header_field(&cli_fields[i]))
			fprintf(out, "%s %zu\n", cli_fields[i].key,
				cli_fields[i].end - cli_fields[i].offset);
}

/* Stores @v, @size bytes wide, into the event at @offset (little-endian host). */
static void put_field(struct proctrace_event *e, const struct cli_field *f, uint64_t v)
{
	char *at = (char *)e + f->offset;
	uint32_t v32 = (uint32_t)v;

	if (f->end - f->offset == 8)
		memcpy(at, &v, 8);
	else
		memcpy(at, &v32, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t types[] = {
		PROCTRACE_EVENT_EXEC, PROCTRACE_EVENT_EXIT, PROCTRACE_EVENT_FORK,
		0, 4, UINT32_MAX,
	};
	struct reader r = { data, size, 0 };
	struct proctrace_event e;
	char *strings[FUZZ_MAX_ARGS + 2];
	const char **args = NULL;
	size_t nstrings = 0, n, i;
	unsigned flags_byte, pointers;
	char *comm;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.type = types[take(&r, 1) % 6];
	flags_byte = (unsigned)take(&r, 1);
	e.flags = flags_byte & 0x03;
	if (flags_byte & 0x80)
		e.flags |= 0xffffff00u;
	pointers = (unsigned)take(&r, 1);
	for (i = 0; i < cli_fields_count; i++)
		if (is_header_field(&cli_fields[i]))
			put_field(&e, &cli_fields[i],
				  take(&r, cli_fields[i].end - cli_fields[i].offset));
	if (r.pos > size)
		r.pos = size;

	/* The kernel cuts comm to 15 bytes; so does this. */
	comm = next_string(&r, &n);
	memcpy(e.comm, comm, n < PROCTRACE_COMM_LEN - 1 ? n : PROCTRACE_COMM_LEN - 1);
	free(comm);

	strings[nstrings++] = next_string(&r, &n);
	if (!(pointers & 1))
		e.filename = strings[0];
	/* exe and the cgroup path: paths from the kernel, any bytes but NUL */
	if (pointers & 4)
		e.exe = strings[0];
	if (pointers & 8)
		e.cgroup = strings[0];
	while (r.pos < size && nstrings < FUZZ_MAX_ARGS + 1)
		strings[nstrings++] = next_string(&r, &n);

	if (!(pointers & 2)) {
		/* args_count strings and a NULL, as the contract says. */
		args = malloc(nstrings * sizeof(*args));
		if (!args)
			abort();
		for (i = 1; i < nstrings; i++)
			args[i - 1] = strings[i];
		args[nstrings - 1] = NULL;
		e.args = args;
		e.args_count = (uint32_t)(nstrings - 1);
	}

	format_and_check(&e);

	free(args);
	for (i = 0; i < nstrings; i++)
		free(strings[i]);
	return 0;
}
