/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE	/* asprintf() */
#include "options.h"

#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <proctrace/proctrace.h>

#include "cmdline.h"
#include "errnames.h"

#define NS_PER_MS 1000000ULL
#define STR_(x) #x
#define STR(x) STR_(x)
#define CGROUP2_SUPER_MAGIC 0x63677270

enum {
	OPT_JSON = 0x100,
	OPT_FORK,
	OPT_RING_SIZE,
	OPT_LATENCY,
	OPT_WAKE_EVERY_EVENT,
	OPT_MAX_ARGS,
	OPT_SNAPSHOT,
	OPT_COMPAT,
	OPT_FEATURES,
	OPT_ROTATE_SIZE,
	OPT_ROTATE_KEEP,
	OPT_JOURNAL,
	OPT_CREDS,
};

/* --rotate-keep's default (Tetragon keeps as many) and its largest value. */
#define ROTATE_KEEP_DEFAULT 5
#define ROTATE_KEEP_MAX 100000

static const struct argp_option option_table[] = {
	{ NULL, 0, NULL, 0, "What to report:", 1 },
	{ "duration", 'd', "MS", 0,
	  "Report only processes that lived at least MS milliseconds "
	  "(a positive whole number); exec events are then not shown", 1 },
	{ "fork", OPT_FORK, NULL, 0, "Also report fork events (new processes)", 1 },
	{ "snapshot", OPT_SNAPSHOT, NULL, 0,
	  "First describe the processes already running (PROC events), and keep "
	  "a process table: exits and forks then show their program, and every "
	  "event its cgroup path", 1 },
	/* Texts with the library's limits are written by help_text(). */
	{ "max-args", OPT_MAX_ARGS, "BYTES", 0, "", 1 },
	{ "failed", 'x', "ERRNO,...", OPTION_ARG_OPTIONAL,
	  "Also report failed exec attempts: all of them, or only those that "
	  "failed with the errnos named (e.g. --failed=EACCES,EPERM), or "
	  "--failed=all-but-ENOENT to leave out PATH-search misses; filtered "
	  "in the kernel", 1 },
	{ "creds", OPT_CREDS, NULL, 0,
	  "Also report credential changes without exec (CRED events: setuid(), "
	  "setresuid(), setgid(), setgroups(), capset() and the like), with the "
	  "old and new ids and capabilities; adds a little to every system call", 1 },
	{ NULL, 0, NULL, 0, "Filters, in the kernel, combined with AND:", 2 },
	{ "pid", 'p', "PID", 0,
	  "Only process PID and its descendants created from now on", 2 },
	{ "uid", 'u', "UID", 0, "Only processes whose real user is UID (a number or a name)", 2 },
	{ "cgroup", 'c', "PATH", 0,
	  "Only processes in the cgroup v2 directory PATH (not its children)", 2 },
	{ "comm", 'n', "COMM", 0, "Only processes named exactly COMM (1-15 bytes)", 2 },
	{ NULL, 0, NULL, 0, "Output and delivery:", 3 },
	{ "json", OPT_JSON, NULL, 0,
	  "One JSON object per event and line instead of the table", 3 },
	{ "output", 'o', "FILE", 0,
	  "Write the events to FILE (created or truncated; '-' for standard "
	  "output) instead of standard output, which a command keeps", 3 },
	{ "rotate-size", OPT_ROTATE_SIZE, "SIZE", 0,
	  "With -o: once FILE holds SIZE bytes (K, M or G for KiB, MiB, GiB), "
	  "at the end of that line, rename it FILE.1 (FILE.1 to FILE.2, ...) and "
	  "start a new FILE", 3 },
	{ "rotate-keep", OPT_ROTATE_KEEP, "N", 0,
	  "With --rotate-size: keep N old files (1 to " STR(ROTATE_KEEP_MAX)
	  "; default " STR(ROTATE_KEEP_DEFAULT) ")", 3 },
	{ "journal", OPT_JOURNAL, NULL, 0,
	  "Send each event to the systemd journal as one entry with PROCTRACE_* "
	  "fields, instead of writing lines", 3 },
	{ "verbose", 'v', NULL, 0,
	  "Print the library's informational and debug messages, "
	  "including libbpf's, to stderr", 3 },
	{ "ring-size", OPT_RING_SIZE, "BYTES", 0, "", 3 },
	{ "latency", OPT_LATENCY, "MS", 0, "", 3 },
	{ "wake-every-event", OPT_WAKE_EVERY_EVENT, NULL, 0,
	  "Wake up for every event: lowest latency, highest cost", 3 },
	{ "features", OPT_FEATURES, NULL, 0,
	  "Start tracing with the other options given, print which capabilities "
	  "run, in full or degraded on this kernel, and exit", 3 },
	{ "compat", OPT_COMPAT, NULL, 0,
	  "Run the programs made for old kernels (Linux 5.8 on) even on a newer "
	  "one: every capability degraded, as there", 3 },
	{ NULL, 0, NULL, 0, "Privileges (every capability is given up once tracing has started):", 4 },
	{ "user", 'Z', "USER", 0,
	  "Also switch to USER (a name or number) and its groups then; "
	  "a COMMAND still runs as the caller", 4 },
	{ 0 },
};

