/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bootstrap-cli's formatting: the escaping of hostile strings in both
 * formats byte for byte, the table layout, and the JSON records parsed and
 * compared key by key, with a few golden fragments that pin the exact
 * format.  A field added to fields.c needs no change here: the key set
 * expected of each type comes from that table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fields.h"
#include "format.h"
#include "json-check.h"
#include "json-get.h"
#include "strescape.h"

/* Runs @fn into a memory stream; returns the bytes written (free them). */
#define CAPTURE(out_ptr, expr)                                                \
	do {                                                                  \
		size_t capture_len_;                                          \
		FILE *out = open_memstream(out_ptr, &capture_len_);           \
		assert_non_null(out);                                         \
		expr;                                                         \
		assert_int_equal(fclose(out), 0);                             \
	} while (0)

static void expect_text(const char *in, const char *want)
{
	char *got = NULL;

	CAPTURE(&got, strescape_text(out, in));
	assert_string_equal(got, want);
	free(got);
}

static void expect_json(const char *in, const char *want)
{
	char *got = NULL;

	CAPTURE(&got, strescape_json(out, in));
	assert_string_equal(got, want);
	free(got);
}

static void test_text_plain_and_utf8_pass(void **state)
{
	expect_text("", "");
	expect_text("/usr/bin/ls -l", "/usr/bin/ls -l");
	expect_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7",
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
}

static void test_text_controls_escaped(void **state)
{
	expect_text("a\nb", "a\\x0ab");
	expect_text("\x1b[2J\r\t\x7f", "\\x1b[2J\\x0d\\x09\\x7f");
	expect_text("back\\slash", "back\\\\slash");
	/* U+009B, the one-byte CSI, UTF-8 encoded. */
	expect_text("x\xc2\x9b" "31m", "x\\xc2\\x9b31m");
}

