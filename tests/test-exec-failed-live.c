/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Live tests (suite root) of failed exec attempts and of the working
 * directory, against children that fail to exec for known reasons in
 * known directories:
 *  - one real failure per cause, each with its errno, filename and
 *    arguments, then a success that stays a normal EXEC;
 *  - execvp() over a three-directory PATH: two failures, then the EXEC;
 *  - the errno filter in the kernel (a filtered attempt takes no
 *    ring-buffer space);
 *  - the working directory: a name with a space and a newline, longer
 *    than 255 bytes, longer than PATH_MAX, inside a bind mount, removed
 *    before the exec, inside a chroot and outside it;
 *  - with the flag off, none of the failed-exec programs is loaded.
 * Tracefs is unmounted (live_prepare()); only our own children's events
 * are looked at.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>

#include "bpf-objects.h"
#include "live-harness.h"

#define WAIT_MS 10000

/* snprintf() into an array, failing the test if it does not fit. */
#define PATHF(buf, size, ...)                                                 \
	do {                                                                  \
		if (snprintf(buf, size, __VA_ARGS__) >= (int)(size))          \
			fail_msg("path too long for %s", #buf);               \
	} while (0)

/* A fresh directory for one test, by its canonical path. */
static char tmp[PATH_MAX];

static int setup(void **state)
{
	char templ[] = "/tmp/pt-exec-failed-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(templ));
	assert_non_null(realpath(templ, tmp));
	return 0;
}

/*
 * Removes everything under the directory @fd, relative to it, so that
 * trees deeper than PATH_MAX go too (not every rm(1) can); closes @fd.
 */
static void remove_tree_at(int fd)
{
	DIR *dir = fdopendir(fd);
	struct dirent *d;

	if (!dir) {
		close(fd);
		return;
	}
	while ((d = readdir(dir))) {
		int sub;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (unlinkat(fd, d->d_name, 0) == 0)
			continue;
		/* A directory (or a mount point left behind: skipped) */
		sub = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (sub >= 0)
			remove_tree_at(sub);
		unlinkat(fd, d->d_name, AT_REMOVEDIR);
		rewinddir(dir);
	}
	closedir(dir);
}

static int teardown(void **state)
{
	int fd = open(tmp, O_RDONLY | O_DIRECTORY);

	(void)state;
	if (fd >= 0)
		remove_tree_at(fd);
	if (rmdir(tmp) != 0)
		fprintf(stderr, "could not remove %s: %s\n", tmp, strerror(errno));
	return 0;
}

static void path_in_tmp(char *out, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s/%s", tmp, name) >= PATH_MAX)
		fail_msg("path too long: %s/%s", tmp, name);
}

static void write_file(const char *name, const char *content, mode_t mode)
{
	char path[PATH_MAX];
	int fd;

	path_in_tmp(path, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static struct proctrace *start_failed(struct collector *c, uint32_t flags,
				      const int32_t *errnos)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_EXEC_FAILED | flags,
		       .exec_failed_errnos = errnos);

	return live_start_opts(c, &opts);
}

/* Forks a child that runs @fn(@arg); watched by @c. */
static pid_t run_child(struct collector *c, void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fn(arg);
		_exit(126);
	}
	collector_watch(c, pid);
	return pid;
}

static void assert_exit_code(pid_t pid, int code)
{
	int status = reap(pid);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), code);
}

