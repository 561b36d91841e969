/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every per-process field of the list (bpf/proctrace_fields.h) arrives
 * everywhere it is copied: a record of each type, with every listed field
 * set to a value no other field has, goes through the fake backend; each
 * field must come out in the event, in the process table's lookup and on
 * EXIT, and as its key in bootstrap-cli's JSON.  The test expands from
 * the list, so a field added there is checked without a line here; a copy
 * dropped (or two swapped) anywhere fails it.  No privileges needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <proctrace/proctrace.h>

#include "fake-backend.h"
#include "format.h"
#include "internal.h"
#include "json-get.h"
#include "proctrace_wire.h"

/* The value of the list's field number @k: distinct, and valid for its kind. */
static uint64_t copy_value(unsigned int k)
{
	return 1000003u + 7919u * k;
}

static uint64_t boot_value(unsigned int k)
{
	return 5000000000000ULL + 1000000007ULL * k;
}

static void text_value(unsigned int k, char *out, size_t size)
{
	snprintf(out, size, "f%u-%c", k, 'a' + (int)k);
}

/* Writes field @k's value into a wire member of @size bytes. */
static void put_int(void *member, size_t size, uint64_t v)
{
	uint32_t v32 = (uint32_t)v;

	assert_true(size == 4 || size == 8);
	if (size == 4)
		memcpy(member, &v32, 4);
	else
		memcpy(member, &v, 8);
}

static uint64_t get_int(const void *member, size_t size)
{
	uint32_t v32;
	uint64_t v;

	assert_true(size == 4 || size == 8);
	if (size == 8) {
		memcpy(&v, member, 8);
		return v;
	}
	memcpy(&v32, member, 4);
	return v32;
}

#define FILL_COPY(member, k) put_int(&(member), sizeof(member), copy_value(k))
#define FILL_BOOT(member, k) put_int(&(member), sizeof(member), boot_value(k))
#define FILL_TEXT(member, k) text_value((k), (member), sizeof(member))
#define FILL(name, wire, wire_type, type, on, since, decode, ...)             \
	FILL_##decode(w->wire, k);                                            \
	k++;

static void fill_wire(struct pt_wire_event *w)
{
	unsigned int k = 0;

	PT_PROCESS_FIELDS(FILL)
}

/* The wall-clock offset the library applied, the same for every BOOT field. */
static int64_t offset;
static bool offset_known;

static void check_boot(const char *name, uint64_t got, unsigned int k)
{
	int64_t o = (int64_t)(got - boot_value(k));

	if (!offset_known) {
		struct timespec rt, bt;

		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_BOOTTIME, &bt);
		offset = o;
		offset_known = true;
		/* Within a second of the clocks' difference now. */
		if (llabs(o - ((int64_t)(rt.tv_sec - bt.tv_sec) * 1000000000LL +
			       (rt.tv_nsec - bt.tv_nsec))) > 1000000000LL)
			fail_msg("%s: %llu is not boot time %llu made wall-clock time", name,
				 (unsigned long long)got, (unsigned long long)boot_value(k));
	}
	if (o != offset)
		fail_msg("%s: %llu, expected %llu", name, (unsigned long long)got,
			 (unsigned long long)(boot_value(k) + (uint64_t)offset));
}

static void check_text(const char *name, const char *got, unsigned int k)
{
	char want[64];

	text_value(k, want, sizeof(want));
	if (strcmp(got, want))
		fail_msg("%s: \"%s\", expected \"%s\"", name, got, want);
}

static void check_copy(const char *name, uint64_t got, unsigned int k)
{
	if (got != copy_value(k))
		fail_msg("%s: %llu, expected %llu", name, (unsigned long long)got,
			 (unsigned long long)copy_value(k));
}

#define CHECK_COPY(name, member, k) check_copy(name, get_int(&(member), sizeof(member)), k)
#define CHECK_BOOT(name, member, k) check_boot(name, get_int(&(member), sizeof(member)), k)
#define CHECK_TEXT(name, member, k) check_text(name, (member), k)
#define CHECK(name, wire, wire_type, type, on, since, decode, ...)            \
	CHECK_##decode(#name, ev->name, k);                                   \
	k++;

static void check_event(const struct proctrace_event *ev)
{
	unsigned int k = 0;

	PT_PROCESS_FIELDS(CHECK)
}

