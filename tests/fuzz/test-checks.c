/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fuzz harness is only as good as its checks: each checker here meets
 * documents known to be good and known to be bad, so that a checker that
 * accepts everything (or nothing) fails this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json-check.h"
#include "json-get.h"
#include "output-check.h"
#include "utf8-check.h"

struct doc {
	const char *s;
	size_t len;
};

/* The length comes from the literal, so documents may hold NUL bytes. */
#define DOC(lit) { lit, sizeof(lit) - 1 }

static const struct doc json_good[] = {
	DOC("{}"), DOC("[]"), DOC("0"), DOC("-0"), DOC("1"), DOC("-12.5e+10"),
	DOC("1E3"), DOC("0.0e-0"), DOC("123456789012345678901234567890"),
	DOC("\"\""), DOC("true"), DOC("false"), DOC("null"),
	DOC(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n"),
	DOC("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""),
	DOC("\"\\u0000\\u001f\\u00e9\\u00E9\\u2028\""),
	DOC("\"\\ud83d\\ude00\""),                 /* escaped surrogate pair */
	DOC("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""), /* é € U+1F600 raw */
	DOC("\"\xef\xbf\xbd\""),                   /* U+FFFD */
	DOC("\"\xf4\x8f\xbf\xbf\""),               /* U+10FFFF */
	DOC("\"\x7f\""),                           /* DEL need not be escaped */
	DOC("\"\xc2\x9b\""),                       /* nor C1: valid JSON */
	DOC("[[[[[[[[[[]]]]]]]]]]"),
	DOC("{\"a\":1,\"A\":2,\"a \":3}"),
	DOC("{\"type\":\"exec\",\"args\":[\"a\",\"\"],\"args_truncated\":false}"),
};

static const struct doc json_bad[] = {
	DOC(""), DOC(" "), DOC("{"), DOC("}"), DOC("["), DOC("[1,]"), DOC("[,1]"),
	DOC("{\"a\":1,}"), DOC("{\"a\"}"), DOC("{\"a\" 1}"), DOC("{a:1}"),
	DOC("{1:2}"), DOC("{'a':1}"), DOC("'a'"), DOC("\"abc"), DOC("\"a\"\"b\""),
	DOC("01"), DOC("-"), DOC("1."), DOC(".5"), DOC("+1"), DOC("1e"), DOC("1e+"),
	DOC("0x10"), DOC("NaN"), DOC("Infinity"), DOC("-Infinity"), DOC("True"),
	DOC("nul"), DOC("nulll"), DOC("true false"), DOC("{}x"), DOC("{}{}"),
	DOC("[1 2]"), DOC("\"\\x41\""), DOC("\"\\'\""), DOC("\"\\u12\""),
	DOC("\"\\u12g4\""), DOC("\"\\U0041\""), DOC("\"\\\""),
	DOC("\"a\nb\""), DOC("\"a\tb\""), DOC("\"a\x1b[31mb\""), DOC("\"\x01\""),
	DOC("\"\x00\""), DOC("{}\x00"), DOC("\x00{}"), DOC("\v{}"), DOC("\f{}"),
	DOC("\xef\xbb\xbf{}"),                     /* byte order mark */
	DOC("\"\xff\""), DOC("\"\xc3\""), DOC("\"\x80\""), DOC("\"\xc0\xaf\""),
	DOC("\"\xe0\x80\xaf\""), DOC("\"\xf0\x80\x80\xaf\""), /* overlong '/' */
	DOC("\"\xed\xa0\x80\""),                   /* surrogate D800 encoded */
	DOC("\"\xed\xbf\xbf\""),                   /* surrogate DFFF encoded */
	DOC("\"\xf4\x90\x80\x80\""),               /* U+110000 */
	DOC("\"\xf8\x88\x80\x80\x80\""), DOC("\"\xe2\x82\""),
	DOC("\"\\ud800\""), DOC("\"\\udc00\""), DOC("\"\\ud800\\u0041\""),
	DOC("\"\\udc00\\ud800\""), DOC("\"\\ud800x\""),
	DOC("{\"a\":1,\"a\":2}"), DOC("{\"x\":{\"b\":[],\"b\":null}}"),
};

static void test_json_good(void **state)
{
	size_t i, where;
	const char *msg;

	(void)state;
	for (i = 0; i < sizeof(json_good) / sizeof(json_good[0]); i++) {
		msg = json_check(json_good[i].s, json_good[i].len, &where);
		if (msg)
			fail_msg("good document %zu rejected: %s at %zu", i, msg, where);
	}
}

static void test_json_bad(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(json_bad) / sizeof(json_bad[0]); i++) {
		if (!json_check(json_bad[i].s, json_bad[i].len, NULL))
			fail_msg("bad document %zu accepted", i);
	}
}

static void test_json_depth(void **state)
{
	char doc[2 * (JSON_CHECK_MAX_DEPTH + 1)];
	size_t d;

	(void)state;
	for (d = JSON_CHECK_MAX_DEPTH; d <= JSON_CHECK_MAX_DEPTH + 1; d++) {
		memset(doc, '[', d);
		memset(doc + d, ']', d);
		if (d == JSON_CHECK_MAX_DEPTH)
			assert_null(json_check(doc, 2 * d, NULL));
		else
			assert_string_equal(json_check(doc, 2 * d, NULL), "nested too deeply");
	}
}

static void test_json_messages(void **state)
{
	size_t where;

	(void)state;
	assert_string_equal(json_check("{\"a\":1,\"a\":2}", 13, &where),
			    "duplicate member name in an object");
	assert_int_equal(where, 8);
	assert_string_equal(json_check("[1,]", 4, &where), "expected a value");
	assert_int_equal(where, 3);
	assert_string_equal(json_check("\"\xc0\xaf\"", 4, &where), "invalid UTF-8 in a string");
	assert_int_equal(where, 1);
}

static void test_utf8(void **state)
{
	static const struct doc good[] = {
		DOC(""), DOC("abc"), DOC("\xc2\x80"), DOC("\xdf\xbf"), DOC("\xe0\xa0\x80"),
		DOC("\xed\x9f\xbf"), DOC("\xee\x80\x80"), DOC("\xef\xbf\xbf"),
		DOC("\xf0\x90\x80\x80"), DOC("\xf4\x8f\xbf\xbf"), DOC("\x00"),
	};
	static const struct doc bad[] = {
		DOC("\x80"), DOC("\xbf"), DOC("\xc0\x80"), DOC("\xc1\xbf"), DOC("\xc2"),
		DOC("\xc2\x41"), DOC("\xe0\x9f\xbf"), DOC("\xed\xa0\x80"), DOC("\xe1\x80"),
		DOC("\xf0\x8f\xbf\xbf"), DOC("\xf4\x90\x80\x80"), DOC("\xf5\x80\x80\x80"),
		DOC("\xfe"), DOC("\xff"), DOC("a\xe2\x82"),
	};
	uint32_t cp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!utf8_valid((const unsigned char *)good[i].s, good[i].len))
			fail_msg("valid UTF-8 %zu rejected", i);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (utf8_valid((const unsigned char *)bad[i].s, bad[i].len))
			fail_msg("invalid UTF-8 %zu accepted", i);
	assert_int_equal(utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_decode((const unsigned char *)"\xe2\x80\xa8", 3, &cp), 3);
	assert_int_equal(cp, 0x2028);
}

static void test_json_line(void **state)
{
	static const struct doc good[] = {
		DOC("{}\n"), DOC("{\"comm\":\"\\u001b[31m\\u009b\"}\n"),
		DOC("{\"a\":\"\xc3\xa9\"}\n"),
	};
	static const struct doc bad[] = {
		DOC(""), DOC("{}"), DOC("{}\n\n"), DOC("{\n}\n"), DOC("{}\r\n"),
		DOC("[]\n"), DOC("1\n"), DOC("{\"a\":\"\x7f\"}\n"),
		DOC("{\"a\":\"\xc2\x9b\"}\n"), DOC("{\"a\":\"\xe2\x80\xa8\"}\n"),
		DOC("{\"a\":\"\xe2\x80\xa9\"}\n"), DOC("{\"a\":\"\xff\"}\n"),
		DOC("{\"a\":\"\x1b\"}\n"), DOC("{\"a\":1,}\n"),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (check_json_line(good[i].s, good[i].len, NULL))
			fail_msg("good JSON line %zu rejected", i);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!check_json_line(bad[i].s, bad[i].len, NULL))
			fail_msg("bad JSON line %zu accepted", i);
}

static void test_table_line(void **state)
{
	static const struct doc good[] = {
		DOC("\n"), DOC("12:00:00 EXEC  sh  1  2  /bin/sh \\x1b[31m\n"),
		DOC("caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x98\x80 \\xc2\\x9b\n"),
	};
	static const struct doc bad[] = {
		DOC(""), DOC("a"), DOC("a\nb\n"), DOC("a\n\n"), DOC("\x1b[31m\n"),
		DOC("a\rb\n"), DOC("a\tb\n"), DOC("a\x00\n"), DOC("a\x7f\n"),
		DOC("a\xc2\x9b\n"), DOC("a\xc2\x80\n"), DOC("a\xc2\x9f\n"), DOC("a\x9b\n"),
		DOC("a\xff\n"), DOC("a\xc0\xaf\n"), DOC("a\xed\xa0\x80\n"), DOC("a\xe2\x82\n"),
	};
	size_t i, where;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (check_table_line(good[i].s, good[i].len, NULL))
			fail_msg("good table line %zu rejected", i);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!check_table_line(bad[i].s, bad[i].len, NULL))
			fail_msg("bad table line %zu accepted", i);
	assert_string_equal(check_table_line("ab\xc2\x9b\n", 5, &where), "raw C1 control character");
	assert_int_equal(where, 2);
}

