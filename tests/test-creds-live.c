/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Live tests (suite root) of credentials and privilege (issue 25), on
 * children whose credentials the test sets:
 *  - an ordinary exec, as root and as nobody: its ids and capability
 *    sets, and no privilege flag;
 *  - a copy of pt-child made set-user-id root, run as nobody: euid 0, uid
 *    65534, the set-user-id cause and the ids before;
 *  - a copy with the file capability cap_net_raw+ep (as setcap(8) sets it), run as
 *    nobody: the file-capabilities cause and CAP_NET_RAW in the sets;
 *  - with PROCTRACE_OPT_CRED_CHANGES: a root process that calls
 *    setresuid(65534, 65534, 65534) gives one CRED_CHANGE with the old
 *    and new ids; a thread of a threaded process that makes the raw
 *    setuid system call is seen; with the flag off, its programs are not
 *    loaded.
 * The copies live in a directory under the build directory
 * (PT_CREDS_DIR), whose file system must honour set-user-id bits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf-objects.h"
#include "live-harness.h"

#define WAIT_MS 10000
#define NOBODY 65534
#define CAP_NET_RAW_BIT (1ull << 13)

/* A fresh directory for one test, under PT_CREDS_DIR. */
static char dir[PATH_MAX];

static int setup(void **state)
{
	const char *base = getenv("PT_CREDS_DIR");
	struct statvfs st;

	(void)state;
	if (!base)
		fail_msg("PT_CREDS_DIR is not set (meson test sets it)");
	if (snprintf(dir, sizeof(dir), "%s/creds-XXXXXX", base) >= (int)sizeof(dir))
		fail_msg("PT_CREDS_DIR is too long");
	assert_non_null(mkdtemp(dir));
	/* nobody must reach the copies. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(statvfs(dir, &st), 0);
	if (st.f_flag & ST_NOSUID)
		fail_msg("%s is on a nosuid file system: set-user-id cannot be tested", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 0;
}

/* Copies pt-child to dir/@name with @mode; returns its path. */
static const char *copy_id(const char *name, mode_t mode)
{
	static char path[PATH_MAX + 32];
	char buf[65536];
	int in, out;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* pt-child: its libraries are in the kernel matrix's VMs too. */
	in = open(live_child_path(), O_RDONLY | O_CLOEXEC);
	assert_true(in >= 0);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	assert_int_equal(close(out), 0);
	/* chmod after the writes: a write clears the set-user-id bit. */
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/*
 * Runs @path as @uid (its gid too, no supplementary groups) in a child
 * watched by @c, its output to /dev/null; returns the child's pid.
 */
static pid_t run_as(struct collector *c, uid_t uid, const char *path)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		if (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
			    setresuid(uid, uid, uid)))
			_exit(126);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	collector_watch(c, pid);
	return pid;
}

