/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests (fake backend, no privileges) of failed exec attempts and the
 * working directory: the errno set handed to the kernel side for each
 * form of opts.exec_failed_errnos, the refusals, and the decoding of
 * EXEC_FAILED records and of the working directory in EXEC records,
 * including malformed ones.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <proctrace/proctrace.h>

#include "fake-backend.h"
#include "proctrace_wire.h"

static char last_log[1024];
static int log_count;

static void capture_log(enum proctrace_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (level != PROCTRACE_LOG_WARN)
		return;
	log_count++;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

#define MAX_EVENTS 8

static struct {
	int count;
	struct proctrace_event ev[MAX_EVENTS];
	char filename[MAX_EVENTS][256];
	char cwd[MAX_EVENTS][PT_WIRE_PATH_MAX];
	bool has_cwd[MAX_EVENTS];
	char args[MAX_EVENTS][256];
	char dirfd_path[MAX_EVENTS][256];
} got;

static int capture_event(const struct proctrace_event *e, void *ctx)
{
	int i = got.count++;
	uint32_t k;

	(void)ctx;
	if (i >= MAX_EVENTS)
		return 0;
	got.ev[i] = *e;
	snprintf(got.filename[i], sizeof(got.filename[i]), "%s",
		 e->filename ? e->filename : "(null)");
	got.has_cwd[i] = e->cwd != NULL;
	snprintf(got.dirfd_path[i], sizeof(got.dirfd_path[i]), "%s",
		 e->exec_dirfd_path ? e->exec_dirfd_path : "(null)");
	snprintf(got.cwd[i], sizeof(got.cwd[i]), "%s", e->cwd ? e->cwd : "");
	for (k = 0; k < e->args_count; k++)
		snprintf(got.args[i] + strlen(got.args[i]),
			 sizeof(got.args[i]) - strlen(got.args[i]), "%s%s",
			 k ? "|" : "", e->args[k]);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fake_backend_reset();
	memset(&got, 0, sizeof(got));
	log_count = 0;
	last_log[0] = '\0';
	proctrace_set_log(capture_log, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	proctrace_set_log(proctrace_log_stderr, NULL);
	return 0;
}

static bool bit(const struct pt_backend_params *p, int e)
{
	return p->exec_failed_errnos[e / 64] & (1ull << (e % 64));
}

/* Opens and starts with @opts; the params the backend got are in fake. */
static struct proctrace *start_with(const struct proctrace_opts *opts)
{
	struct proctrace *pt = proctrace_open(capture_event, NULL, opts);

	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), 0);
	return pt;
}

static void test_off_by_default(void **state)
{
	PROCTRACE_OPTS(opts);
	struct proctrace *pt = start_with(&opts);
	int i;

	(void)state;
	assert_false(fake.last_params.flags & PROCTRACE_OPT_EXEC_FAILED);
	for (i = 0; i < 3; i++)
		assert_int_equal(fake.last_params.exec_failed_errnos[i], 0);
	assert_false(fake.last_params.exec_failed_other_errnos);
	proctrace_close(pt);
}

static void test_every_errno(void **state)
{
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_EXEC_FAILED);
	struct proctrace *pt = start_with(&opts);

	(void)state;
	assert_true(bit(&fake.last_params, ENOENT));
	assert_true(bit(&fake.last_params, EACCES));
	assert_true(bit(&fake.last_params, 191));
	assert_true(fake.last_params.exec_failed_other_errnos);
	proctrace_close(pt);
}

static void test_chosen_set(void **state)
{
	static const int32_t set[] = { EACCES, EPERM, ENOEXEC, 0 };
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_EXEC_FAILED,
		       .exec_failed_errnos = set);
	struct proctrace *pt = start_with(&opts);
	int e, n = 0;

	(void)state;
	for (e = 0; e < 192; e++)
		n += bit(&fake.last_params, e);
	assert_int_equal(n, 3);
	assert_true(bit(&fake.last_params, EACCES));
	assert_true(bit(&fake.last_params, EPERM));
	assert_true(bit(&fake.last_params, ENOEXEC));
	assert_false(bit(&fake.last_params, ENOENT));
	assert_false(fake.last_params.exec_failed_other_errnos);
	proctrace_close(pt);
}

