/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every field bootstrap-cli prints, described once: its JSON key, its C
 * type, where it is in struct proctrace_event, which event types have it
 * and how the table shows it.  format.c walks this table for both output
 * formats; the fuzz target walks it to build events.  Adding a field to
 * the output is adding a row (docs/design.md, "Adding a field").
 */
#ifndef BOOTSTRAP_CLI_FIELDS_H
#define BOOTSTRAP_CLI_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <proctrace/proctrace.h>

enum cli_field_kind {
	CLI_TYPE,	/* uint32_t event type, as a name */
	CLI_U32,	/* uint32_t, a JSON number */
	CLI_I32,	/* int32_t, a JSON number */
	CLI_U64,	/* uint64_t, a JSON number */
	CLI_TEXT,	/* char[], NUL-terminated, an escaped JSON string */
	CLI_STRING,	/* const char *, NULL as "", an escaped JSON string */
	CLI_ARGV,	/* the args/args_count pair, a JSON array of strings */
	CLI_FLAG,	/* one PROCTRACE_EVENT_F_* bit of flags, a JSON boolean */
	CLI_ERRNO_NAME,	/* int32_t errno, its name ("ENOENT"; "" if none) as a string */
};

/* cli_field::on: the event types that have the field; 0: every type. */
#define CLI_ON(type) (1u << (type))

struct cli_field {
	const char *key;		/* the JSON key */
	enum cli_field_kind kind;
	size_t offset;			/* in struct proctrace_event */
	size_t end;			/* offset + size: printed only if e->size covers it */
	uint32_t on;			/* CLI_ON() bits; 0: all types */
	/*
	 * CLI_ON() bits of the types on which a CLI_STRING or CLI_ARGV field
	 * is left out when NULL (e.g. the program of an EXIT, known only with
	 * the process table); elsewhere NULL prints as "" or [].
	 */
	uint32_t if_set;
	/* PROCTRACE_EVENT_F_* bits: the field is left out unless one is set. */
	uint32_t if_flag;
	uint32_t flag;			/* CLI_FLAG: the PROCTRACE_EVENT_F_* bit */
	/*
	 * Table: a column of its own (1, 2, ... from the left, after TIME;
	 * 0: none) of @width characters, titled @title; or a piece of the
	 * last column, "FILENAME/EXIT CODE", written by @detail.
	 */
	int column;
	int width;
	const char *title;
	void (*detail)(FILE *out, const struct proctrace_event *e);
};

extern const struct cli_field cli_fields[];
extern const size_t cli_fields_count;

/*
 * True if event @e has field @f: its type has it, e->size covers it, and
 * it is set where cli_field::if_set asks.
 */
int cli_field_present(const struct cli_field *f, const struct proctrace_event *e);

/* The event type's name: "exec" ("EXEC" if @upper), "unknown" ("?"). */
const char *cli_type_name(uint32_t type, int upper);

#endif