/* The EXEC of @path run as @uid (run_as()), once its EXIT arrived. */
static const struct proctrace_event *exec_as(struct proctrace *pt,
					     struct collector *c, uid_t uid,
					     const char *path)
{
	const struct recorded_event *r;
	pid_t pid = run_as(c, uid, path);

	assert_int_equal(reap(pid), 0);
	assert_non_null(collector_wait(pt, c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
	r = collector_find(c, pid, PROCTRACE_EVENT_EXEC);
	assert_non_null(r);
	assert_int_equal(collector_count(c, pid, PROCTRACE_EVENT_EXEC), 1);
	return &r->ev;
}

/* This process's capability set @key ("CapEff:") from /proc/self/status. */
static uint64_t my_caps(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long v = 0;
	char line[256];
	int found = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			found = sscanf(line + strlen(key), "%llx", &v) == 1;
	fclose(f);
	assert_true(found);
	return v;
}

/* The privilege flags of @e, with PROCTRACE_EVENT_F_OLD_CREDS. */
static uint32_t priv_flags(const struct proctrace_event *e)
{
	return e->flags & (PROCTRACE_EVENT_F_PRIV_RAISED | PROCTRACE_EVENT_F_OLD_CREDS);
}

static void assert_ids(const struct proctrace_event *e, uint32_t uid,
		       uint32_t euid, uint32_t gid)
{
	assert_int_equal(e->uid, uid);
	assert_int_equal(e->euid, euid);
	assert_int_equal(e->suid, euid);
	assert_int_equal(e->fsuid, euid);
	assert_int_equal(e->gid, gid);
	assert_int_equal(e->egid, gid);
	assert_int_equal(e->sgid, gid);
	assert_int_equal(e->fsgid, gid);
}

static void test_ordinary_exec(void **state)
{
	struct collector c = { 0 };
	const struct proctrace_event *e;
	struct proctrace *pt;
	const char *path;

	(void)state;
	path = copy_id("id-plain", 0755);
	pt = live_start(&c, 0);

	e = exec_as(pt, &c, 0, path);
	assert_ids(e, 0, 0, 0);
	assert_int_equal(e->cap_effective, my_caps("CapEff:"));
	assert_int_equal(e->cap_permitted, my_caps("CapPrm:"));
	assert_int_equal(e->cap_inheritable, my_caps("CapInh:"));
	assert_int_equal(priv_flags(e), 0);
	assert_int_equal(e->old_euid, 0);

	e = exec_as(pt, &c, NOBODY, path);
	assert_ids(e, NOBODY, NOBODY, NOBODY);
	assert_int_equal(e->cap_effective, 0);
	assert_int_equal(e->cap_permitted, 0);
	assert_int_equal(priv_flags(e), 0);
	proctrace_close(pt);
	collector_free(&c);
}

static void test_setuid_root(void **state)
{
	struct collector c = { 0 };
	const struct proctrace_event *e;
	struct proctrace *pt;
	const char *path;

	(void)state;
	path = copy_id("id-setuid", 04755);
	pt = live_start(&c, 0);
	e = exec_as(pt, &c, NOBODY, path);
	assert_int_equal(e->uid, NOBODY);
	assert_int_equal(e->euid, 0);
	assert_int_equal(e->suid, 0);
	assert_int_equal(e->fsuid, 0);
	assert_int_equal(e->gid, NOBODY);
	assert_int_equal(e->egid, NOBODY);
	/* Root's: every capability of the bounding set. */
	assert_int_equal(e->cap_effective, my_caps("CapBnd:"));
	assert_int_equal(priv_flags(e),
			 PROCTRACE_EVENT_F_PRIV_SETUID | PROCTRACE_EVENT_F_OLD_CREDS);
	assert_int_equal(e->old_uid, NOBODY);
	assert_int_equal(e->old_euid, NOBODY);
	assert_int_equal(e->old_suid, NOBODY);
	assert_int_equal(e->old_fsuid, NOBODY);
	assert_int_equal(e->old_gid, NOBODY);
	assert_int_equal(e->old_egid, NOBODY);
	assert_int_equal(e->old_cap_effective, 0);
	assert_int_equal(e->old_cap_permitted, 0);
	proctrace_close(pt);
	collector_free(&c);
}

static void test_file_caps(void **state)
{
	struct collector c = { 0 };
	const struct proctrace_event *e;
	struct proctrace *pt;
	const char *path;

	(void)state;
	path = copy_id("id-cap", 0755);
	/* What setcap cap_net_raw+ep writes (the VMs carry no setcap). */
	{
		struct vfs_cap_data cap = {
			.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE,
			.data = { { .permitted = 1u << CAP_NET_RAW } },
		};

		if (setxattr(path, "security.capability", &cap, sizeof(cap), 0))
			fail_msg("setting cap_net_raw+ep on %s: %s", path, strerror(errno));
	}
	pt = live_start(&c, 0);
	e = exec_as(pt, &c, NOBODY, path);
	assert_ids(e, NOBODY, NOBODY, NOBODY);
	assert_int_equal(e->cap_effective, CAP_NET_RAW_BIT);
	assert_int_equal(e->cap_permitted, CAP_NET_RAW_BIT);
	assert_int_equal(e->cap_inheritable, 0);
	assert_int_equal(priv_flags(e),
			 PROCTRACE_EVENT_F_PRIV_FILE_CAPS | PROCTRACE_EVENT_F_OLD_CREDS);
	assert_int_equal(e->old_euid, NOBODY);
	assert_int_equal(e->old_cap_effective, 0);
	assert_int_equal(e->old_cap_permitted, 0);
	proctrace_close(pt);
	collector_free(&c);
}

/* A session with credential changes on. */
static struct proctrace *start_creds(struct collector *c)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_CRED_CHANGES);

	return live_start_opts(c, &opts);
}

/* The CRED_CHANGE events of @pid, once its EXIT arrived: exactly one. */
static const struct proctrace_event *the_change(struct proctrace *pt,
						struct collector *c, pid_t pid)
{
	const struct recorded_event *r;