/* Events of @pid in delivery order, after waiting for its EXIT. */
static size_t events_of(struct proctrace *pt, struct collector *c, pid_t pid,
			const struct recorded_event **out, size_t max)
{
	size_t i, n = 0;

	assert_non_null(collector_wait(pt, c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
	collector_drain(pt, c, 50);
	for (i = 0; i < c->n_events; i++)
		if (c->events[i].ev.pid == pid && n < max)
			out[n++] = &c->events[i];
	return n;
}

static void assert_args(const struct recorded_event *r, int n, ...)
{
	va_list ap;
	int i;

	assert_int_equal(r->ev.args_count, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(r->ev.args[i], va_arg(ap, const char *));
	va_end(ap);
	assert_null(r->ev.args[n]);
}

/* ---- one failure per cause ---- */

#define NCAUSES 8
#define BIG_ARG (200 * 1024)	/* over MAX_ARG_STRLEN (32 pages) */

struct causes {
	char path[NCAUSES][PATH_MAX];
	int err[NCAUSES];
	char *big;
};

static void try_causes(void *arg)
{
	struct causes *k = arg;
	/*
	 * Written by the child, as a shell or make builds its arguments:
	 * string constants it never touched might not be readable (see
	 * test_args_not_resident).
	 */
	char *argv[] = { strdup("name"), strdup("arg with space"), NULL };
	char *big_argv[] = { strdup("pt-child"), k->big, NULL };
	char *ok_argv[] = { "pt-child", "7", NULL };
	char *envp[] = { NULL };
	int i;

	for (i = 0; i < NCAUSES; i++) {
		/* the raw system call: no libc PATH or ENOEXEC fallback */
		syscall(SYS_execve, k->path[i], k->err[i] == E2BIG ? big_argv : argv, envp);
	}
	execve(live_child_path(), ok_argv, envp);
}

static void test_each_cause(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = start_failed(&c, 0, NULL);
	const struct recorded_event *ev[NCAUSES + 4];
	struct causes k;
	char cwd[PATH_MAX], comm[16] = "";
	char longname[300];
	size_t n;
	pid_t pid;
	int i;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	prctl(PR_GET_NAME, comm);
	write_file("script", "#!/nonexistent-pt-interpreter\n", 0755);
	write_file("plain", "#!/bin/sh\nexit 0\n", 0644);
	write_file("garbage", "\x01\x02 neither ELF nor #!\n", 0755);
	path_in_tmp(k.path[0], "missing");
	k.err[0] = ENOENT;
	path_in_tmp(k.path[1], "script");
	k.err[1] = ENOENT;
	path_in_tmp(k.path[2], "plain");
	k.err[2] = EACCES;
	path_in_tmp(k.path[3], "dir");
	assert_int_equal(mkdir(k.path[3], 0755), 0);
	k.err[3] = EACCES;
	path_in_tmp(k.path[4], "garbage");
	k.err[4] = ENOEXEC;
	path_in_tmp(k.path[5], "loop1");
	assert_int_equal(symlink("loop2", k.path[5]), 0);
	path_in_tmp(k.path[6], "loop2");
	assert_int_equal(symlink("loop1", k.path[6]), 0);
	k.err[5] = ELOOP;
	snprintf(k.path[6], PATH_MAX, "%s", live_child_path());
	k.err[6] = E2BIG;
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	path_in_tmp(k.path[7], longname);
	k.err[7] = ENAMETOOLONG;
	k.big = malloc(BIG_ARG + 1);
	assert_non_null(k.big);
	memset(k.big, 'x', BIG_ARG);
	k.big[BIG_ARG] = '\0';

	pid = run_child(&c, try_causes, &k);
	assert_exit_code(pid, 7);
	n = events_of(pt, &c, pid, ev, NCAUSES + 4);
	assert_int_equal(n, NCAUSES + 2);
	for (i = 0; i < NCAUSES; i++) {
		const struct recorded_event *r = ev[i];

		if (r->ev.type != PROCTRACE_EVENT_EXEC_FAILED)
			fail_msg("event %d: type %u, not EXEC_FAILED", i, r->ev.type);
		if (r->ev.error != k.err[i])
			fail_msg("event %d (%s): errno %d, expected %d", i, k.path[i],
				 r->ev.error, k.err[i]);
		assert_string_equal(r->ev.filename, k.path[i]);
		assert_int_equal(r->ev.pid, pid);
		assert_int_equal(r->ev.ppid, getpid());
		assert_int_equal(r->ev.uid, getuid());
		assert_int_equal(r->ev.gid, getgid());
		assert_string_equal(r->ev.comm, comm);
		assert_int_equal(r->ev.exec_dirfd, AT_FDCWD);
		assert_null(r->dirfd_path);
		assert_string_equal(r->ev.cwd, cwd);
		if (k.err[i] == E2BIG) {
			/* cut at max_args_size (4096 by default), as an EXEC's */
			assert_int_equal(r->ev.flags, PROCTRACE_EVENT_F_ARGS_TRUNCATED);
			assert_int_equal(r->ev.args_count, 2);
			assert_string_equal(r->ev.args[0], "pt-child");
			assert_int_equal(strlen(r->ev.args[1]),
					 PROCTRACE_ARGS_SIZE_DEFAULT - sizeof("pt-child"));
			assert_int_equal(strspn(r->ev.args[1], "x"), strlen(r->ev.args[1]));
		} else {
			if (r->ev.args_count != 2)
				fail_msg("event %d (%s, errno %d): %u arguments, not 2", i,
					 k.path[i], k.err[i], r->ev.args_count);
			assert_int_equal(r->ev.flags, 0);
			assert_args(r, 2, "name", "arg with space");
		}
	}
	/* the success right after: a normal EXEC, then its EXIT */
	assert_int_equal(ev[NCAUSES]->ev.type, PROCTRACE_EVENT_EXEC);
	assert_string_equal(ev[NCAUSES]->ev.filename, live_child_path());
	assert_int_equal(ev[NCAUSES]->ev.error, 0);
	assert_string_equal(ev[NCAUSES]->ev.cwd, cwd);
	assert_args(ev[NCAUSES], 2, "pt-child", "7");
	assert_int_equal(ev[NCAUSES + 1]->ev.type, PROCTRACE_EVENT_EXIT);
	assert_int_equal(ev[NCAUSES + 1]->ev.exit_code, 7);
	free(k.big);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * Filenames at the record's limit: 4,095 bytes and its NUL fill the
 * filename's room exactly, and one byte more is cut, with the flag.  The
 * strings after the filename (arguments, working directory) must start
 * right after it in both cases.
 */
#define NAME_FITS (PATH_MAX - 1)	/* strlen() of the longest whole name */

struct long_names {
	char fits[NAME_FITS + 1];
	char cut[NAME_FITS + 2];
};

static void try_long_names(void *arg)
{
	struct long_names *l = arg;
	char *argv[] = { strdup("name"), strdup("arg with space"), NULL };

	syscall(SYS_execve, l->fits, argv, (char *[]){ NULL });
	syscall(SYS_execve, l->cut, argv, (char *[]){ NULL });
	_exit(5);
}

static void long_name(char *out, size_t len)
{
	/* a missing first directory: ENOENT, whatever follows */
	static const char head[] = "/nonexistent-pt-long/";

	memset(out, 'a', len);
	memcpy(out, head, sizeof(head) - 1);
	out[len] = '\0';
}

static void test_filename_at_limit(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = start_failed(&c, 0, NULL);
	const struct recorded_event *ev[4];
	struct long_names *l = malloc(sizeof(*l));
	char cwd[PATH_MAX];
	pid_t pid;
	int i;

	(void)state;
	assert_non_null(l);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	long_name(l->fits, NAME_FITS);
	long_name(l->cut, NAME_FITS + 1);

	pid = run_child(&c, try_long_names, l);
	assert_exit_code(pid, 5);
	assert_int_equal(events_of(pt, &c, pid, ev, 4), 3);
	for (i = 0; i < 2; i++) {
		const struct recorded_event *r = ev[i];

		assert_int_equal(r->ev.type, PROCTRACE_EVENT_EXEC_FAILED);
		/* the kernel refuses a name of PATH_MAX bytes before any lookup */
		assert_int_equal(r->ev.error, i ? ENAMETOOLONG : ENOENT);
		assert_int_equal(strlen(r->ev.filename), NAME_FITS);
		assert_memory_equal(r->ev.filename, l->fits, NAME_FITS);
		assert_int_equal(r->ev.flags, i ? PROCTRACE_EVENT_F_FILENAME_TRUNCATED : 0);
		assert_args(r, 2, "name", "arg with space");
		assert_string_equal(r->ev.cwd, cwd);
	}
	assert_int_equal(ev[2]->ev.type, PROCTRACE_EVENT_EXIT);
	free(l);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * Argument strings in a page the child never touched (a file mapping
 * made before fork, so the child has no page-table entry for it): when
 * the kernel did not copy them before failing, the hook cannot read them
 * without a page fault.  The event then says so; it never holds a
 * partial or wrong vector without the flag.
 */
struct untouched {
	const char *strings;	/* "lit1\0lit2\0" in an untouched mapping */
	bool touch;
};

static void try_untouched(void *arg)
{
	struct untouched *u = arg;
	char *argv[] = { (char *)u->strings, (char *)u->strings + 5, NULL };
	volatile char sink;

	if (u->touch)
		sink = u->strings[0] + u->strings[5];
	(void)sink;
	syscall(SYS_execve, "/nonexistent-pt-untouched", argv, (char *[]){ NULL });
	_exit(4);
}

static void test_args_not_resident(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = start_failed(&c, 0, NULL);
	struct untouched u;
	char path[PATH_MAX];
	int fd, k;

	(void)state;
	write_file("strings", "lit1\0lit2\0", 0644);
	path_in_tmp(path, "strings");
	/* write_file() stops at the first NUL: write the whole content */
	fd = open(path, O_RDWR | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "lit1\0lit2\0", 10), 10);
	u.strings = mmap(NULL, 10, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(u.strings != MAP_FAILED);
	close(fd);
	for (k = 0; k < 2; k++) {
		const struct recorded_event *r;
		pid_t pid;

		u.touch = k == 1;
		pid = run_child(&c, try_untouched, &u);
		assert_exit_code(pid, 4);
		r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXEC_FAILED, WAIT_MS);
		assert_non_null(r);
		assert_int_equal(r->ev.error, ENOENT);
		if (!u.touch && (r->ev.flags & PROCTRACE_EVENT_F_ARGS_UNREADABLE)) {
			/* nothing before the first string: none */
			assert_int_equal(r->ev.args_count, 0);
			continue;
		}
		/* touched, or copied by the kernel before it failed: whole */
		assert_int_equal(r->ev.flags, 0);
		assert_args(r, 2, "lit1", "lit2");
	}
	munmap((void *)u.strings, 10);
	proctrace_close(pt);
	collector_free(&c);
}

/* ---- execveat(): the descriptor and its path ---- */

struct at_case {
	int dirfd, filefd;
};

static void try_execveat(void *arg)
{
	struct at_case *k = arg;
	char *argv[] = { strdup("at"), NULL };
	char *envp[] = { NULL };

	syscall(SYS_execveat, k->dirfd, "missing", argv, envp, 0);
	syscall(SYS_execveat, k->filefd, "", argv, envp, AT_EMPTY_PATH);
	_exit(8);
}

static void test_execveat_descriptor(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = start_failed(&c, 0, NULL);
	const struct recorded_event *ev[4];
	char dir[PATH_MAX], file[PATH_MAX];
	struct at_case k;
	size_t n;
	pid_t pid;

	(void)state;
	path_in_tmp(dir, "sub dir");
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file("plain", "data\n", 0644);
	path_in_tmp(file, "plain");
	k.dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	k.filefd = open(file, O_RDONLY);
	assert_true(k.dirfd >= 0 && k.filefd >= 0);

	pid = run_child(&c, try_execveat, &k);
	assert_exit_code(pid, 8);
	n = events_of(pt, &c, pid, ev, 4);
	assert_int_equal(n, 3);
	assert_int_equal(ev[0]->ev.type, PROCTRACE_EVENT_EXEC_FAILED);
	assert_int_equal(ev[0]->ev.error, ENOENT);
	assert_string_equal(ev[0]->ev.filename, "missing");
	assert_int_equal(ev[0]->ev.exec_dirfd, k.dirfd);
	assert_int_equal(ev[0]->ev.exec_at_flags, 0);
	assert_string_equal(ev[0]->dirfd_path, dir);
	assert_args(ev[0], 1, "at");
	assert_int_equal(ev[1]->ev.type, PROCTRACE_EVENT_EXEC_FAILED);
	assert_int_equal(ev[1]->ev.error, EACCES);
	assert_string_equal(ev[1]->ev.filename, "");
	assert_int_equal(ev[1]->ev.exec_dirfd, k.filefd);
	assert_int_equal(ev[1]->ev.exec_at_flags, AT_EMPTY_PATH);
	assert_string_equal(ev[1]->dirfd_path, file);
	assert_int_equal(ev[2]->ev.type, PROCTRACE_EVENT_EXIT);
	close(k.dirfd);
	close(k.filefd);
	proctrace_close(pt);
	collector_free(&c);
}

/* ---- execvp over a PATH of three directories ---- */

static void try_execvp(void *arg)
{
	char *argv[] = { strdup("pt-tool"), strdup("--flag"), NULL };

	assert_int_equal(setenv("PATH", arg, 1), 0);
	execvp("pt-tool", argv);
}

static void test_execvp_path_search(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = start_failed(&c, 0, NULL);
	const struct recorded_event *ev[8];
	char d[3][PATH_MAX], tool[PATH_MAX], path_var[3 * PATH_MAX + 3], expect[PATH_MAX];
	size_t n;
	pid_t pid;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		PATHF(d[i], sizeof(d[i]), "%s/d%d", tmp, i + 1);
		assert_int_equal(mkdir(d[i], 0755), 0);
	}
	PATHF(tool, sizeof(tool), "%s/pt-tool", d[2]);
	assert_int_equal(symlink(live_child_path(), tool), 0);
	snprintf(path_var, sizeof(path_var), "%s:%s:%s", d[0], d[1], d[2]);

	pid = run_child(&c, try_execvp, path_var);
	assert_exit_code(pid, 0);
	n = events_of(pt, &c, pid, ev, 8);
	assert_int_equal(n, 4);
	for (i = 0; i < 2; i++) {
		PATHF(expect, sizeof(expect), "%s/pt-tool", d[i]);
		assert_int_equal(ev[i]->ev.type, PROCTRACE_EVENT_EXEC_FAILED);
		assert_int_equal(ev[i]->ev.error, ENOENT);
		assert_string_equal(ev[i]->ev.filename, expect);
		assert_args(ev[i], 2, "pt-tool", "--flag");
	}
	assert_int_equal(ev[2]->ev.type, PROCTRACE_EVENT_EXEC);
	assert_string_equal(ev[2]->ev.filename, tool);
	assert_string_equal(ev[2]->ev.comm, "pt-tool");
	assert_args(ev[2], 2, "pt-tool", "--flag");
	assert_int_equal(ev[3]->ev.type, PROCTRACE_EVENT_EXIT);
	proctrace_close(pt);
	collector_free(&c);
}

/* ---- the errno filter ---- */

static void try_missing_then_plain(void *arg)
{
	char path[PATH_MAX];
	char *argv[] = { strdup("x"), NULL };
	int i;

	(void)arg;
	for (i = 0; i < 3; i++) {
		path_in_tmp(path, "missing");
		execv(path, argv);
		path_in_tmp(path, "plain");
		execv(path, argv);
	}
	_exit(3);
}

static void test_errno_filter(void **state)
{
	static const int32_t enoent[] = { ENOENT, 0 };
	static const int32_t eacces[] = { EACCES, 0 };
	const int32_t *sets[] = { enoent, eacces };
	uint32_t modes[] = { PROCTRACE_OPT_EXEC_FAILED_EXCEPT, 0 };
	int k;

	(void)state;
	write_file("plain", "data\n", 0644);
	/* "all but ENOENT", then "only EACCES": the same three EACCES */
	for (k = 0; k < 2; k++) {
		struct collector c = { 0 };
		struct proctrace *pt = start_failed(&c, modes[k], sets[k]);
		pid_t pid = run_child(&c, try_missing_then_plain, NULL);

		assert_exit_code(pid, 3);
		assert_non_null(collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
		collector_drain(pt, &c, 50);
		assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_EXEC_FAILED), 3);
		for (size_t i = 0; i < c.n_events; i++)
			if (c.events[i].ev.type == PROCTRACE_EVENT_EXEC_FAILED)
				assert_int_equal(c.events[i].ev.error, EACCES);
		proctrace_close(pt);
		collector_free(&c);
	}
}

/*
 * A filtered attempt takes no ring-buffer space: 2,000 ENOENT attempts
 * with nobody reading overflow the smallest ring when reported, and lose
 * nothing when filtered out.
 */
static void many_enoent(void *arg)
{
	char *argv[] = { "x", NULL };
	int i;

	(void)arg;
	for (i = 0; i < 2000; i++)
		execv("/nonexistent-pt-exec-failed", argv);
	_exit(0);
}

/* [0]: failed attempts seen, [1]: all events seen. */
static int count_failed(const struct proctrace_event *e, void *ctx)
{
	int *seen = ctx;

	if (e->type == PROCTRACE_EVENT_EXEC_FAILED)
		seen[0]++;
	seen[1]++;
	return 0;
}

static void test_filtered_cost_no_ring_space(void **state)
{
	static const int32_t only_eacces[] = { EACCES, 0 };
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_EXEC_FAILED,
			       .exec_failed_errnos = k ? only_eacces : NULL,
			       .filter_pid = getpid(), .ring_buffer_size = 32768,
			       .max_args_size = 1);
		struct proctrace_stats st = { .sz = sizeof(st) };
		int seen[2] = { 0, 0 };
		struct proctrace *pt = live_open_started(count_failed, seen, &opts);
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			many_enoent(NULL);
		assert_exit_code(pid, 0);
		while (proctrace_poll(pt, 0) > 0)
			;
		assert_int_equal(proctrace_stats(pt, &st), 0);
		/* 2,000 attempts and the child's EXIT */
		if (k == 0) {
			assert_true(st.lost_ring_full > 0);
			assert_int_equal(seen[1] + st.events_lost, 2001);
		} else {
			assert_int_equal(st.events_lost, 0);
			assert_int_equal(seen[0], 0);
			assert_int_equal(seen[1], 1);
		}
		proctrace_close(pt);
	}
}

