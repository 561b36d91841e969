/* SPDX-License-Identifier: BSD-2-Clause */
/* The table of bootstrap-cli's output fields (fields.h). */
#include "fields.h"

#include <inttypes.h>
#include <stdbool.h>

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
#define CRED CLI_ON(PROCTRACE_EVENT_CRED_CHANGE)


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

/* An exec that raised privilege: " [setuid]", " [setgid]", " [file-caps]". */
static void priv_detail(FILE *out, const struct proctrace_event *e)
{
	if (e->flags & PROCTRACE_EVENT_F_PRIV_SETUID)
		fputs(" [setuid]", out);
	if (e->flags & PROCTRACE_EVENT_F_PRIV_SETGID)
		fputs(" [setgid]", out);
	if (e->flags & PROCTRACE_EVENT_F_PRIV_FILE_CAPS)
		fputs(" [file-caps]", out);
}

/*
 * A credential change: what changed, old->new, e.g. "uid 0->65534"; the
 * capability sets in hexadecimal, as /proc shows them.
 */
static void cred_detail(FILE *out, const struct proctrace_event *e)
{
	const struct {
		const char *name;
		uint64_t old, now;
		bool hex;
	} v[] = {
		{ "uid", e->old_uid, e->uid, false },
		{ "euid", e->old_euid, e->euid, false },
		{ "suid", e->old_suid, e->suid, false },
		{ "fsuid", e->old_fsuid, e->fsuid, false },
		{ "gid", e->old_gid, e->gid, false },
		{ "egid", e->old_egid, e->egid, false },
		{ "sgid", e->old_sgid, e->sgid, false },
		{ "fsgid", e->old_fsgid, e->fsgid, false },
		{ "cap_effective", e->old_cap_effective, e->cap_effective, true },
		{ "cap_permitted", e->old_cap_permitted, e->cap_permitted, true },
		{ "cap_inheritable", e->old_cap_inheritable, e->cap_inheritable, true },
	};
	const char *sep = "";
	size_t i;

	if (e->type != PROCTRACE_EVENT_CRED_CHANGE)
		return;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i].old == v[i].now)
			continue;
		fprintf(out, v[i].hex ? "%s%s %#" PRIx64 "->%#" PRIx64 :
			"%s%s %" PRIu64 "->%" PRIu64, sep, v[i].name, v[i].old, v[i].now);
		sep = " ";
	}
	if (e->flags & PROCTRACE_EVENT_F_GROUPS_CHANGED)
		fprintf(out, "%sgroups", sep);
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
	ROW("filename", CLI_STRING, filename, EXEC | EXIT | FORK | FAIL | CRED,
	    .if_set = EXIT | FORK | CRED, .detail = filename_detail),
	ROW("args", CLI_ARGV, args, ALL | FAIL | CRED, .if_set = EXIT | FORK | CRED),
	ROW("args_truncated", CLI_FLAG, flags, EXEC | PROC | FAIL,
	    .flag = PROCTRACE_EVENT_F_ARGS_TRUNCATED),
	ROW("exit_code", CLI_I32, exit_code, EXIT, .detail = exit_code_detail),
	ROW("signal", CLI_I32, signal, EXIT, .detail = signal_detail),
	ROW("core_dumped", CLI_FLAG, flags, EXIT, .flag = PROCTRACE_EVENT_F_CORE_DUMPED,
	    .detail = core_detail),
	ROW("duration_ns", CLI_U64, duration_ns, EXIT, .detail = duration_detail),
	/* 0.3: the process context */
	ROW("exe", CLI_STRING, exe, ALL | CRED, .if_set = ALL | CRED, .detail = exe_detail),
	/* Known with the process table (--snapshot): left out of every type when NULL. */
	ROW("cgroup", CLI_STRING, cgroup, 0, .if_set = ALL | FAIL | CRED),
	/*
	 * 0.3: failed exec attempts and the working directory.  The member
	 * error twice: "errno" (the number) and "error" (its name), the keys
	 * the failed-exec issue names.
	 */
	ROW("errno", CLI_I32, error, FAIL, .detail = errno_detail),
	ROW("error", CLI_ERRNO_NAME, error, FAIL),
	/* EXIT and FORK (0.4): where the program started, with the table. */
	ROW("cwd", CLI_STRING, cwd, ALL | FAIL | CRED, .if_set = EXIT | FORK | CRED),
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
	/* 0.4: an exec that raised privilege, and how; marked in the table. */
	ROW("priv_setuid", CLI_FLAG, flags, EXEC, .flag = PROCTRACE_EVENT_F_PRIV_SETUID,
	    .detail = priv_detail),
	ROW("priv_setgid", CLI_FLAG, flags, EXEC, .flag = PROCTRACE_EVENT_F_PRIV_SETGID),
	ROW("priv_file_caps", CLI_FLAG, flags, EXEC,
	    .flag = PROCTRACE_EVENT_F_PRIV_FILE_CAPS),
	ROW("groups_changed", CLI_FLAG, flags, CRED,
	    .flag = PROCTRACE_EVENT_F_GROUPS_CHANGED, .detail = cred_detail),
	/* 0.4: the credentials before the event, where the library has them. */
	ROW("old_uid", CLI_U32, old_uid, EXEC | CRED, .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_gid", CLI_U32, old_gid, EXEC | CRED, .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_euid", CLI_U32, old_euid, EXEC | CRED, .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_suid", CLI_U32, old_suid, EXEC | CRED, .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_fsuid", CLI_U32, old_fsuid, EXEC | CRED,
	    .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_egid", CLI_U32, old_egid, EXEC | CRED, .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_sgid", CLI_U32, old_sgid, EXEC | CRED, .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_fsgid", CLI_U32, old_fsgid, EXEC | CRED,
	    .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_cap_effective", CLI_U64, old_cap_effective, EXEC | CRED,
	    .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_cap_permitted", CLI_U64, old_cap_permitted, EXEC | CRED,
	    .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
	ROW("old_cap_inheritable", CLI_U64, old_cap_inheritable, EXEC | CRED,
	    .if_flag = PROCTRACE_EVENT_F_OLD_CREDS),
};

const size_t cli_fields_count = sizeof(cli_fields) / sizeof(cli_fields[0]);

int cli_field_present(const struct cli_field *f, const struct proctrace_event *e)
{
	const void *value = (const char *)e + f->offset;

	if (f->on && (e->type >= 32 || !(f->on & CLI_ON(e->type))))
		return 0;
	if (e->size < f->end)
		return 0;
	if (f->if_flag && !(e->flags & f->if_flag))
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
	case PROCTRACE_EVENT_CRED_CHANGE: return upper ? "CRED" : "cred_change";
	default: return upper ? "?" : "unknown";
	}
}
