/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the live (root) tests: preparing the machine, spawning known
 * children and collecting the events of those children only — other
 * processes exec on the machine too.
 */
#ifndef PROCTRACE_LIVE_HARNESS_H
#define PROCTRACE_LIVE_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <proctrace/proctrace.h>

/*
 * Exits 77 with a one-line reason if this machine cannot run BPF (not
 * root, no kernel BTF, or loading refused); otherwise moves the process
 * into a private mount namespace with tracefs and debugfs unmounted, so
 * that the tests prove the library does not need them.  Fails (exit 1) if
 * that cannot be done.
 */
void live_prepare(void);
/*
 * The same without the trial session: for a test whose process must not
 * have started one yet (exits 77 only for lack of root or BTF).
 */
void live_prepare_machine(void);

/* Path of the pt-child helper, from the PT_CHILD environment variable. */
const char *live_child_path(void);

struct recorded_event {
	/* ev's strings and ev.args point to the copies below. */
	struct proctrace_event ev;
	char *filename;
	char *cwd;
	char *dirfd_path;	/* ev.exec_dirfd_path */
	char **args;		/* args_count strings and a NULL */
	char *exe;		/* ev.exe and ev.cgroup point to these */
	char *cgroup;
};

#define COLLECTOR_MAX_WATCH 256

struct collector {
	pid_t watch[COLLECTOR_MAX_WATCH];
	int n_watch;
	struct recorded_event *events;
	size_t n_events, cap;
	/* When an event of this pid arrives, the callback returns stop_value. */
	pid_t stop_on_pid;
	int stop_value;
	/* Also record events whose parent is one of the watched pids. */
	bool watch_children;
};

/* The event callback: records events of watched pids, ignores the rest. */
int collector_cb(const struct proctrace_event *e, void *ctx);
void collector_watch(struct collector *c, pid_t pid);
void collector_free(struct collector *c);
/* The first recorded event of @pid and @type, or NULL. */
const struct recorded_event *collector_find(const struct collector *c,
					    pid_t pid, uint32_t type);
/* The next recorded event after @after of @pid and @type, or NULL. */
const struct recorded_event *collector_find_next(const struct collector *c,
						 const struct recorded_event *after,
						 pid_t pid, uint32_t type);
/* How many recorded events have @pid (any type when @type is 0). */
int collector_count(const struct collector *c, pid_t pid, uint32_t type);
/*
 * Polls until an event of @pid and @type was recorded or @timeout_ms
 * passed; returns it or NULL.  Fails the test on a poll error.
 */
const struct recorded_event *collector_wait(struct proctrace *pt,
					    struct collector *c, pid_t pid,
					    uint32_t type, int timeout_ms);
/* Keeps polling for @ms milliseconds, to let stray events arrive. */
void collector_drain(struct proctrace *pt, struct collector *c, int ms);

/* A started session delivering to @c; fails the test if it cannot start. */
struct proctrace *live_start(struct collector *c, uint64_t min_duration_ns);
/* A started session with any callback; fails the test if it cannot start. */
struct proctrace *live_open_started(proctrace_event_fn cb, void *ctx,
				    const struct proctrace_opts *opts);
/* A started session delivering to @c, with options (NULL: defaults). */
struct proctrace *live_start_opts(struct collector *c,
				  const struct proctrace_opts *opts);
/* Whether started @pt runs the compat programs (PROCESS_STATE degraded). */
bool live_compat_runs(struct proctrace *pt);

/* fork + execv(@path, @argv); the child exits 127 if exec fails. */
pid_t spawn(const char *path, char *const argv[]);
/* Spawns pt-child with the given exit code and sleep, watched by @c. */
pid_t spawn_child(struct collector *c, int exit_code, int sleep_ms);
/* waitpid() for @pid; returns the raw wait status. */
int reap(pid_t pid);
/*
 * Reads one line from @fd, a byte at a time (nothing past its newline),
 * and returns it as a number: a pid that a helper such as pt-proc printed.
 * Fails the test if nothing came before the newline or the end.
 */
long read_number(int fd);

uint64_t now_realtime_ns(void);

#endif /* PROCTRACE_LIVE_HARNESS_H */