/* ---- the working directory ---- */

struct cwd_case {
	char dir[PATH_MAX];	/* chdir() here (absolute) ... */
	const char *rel;	/* ... then, if set, here, relative */
	int rel_steps;		/* that many times */
	const char *exec;	/* then exec this (NULL: pt-child) */
	bool remove_dir;	/* rmdir(dir) before the exec */
	const char *chroot_to;	/* chroot() here, after the chdir */
	const char *chdir_in_root;	/* then chdir() here */
};

static void try_cwd(void *arg)
{
	struct cwd_case *k = arg;
	char *argv[] = { "prog", "5", NULL };
	int i;

	if (chdir(k->dir) != 0)
		_exit(120);
	for (i = 0; i < k->rel_steps; i++)
		if (chdir(k->rel) != 0)
			_exit(121);
	if (k->remove_dir && rmdir(k->dir) != 0)
		_exit(122);
	if (k->chroot_to && chroot(k->chroot_to) != 0)
		_exit(123);
	if (k->chdir_in_root && chdir(k->chdir_in_root) != 0)
		_exit(124);
	execv(k->exec ? k->exec : live_child_path(), argv);
	_exit(k->chroot_to ? 5 : 125);
}

/* Runs @k in a child; returns its EXEC (or EXEC_FAILED) event. */
static const struct recorded_event *cwd_event(struct proctrace *pt,
					      struct collector *c,
					      struct cwd_case *k, uint32_t type)
{
	pid_t pid = run_child(c, try_cwd, k);