static void parse_duration(struct argp_state *state, const char *arg,
			   struct cli_options *opts)
{
	unsigned long long ms;
	int err = cmdline_number(arg, UINT64_MAX / NS_PER_MS, &ms);

	if (err == -ERANGE)
		argp_error(state, "duration '%s' is too large: at most %llu ms",
			   arg, (unsigned long long)(UINT64_MAX / NS_PER_MS));
	else if (err || ms == 0)
		argp_error(state, "invalid duration '%s': expected a positive whole number of milliseconds",
			   arg);
	else
		opts->min_duration_ns = ms * NS_PER_MS;
}

static void parse_uid(struct argp_state *state, const char *arg,
		      struct cli_options *opts)
{
	unsigned long long v;
	struct passwd *pw;

	opts->has_uid = true;
	if (cmdline_number(arg, UINT32_MAX - 1, &v) == 0) {
		opts->uid = (uint32_t)v;
		return;
	}
	pw = *arg ? getpwnam(arg) : NULL;
	if (!pw)
		argp_error(state, "invalid uid '%s': not a number nor a known user name", arg);
	else
		opts->uid = pw->pw_uid;
}

/* A cgroup v2 id is the inode number of the cgroup's directory. */
static void parse_cgroup(struct argp_state *state, const char *arg,
			 struct cli_options *opts)
{
	struct statfs fs;
	struct stat st;

	if (stat(arg, &st) != 0 || statfs(arg, &fs) != 0)
		argp_error(state, "cannot use cgroup '%s': %s", arg, strerror(errno));
	else if (fs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode))
		argp_error(state, "cannot use cgroup '%s': not a directory of a cgroup2 "
			   "file system (see /proc/self/mountinfo for where it is mounted)",
			   arg);
	else
		opts->cgroup_id = st.st_ino;
}

/* --rotate-size: a positive whole number of bytes, or of KiB, MiB, GiB. */
static void parse_rotate_size(struct argp_state *state, const char *arg,
			      struct cli_options *opts)
{
	static const char units[] = "KMG";
	unsigned long long v;
	size_t len = strlen(arg);
	const char *unit = len ? strchr(units, arg[len - 1]) : NULL;
	unsigned int shift = unit && *unit ? 10 * (unsigned int)(unit - units + 1) : 0;
	char digits[32];

	if (shift)
		len--;
	if (len >= sizeof(digits))
		len = sizeof(digits) - 1;
	memcpy(digits, arg, len);
	digits[len] = '\0';
	if (cmdline_number(digits, UINT64_MAX >> shift, &v) || v == 0)
		argp_error(state, "invalid rotation size '%s': expected a positive whole "
			   "number of bytes, or of KiB, MiB or GiB with K, M or G", arg);
	opts->rotate_size = (uint64_t)v << shift;
}

/*
 * What the parse keeps besides the options: --ring-size's word, judged at
 * the end, as the smallest ring depends on --max-args, given before or
 * after it.
 */
struct parse {
	struct cli_options *opts;
	const char *ring_size;
};