static void test_text_invalid_utf8_escaped(void **state)
{
	expect_text("\xff", "\\xff");
	expect_text("\x80", "\\x80");
	/* Overlong '/', a surrogate, past U+10FFFF, truncated sequences. */
	expect_text("\xc0\xaf", "\\xc0\\xaf");
	expect_text("\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect_text("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	expect_text("\xe2\x82", "\\xe2\\x82");
	expect_text("\xe2\x82z", "\\xe2\\x82z");
	expect_text("\xf0\x9f\x90", "\\xf0\\x9f\\x90");
}

static void test_json_escapes(void **state)
{
	expect_json("plain", "plain");
	expect_json("q\"b\\s/", "q\\\"b\\\\s/");
	expect_json("\b\f\n\r\t", "\\b\\f\\n\\r\\t");
	expect_json("\x01\x1b\x1f\x7f", "\\u0001\\u001b\\u001f\\u007f");
	expect_json("\xc2\x9b", "\\u009b");
	expect_json("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029");
	expect_json("caf\xc3\xa9 \xf0\x9f\x90\xa7", "caf\xc3\xa9 \xf0\x9f\x90\xa7");
}

static void test_json_invalid_utf8_replaced(void **state)
{
	/* One U+FFFD per byte that starts no valid sequence. */
	expect_json("a\xff" "b", "a\xef\xbf\xbd" "b");
	expect_json("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	expect_json("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_json("\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd");
}

static struct proctrace_event exec_event(void)
{
	struct proctrace_event e = {
		.size = sizeof(e),
		.type = PROCTRACE_EVENT_EXEC,
		.pid = 4242,
		.ppid = 1,
		.timestamp_ns = 1700000000123456789ULL,
		.comm = "ls",
		.filename = "/usr/bin/ls",
	};
	return e;
}

static struct proctrace_event exit_event(void)
{
	struct proctrace_event e = {
		.size = sizeof(e),
		.type = PROCTRACE_EVENT_EXIT,
		.pid = 4242,
		.ppid = 1,
		.exit_code = 255,
		.timestamp_ns = 1700000000123456789ULL,
		.duration_ns = 1234999999ULL,
		.comm = "ls",
	};
	return e;
}

static void test_table_layout(void **state)
{
	struct proctrace_event ex = exec_event(), ey = exit_event();
	char *got = NULL;

	CAPTURE(&got, format_table_header(out));
	assert_string_equal(got,
		"TIME     EVENT COMM             PID     PPID    FILENAME/EXIT CODE\n");
	free(got);
	CAPTURE(&got, format_table_event(out, &ex, "12:34:56"));
	assert_string_equal(got,
		"12:34:56 EXEC  ls               4242    1       /usr/bin/ls\n");
	free(got);
	CAPTURE(&got, format_table_event(out, &ey, "12:34:56"));
	assert_string_equal(got,
		"12:34:56 EXIT  ls               4242    1       [255] (1234ms)\n");
	free(got);
}

static void test_table_hostile_row_is_one_line(void **state)
{
	struct proctrace_event e = exec_event();
	char *got = NULL;

	memcpy(e.comm, "a\nb\x1b[0m\xff", 9);
	e.filename = "/tmp/\r\n\x1b]0;owned\x07";
	CAPTURE(&got, format_table_event(out, &e, "00:00:00"));
	assert_string_equal(got,
		"00:00:00 EXEC  a\\x0ab\\x1b[0m\\xff 4242    1       "
		"/tmp/\\x0d\\x0a\\x1b]0;owned\\x07\n");
	free(got);
}

/* ---- JSON, key by key ---- */

struct want {
	const char *key;
	const char *raw;	/* the value as written: 5, true, "x", [...] */
};

/*
 * @line is one valid JSON object whose keys are exactly, in order, the
 * fields.c fields that @e has, and whose values for the keys in @want are
 * as written there.
 */
static void expect_json_record(const char *line, const struct proctrace_event *e,
			       const struct want *want)
{
	size_t len = strlen(line), where, n_keys, i, k = 0;
	const char *err;
	char **keys, *raw;

	assert_true(len > 0 && line[len - 1] == '\n');
	err = json_check(line, len - 1, &where);
	if (err)
		fail_msg("invalid JSON at byte %zu (%s): %s", where, err, line);
	n_keys = json_get_keys(line, len - 1, &keys);
	for (i = 0; i < cli_fields_count; i++) {
		if (!cli_field_present(&cli_fields[i], e))
			continue;
		if (k >= n_keys || strcmp(keys[k], cli_fields[i].key))
			fail_msg("key %zu is '%s', expected '%s': %s", k,
				 k < n_keys ? keys[k] : "(none)", cli_fields[i].key, line);
		k++;
	}
	if (k != n_keys)
		fail_msg("%zu keys, expected %zu: %s", n_keys, k, line);
	for (i = 0; i < n_keys; i++)
		free(keys[i]);
	free(keys);
	for (; want->key; want++) {
		if (json_get_raw(line, len - 1, want->key, &raw) != JSON_GET_STRING)
			fail_msg("no key '%s': %s", want->key, line);
		if (strcmp(raw, want->raw))
			fail_msg("'%s' is %s, expected %s", want->key, raw, want->raw);
		free(raw);
	}
}

/* Golden fragments: exact bytes of parts of a line, where they are. */
static void expect_prefix(const char *line, const char *prefix)
{
	if (strncmp(line, prefix, strlen(prefix)))
		fail_msg("line does not start with %s: %s", prefix, line);
}

static void expect_fragment(const char *line, const char *fragment)
{
	if (!strstr(line, fragment))
		fail_msg("line lacks %s: %s", fragment, line);
}

static void test_json_layout(void **state)
{
	struct proctrace_event ex = exec_event(), ey = exit_event();
	const char *args[] = { "ls", "-l", "a\"b\\\x1b\xff", NULL };
	char *got = NULL;

	ex.filename = "/tmp/\"q\"\n";
	ex.args = args;
	ex.args_count = 3;
	ex.uid = 1000;
	ex.gid = 100;
	ex.ns_pid = 7;
	ex.cgroup_id = 4321;
	ex.flags = PROCTRACE_EVENT_F_ARGS_TRUNCATED;
	CAPTURE(&got, format_json_event(out, &ex));
	expect_json_record(got, &ex, (const struct want[]){
		{ "type", "\"exec\"" }, { "timestamp_ns", "1700000000123456789" },
		{ "pid", "4242" }, { "ppid", "1" }, { "comm", "\"ls\"" },
		{ "uid", "1000" }, { "gid", "100" }, { "ns_pid", "7" },
		{ "cgroup_id", "4321" },
		{ "filename", "\"/tmp/\\\"q\\\"\\n\"" },
		{ "args", "[\"ls\",\"-l\",\"a\\\"b\\\\\\u001b\xef\xbf\xbd\"]" },
		{ "args_truncated", "true" }, { NULL, NULL } });
	/* Golden: the exact bytes of the 0.2 keys, in their sections. */
	expect_prefix(got,
		"{\"type\":\"exec\",\"timestamp_ns\":1700000000123456789,"
		"\"pid\":4242,\"ppid\":1,\"comm\":\"ls\",\"uid\":1000,\"gid\":100,"
		"\"ns_pid\":7,\"cgroup_id\":4321");
	expect_fragment(got,
		",\"filename\":\"/tmp/\\\"q\\\"\\n\","
		"\"args\":[\"ls\",\"-l\",\"a\\\"b\\\\\\u001b\xef\xbf\xbd\"],"
		"\"args_truncated\":true");
	assert_ptr_equal(strchr(got, '\n'), got + strlen(got) - 1);	/* one line */
	free(got);

	CAPTURE(&got, format_json_event(out, &ey));
	expect_json_record(got, &ey, (const struct want[]){
		{ "type", "\"exit\"" }, { "pid", "4242" }, { "uid", "0" },
		{ "exit_code", "255" }, { "signal", "0" }, { "core_dumped", "false" },
		{ "duration_ns", "1234999999" }, { NULL, NULL } });
	expect_fragment(got,
		",\"exit_code\":255,\"signal\":0,\"core_dumped\":false,"
		"\"duration_ns\":1234999999");
	free(got);

	ey.exit_code = 0;
	ey.signal = 11;
	ey.flags = PROCTRACE_EVENT_F_CORE_DUMPED;
	CAPTURE(&got, format_json_event(out, &ey));
	expect_json_record(got, &ey, (const struct want[]){
		{ "exit_code", "0" }, { "signal", "11" }, { "core_dumped", "true" },
		{ NULL, NULL } });
	free(got);

	/* An exec without argument vector still has an (empty) array. */
	ex.args = NULL;
	ex.args_count = 0;
	ex.flags = 0;
	CAPTURE(&got, format_json_event(out, &ex));
	expect_json_record(got, &ex, (const struct want[]){
		{ "args", "[]" }, { "args_truncated", "false" }, { NULL, NULL } });
	free(got);
}

/* An event from an older library: only the fields its size covers. */
static void test_json_older_event(void **state)
{
	struct proctrace_event e = exec_event();
	char *got = NULL;

	e.size = offsetof(struct proctrace_event, filename) + sizeof(e.filename);
	CAPTURE(&got, format_json_event(out, &e));
	expect_json_record(got, &e, (const struct want[]){
		{ "pid", "4242" }, { "filename", "\"/usr/bin/ls\"" }, { NULL, NULL } });
	assert_null(strstr(got, "\"uid\""));
	assert_null(strstr(got, "\"args\""));
	free(got);
}

/* The 0.2 keys of each type are all there, whatever was added since. */
static void test_json_keeps_old_keys(void **state)
{
	static const char *const common[] = {
		"type", "timestamp_ns", "pid", "ppid", "comm", "uid", "gid",
		"ns_pid", "cgroup_id", NULL };
	static const char *const exec_keys[] = { "filename", "args", "args_truncated", NULL };
	static const char *const exit_keys[] = {
		"exit_code", "signal", "core_dumped", "duration_ns", NULL };
	struct proctrace_event ex = exec_event(), ey = exit_event();
	char *a = NULL, *b = NULL, *raw;
	const char *const *k;

	CAPTURE(&a, format_json_event(out, &ex));
	CAPTURE(&b, format_json_event(out, &ey));
	for (k = common; *k; k++) {
		assert_int_equal(json_get_raw(a, strlen(a), *k, &raw), JSON_GET_STRING);
		free(raw);
		assert_int_equal(json_get_raw(b, strlen(b), *k, &raw), JSON_GET_STRING);
		free(raw);
	}
	for (k = exec_keys; *k; k++) {
		assert_int_equal(json_get_raw(a, strlen(a), *k, &raw), JSON_GET_STRING);
		free(raw);
		assert_int_equal(json_get_raw(b, strlen(b), *k, &raw), JSON_GET_ABSENT);
	}
	for (k = exit_keys; *k; k++) {
		assert_int_equal(json_get_raw(b, strlen(b), *k, &raw), JSON_GET_STRING);
		free(raw);
		assert_int_equal(json_get_raw(a, strlen(a), *k, &raw), JSON_GET_ABSENT);
	}
	free(a);
	free(b);
}

static void test_fork_and_lost_records(void **state)
{
	struct proctrace_event e = exit_event();
	char *got = NULL;

	e.type = PROCTRACE_EVENT_FORK;
	e.duration_ns = 0;
	CAPTURE(&got, format_json_event(out, &e));
	expect_json_record(got, &e, (const struct want[]){
		{ "type", "\"fork\"" }, { "pid", "4242" }, { "ppid", "1" },
		{ "comm", "\"ls\"" }, { NULL, NULL } });
	expect_prefix(got,
		"{\"type\":\"fork\",\"timestamp_ns\":1700000000123456789,"
		"\"pid\":4242,\"ppid\":1,\"comm\":\"ls\",\"uid\":0,\"gid\":0,"
		"\"ns_pid\":0,\"cgroup_id\":0");
	free(got);
	CAPTURE(&got, format_table_event(out, &e, "12:34:56"));
	assert_string_equal(got, "12:34:56 FORK  ls               4242    1       \n");
	free(got);
	CAPTURE(&got, format_json_lost(out, 5, 3, 1, 0));
	assert_string_equal(got,
		"{\"type\":\"lost\",\"timestamp_ns\":5,\"count\":4,\"ring_full\":3,"
		"\"other\":1,\"malformed\":0}\n");
	free(got);
}

/*
 * The strings a failed exec may lack are left out of its JSON when NULL,
 * as every string key added since 0.2 is when unknown: cgroup (known only
 * with --snapshot), exec_dirfd_path (only execveat() with an open
 * descriptor).  Named here, not taken from fields.c, so that a wrong row
 * fails.
 */
static void test_json_failed_exec_absent_strings(void **state)
{
	const char *args[] = { "./plain", NULL };
	struct proctrace_event e = exec_event();
	char *got = NULL, *raw;

	e.type = PROCTRACE_EVENT_EXEC_FAILED;
	e.filename = "./plain";
	e.args = args;
	e.args_count = 1;
	e.cwd = "/tmp";
	e.error = 13;
	e.exec_dirfd = -100;	/* AT_FDCWD */
	CAPTURE(&got, format_json_event(out, &e));
	expect_json_record(got, &e, (const struct want[]){
		{ "type", "\"exec_failed\"" }, { "filename", "\"./plain\"" },
		{ "cwd", "\"/tmp\"" }, { "error", "\"EACCES\"" },
		{ "exec_dirfd", "-100" }, { NULL, NULL } });
	assert_int_equal(json_get_raw(got, strlen(got), "cgroup", &raw), JSON_GET_ABSENT);
	assert_int_equal(json_get_raw(got, strlen(got), "exec_dirfd_path", &raw),
			 JSON_GET_ABSENT);
	free(got);

	e.cgroup = "/user.slice";
	e.exec_dirfd = 3;
	e.exec_dirfd_path = "/usr/bin";
	CAPTURE(&got, format_json_event(out, &e));
	expect_json_record(got, &e, (const struct want[]){
		{ "cgroup", "\"/user.slice\"" }, { "exec_dirfd", "3" },
		{ "exec_dirfd_path", "\"/usr/bin\"" }, { NULL, NULL } });
	free(got);
}

/* Killed by a signal: its name in brackets, never a bare exit code. */
static void test_table_signals(void **state)
{
	struct proctrace_event e = exit_event();
	char *got = NULL;

	e.exit_code = 0;
	e.signal = 9;
	CAPTURE(&got, format_table_event(out, &e, "12:34:56"));
	assert_string_equal(got,
		"12:34:56 EXIT  ls               4242    1       [SIGKILL] (1234ms)\n");
	free(got);
	e.signal = 11;
	e.flags = PROCTRACE_EVENT_F_CORE_DUMPED;
	CAPTURE(&got, format_table_event(out, &e, "12:34:56"));
	assert_non_null(strstr(got, " [SIGSEGV] (core dumped) (1234ms)\n"));
	free(got);
	e.flags = 0;
	e.signal = 36;
	CAPTURE(&got, format_table_event(out, &e, "12:34:56"));
	assert_non_null(strstr(got, " [SIGRTMIN+2] "));
	free(got);
	e.signal = 99;
	CAPTURE(&got, format_table_event(out, &e, "12:34:56"));
	assert_non_null(strstr(got, " [SIG99] "));
	free(got);
	e.signal = 0;
	e.exit_code = 3;
	CAPTURE(&got, format_table_event(out, &e, "12:34:56"));
	assert_non_null(strstr(got, " [3] (1234ms)\n"));
	free(got);
	/* prctl(PR_SET_NAME, "") gives a process an empty comm. */
	e.comm[0] = '\0';
	CAPTURE(&got, format_table_event(out, &e, "12:34:56"));
	assert_string_equal(got,
		"12:34:56 EXIT                   4242    1       [3] (1234ms)\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_plain_and_utf8_pass),
		cmocka_unit_test(test_text_controls_escaped),
		cmocka_unit_test(test_text_invalid_utf8_escaped),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_invalid_utf8_replaced),
		cmocka_unit_test(test_table_layout),
		cmocka_unit_test(test_table_hostile_row_is_one_line),
		cmocka_unit_test(test_json_layout),
		cmocka_unit_test(test_json_older_event),
		cmocka_unit_test(test_json_keeps_old_keys),
		cmocka_unit_test(test_fork_and_lost_records),
		cmocka_unit_test(test_json_failed_exec_absent_strings),
		cmocka_unit_test(test_table_signals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
