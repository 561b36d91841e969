/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "live-harness.h"

static void skip_run(const char *reason)
{
	printf("SKIP: %s\n", reason);
	exit(77);
}

/*
 * Unmounts every mount of @fstype seen in /proc/self/mountinfo; returns how
 * many remain (0 on success).
 */
static int unmount_all(const char *fstype)
{
	char line[4096], mnt[4096], type[256];
	int pass, remaining = 0;

	for (pass = 0; pass < 8; pass++) {
		FILE *f = fopen("/proc/self/mountinfo", "re");

		if (!f)
			return -1;
		remaining = 0;
		while (fgets(line, sizeof(line), f)) {
			const char *sep = strstr(line, " - ");

			if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
			    sscanf(sep + 3, "%255s", type) != 1 || strcmp(type, fstype))
				continue;
			remaining++;
			umount2(mnt, MNT_DETACH);
		}
		fclose(f);
		if (!remaining)
			return 0;
	}
	return remaining;
}

static void quiet_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
	if (level == PROCTRACE_LOG_WARN)
		fprintf(stderr, "libproctrace: %s\n", msg);
}

static int ignore_event(const struct proctrace_event *e, void *ctx)
{
	return 0;
}

void live_prepare_machine(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0)
		skip_run("live BPF tests need root (or CAP_BPF+CAP_PERFMON)");
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		skip_run("the kernel has no BTF (/sys/kernel/btf/vmlinux)");
	if (!getenv("PT_CHILD")) {
		fprintf(stderr, "PT_CHILD is not set to the pt-child helper\n");
		exit(1);
	}

	/* Our own mount namespace: the machine's mounts stay as they are. */
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		perror("cannot make a private mount namespace");
		exit(1);
	}
	/* debugfs first: its tracing/ directory would automount tracefs. */
	if (unmount_all("debugfs") != 0 || unmount_all("tracefs") != 0) {
		fprintf(stderr, "cannot unmount tracefs/debugfs in the test namespace\n");
		exit(1);
	}
}

void live_prepare(void)
{
	struct proctrace *pt;
	int err;

	live_prepare_machine();

	proctrace_set_log(quiet_log, NULL);
	pt = proctrace_open(ignore_event, NULL, NULL);
	if (!pt) {
		perror("proctrace_open");
		exit(1);
	}
	err = proctrace_start(pt);
	proctrace_close(pt);
	if (err == -EPERM)
		skip_run("loading BPF programs is not permitted here");
	if (err) {
		fprintf(stderr, "proctrace_start failed on a machine that should run BPF: %s\n",
			strerror(-err));
		exit(1);
	}
}

const char *live_child_path(void)
{
	return getenv("PT_CHILD");
}

int collector_cb(const struct proctrace_event *e, void *ctx)
{
	struct collector *c = ctx;
	struct recorded_event *r;
	int i;

	for (i = 0; i < c->n_watch; i++)
		if (c->watch[i] == e->pid ||
		    (c->watch_children && c->watch[i] == e->ppid))
			break;
	if (i == c->n_watch)
		return 0;

	if (c->n_events == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->events = realloc(c->events, c->cap * sizeof(*c->events));
		assert_non_null(c->events);
	}
	r = &c->events[c->n_events++];
	r->ev = *e;
	r->filename = e->filename ? strdup(e->filename) : NULL;
	r->ev.filename = r->filename;
	r->exe = NULL;
	r->cgroup = NULL;
	if (PROCTRACE_EVENT_HAS(e, cgroup)) {
		r->exe = e->exe ? strdup(e->exe) : NULL;
		r->cgroup = e->cgroup ? strdup(e->cgroup) : NULL;
		r->ev.exe = r->exe;
		r->ev.cgroup = r->cgroup;
	}
	r->cwd = e->cwd ? strdup(e->cwd) : NULL;
	r->ev.cwd = r->cwd;
	r->dirfd_path = e->exec_dirfd_path ? strdup(e->exec_dirfd_path) : NULL;
	r->ev.exec_dirfd_path = r->dirfd_path;
	r->args = NULL;
	if (e->args) {
		uint32_t k;

		r->args = calloc(e->args_count + 1, sizeof(*r->args));
		assert_non_null(r->args);
		for (k = 0; k < e->args_count; k++) {
			assert_non_null(e->args[k]);
			r->args[k] = strdup(e->args[k]);
		}
		assert_null(e->args[e->args_count]);
	}
	r->ev.args = (const char *const *)r->args;
	if (c->stop_on_pid && c->stop_on_pid == e->pid)
		return c->stop_value;
	return 0;
}

void collector_watch(struct collector *c, pid_t pid)
{
	assert_true(c->n_watch < COLLECTOR_MAX_WATCH);
	c->watch[c->n_watch++] = pid;
}