/*
 * The delivery settings, within the header's limits, are the library's to
 * judge: proctrace_open() (which loads nothing) sees each alone first, so
 * that the error names the one at fault and quotes its reason, also from
 * a library of another version than the header.
 */
static void check_delivery_settings(struct argp_state *state, struct parse *p)
{
	struct cli_options *opts = p->opts;
	struct cmdline_verdict v;
	const char *why;

	if (opts->max_args && (why = cmdline_library_refuses(opts->max_args, 0, 0, &v)))
		argp_error(state, "invalid argument size '%" PRIu32 "': %s",
			   opts->max_args, why);
	else if (opts->latency_ms &&
		 (why = cmdline_library_refuses(0, 0, opts->latency_ms, &v)))
		argp_error(state, "invalid latency '%" PRIu32 "': %s", opts->latency_ms, why);
	else if (p->ring_size)
		opts->ring_size = cmdline_ring_size(state, p->ring_size, opts->max_args);
}

/* The help texts that state the library's limits, from its header. */
static char *help_filter(int key, const char *text, void *input)
{
	char *s = NULL;
	int n = -1;

	(void)input;
	switch (key) {
	case OPT_MAX_ARGS:
		n = asprintf(&s, "Keep up to BYTES of each exec's arguments "
			     "(1 to %d; default %d)", PROCTRACE_ARGS_SIZE_MAX,
			     PROCTRACE_ARGS_SIZE_DEFAULT);
		break;
	case OPT_RING_SIZE:
		n = asprintf(&s, "Kernel ring buffer size: a power of two of at "
			     "most %u, and at least two of the largest exec "
			     "records (a 4096-byte filename plus --max-args "
			     "bytes: 32768 with the default, 16384 with "
			     "--max-args=1); default %u MiB",
			     PROCTRACE_RING_SIZE_MAX, PROCTRACE_RING_SIZE_DEFAULT >> 20);
		break;
	case OPT_LATENCY:
		n = asprintf(&s, "Deliver each event within MS milliseconds "
			     "(1 to %d; default %d)", PROCTRACE_LATENCY_MAX_MS,
			     PROCTRACE_LATENCY_DEFAULT_MS);
		break;
	default:
		return (char *)text;
	}
	return n < 0 ? (char *)text : s;
}

/* --failed=LIST: errno names, or "all-but-ENOENT". */
static void parse_failed(struct argp_state *state, const char *arg,
			 struct cli_options *opts)
{
	const size_t max = sizeof(opts->failed_errnos) / sizeof(opts->failed_errnos[0]) - 1;
	char *list, *name, *save = NULL;
	size_t n = 0;

	opts->failed = true;
	if (!arg)
		return;
	if (!strcmp(arg, "all-but-ENOENT")) {
		opts->failed_except = true;
		opts->failed_errnos[0] = ENOENT;
		opts->failed_errnos[1] = 0;
		return;
	}
	list = strdup(arg);
	if (!list)
		argp_failure(state, 1, ENOMEM, "--failed");
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int e = errno_by_name(name);

		if (!e)
			argp_error(state, "invalid --failed '%s': '%s' is not an errno name "
				   "(such as ENOENT, EACCES, ENOEXEC), nor all-but-ENOENT",
				   arg, name);
		if (n == max)
			argp_error(state, "invalid --failed '%s': more than %zu errnos",
				   arg, max);
		opts->failed_errnos[n++] = e;
	}
	free(list);
	if (n == 0)
		argp_error(state, "invalid --failed '%s': name at least one errno", arg);
	opts->failed_errnos[n] = 0;
}