static void test_all_but_enoent(void **state)
{
	static const int32_t enoent[] = { ENOENT, 0 };
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_EXEC_FAILED |
				      PROCTRACE_OPT_EXEC_FAILED_EXCEPT,
		       .exec_failed_errnos = enoent);
	struct proctrace *pt = start_with(&opts);
	int e, n = 0;

	(void)state;
	for (e = 0; e < 192; e++)
		n += bit(&fake.last_params, e);
	/* every errno 1..191 but ENOENT; 0 is no failure */
	assert_int_equal(n, 190);
	assert_false(bit(&fake.last_params, 0));
	assert_false(bit(&fake.last_params, ENOENT));
	assert_true(bit(&fake.last_params, EACCES));
	assert_true(fake.last_params.exec_failed_other_errnos);
	proctrace_close(pt);
}

static void expect_refused(const struct proctrace_opts *opts, const char *needle)
{
	log_count = 0;
	errno = 0;
	assert_null(proctrace_open(capture_event, NULL, opts));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(log_count, 1);
	if (!strstr(last_log, needle))
		fail_msg("log message '%s' lacks '%s'", last_log, needle);
}

static void test_refusals(void **state)
{
	static const int32_t enoent[] = { ENOENT, 0 };
	static const int32_t empty[] = { 0 };
	static const int32_t negative[] = { EACCES, -2, 0 };
	static const int32_t huge[] = { 4096, 0 };
	static const int32_t large[] = { 200, 0 };
	PROCTRACE_OPTS(list_without_flag, .exec_failed_errnos = enoent);
	PROCTRACE_OPTS(except_without_flag, .flags = PROCTRACE_OPT_EXEC_FAILED_EXCEPT);
	PROCTRACE_OPTS(except_without_list, .flags = PROCTRACE_OPT_EXEC_FAILED |
						     PROCTRACE_OPT_EXEC_FAILED_EXCEPT);
	PROCTRACE_OPTS(empty_list, .flags = PROCTRACE_OPT_EXEC_FAILED,
		       .exec_failed_errnos = empty);
	PROCTRACE_OPTS(bad_value, .flags = PROCTRACE_OPT_EXEC_FAILED,
		       .exec_failed_errnos = negative);
	PROCTRACE_OPTS(too_large, .flags = PROCTRACE_OPT_EXEC_FAILED,
		       .exec_failed_errnos = huge);
	PROCTRACE_OPTS(past_the_set, .flags = PROCTRACE_OPT_EXEC_FAILED,
		       .exec_failed_errnos = large);
	PROCTRACE_OPTS(past_the_set_except, .flags = PROCTRACE_OPT_EXEC_FAILED |
						     PROCTRACE_OPT_EXEC_FAILED_EXCEPT,
		       .exec_failed_errnos = large);
	struct proctrace *pt;

	(void)state;
	expect_refused(&list_without_flag, "without PROCTRACE_OPT_EXEC_FAILED");
	expect_refused(&except_without_flag, "without PROCTRACE_OPT_EXEC_FAILED");
	expect_refused(&except_without_list, "needs opts.exec_failed_errnos");
	expect_refused(&empty_list, "is empty");
	expect_refused(&bad_value, "opts.exec_failed_errnos[1] is -2");
	expect_refused(&too_large, "opts.exec_failed_errnos[0] is 4096");
	expect_refused(&past_the_set, "errno of 192 or more");
	/* "Every errno but 200" is fine: the others above 191 are reported. */
	pt = start_with(&past_the_set_except);
	assert_false(fake.last_params.exec_failed_other_errnos);
	assert_true(bit(&fake.last_params, 191));
	proctrace_close(pt);
}

/* Appends @path (with its NUL) to the record of @size bytes at @buf. */
static size_t add_dirfd_path(unsigned char *buf, size_t size, const char *path)
{
	struct pt_wire_event *w = (struct pt_wire_event *)buf;

	w->len[PT_WIRE_STR_DIRFD_PATH] = (uint32_t)strlen(path) + 1;
	memcpy(buf + size, path, w->len[PT_WIRE_STR_DIRFD_PATH]);
	return size + w->len[PT_WIRE_STR_DIRFD_PATH];
}

