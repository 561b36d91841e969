/* SPDX-License-Identifier: BSD-2-Clause */
/* What the example programs' argp parsers share: see cmdline.h. */
#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proctrace/proctrace.h>

/* One parse per process: its name and options, and the first word out of place. */
static const char *program_name;
static const struct argp *program_parser;
static const char *stray_word;
/* The option before that word, if it takes an optional argument. */
static const struct argp_option *stray_after;

static void print_version(FILE *out, struct argp_state *state)
{
	(void)state;
	fprintf(out, "%s %d.%d.%d (libproctrace %s)\n", program_name,
		PROCTRACE_VERSION_MAJOR, PROCTRACE_VERSION_MINOR,
		PROCTRACE_VERSION_PATCH, proctrace_version_string());
}

void cmdline_parse(const struct argp *parser, int argc, char **argv,
		   void *input, const char *name)
{
	char *argv0 = argc > 0 ? argv[0] : NULL;

	program_name = name;
	program_parser = parser;
	argp_program_version_hook = print_version;
	argp_err_exit_status = 2;
	/*
	 * getopt, inside argp, starts its messages with argv[0], the path the
	 * program was run by; argp's own and the program's say NAME.
	 */
	if (argc > 0)
		argv[0] = (char *)name;
	if (argp_parse(parser, argc, argv, ARGP_IN_ORDER, NULL, input) != 0)
		exit(2);
	if (argc > 0)
		argv[0] = argv0;
}