void collector_free(struct collector *c)
{
	size_t i;

	for (i = 0; i < c->n_events; i++) {
		char **a = c->events[i].args;

		free(c->events[i].filename);
		free(c->events[i].exe);
		free(c->events[i].cgroup);
		free(c->events[i].cwd);
		free(c->events[i].dirfd_path);
		while (a && *a)
			free(*a++);
		free(c->events[i].args);
	}
	free(c->events);
	memset(c, 0, sizeof(*c));
}

const struct recorded_event *collector_find(const struct collector *c,
					    pid_t pid, uint32_t type)
{
	size_t i;

	for (i = 0; i < c->n_events; i++)
		if (c->events[i].ev.pid == pid && c->events[i].ev.type == type)
			return &c->events[i];
	return NULL;
}

const struct recorded_event *collector_find_next(const struct collector *c,
						 const struct recorded_event *after,
						 pid_t pid, uint32_t type)
{
	size_t i;

	for (i = (size_t)(after - c->events) + 1; i < c->n_events; i++)
		if (c->events[i].ev.pid == pid && c->events[i].ev.type == type)
			return &c->events[i];
	return NULL;
}

int collector_count(const struct collector *c, pid_t pid, uint32_t type)
{
	size_t i;
	int n = 0;

	for (i = 0; i < c->n_events; i++)
		if (c->events[i].ev.pid == pid && (!type || c->events[i].ev.type == type))
			n++;
	return n;
}

static uint64_t now_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const struct recorded_event *collector_wait(struct proctrace *pt,
					    struct collector *c, pid_t pid,
					    uint32_t type, int timeout_ms)
{
	uint64_t deadline = now_monotonic_ms() + (uint64_t)timeout_ms;
	const struct recorded_event *r;
	int n;

	while (!(r = collector_find(c, pid, type))) {
		if (now_monotonic_ms() >= deadline)
			return NULL;
		n = proctrace_poll(pt, 50);
		if (n < 0 && n != -EINTR)
			fail_msg("proctrace_poll: %s", strerror(-n));
	}
	return r;
}

void collector_drain(struct proctrace *pt, struct collector *c, int ms)
{
	uint64_t deadline = now_monotonic_ms() + (uint64_t)ms;
	int n;

	while (now_monotonic_ms() < deadline) {
		n = proctrace_poll(pt, 20);
		if (n < 0 && n != -EINTR)
			fail_msg("proctrace_poll: %s", strerror(-n));
	}
}

struct proctrace *live_open_started(proctrace_event_fn cb, void *ctx,
				    const struct proctrace_opts *opts)
{
	struct proctrace *pt = proctrace_open(cb, ctx, opts);
	int err;

	if (!pt)
		fail_msg("proctrace_open: %s", strerror(errno));
	err = proctrace_start(pt);
	if (err)
		fail_msg("proctrace_start: %s", strerror(-err));
	return pt;
}

struct proctrace *live_start_opts(struct collector *c,
				  const struct proctrace_opts *opts)
{
	return live_open_started(collector_cb, c, opts);
}

struct proctrace *live_start(struct collector *c, uint64_t min_duration_ns)
{
	struct proctrace *pt = proctrace_open(collector_cb, c, NULL);
	int err;

	assert_non_null(pt);
	assert_int_equal(proctrace_set_min_duration(pt, min_duration_ns), 0);
	err = proctrace_start(pt);
	if (err)
		fail_msg("proctrace_start: %s", strerror(-err));
	return pt;
}

bool live_compat_runs(struct proctrace *pt)
{
	struct proctrace_features f = { .sz = sizeof(f) };

	assert_int_equal(proctrace_features(pt, &f), 0);
	return f.degraded & PROCTRACE_FEATURE_PROCESS_STATE;
}

pid_t spawn(const char *path, char *const argv[])
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

pid_t spawn_child(struct collector *c, int exit_code, int sleep_ms)
{
	char code[16], ms[16];
	char *argv[] = { "pt-child", code, ms, NULL };
	pid_t pid;

	snprintf(code, sizeof(code), "%d", exit_code);
	snprintf(ms, sizeof(ms), "%d", sleep_ms);
	pid = spawn(live_child_path(), argv);
	collector_watch(c, pid);
	return pid;
}

int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	return status;
}

long read_number(int fd)
{
	char buf[32];
	ssize_t n, got = 0;

	while (got < (ssize_t)sizeof(buf) - 1) {
		n = read(fd, buf + got, 1);
		if (n <= 0 || buf[got] == '\n')
			break;
		got++;
	}
	buf[got] = '\0';
	assert_true(got > 0);
	return strtol(buf, NULL, 10);
}

uint64_t now_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