/* A record of @type: header, filename, args (with their NULs), cwd. */
static size_t make_record(unsigned char *buf, uint16_t type, const char *filename,
			  const char *args, size_t args_len, const char *cwd)
{
	struct pt_wire_event w;
	size_t flen = strlen(filename) + 1, clen = cwd ? strlen(cwd) + 1 : 0;

	memset(&w, 0, sizeof(w));
	w.type = type;
	w.pid = 42;
	w.ppid = 1;
	w.ts_boot_ns = 2000;
	w.start_boot_ns = 1000;
	memcpy(w.comm, "sh", 2);
	w.len[PT_WIRE_STR_FILENAME] = (uint16_t)flen;
	w.len[PT_WIRE_STR_ARGS] = (uint16_t)args_len;
	w.len[PT_WIRE_STR_CWD] = (uint32_t)clen;
	memcpy(buf, &w, sizeof(w));
	memcpy(buf + sizeof(w), filename, flen);
	memcpy(buf + sizeof(w) + flen, args, args_len);
	if (cwd)
		memcpy(buf + sizeof(w) + flen + args_len, cwd, clen);
	return sizeof(w) + flen + args_len + clen;
}

static void test_decode_exec_failed(void **state)
{
	unsigned char buf[sizeof(struct pt_wire_event) + 256];
	struct pt_wire_event *w = (struct pt_wire_event *)buf;
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_EXEC_FAILED);
	struct proctrace *pt = start_with(&opts);
	size_t size;

	(void)state;
	size = make_record(buf, PT_WIRE_EXEC_FAILED, "/usr/local/bin/cc",
			   "cc\0-c\0x.c\0", 10, "/home/u/my dir\nx");
	w->error = ENOENT;
	fake_backend_queue(buf, size);
	/* execveat(3, "", AT_EMPTY_PATH), 32-bit, cut filename and cwd */
	size = make_record(buf, PT_WIRE_EXEC_FAILED, "", "a\0b", 3, "/deep");
	w->error = EACCES;
	w->flags = PT_WIRE_F_EXECVEAT | PT_WIRE_F_COMPAT | PT_WIRE_F_ARGS_TRUNCATED |
		   PT_WIRE_F_FILENAME_TRUNCATED | PT_WIRE_F_CWD_TRUNCATED |
		   PT_WIRE_F_CWD_DELETED | PT_WIRE_F_CWD_UNREACHABLE |
		   PT_WIRE_F_ARGS_UNREADABLE;
	w->dirfd = 3;
	w->at_flags = 0x1000;
	size = add_dirfd_path(buf, size, "/srv/the file");
	fake_backend_queue(buf, size);

	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_int_equal(got.ev[0].type, PROCTRACE_EVENT_EXEC_FAILED);
	assert_int_equal(got.ev[0].error, ENOENT);
	assert_int_equal(got.ev[0].pid, 42);
	assert_string_equal(got.filename[0], "/usr/local/bin/cc");
	assert_string_equal(got.args[0], "cc|-c|x.c");
	assert_true(got.has_cwd[0]);
	assert_string_equal(got.cwd[0], "/home/u/my dir\nx");
	assert_int_equal(got.ev[0].exec_dirfd, -100);
	assert_int_equal(got.ev[0].exec_at_flags, 0);
	assert_int_equal(got.ev[0].flags, 0);
	assert_int_equal(got.ev[0].exit_code, 0);
	assert_int_equal(got.ev[0].duration_ns, 0);

	assert_int_equal(got.ev[1].error, EACCES);
	assert_string_equal(got.filename[1], "");
	assert_string_equal(got.args[1], "a|b");
	assert_int_equal(got.ev[1].exec_dirfd, 3);
	assert_int_equal(got.ev[1].exec_at_flags, 0x1000);
	assert_string_equal(got.dirfd_path[1], "/srv/the file");
	assert_string_equal(got.dirfd_path[0], "(null)");
	assert_int_equal(got.ev[1].flags,
			 PROCTRACE_EVENT_F_COMPAT | PROCTRACE_EVENT_F_ARGS_TRUNCATED |
			 PROCTRACE_EVENT_F_FILENAME_TRUNCATED |
			 PROCTRACE_EVENT_F_CWD_TRUNCATED | PROCTRACE_EVENT_F_CWD_DELETED |
			 PROCTRACE_EVENT_F_CWD_UNREACHABLE | PROCTRACE_EVENT_F_ARGS_UNREADABLE);
	assert_int_equal(log_count, 0);
	proctrace_close(pt);
}