	assert_exit_code(pid, 5);
	return collector_wait(pt, c, pid, type, WAIT_MS);
}

static void test_cwd_space_newline_relative(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, NULL);
	struct cwd_case k = { .exec = "./prog" };
	const struct recorded_event *r;
	char prog[PATH_MAX];

	(void)state;
	PATHF(k.dir, sizeof(k.dir), "%s/a dir\nwith newline", tmp);
	assert_int_equal(mkdir(k.dir, 0755), 0);
	PATHF(prog, sizeof(prog), "%s/prog", k.dir);
	assert_int_equal(symlink(live_child_path(), prog), 0);
	r = cwd_event(pt, &c, &k, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	assert_string_equal(r->ev.filename, "./prog");
	assert_string_equal(r->ev.cwd, k.dir);
	assert_int_equal(r->ev.flags, 0);
	proctrace_close(pt);
	collector_free(&c);
}

#define COMPONENT_LEN 100

static void make_nested(const char *base, const char *component, int depth)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY), i;

	assert_true(fd >= 0);
	for (i = 0; i < depth; i++) {
		int next;

		assert_int_equal(mkdirat(fd, component, 0755), 0);
		next = openat(fd, component, O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	close(fd);
}

/* @base, then @n times "/" and @component, into @out (@size bytes). */
static void nested_path(char *out, size_t size, const char *base,
			const char *component, int n)
{
	int i;

	snprintf(out, size, "%s", base);
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "/%s", component);
}