static void test_json_get(void **state)
{
	static const char doc[] =
		" { \"a\" : 1, \"o\":{\"z\":\"no\",\"q\":[\"]\"]},"
		"\"s\":\"x\\\"y\\/\\u00e9\\ud83d\\ude00\\n\\t\xc3\xa9\","
		"\"arr\":[\"p\",\"\", 7 ,\"q\\u0000r\"],\"e\":[ ],\"t\":true}";
	const size_t len = sizeof(doc) - 1;
	char *out, **items;
	size_t out_len, *lens, count;

	(void)state;
	assert_null(json_check(doc, len, NULL));
	assert_int_equal(json_get_string(doc, len, "s", &out, &out_len), JSON_GET_STRING);
	assert_int_equal(out_len, 14);
	assert_memory_equal(out, "x\"y/\xc3\xa9\xf0\x9f\x98\x80\n\t\xc3\xa9", 14);
	free(out);

	assert_int_equal(json_get_array(doc, len, "arr", &items, &lens, &count), JSON_GET_STRING);
	assert_int_equal(count, 4);
	assert_int_equal(lens[0], 1);
	assert_memory_equal(items[0], "p", 1);
	assert_int_equal(lens[1], 0);
	assert_non_null(items[1]);
	assert_null(items[2]); /* 7 is not a string */
	assert_int_equal(lens[3], 3);
	assert_memory_equal(items[3], "q\0r", 3);
	json_free_array(items, lens, count);

	assert_int_equal(json_get_array(doc, len, "e", &items, &lens, &count), JSON_GET_STRING);
	assert_int_equal(count, 0);
	json_free_array(items, lens, count);

	assert_int_equal(json_get_string(doc, len, "a", &out, &out_len), JSON_GET_NOT_STRING);
	assert_int_equal(json_get_string(doc, len, "arr", &out, &out_len), JSON_GET_NOT_STRING);
	assert_int_equal(json_get_array(doc, len, "s", &items, &lens, &count), JSON_GET_NOT_STRING);
	assert_int_equal(json_get_string(doc, len, "t", &out, &out_len), JSON_GET_NOT_STRING);
	assert_int_equal(json_get_string(doc, len, "missing", &out, &out_len), JSON_GET_ABSENT);
	/* Members of nested objects are not top-level members. */
	assert_int_equal(json_get_string(doc, len, "z", &out, &out_len), JSON_GET_ABSENT);
	assert_int_equal(json_get_array(doc, len, "q", &items, &lens, &count), JSON_GET_ABSENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_good),
		cmocka_unit_test(test_json_bad),
		cmocka_unit_test(test_json_depth),
		cmocka_unit_test(test_json_messages),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_table_line),
		cmocka_unit_test(test_json_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