static error_t parse_option(int key, char *arg, struct argp_state *state)
{
	struct parse *p = state->input;
	struct cli_options *opts = p->opts;

	switch (key) {
	case 'd':
		parse_duration(state, arg, opts);
		return 0;
	case 'v':
		opts->verbose = true;
		return 0;
	case OPT_JSON:
		opts->json = true;
		return 0;
	case 'o':
		if (!*arg)
			argp_error(state, "invalid output file '': expected a path, or '-' for standard output");
		opts->output = strcmp(arg, "-") ? arg : NULL;
		return 0;
	case OPT_FORK:
		opts->fork_events = true;
		return 0;
	case OPT_COMPAT:
		opts->compat = true;
		return 0;
	case OPT_FEATURES:
		opts->features = true;
		return 0;
	case OPT_CREDS:
		opts->creds = true;
		return 0;
	case OPT_SNAPSHOT:
		opts->snapshot = true;
		return 0;
	case OPT_ROTATE_SIZE:
		parse_rotate_size(state, arg, opts);
		return 0;
	case OPT_ROTATE_KEEP:
		opts->rotate_keep = (unsigned int)cmdline_ranged(state, "number of old files",
								 arg, 1, ROTATE_KEEP_MAX);
		return 0;
	case OPT_JOURNAL:
		opts->journal = true;
		return 0;
	case 'x':
		parse_failed(state, arg, opts);
		return 0;
	case OPT_MAX_ARGS:
		opts->max_args = (uint32_t)cmdline_ranged(state, "argument size", arg, 1,
							  PROCTRACE_ARGS_SIZE_MAX);
		return 0;
	case 'p':
		opts->pid = (int32_t)cmdline_ranged(state, "pid", arg, 1, INT32_MAX);
		return 0;
	case 'u':
		parse_uid(state, arg, opts);
		return 0;
	case 'c':
		parse_cgroup(state, arg, opts);
		return 0;
	case 'n':
		if (!*arg || strlen(arg) >= PROCTRACE_COMM_LEN)
			argp_error(state, "invalid comm '%s': a comm has 1 to %d bytes",
				   arg, PROCTRACE_COMM_LEN - 1);
		opts->comm = arg;
		return 0;
	case OPT_RING_SIZE:
		p->ring_size = arg;
		return 0;
	case OPT_LATENCY:
		opts->latency_ms = (uint32_t)cmdline_ranged(state, "latency", arg, 1,
							    PROCTRACE_LATENCY_MAX_MS);
		return 0;
	case OPT_WAKE_EVERY_EVENT:
		opts->wake_every_event = true;
		return 0;
	case 'Z':
		if (!*arg)
			argp_error(state, "invalid user '': expected a user name or number");
		opts->user = arg;
		return 0;
	case ARGP_KEY_ARG:
		opts->command = cmdline_command(state, arg);
		return 0;
	case ARGP_KEY_END:
		cmdline_end(state, opts->command, 0);
		if (opts->command && opts->pid)
			argp_error(state, "-p and a command cannot be combined: the command is the subtree traced");
		if (opts->snapshot && opts->min_duration_ns)
			argp_error(state, "--snapshot and -d cannot be combined: the process table needs every exec and exit");
		if (opts->features && opts->command)
			argp_error(state, "--features and a command cannot be combined: --features only says what tracing would run, and exits");
		if (opts->rotate_size && !opts->output)
			argp_error(state, "--rotate-size needs -o FILE: standard output is not rotated");
		if (opts->rotate_keep && !opts->rotate_size)
			argp_error(state, "--rotate-keep needs --rotate-size");
		if (!opts->rotate_keep)
			opts->rotate_keep = ROTATE_KEEP_DEFAULT;
		if (opts->journal && (opts->output || opts->json))
			argp_error(state, "--journal cannot be combined with -o or --json: "
				   "the events go to the journal, with the JSON keys as fields");
		check_delivery_settings(state, p);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const struct argp parser = {
	.options = option_table,
	.parser = parse_option,
	.help_filter = help_filter,
	.args_doc = "[-- COMMAND [ARG...]]",
	.doc = "Trace process exec and exit events on this machine, "
	       "through libproctrace, until SIGINT or SIGTERM; or, with a "
	       "COMMAND, trace only it and its descendants and exit with its "
	       "status once they are all gone.\n\n"
	       "Needs root, or CAP_BPF and CAP_PERFMON; once tracing has "
	       "started it gives up every capability and sets no_new_privs.",
};

void cli_options_parse(int argc, char **argv, struct cli_options *opts)
{
	struct parse p = { .opts = opts };

	cmdline_parse(&parser, argc, argv, &p, "bootstrap-cli");
}