/* @k's child, @steps deep: its EXEC has @expect as cwd, cut if @truncated. */
static void check_cwd(struct proctrace *pt, struct collector *c,
		      struct cwd_case *k, int steps, const char *expect,
		      bool truncated)
{
	const struct recorded_event *r;

	k->rel_steps = steps;
	r = cwd_event(pt, c, k, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	assert_string_equal(r->ev.cwd, expect);
	assert_int_equal(r->ev.flags & PROCTRACE_EVENT_F_CWD_TRUNCATED,
			 truncated ? PROCTRACE_EVENT_F_CWD_TRUNCATED : 0);
}

static void test_cwd_long(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, NULL);
	char component[COMPONENT_LEN + 1];
	struct cwd_case k = { .rel = component };
	static char expect[8192];

	(void)state;
	memset(component, 'c', COMPONENT_LEN);
	component[COMPONENT_LEN] = '\0';
	snprintf(k.dir, sizeof(k.dir), "%s", tmp);

	/* 3 levels: over 255 bytes, whole */
	make_nested(tmp, component, 45);
	nested_path(expect, sizeof(expect), tmp, component, 3);
	assert_true(strlen(expect) > 255);
	check_cwd(pt, &c, &k, 3, expect, false);

	/*
	 * 45 levels: over PATH_MAX.  The kept part is the last whole
	 * components that fit in 4095 bytes: 40 of "/" + 100 bytes.
	 */
	nested_path(expect, sizeof(expect), "", component,
		    (PATH_MAX - 1) / (COMPONENT_LEN + 1));
	check_cwd(pt, &c, &k, 45, expect, true);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * Deeper than the walk's 128 components (bpf/pt_path.h), in both variants
 * (the compat one's is a bounded loop): the last 128 names, flagged; less
 * deep, the whole path.
 */
static void test_cwd_deep(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, NULL);
	struct cwd_case k = { .rel = "d" };
	static char expect[8192];

	(void)state;
	snprintf(k.dir, sizeof(k.dir), "%s", tmp);
	make_nested(tmp, "d", 140);
	/* tmp, 100 names below it, and up to "/": well within 128 steps */
	nested_path(expect, sizeof(expect), tmp, "d", 100);
	check_cwd(pt, &c, &k, 100, expect, false);
	nested_path(expect, sizeof(expect), "", "d", 128);
	check_cwd(pt, &c, &k, 140, expect, true);
	proctrace_close(pt);
	collector_free(&c);
}

static void test_cwd_bind_mount(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, NULL);
	struct cwd_case k = { 0 };
	const struct recorded_event *r;
	char src[PATH_MAX], dst[PATH_MAX];

	(void)state;
	path_in_tmp(src, "src");
	path_in_tmp(dst, "mnt");
	assert_int_equal(mkdir(src, 0755), 0);
	assert_int_equal(mkdir(dst, 0755), 0);
	PATHF(k.dir, sizeof(k.dir), "%s/sub", src);
	assert_int_equal(mkdir(k.dir, 0755), 0);
	/* live_prepare() made our mount namespace private: nothing leaks */
	assert_int_equal(mount(src, dst, NULL, MS_BIND, NULL), 0);
	PATHF(k.dir, sizeof(k.dir), "%s/sub", dst);
	r = cwd_event(pt, &c, &k, PROCTRACE_EVENT_EXEC);
	assert_int_equal(umount2(dst, MNT_DETACH), 0);
	assert_non_null(r);
	assert_string_equal(r->ev.cwd, k.dir);
	assert_int_equal(r->ev.flags, 0);
	proctrace_close(pt);
	collector_free(&c);
}