/* The same values as bootstrap-cli's JSON keys. */
static void check_json_value(const char *doc, const char *key, const char *want)
{
	char *got = NULL;

	if (json_get_raw(doc, strlen(doc), key, &got) != JSON_GET_STRING)
		fail_msg("bootstrap-cli's JSON has no \"%s\": %s", key, doc);
	if (strcmp(got, want))
		fail_msg("bootstrap-cli's JSON \"%s\": %s, expected %s", key, got, want);
	free(got);
}

#define JSON_COPY(name, member, k)                                            \
	snprintf(want, sizeof(want), "%lld",                                  \
		 (long long)(__typeof__(member))copy_value(k))
#define JSON_BOOT(name, member, k)                                            \
	snprintf(want, sizeof(want), "%llu",                                  \
		 (unsigned long long)(boot_value(k) + (uint64_t)offset))
#define JSON_TEXT(name, member, k)                                            \
	do {                                                                  \
		want[0] = '"';                                                \
		text_value(k, want + 1, sizeof(want) - 2);                    \
		strcat(want, "\"");                                           \
	} while (0)
#define CHECK_JSON(name, wire, wire_type, type, on, since, decode, ...)       \
	JSON_##decode(#name, ev->name, k);                                    \
	check_json_value(doc, #name, want);                                   \
	k++;

static void check_json(const struct proctrace_event *ev)
{
	char want[64], *doc = NULL;
	size_t len = 0;
	unsigned int k = 0;
	FILE *f = open_memstream(&doc, &len);

	assert_non_null(f);
	format_json_event(f, ev);
	fclose(f);
	PT_PROCESS_FIELDS(CHECK_JSON)
	free(doc);
}

/* ---- the record of each type, through the library ---- */

static int checked;

static int on_event(const struct proctrace_event *ev, void *ctx)
{
	struct proctrace *pt = *(struct proctrace **)ctx;
	const struct proctrace_event *l;

	check_event(ev);
	check_json(ev);
	if (ev->type == PROCTRACE_EVENT_EXIT) {
		/* In the table until its EXIT has been delivered. */
		l = proctrace_process_lookup(pt, ev->pid);
		assert_non_null(l);
		check_event(l);
		check_json(l);
	}
	checked++;
	return 0;
}

static size_t make(unsigned char *buf, uint16_t type)
{
	struct pt_wire_event *w = (struct pt_wire_event *)buf;
	size_t at = sizeof(*w);

	memset(buf, 0, sizeof(*w));
	fill_wire(w);
	w->type = type;
	w->ts_boot_ns = boot_value(100);
	if (type == PT_WIRE_EXEC || type == PT_WIRE_EXEC_FAILED) {
		memcpy(buf + at, "/x", 3);
		w->len[PT_WIRE_STR_FILENAME] = 3;
		at += 3;
	}
	if (type == PT_WIRE_EXEC_FAILED)
		w->error = 2;
	if (type == PT_WIRE_EXIT) {
		memset(buf + at, 0, sizeof(struct pt_wire_usage));
		at += sizeof(struct pt_wire_usage);
	}
	return at;
}

static void test_every_field_everywhere(void **state)
{
	static const uint16_t types[] = { PT_WIRE_PROCESS, PT_WIRE_EXEC, PT_WIRE_FORK,
					  PT_WIRE_EXEC_FAILED, PT_WIRE_EXIT };
	PROCTRACE_OPTS(opts, .flags = PROCTRACE_OPT_SNAPSHOT | PROCTRACE_OPT_FORK_EVENTS |
				      PROCTRACE_OPT_EXEC_FAILED);
	unsigned char buf[sizeof(struct pt_wire_event) + sizeof(struct pt_wire_usage) + 16];
	struct proctrace *pt;
	size_t i;

	(void)state;
	fake_backend_reset();
	pt = proctrace_open(on_event, &pt, &opts);
	assert_non_null(pt);
	assert_int_equal(proctrace_start(pt), 0);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		fake_backend_queue(buf, make(buf, types[i]));
	assert_int_equal(proctrace_poll(pt, 0), (int)(sizeof(types) / sizeof(types[0])));
	assert_int_equal(checked, (int)(sizeof(types) / sizeof(types[0])));
	proctrace_close(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