static void test_decode_exec_cwd(void **state)
{
	unsigned char buf[sizeof(struct pt_wire_event) + 256];
	PROCTRACE_OPTS(opts);
	struct proctrace *pt = start_with(&opts);
	size_t size;

	(void)state;
	size = make_record(buf, PT_WIRE_EXEC, "./prog", "./prog\0", 7, "/srv/a b");
	fake_backend_queue(buf, size);
	/* no working directory in the record: NULL, not "" */
	size = make_record(buf, PT_WIRE_EXEC, "./prog", "./prog\0", 7, NULL);
	fake_backend_queue(buf, size);
	assert_int_equal(proctrace_poll(pt, 0), 2);
	assert_int_equal(got.ev[0].type, PROCTRACE_EVENT_EXEC);
	assert_string_equal(got.cwd[0], "/srv/a b");
	assert_int_equal(got.ev[0].error, 0);
	assert_int_equal(got.ev[0].exec_dirfd, -100);
	assert_false(got.has_cwd[1]);
	proctrace_close(pt);
}

static void test_decode_malformed(void **state)
{
	unsigned char buf[sizeof(struct pt_wire_event) + 256];
	struct pt_wire_event *w = (struct pt_wire_event *)buf;
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_EXEC_FAILED);
	struct proctrace *pt = start_with(&opts);
	struct proctrace_stats st = { .sz = sizeof(st) };
	size_t size;

	(void)state;
	/* cwd without its NUL */
	size = make_record(buf, PT_WIRE_EXEC_FAILED, "/x", "", 0, "/tmp");
	w->error = ENOENT;
	buf[size - 1] = 'p';
	fake_backend_queue(buf, size);
	/* cwd longer than the record */
	size = make_record(buf, PT_WIRE_EXEC_FAILED, "/x", "", 0, "/tmp");
	w->error = ENOENT;
	w->len[PT_WIRE_STR_CWD] = 9;
	fake_backend_queue(buf, size);
	/* cwd longer than PATH_MAX */
	size = make_record(buf, PT_WIRE_EXEC, "/x", "", 0, "/tmp");
	w->len[PT_WIRE_STR_CWD] = PT_WIRE_PATH_MAX + 1;
	fake_backend_queue(buf, size);
	/* descriptor's path without its NUL, or past the record */
	size = make_record(buf, PT_WIRE_EXEC_FAILED, "", "", 0, "/tmp");
	w->error = EACCES;
	size = add_dirfd_path(buf, size, "/x");
	buf[size - 1] = 'x';
	fake_backend_queue(buf, size);
	w->len[PT_WIRE_STR_DIRFD_PATH] = 4;
	fake_backend_queue(buf, size);
	/* no errno, or one past MAX_ERRNO */
	size = make_record(buf, PT_WIRE_EXEC_FAILED, "/x", "", 0, "/tmp");
	fake_backend_queue(buf, size);
	w->error = 4096;
	fake_backend_queue(buf, size);
	/* and a good one, which still arrives */
	w->error = 4095;
	fake_backend_queue(buf, size);

	assert_int_equal(proctrace_poll(pt, 0), 1);
	assert_int_equal(got.count, 1);
	assert_int_equal(got.ev[0].error, 4095);
	assert_int_equal(proctrace_stats(pt, &st), 0);
	assert_int_equal(st.lost_malformed, 7);
	proctrace_close(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_off_by_default),
		T(test_every_errno),
		T(test_chosen_set),
		T(test_all_but_enoent),
		T(test_refusals),
		T(test_decode_exec_failed),
		T(test_decode_exec_cwd),
		T(test_decode_malformed),
#undef T
	};

	return cmocka_run_group_tests_name("exec-failed", tests, NULL, NULL);
}