static void test_cwd_removed(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = live_start_opts(&c, NULL);
	struct cwd_case k = { .remove_dir = true };
	const struct recorded_event *r;

	(void)state;
	path_in_tmp(k.dir, "gone");
	assert_int_equal(mkdir(k.dir, 0755), 0);
	r = cwd_event(pt, &c, &k, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	assert_string_equal(r->ev.cwd, k.dir);
	assert_int_equal(r->ev.flags, PROCTRACE_EVENT_F_CWD_DELETED);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * In a chroot, the working directory as the process sees it; outside its
 * root, the path from the namespace's root, flagged.  The exec fails
 * there (no pt-child inside): the failed attempt carries the directory.
 */
static void test_cwd_chroot(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = start_failed(&c, 0, NULL);
	char jail[PATH_MAX], inside[PATH_MAX], outside[PATH_MAX];
	struct cwd_case in = { .chdir_in_root = "/sub", .exec = "/nope" };
	struct cwd_case out = { .exec = "/nope" };
	const struct recorded_event *r;

	(void)state;
	path_in_tmp(jail, "jail");
	PATHF(inside, sizeof(inside), "%s/sub", jail);
	path_in_tmp(outside, "outside");
	assert_int_equal(mkdir(jail, 0755), 0);
	assert_int_equal(mkdir(inside, 0755), 0);
	assert_int_equal(mkdir(outside, 0755), 0);

	snprintf(in.dir, sizeof(in.dir), "%s", jail);
	in.chroot_to = jail;
	r = cwd_event(pt, &c, &in, PROCTRACE_EVENT_EXEC_FAILED);
	assert_non_null(r);
	assert_int_equal(r->ev.error, ENOENT);
	assert_string_equal(r->ev.filename, "/nope");
	assert_string_equal(r->ev.cwd, "/sub");
	assert_int_equal(r->ev.flags, 0);

	snprintf(out.dir, sizeof(out.dir), "%s", outside);
	out.chroot_to = jail;
	r = cwd_event(pt, &c, &out, PROCTRACE_EVENT_EXEC_FAILED);
	assert_non_null(r);
	assert_string_equal(r->ev.cwd, outside);
	assert_int_equal(r->ev.flags, PROCTRACE_EVENT_F_CWD_UNREACHABLE);
	proctrace_close(pt);
	collector_free(&c);
}

/*
 * With the snapshot on, a process that was running before tracing started
 * is described with its working directory too.
 */
static void test_cwd_snapshot(void **state)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT);
	struct collector c = { 0 };
	const struct recorded_event *r;
	int ready[2], hold[2];
	struct proctrace *pt;
	char dir[PATH_MAX], byte = 0;
	pid_t pid;

	(void)state;
	path_in_tmp(dir, "snap dir");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (chdir(dir) != 0 || write(ready[1], &byte, 1) != 1)
			_exit(1);
		/* until the test closes its end */
		while (read(hold[0], &byte, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &byte, 1), 1);
	collector_watch(&c, pid);
	pt = live_start_opts(&c, &opts);
	r = collector_wait(pt, &c, pid, PROCTRACE_EVENT_PROCESS, WAIT_MS);
	assert_non_null(r);
	assert_non_null(r->ev.cwd);
	assert_string_equal(r->ev.cwd, dir);
	assert_int_equal(r->ev.flags & (PROCTRACE_EVENT_F_CWD_TRUNCATED |
					PROCTRACE_EVENT_F_CWD_DELETED |
					PROCTRACE_EVENT_F_CWD_UNREACHABLE), 0);
	close(hold[1]);
	close(ready[0]);
	assert_exit_code(pid, 0);
	proctrace_close(pt);
	collector_free(&c);
}

