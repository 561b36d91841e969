/* SPDX-License-Identifier: BSD-2-Clause */
/* The table of bootstrap-cli's output fields (fields.h). */
#include "fields.h"

#include <inttypes.h>

#include "errnames.h"
#include "format.h"
#include "proctrace_fields.h"
#include "strescape.h"

/* A row: key, kind, the event's member, the types that have it, the rest. */
#define ROW(key_, kind_, member, on_, ...)                                  \
	{ .key = (key_), .kind = (kind_),                                     \
	  .offset = offsetof(struct proctrace_event, member),                 \
	  .end = offsetof(struct proctrace_event, member) +                   \
		 sizeof(((struct proctrace_event *)0)->member),               \
	  .on = (on_), __VA_ARGS__ }

/*
 * A row from the library's list of per-process fields
 * (bpf/proctrace_fields.h): its JSON key is the member's name, its table
 * column the list's; its event types the list's (PT_ON_ALL is 0, as here).
 */
#define LIST_ROW(name, wire, wire_type, type, on_, since, decode, cli, column_, width_, \
		 title_)                                                      \
	ROW(#name, CLI_##cli, name, on_, .column = (column_), .width = (width_),       \
	    .title = (title_)),

#define EXEC CLI_ON(PROCTRACE_EVENT_EXEC)
#define EXIT CLI_ON(PROCTRACE_EVENT_EXIT)
#define FORK CLI_ON(PROCTRACE_EVENT_FORK)
#define PROC CLI_ON(PROCTRACE_EVENT_PROCESS)
#define ALL (EXEC | EXIT | FORK | PROC)
#define FAIL CLI_ON(PROCTRACE_EVENT_EXEC_FAILED)


/* The pieces of the table's last column, in the table's order. */

/*
 * The table's last column keeps the seed's content: EXEC's filename; and
 * a failed exec's (followed by its error, errno_detail()).
 */
static void filename_detail(FILE *out, const struct proctrace_event *e)
{
	if (e->type == PROCTRACE_EVENT_EXEC || e->type == PROCTRACE_EVENT_EXEC_FAILED)
		strescape_text(out, e->filename ? e->filename : "");
}

/* A snapshot's PROC row has no filename: its executable instead. */
static void exe_detail(FILE *out, const struct proctrace_event *e)
{
	if (e->type == PROCTRACE_EVENT_PROCESS)
		strescape_text(out, e->exe ? e->exe : "");
}

/* A failed exec's filename is followed by " (ENOENT)". */
static void errno_detail(FILE *out, const struct proctrace_event *e)
{
	const char *name = errno_name(e->error);

	if (name)
		fprintf(out, " (%s)", name);
	else
		fprintf(out, " (errno %" PRId32 ")", e->error);
}

/* "[CODE]" if the process exited by itself. */
static void exit_code_detail(FILE *out, const struct proctrace_event *e)
{
	if (!e->signal)
		fprintf(out, "[%" PRId32 "]", e->exit_code);
}

/* "[SIGKILL]", "[SIGRTMIN+3]" or "[SIG99]": never a bare number. */
static void signal_detail(FILE *out, const struct proctrace_event *e)
{
	int32_t sig = e->signal;
	const char *name = proctrace_signal_name(sig);

	if (!sig)
		return;
	if (name)
		fprintf(out, "[%s]", name);
	else if (sig >= 34 && sig <= 64)
		fprintf(out, "[SIGRTMIN+%" PRId32 "]", sig - 34);
	else
		fprintf(out, "[SIG%" PRId32 "]", sig);
}

static void core_detail(FILE *out, const struct proctrace_event *e)
{
	if (e->flags & PROCTRACE_EVENT_F_CORE_DUMPED)
		fputs(" (core dumped)", out);
}

static void duration_detail(FILE *out, const struct proctrace_event *e)
{
	if (e->duration_ns)
		fprintf(out, " (%" PRIu64 "ms)", e->duration_ns / 1000000);
}

/*
 * JSON keys come out in this order; table columns in their column order.
 * Append new rows where their key should appear; never rename a key.
 */