	assert_int_equal(reap(pid), 0);
	assert_non_null(collector_wait(pt, c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
	assert_int_equal(collector_count(c, pid, PROCTRACE_EVENT_CRED_CHANGE), 1);
	r = collector_find(c, pid, PROCTRACE_EVENT_CRED_CHANGE);
	assert_non_null(r);
	assert_int_equal(r->ev.flags, PROCTRACE_EVENT_F_OLD_CREDS);
	return &r->ev;
}

static void test_setresuid(void **state)
{
	struct collector c = { 0 };
	const struct proctrace_event *e;
	uint64_t eff = my_caps("CapEff:"), prm = my_caps("CapPrm:");
	struct proctrace *pt;
	pid_t pid;

	(void)state;
	pt = start_creds(&c);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(setresuid(NOBODY, NOBODY, NOBODY) ? 1 : 0);
	collector_watch(&c, pid);
	e = the_change(pt, &c, pid);
	assert_int_equal(e->pid, pid);
	assert_ids(e, NOBODY, NOBODY, 0);
	assert_int_equal(e->cap_effective, 0);
	assert_int_equal(e->cap_permitted, 0);
	assert_int_equal(e->old_uid, 0);
	assert_int_equal(e->old_euid, 0);
	assert_int_equal(e->old_suid, 0);
	assert_int_equal(e->old_fsuid, 0);
	assert_int_equal(e->old_gid, 0);
	assert_int_equal(e->old_cap_effective, eff);
	assert_int_equal(e->old_cap_permitted, prm);
	proctrace_close(pt);
	collector_free(&c);
}

/* The raw system call: only this thread's credentials change. */
static void *raw_setuid(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)syscall(SYS_setuid, NOBODY);
}

static void test_thread_raw_setuid(void **state)
{
	struct collector c = { 0 };
	const struct proctrace_event *e;
	struct proctrace *pt;
	pid_t pid;

	(void)state;
	pt = start_creds(&c);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pthread_t t;
		void *ret = (void *)1;

		if (pthread_create(&t, NULL, raw_setuid, NULL) || pthread_join(t, &ret))
			_exit(2);
		/* The main thread is still root. */
		_exit(ret == NULL && getuid() == 0 ? 0 : 1);
	}
	collector_watch(&c, pid);
	e = the_change(pt, &c, pid);
	assert_int_equal(e->pid, pid);
	assert_int_equal(e->old_uid, 0);
	assert_ids(e, NOBODY, NOBODY, 0);
	proctrace_close(pt);
	collector_free(&c);
}

/* Off (the default): no change event, and none of its programs loaded. */
static void test_off_loads_nothing(void **state)
{
	struct collector c = { 0 };
	struct bpf_objects before;
	char names[512], want[512], other[512];
	const char *free_prog;
	struct proctrace *pt;
	pid_t pid;

	(void)state;
	memset(&before, 0, sizeof(before));
	assert_int_equal(bpf_objects_of_pid(0, &before), 0);
	pt = live_start(&c, 0);
	assert_int_equal(bpf_new_program_names(&before, names, sizeof(names)), 0);
	/* The compat programs add the one that empties their per-task maps. */
	free_prog = live_compat_runs(pt) ? " proctrace_free" : "";
	snprintf(want, sizeof(want), PT_DEFAULT_PROGRAMS "%s", free_prog);
	assert_string_equal(names, want);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(setresuid(NOBODY, NOBODY, NOBODY) ? 1 : 0);
	collector_watch(&c, pid);
	assert_int_equal(reap(pid), 0);
	assert_non_null(collector_wait(pt, &c, pid, PROCTRACE_EVENT_EXIT, WAIT_MS));
	assert_int_equal(collector_count(&c, pid, PROCTRACE_EVENT_CRED_CHANGE), 0);
	proctrace_close(pt);
	collector_free(&c);

	pt = start_creds(&c);
	assert_int_equal(bpf_new_program_names(&before, names, sizeof(names)), 0);
	/* Two more, in the order libbpf loads them (not the source's). */
	snprintf(want, sizeof(want), PT_DEFAULT_PROGRAMS "%s proctrace_idin proctrace_idout",
		 free_prog);
	snprintf(other, sizeof(other), PT_DEFAULT_PROGRAMS "%s proctrace_idout proctrace_idin",
		 free_prog);
	if (strcmp(names, want) != 0 && strcmp(names, other) != 0)
		fail_msg("programs with the flag on: %s", names);
	proctrace_close(pt);
	collector_free(&c);
	bpf_objects_free(&before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_ordinary_exec),
		T(test_setuid_root),
		T(test_file_caps),
		T(test_setresuid),
		T(test_thread_raw_setuid),
		T(test_off_loads_nothing),
#undef T
	};

	live_prepare();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