/* ---- 32-bit callers ---- */

/* tests/pt32.c: a 32-bit execve() of a missing file, then exit(9). */
static void test_compat_32bit(void **state)
{
	struct collector c = { 0 };
	struct proctrace *pt = start_failed(&c, 0, NULL);
	const struct recorded_event *ev[8];
	char *argv[] = { "pt32", NULL };
	char cwd[PATH_MAX];
	size_t n;
	pid_t pid;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	pid = spawn(getenv("PT32"), argv);
	collector_watch(&c, pid);
	assert_exit_code(pid, 9);
	n = events_of(pt, &c, pid, ev, 8);
	assert_int_equal(n, 3);
	assert_int_equal(ev[0]->ev.type, PROCTRACE_EVENT_EXEC);
	assert_int_equal(ev[1]->ev.type, PROCTRACE_EVENT_EXEC_FAILED);
	assert_int_equal(ev[1]->ev.error, ENOENT);
	assert_string_equal(ev[1]->ev.filename, "/nonexistent-pt32");
	assert_string_equal(ev[1]->ev.comm, "pt32");
	assert_string_equal(ev[1]->ev.cwd, cwd);
	assert_int_equal(ev[1]->ev.flags, PROCTRACE_EVENT_F_COMPAT);
	assert_args(ev[1], 2, "pt32", "arg one");
	assert_int_equal(ev[2]->ev.type, PROCTRACE_EVENT_EXIT);
	proctrace_close(pt);
	collector_free(&c);
}

