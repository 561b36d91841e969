/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Prints bootstrap-cli's field table (fields.c) as JSON, for
 * check-schema.py: the published schema of the JSON lines must describe
 * exactly these keys, with these types, on these event types.
 */
#include <stdio.h>

#include "fields.h"

static const char *const kinds[] = {
	[CLI_TYPE] = "type", [CLI_U32] = "u32", [CLI_I32] = "i32", [CLI_U64] = "u64",
	[CLI_TEXT] = "string", [CLI_STRING] = "string", [CLI_ARGV] = "argv",
	[CLI_FLAG] = "flag", [CLI_ERRNO_NAME] = "string",
};

/* The names of the event types in @bits (CLI_ON() bits; 0: every type). */
static void put_types(uint32_t bits, uint32_t all)
{
	const char *sep = "";
	uint32_t t;

	putchar('[');
	for (t = 0; t < 32; t++)
		if (((bits ? bits : all) & CLI_ON(t)) && (all & CLI_ON(t))) {
			printf("%s\"%s\"", sep, cli_type_name(t, 0));
			sep = ",";
		}
	putchar(']');
}

int main(void)
{
	uint32_t all = 0, t;
	size_t i;

	for (t = 0; t < 32; t++)
		if (cli_type_name(t, 0)[0] != 'u')	/* "unknown" */
			all |= CLI_ON(t);
	printf("{\"types\":");
	put_types(all, all);
	printf(",\"fields\":[");
	for (i = 0; i < cli_fields_count; i++) {
		const struct cli_field *f = &cli_fields[i];

		printf("%s{\"key\":\"%s\",\"kind\":\"%s\",\"on\":", i ? "," : "", f->key,
		       kinds[f->kind]);
		put_types(f->on, all);
		/* Optional where if_set says, and wherever if_flag may be clear. */
		printf(",\"if_set\":");
		if (f->if_flag)
			put_types(f->on, all);
		else if (f->if_set)
			put_types(f->if_set, all);
		else
			printf("[]");
		putchar('}');
	}
	printf("]}\n");
	return 0;
}