int cmdline_number(const char *arg, unsigned long long max,
		   unsigned long long *out)
{
	unsigned long long v;
	const char *p;

	if (!*arg)
		return -EINVAL;
	for (p = arg; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
	errno = 0;
	v = strtoull(arg, NULL, 10);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

unsigned long long cmdline_ranged(struct argp_state *state, const char *what,
				  const char *arg, unsigned long long min,
				  unsigned long long max)
{
	unsigned long long v = 0;

	if (cmdline_number(arg, max, &v) || v < min)
		argp_error(state, "invalid %s '%s': expected a whole number from %llu to %llu",
			   what, arg, min, max);
	return v;
}

static int option_is_end(const struct argp_option *o)
{
	return !o->name && !o->key && !o->doc && !o->group;
}

/*
 * The option of @options that @word ends with ("-x", "-vx", "--failed",
 * or getopt's abbreviation "--fail"), if it takes an optional argument:
 * the word after it was meant as that argument.  NULL otherwise.
 */
static const struct argp_option *optional_before(const struct argp_option *options,
						 const char *word)
{
	const struct argp_option *o;
	const char *p;

	if (!options || word[0] != '-' || !word[1])
		return NULL;
	if (word[1] == '-') {
		if (!word[2] || strchr(word, '='))
			return NULL;
		for (o = options; !option_is_end(o); o++)
			if (o->name && !strncmp(o->name, word + 2, strlen(word + 2)))
				return (o->flags & OPTION_ARG_OPTIONAL) ? o : NULL;
		return NULL;
	}
	/* A cluster of short options: an argument ends it. */
	for (p = word + 1; *p; p++) {
		for (o = options; !option_is_end(o) && o->key != (unsigned char)*p; o++)
			;
		if (option_is_end(o))
			return NULL;
		if (o->arg)
			return (o->flags & OPTION_ARG_OPTIONAL) && !p[1] ? o : NULL;
	}
	return NULL;
}

char **cmdline_command(struct argp_state *state, const char *arg)
{
	char **command;

	if (state->next > 1 && !strcmp(state->argv[state->next - 2], "--") &&
	    state->argv[state->next - 1] == arg) {
		command = &state->argv[state->next - 1];
		state->next = state->argc;
		return command;
	}
	/* In order (ARGP_IN_ORDER): the word before @arg is where it stood. */
	if (!stray_word) {
		stray_word = arg;
		stray_after = state->next > 1 ?
			optional_before(program_parser->options,
					state->argv[state->next - 2]) : NULL;
	}
	return NULL;
}

/* What to say of the stray word: how it should have been written. */
static void stray_hint(char *buf, size_t len)
{
	const struct argp_option *o = stray_after;
	char as_short[128] = "", as_long[160] = "";

	if (!o) {
		snprintf(buf, len, "the command and its arguments go after '--'");
		return;
	}
	if (o->key > 0 && o->key < 128 && isalnum(o->key))
		snprintf(as_short, sizeof(as_short), "-%c%s", o->key, stray_word);
	if (o->name)
		snprintf(as_long, sizeof(as_long), "--%s=%s", o->name, stray_word);
	snprintf(buf, len, "an optional argument must be attached, as %s%s%s; "
		 "the command goes after '--'", as_short,
		 as_short[0] && as_long[0] ? " or " : "", as_long);
}

void cmdline_end(struct argp_state *state, char **command, int required)
{
	int dashdash = command ||
		(state->argc > 1 && !strcmp(state->argv[state->argc - 1], "--"));
	char hint[256];

	if (stray_word) {
		stray_hint(hint, sizeof(hint));
		if (dashdash)
			argp_error(state, "'%s' before '--': %s", stray_word, hint);
		else
			argp_error(state, "unexpected argument '%s': %s", stray_word, hint);
	}
	if (dashdash && !command)
		argp_error(state, "'--' must be followed by a command to run");
	if (required && !command)
		argp_error(state, "no command: give one after '--'");
}

static void catch_message(enum proctrace_log_level level, const char *msg, void *ctx)
{
	struct cmdline_verdict *v = ctx;

	if (level == PROCTRACE_LOG_WARN && !v->msg[0])
		snprintf(v->msg, sizeof(v->msg), "%s", msg);
}

static int ignore_event(const struct proctrace_event *e, void *ctx)
{
	(void)e;
	(void)ctx;
	return 0;
}

const char *cmdline_library_refuses(uint32_t max_args, uint32_t ring_size,
				    uint32_t latency_ms, struct cmdline_verdict *v)
{
	PROCTRACE_OPTS(opts, .max_args_size = max_args, .ring_buffer_size = ring_size,
		       .max_latency_ms = latency_ms, .log_fn = catch_message,
		       .log_ctx = v);
	struct proctrace *pt;

	/* The message caught by a log callback of this handle alone. */
	v->msg[0] = '\0';
	pt = proctrace_open(ignore_event, NULL, &opts);
	if (pt) {
		proctrace_close(pt);
		return NULL;
	}
	if (!v->msg[0])
		snprintf(v->msg, sizeof(v->msg), "%s", strerror(errno));
	return v->msg;
}

/*
 * The smallest ring the library accepts with @max_args, found by asking
 * it (the size depends on its record layout, which it does not export);
 * 0 if none.
 */
static uint32_t least_ring_size(uint32_t max_args)
{
	struct cmdline_verdict v;
	uint32_t size;

	for (size = 1; size && size <= PROCTRACE_RING_SIZE_MAX; size <<= 1)
		if (!cmdline_library_refuses(max_args, size, 0, &v))
			return size;
	return 0;
}

uint32_t cmdline_ring_size(struct argp_state *state, const char *arg,
			   uint32_t max_args)
{
	uint32_t least, args = max_args ? max_args : PROCTRACE_ARGS_SIZE_DEFAULT;
	unsigned long long size = 0;
	struct cmdline_verdict v;

	if (!cmdline_number(arg, PROCTRACE_RING_SIZE_MAX, &size) && size &&
	    !(size & (size - 1)) &&
	    !cmdline_library_refuses(max_args, (uint32_t)size, 0, &v))
		return (uint32_t)size;
	least = least_ring_size(max_args);
	if (!least)	/* not with a library that works */
		argp_error(state, "invalid ring buffer size '%s': the library accepts "
			   "none with %u bytes of arguments", arg, args);
	else
		argp_error(state, "invalid ring buffer size '%s': expected a power of two "
			   "from %u to %u (the least that holds two exec records with "
			   "%u byte%s of arguments, see --max-args)", arg, least,
			   PROCTRACE_RING_SIZE_MAX, args, args == 1 ? "" : "s");
	return 0;
}