/* ---- off: nothing extra loaded ---- */

/* The ids of the programs this process holds. */
static void our_programs(struct bpf_objects *o)
{
	memset(o, 0, sizeof(*o));
	assert_int_equal(bpf_objects_of_pid(0, o), 0);
}

/* bpf_new_program_names(), failing the test on an error. */
static void new_program_names(const struct bpf_objects *before, char *out,
			      size_t size)
{
	assert_int_equal(bpf_new_program_names(before, out, size), 0);
}

static void test_off_loads_nothing(void **state)
{
	struct collector c = { 0 };
	struct bpf_objects before;
	struct proctrace *pt;
	char names[512];
	pid_t pid;

	(void)state;
	our_programs(&before);
	pt = live_start_opts(&c, NULL);
	/*
	 * Only the exec and exit programs and the one that keeps the
	 * credentials before an exec (and, for the compat variant's per-task
	 * maps, the free one); no fork, no failed-exec one.
	 */
	new_program_names(&before, names, sizeof(names));
	assert_string_equal(names, live_compat_runs(pt) ? PT_DEFAULT_PROGRAMS " proctrace_free" :
			    PT_DEFAULT_PROGRAMS);
	pid = run_child(&c, many_enoent, NULL);
	assert_exit_code(pid, 0);
	assert_non_null(collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
	assert_int_equal(collector_count(&c, pid, 0), 1);
	proctrace_close(pt);
	collector_free(&c);

	/* On: one more program, whichever hook this kernel takes. */
	pt = start_failed(&c, 0, NULL);
	new_program_names(&before, names, sizeof(names));
	/* The compat variant has no fexit: sys_exit only. */
	if (live_compat_runs(pt) ?
	    strcmp(names, PT_DEFAULT_PROGRAMS " proctrace_free proctrace_sys_e") != 0 :
	    strcmp(names, PT_DEFAULT_PROGRAMS " proctrace_sys_e") != 0 &&
	    strncmp(names, PT_DEFAULT_PROGRAMS " proctrace_execv proctrace_execv",
		    sizeof(PT_DEFAULT_PROGRAMS " proctrace_execv proctrace_execv") - 1) != 0)
		fail_msg("programs with the flag on: %s", names);
	proctrace_close(pt);
	collector_free(&c);
	bpf_objects_free(&before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_each_cause),
		T(test_filename_at_limit),
		T(test_args_not_resident),
		T(test_execveat_descriptor),
		T(test_execvp_path_search),
		T(test_errno_filter),
		T(test_filtered_cost_no_ring_space),
		T(test_cwd_space_newline_relative),
		T(test_cwd_long),
		T(test_cwd_deep),
		T(test_cwd_bind_mount),
		T(test_cwd_removed),
		T(test_cwd_chroot),
		T(test_cwd_snapshot),
		T(test_off_loads_nothing),
		/* last: left out where no 32-bit program could be built */
		T(test_compat_32bit),
#undef T
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);

	live_prepare();
	if (!getenv("PT32")) {
		printf("note: PT32 is not set (no 32-bit compiler): the 32-bit test "
		       "is left out\n");
		n--;
	}
	return _cmocka_run_group_tests("exec-failed-live", tests, n, NULL, NULL);
}