const struct cli_field cli_fields[] = {
	ROW("type", CLI_TYPE, type, 0, .column = 1, .width = 5, .title = "EVENT"),
	ROW("timestamp_ns", CLI_U64, timestamp_ns, 0),
	/* Every process field of the library's list, in its order. */
	PT_PROCESS_FIELDS(LIST_ROW)
	/* EXIT and FORK: the program, known with the process table (--snapshot). */
	ROW("filename", CLI_STRING, filename, EXEC | EXIT | FORK | FAIL,
	    .if_set = EXIT | FORK, .detail = filename_detail),
	ROW("args", CLI_ARGV, args, ALL | FAIL, .if_set = EXIT | FORK),
	ROW("args_truncated", CLI_FLAG, flags, EXEC | PROC | FAIL,
	    .flag = PROCTRACE_EVENT_F_ARGS_TRUNCATED),
	ROW("exit_code", CLI_I32, exit_code, EXIT, .detail = exit_code_detail),
	ROW("signal", CLI_I32, signal, EXIT, .detail = signal_detail),
	ROW("core_dumped", CLI_FLAG, flags, EXIT, .flag = PROCTRACE_EVENT_F_CORE_DUMPED,
	    .detail = core_detail),
	ROW("duration_ns", CLI_U64, duration_ns, EXIT, .detail = duration_detail),
	/* 0.3: the process context */
	ROW("exe", CLI_STRING, exe, ALL, .if_set = ALL, .detail = exe_detail),
	/* Known with the process table (--snapshot): left out of every type when NULL. */
	ROW("cgroup", CLI_STRING, cgroup, 0, .if_set = ALL | FAIL),
	/*
	 * 0.3: failed exec attempts and the working directory.  The member
	 * error twice: "errno" (the number) and "error" (its name), the keys
	 * the failed-exec issue names.
	 */
	ROW("errno", CLI_I32, error, FAIL, .detail = errno_detail),
	ROW("error", CLI_ERRNO_NAME, error, FAIL),
	/* EXIT and FORK (0.4): where the program started, with the table. */
	ROW("cwd", CLI_STRING, cwd, ALL | FAIL, .if_set = EXIT | FORK),
	ROW("exec_dirfd", CLI_I32, exec_dirfd, FAIL),
	ROW("exec_at_flags", CLI_U32, exec_at_flags, FAIL),
	ROW("exec_dirfd_path", CLI_STRING, exec_dirfd_path, FAIL, .if_set = FAIL),
	/* What the process used (0.3); not in the table, which keeps its columns. */
	ROW("cpu_user_ns", CLI_U64, cpu_user_ns, EXIT),
	ROW("cpu_sys_ns", CLI_U64, cpu_sys_ns, EXIT),
	ROW("max_rss_bytes", CLI_U64, max_rss_bytes, EXIT),
	ROW("read_bytes", CLI_U64, read_bytes, EXIT),
	ROW("write_bytes", CLI_U64, write_bytes, EXIT),
	ROW("rchar", CLI_U64, rchar, EXIT),
	ROW("wchar", CLI_U64, wchar, EXIT),
	ROW("ctx_voluntary", CLI_U64, ctx_voluntary, EXIT),
	ROW("ctx_involuntary", CLI_U64, ctx_involuntary, EXIT),
	ROW("min_flt", CLI_U64, min_flt, EXIT),
	ROW("maj_flt", CLI_U64, maj_flt, EXIT),
	ROW("children_cpu_user_ns", CLI_U64, children_cpu_user_ns, EXIT),
	ROW("children_cpu_sys_ns", CLI_U64, children_cpu_sys_ns, EXIT),
	ROW("children_max_rss_bytes", CLI_U64, children_max_rss_bytes, EXIT),
	ROW("no_io_bytes", CLI_FLAG, flags, EXIT, .flag = PROCTRACE_EVENT_F_NO_IO_BYTES),
	ROW("no_io_chars", CLI_FLAG, flags, EXIT, .flag = PROCTRACE_EVENT_F_NO_IO_CHARS),
};

const size_t cli_fields_count = sizeof(cli_fields) / sizeof(cli_fields[0]);

int cli_field_present(const struct cli_field *f, const struct proctrace_event *e)
{
	const void *value = (const char *)e + f->offset;

	if (f->on && (e->type >= 32 || !(f->on & CLI_ON(e->type))))
		return 0;
	if (e->size < f->end)
		return 0;
	if (f->if_set && e->type < 32 && (f->if_set & CLI_ON(e->type)) &&
	    (f->kind == CLI_STRING || f->kind == CLI_ARGV) &&
	    !*(const void *const *)value)
		return 0;
	return 1;
}

const char *cli_type_name(uint32_t type, int upper)
{
	switch (type) {
	case PROCTRACE_EVENT_EXEC: return upper ? "EXEC" : "exec";
	case PROCTRACE_EVENT_EXIT: return upper ? "EXIT" : "exit";
	case PROCTRACE_EVENT_EXEC_FAILED: return upper ? "FAIL" : "exec_failed";
	case PROCTRACE_EVENT_FORK: return upper ? "FORK" : "fork";
	case PROCTRACE_EVENT_PROCESS: return upper ? "PROC" : "process";
	default: return upper ? "?" : "unknown";
	}
}
