/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Prints every JSON record bootstrap-cli's formatter can write: for each
 * event type (and an unknown one), an event with every field present and
 * every string and argument vector set, then a "lost" record.  One JSON
 * object per line.  tests/check-doc-names.py reads the keys from this
 * output, so that the keys the man page must name come from the program
 * itself, not from a list kept by hand.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "format.h"

#define FIELD_AT(e, f) ((char *)(e) + (f)->offset)

/* An event of @type with every string and argument vector of the table set. */
static void full_event(struct proctrace_event *e, uint32_t type)
{
	static const char *const argv[] = { "arg", NULL };
	static const char text[] = "x";
	size_t i;

	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->type = type;
	for (i = 0; i < cli_fields_count; i++) {
		const struct cli_field *f = &cli_fields[i];

		if (f->kind == CLI_STRING)
			memcpy(FIELD_AT(e, f), &(const char *){ text }, sizeof(const char *));
		else if (f->kind == CLI_ARGV)
			memcpy(FIELD_AT(e, f), &(const char *const *){ argv },
			       sizeof(const char *const *));
	}
	e->args_count = 1;
	memcpy(e->comm, "comm", sizeof("comm"));
}

int main(void)
{
	struct proctrace_event e;
	uint32_t type;

	/* cli_field::on has a bit per type below 32; 0 stands for unknown. */
	for (type = 0; type < 32; type++) {
		full_event(&e, type);
		format_json_event(stdout, &e);
	}
	format_json_lost(stdout, 1, 1, 1, 1);
	return fflush(stdout) == 0 ? 0 : 1;
}
