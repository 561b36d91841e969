/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proctrace-timeline's drawing code on synthetic events, without BPF: the
 * escaping, the model rebuilt from events, the lanes and the axis, and
 * what the SVG, trace and summary writers put out.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"
#include "label.h"
#include "layout.h"
#include "model.h"
#include "summary.h"
#include "svg.h"
#include "synthetic.h"
#include "trace.h"

/* What a writer wrote, as a string to free(). */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void capture_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static char *capture_end(struct capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	return c->buf;
}

static char *escaped(const char *s, enum esc_kind kind, size_t max_cols)
{
	struct capture c;

	capture_start(&c);
	esc_write(c.f, s, kind, max_cols);
	return capture_end(&c);
}

#define assert_escape(in, kind, cols, expected)                               \
	do {                                                                  \
		char *got_ = escaped(in, kind, cols);                         \
		assert_string_equal(got_, expected);                          \
		free(got_);                                                   \
	} while (0)

#define FFFD "\xef\xbf\xbd"

static void test_escape_xml(void **state)
{
	(void)state;
	assert_escape("plain /usr/bin/cc -O2", ESC_XML, 0, "plain /usr/bin/cc -O2");
	assert_escape("a<b&c\"d'e>", ESC_XML, 0, "a&lt;b&amp;c&quot;d&apos;e&gt;");
	assert_escape("\x1b[31m\t\x7f", ESC_XML, 0, "\\x1b[31m\\x09\\x7f");
	/* C1 CSI, a stray byte, an overlong NUL, U+FFFE: nothing XML forbids gets out. */
	assert_escape("\xc2\x9b" "1", ESC_XML, 0, "\\x9b1");
	assert_escape("a\xff" "b", ESC_XML, 0, "a" FFFD "b");
	assert_escape("\xc0\x80", ESC_XML, 0, FFFD FFFD);
	assert_escape("\xef\xbf\xbe", ESC_XML, 0, FFFD);
	assert_escape("\xe2\x82", ESC_XML, 0, FFFD FFFD);
	assert_escape("caf\xc3\xa9 \xf0\x9f\x98\x80", ESC_XML, 0, "caf\xc3\xa9 \xf0\x9f\x98\x80");
}

static void test_escape_json_and_text(void **state)
{
	(void)state;
	assert_escape("\"\\\n\x01\x7f\xe2\x80\xa8", ESC_JSON, 0,
		      "\\\"\\\\\\n\\u0001\\u007f\\u2028");
	assert_escape("x\xff<&'", ESC_JSON, 0, "x" FFFD "<&'");
	/* RFC 8259's short escapes, as bootstrap-cli writes them. */
	assert_escape("\b\f\r\t", ESC_JSON, 0, "\\b\\f\\r\\t");
	assert_escape("\x1b[2J\\\xff\xc2\x9b", ESC_TEXT, 0, "\\x1b[2J\\\\\\xff\\xc2\\x9b");
}

static void test_escape_columns(void **state)
{
	(void)state;
	assert_escape("abcdef", ESC_XML, 3, "abc\xe2\x80\xa6");
	assert_escape("abc", ESC_XML, 3, "abc");
	/* "\x1b" takes four columns: it does not fit in the last two. */
	assert_escape("ab\x1b", ESC_XML, 4, "ab\xe2\x80\xa6");
	assert_escape("a<b", ESC_XML, 2, "a&lt;\xe2\x80\xa6");
	assert_int_equal(esc_columns("ab\x1b\xc3\xa9", ESC_XML), 7);
	assert_int_equal(esc_columns("a\xff", ESC_XML), 2);
	assert_int_equal(esc_columns("a\xff", ESC_TEXT), 5);
}

static void test_join_argv(void **state)
{
	const char *argv[] = { "sh", "-c", "it's $HOME", "", "a=b,c:d/e.f@g%h+i-j_k" };
	const char *wide[] = { "\xc3\xa9\xc3\xa9\xc3\xa9" };
	bool cut;
	char *s;

	(void)state;
	s = esc_join_argv(argv, 5, 0, &cut);
	assert_string_equal(s, "sh -c 'it'\\''s $HOME' '' a=b,c:d/e.f@g%h+i-j_k");
	assert_false(cut);
	free(s);
	s = esc_join_argv(argv, 5, 8, &cut);
	assert_string_equal(s, "sh -c 'i");
	assert_true(cut);
	free(s);
	/* Never cut inside a UTF-8 sequence. */
	s = esc_join_argv(wide, 1, 4, &cut);
	assert_string_equal(s, "'\xc3\xa9");
	assert_true(cut);
	free(s);
}

static const struct tl_proc *find(const struct tl_model *m, int32_t pid)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->procs[i].pid == pid)
			return &m->procs[i];
	fail_msg("pid %d not in the model", pid);
	return NULL;
}

static void test_model_shape(void **state)
{
	static const int32_t tree_order[] = { 100, 101, 102, 103, 104, 105, 106, 107 };
	struct tl_model m;
	uint32_t argc;
	size_t k;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_shape(&m);
	assert_int_equal(tl_model_finish(&m, SYN_MS(700)), 0);
	assert_int_equal(m.n, 8);
	for (k = 0; k < m.n; k++)
		assert_int_equal(m.procs[m.order[k]].pid, tree_order[k]);
	assert_int_equal(m.t0_ns, SYN_MS(0));
	assert_int_equal(m.t1_ns, SYN_MS(615));
	assert_int_equal(tl_outcome(find(&m, 100)), TL_OK);
	assert_int_equal(tl_outcome(find(&m, 104)), TL_FAILED);
	assert_int_equal(find(&m, 104)->exit_code, 3);
	assert_int_equal(tl_outcome(find(&m, 106)), TL_KILLED);
	assert_int_equal(find(&m, 106)->signal, 15);
	assert_int_equal(tl_model_failed(&m), 2);
	assert_int_equal(tl_model_peak(&m), 6);
	assert_int_equal(find(&m, 100)->parent, TL_NONE);
	assert_int_equal(m.procs[find(&m, 105)->parent].pid, 104);
	assert_int_equal(find(&m, 102)->start_ns, SYN_MS(103));
	assert_int_equal(find(&m, 102)->end_ns, SYN_MS(405));
	assert_string_equal(tl_proc_argv(find(&m, 104), &argc)[2], "sleep 0.2; exit 3");
	assert_int_equal(argc, 3);
	tl_model_free(&m);
}

static void test_model_lost_events(void **state)
{
	static const char *const argv[] = { "cc1", NULL };
	struct tl_model m;
	const struct tl_proc *p;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	/* The tracer's own events never appear. */
	syn_exec(&m, SYN_TRACER, 1, SYN_MS(0), "/bin/x", argv);
	/* Exit lost: open-ended, to the end of the run. */
	syn_fork(&m, 300, 1, SYN_MS(10), "make");
	syn_exec(&m, 300, 1, SYN_MS(11), "/usr/bin/cc1", argv);
	/* Fork lost: the start comes from the exit's lifetime. */
	syn_exit(&m, 301, 300, SYN_MS(50), SYN_MS(20), "cc1", 0, 0);
	/* Fork and exit lost: it starts at its exec. */
	syn_exec(&m, 302, 300, SYN_MS(60), "/usr/bin/cc1", argv);
	/* A pid that comes back ends the process its exit was lost for. */
	syn_fork(&m, 303, 300, SYN_MS(70), "make");
	syn_fork(&m, 303, 300, SYN_MS(80), "make");
	syn_exit(&m, 303, 300, SYN_MS(90), SYN_MS(80), "make", 2, 0);
	assert_int_equal(tl_model_finish(&m, SYN_MS(100)), 0);

	assert_int_equal(m.n, 5);
	p = &m.procs[0];
	assert_int_equal(p->pid, 300);
	assert_int_equal(tl_outcome(p), TL_OPEN);
	assert_int_equal(p->end_ns, SYN_MS(100));
	p = find(&m, 301);
	assert_int_equal(p->start_ns, SYN_MS(20));
	assert_int_equal(m.procs[p->parent].pid, 300);
	p = find(&m, 302);
	assert_int_equal(p->start_ns, SYN_MS(60));
	assert_int_equal(tl_outcome(p), TL_OPEN);
	assert_int_equal(m.procs[3].pid, 303);
	assert_int_equal(tl_outcome(&m.procs[3]), TL_OPEN);
	assert_int_equal(m.procs[3].end_ns, SYN_MS(80));
	assert_int_equal(tl_outcome(&m.procs[4]), TL_FAILED);
	assert_int_equal(m.procs[4].start_ns, SYN_MS(80));
	tl_model_free(&m);
}

static void test_model_deep_chain(void **state)
{
	struct tl_model m;
	struct tl_layout l;
	int i;

	(void)state;
	tl_model_init(&m, 0);
	for (i = 0; i < 10000; i++)
		syn_fork(&m, 2 + i, 1 + i, SYN_MS(i), "sh");
	for (i = 10000; i-- > 0;)
		syn_exit(&m, 2 + i, 1 + i, SYN_MS(30000 - i), SYN_MS(i), "sh", 0, 0);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	for (i = 0; i < 10000; i++)
		assert_int_equal(m.procs[m.order[i]].pid, 2 + i);
	assert_int_equal(tl_layout_compute(&m, 1200, &l), 0);
	assert_int_equal(l.n_lanes, 10000);
	assert_int_equal(tl_model_peak(&m), 10000);
	tl_layout_free(&l);
	tl_model_free(&m);
}

static void test_layout_shape(void **state)
{
	static const struct { int32_t pid; size_t lane; } want[] = {
		{ 100, 0 }, { 101, 1 }, { 102, 1 }, { 103, 1 },
		{ 104, 2 }, { 105, 3 }, { 106, 4 }, { 107, 5 },
	};
	struct tl_model m;
	struct tl_layout l;
	size_t i;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_shape(&m);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	assert_int_equal(tl_layout_compute(&m, 1230, &l), 0);
	assert_int_equal(l.n_lanes, 6);
	for (i = 0; i < sizeof(want) / sizeof(*want); i++)
		assert_int_equal(l.lane[find(&m, want[i].pid) - m.procs], want[i].lane);
	/* 1230 px for 615 ms: 2 px per ms; one tick per 50 ms (100 px). */
	assert_true(l.px_per_ns * 1e6 > 1.999 && l.px_per_ns * 1e6 < 2.001);
	assert_int_equal(l.n_ticks, 13);
	assert_string_equal(l.ticks[0].label, "0 ms");
	assert_string_equal(l.ticks[6].label, "300 ms");
	assert_true(l.ticks[6].x > 599.9 && l.ticks[6].x < 600.1);
	tl_layout_free(&l);
	tl_model_free(&m);
}

/* A deterministic random forest; every layout invariant checked. */
static void test_layout_invariants(void **state)
{
	struct tl_model m;
	struct tl_layout l;
	uint32_t seed = 12345;
	size_t i, j;

	(void)state;
	tl_model_init(&m, 0);
	for (i = 0; i < 3000; i++) {
		int32_t ppid = i ? 10 + (int32_t)(seed % i) : 1;
		uint64_t start, len;

		seed = seed * 1103515245 + 12345;
		start = SYN_MS((double)((seed >> 8) % 60000));
		len = (uint64_t)((seed >> 4) % 5000) * 1000000 + 1;
		/* Children start after their parent: fork after parent's fork. */
		if (i && m.procs[i - 1].start_ns > start)
			start = m.procs[i - 1].start_ns + 1000;
		syn_fork(&m, 10 + (int32_t)i, ppid, start, "sh");
		/* Some failures, whose bars and end marks take more room. */
		if (i % 7)
			syn_exit(&m, 10 + (int32_t)i, ppid, start + len, start, "sh",
				 i % 5 ? 0 : 1, i % 11 ? 0 : 15);
	}
	assert_int_equal(tl_model_finish(&m, 0), 0);
	assert_int_equal(tl_layout_compute(&m, 800, &l), 0);
	for (i = 0; i < m.n; i++) {
		const struct tl_proc *p = &m.procs[i];
		double a = tl_x(&m, &l, p->start_ns), b = a + tl_bar_extent(&l, p);

		assert_true(b <= l.width + TL_MIN_FAILED_BAR_PX + TL_END_MARK_PX + 1e-6);
		if (tl_failed(p))
			assert_true(tl_bar_width(&l, p) >= TL_MIN_FAILED_BAR_PX);
		if (p->parent != TL_NONE)
			assert_true(l.lane[i] > l.lane[p->parent]);
		for (j = i + 1; j < m.n; j++) {
			const struct tl_proc *q = &m.procs[j];
			double qa = tl_x(&m, &l, q->start_ns), qb = qa + tl_bar_extent(&l, q);

			if (l.lane[i] == l.lane[j])
				assert_true(b <= qa || qb <= a);
		}
	}
	tl_layout_free(&l);
	tl_model_free(&m);
}

static void check_ticks(uint64_t span_ns, const char *second_label)
{
	struct tl_model m;
	struct tl_layout l;

	tl_model_init(&m, 0);
	syn_fork(&m, 2, 1, SYN_T0, "sh");
	syn_exit(&m, 2, 1, SYN_T0 + span_ns, SYN_T0, "sh", 0, 0);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	assert_int_equal(tl_layout_compute(&m, 1200, &l), 0);
	assert_true(l.n_ticks >= 3 && l.n_ticks <= 13);
	assert_string_equal(l.ticks[1].label, second_label);
	assert_true(l.ticks[l.n_ticks - 1].x <= 1200.001);
	tl_layout_free(&l);
	tl_model_free(&m);
}

static void test_ticks_units(void **state)
{
	(void)state;
	check_ticks(UINT64_C(1500000), "200 us");
	check_ticks(UINT64_C(615000000), "100 ms");
	check_ticks(UINT64_C(2500000000), "0.5 s");
	check_ticks(UINT64_C(30000000000), "5 s");
	check_ticks(UINT64_C(150000000000), "15 s");
	check_ticks(UINT64_C(600000000000), "1 min");
	check_ticks(UINT64_C(7200000000000), "10 min");
}

static char *write_svg(struct tl_model *m, const struct tl_run *run)
{
	struct tl_layout l;
	struct capture c;

	assert_int_equal(tl_layout_compute(m, TL_SVG_WIDTH, &l), 0);
	capture_start(&c);
	tl_svg_write(c.f, m, &l, run);
	tl_layout_free(&l);
	return capture_end(&c);
}

static char *write_trace(struct tl_model *m, const struct tl_run *run)
{
	struct tl_layout l;
	struct capture c;

	assert_int_equal(tl_layout_compute(m, TL_SVG_WIDTH, &l), 0);
	capture_start(&c);
	tl_trace_write(c.f, m, &l, run);
	tl_layout_free(&l);
	return capture_end(&c);
}

/*
 * Occurrences of @needle.  Not by repeated strstr(): a sanitizer's
 * strstr() measures the whole haystack at each call, which over a 4 MB
 * picture takes minutes.
 */
static size_t count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle), i, end = strlen(hay);

	for (i = 0; i + len <= end; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, len))
			n++;
	return n;
}

/* The text from @key up to the next '<'. */
static const char *after(const char *hay, const char *key)
{
	const char *p = strstr(hay, key);

	assert_non_null(p);
	return p + strlen(key);
}

static void test_svg_shape(void **state)
{
	static const char *const cmd[] = { "sh", "shape.sh" };
	struct tl_run run = { .command = cmd, .command_argc = 2 };
	struct tl_model m;
	char *svg;
	double x, w;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_shape(&m);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	svg = write_svg(&m, &run);
	assert_int_equal(count(svg, "<g class=\"process\""), 8);
	assert_non_null(strstr(svg, "8 processes \xc2\xb7 2 failed \xc2\xb7 peak 6 at once"));
	assert_non_null(strstr(svg, "data-processes=\"8\" data-failed=\"2\" data-peak=\"6\" "
				    "data-events-lost=\"0\" data-wall-ns=\"615000000\""));
	assert_non_null(strstr(svg, "<g class=\"process\" data-pid=\"104\" data-ppid=\"100\">"));
	assert_non_null(strstr(after(svg, "data-pid=\"104\""), "<rect class=\"failed\""));
	assert_true(strstr(after(svg, "data-pid=\"104\""), "<rect class=\"failed\"") <
		    strstr(after(svg, "data-pid=\"104\""), "</g>"));
	assert_non_null(strstr(after(svg, "data-pid=\"106\""), "killed by SIGTERM"));
	assert_non_null(strstr(after(svg, "data-pid=\"106\""), "<rect class=\"killed\""));
	assert_non_null(strstr(after(svg, "data-pid=\"103\""), "<rect class=\"ok\""));
	/* The tooltip: the whole command line, pid, parent, start, duration, status. */
	assert_non_null(strstr(svg, "<title>sh -c &apos;sleep 0.2; exit 3&apos;\n"
				    "pid 104, parent 100\nstart +406.5 ms, duration 203.5 ms\nexit 3\n"));
	/* sleep 0.3 from 103 ms to 405 ms: 302 ms, less the seam. */
	assert_int_equal(sscanf(after(after(svg, "data-pid=\"102\""), "<rect class=\"ok\" "),
				"x=\"%lf\" y=\"%*f\" width=\"%lf\"", &x, &w), 2);
	assert_true(x > 103 * 1200 / 615.0 - 0.1 && x < 103 * 1200 / 615.0 + 0.1);
	assert_true(w > 302 * 1200 / 615.0 - 1.1 && w < 302 * 1200 / 615.0 - 0.9);
	/* Each exec is marked; labels where they fit. */
	assert_int_equal(count(svg, "<path class=\"exec\""), 8 + 1 /* the legend's */);
	assert_non_null(strstr(svg, ">sleep 0.3</text>"));
	/* A script is labelled with its own name, not its interpreter's. */
	assert_non_null(strstr(after(svg, "data-pid=\"100\""), "\">shape.sh</text>"));
	assert_null(strstr(svg, "<script"));
	free(svg);
	tl_model_free(&m);
}

static void assert_no_raw_controls(const char *s, const char *allowed)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && !strchr(allowed, *p))
			fail_msg("raw control byte 0x%02x at offset %zu", *p,
				 (size_t)(p - (const unsigned char *)s));
}

static void test_hostile_strings(void **state)
{
	static const char *const cmd[] = { "sh", "-c", "\x1b[2J<&>" };
	struct tl_run run = { .command = cmd, .command_argc = 3, .lost_ring_full = 7 };
	struct tl_model m;
	struct capture c;
	char *svg, *trace, *summary;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_hostile(&m);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	svg = write_svg(&m, &run);
	trace = write_trace(&m, &run);
	capture_start(&c);
	tl_summary_write(c.f, &m, &run);
	summary = capture_end(&c);

	assert_no_raw_controls(svg, "\n");
	assert_no_raw_controls(trace, "\n");
	assert_no_raw_controls(summary, "\n");
	assert_null(strstr(svg, "\xff"));
	assert_null(strstr(trace, "\xff"));
	assert_null(strstr(svg, "<script"));
	assert_non_null(strstr(svg, "\\x1b[31m&lt;&amp;&quot;&apos;\\" FFFD));
	assert_non_null(strstr(svg, "&lt;/text&gt;&lt;/g&gt;&lt;script&gt;"));
	assert_non_null(strstr(trace, "\"\\u001b[31m<&\\\"'\\\\" FFFD "\""));
	assert_non_null(strstr(trace, "\"line\\u2028sep\""));
	assert_non_null(strstr(summary, "\\x1b[31m<&"));
	assert_non_null(strstr(svg, "7 events lost in the kernel"));
	assert_non_null(strstr(svg, "data-events-lost=\"7\""));
	assert_non_null(strstr(trace, "\"events_lost\":7"));
	assert_non_null(strstr(summary, "7 events lost in the kernel (ring buffer full: 7"));
	free(svg);
	free(trace);
	free(summary);
	tl_model_free(&m);
}

static void test_trace_shape(void **state)
{
	static const char *const cmd[] = { "sh", "shape.sh" };
	struct tl_run run = { .command = cmd, .command_argc = 2 };
	struct tl_model m;
	char *trace;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_shape(&m);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	trace = write_trace(&m, &run);
	assert_int_equal(count(trace, "\"ph\":\"X\""), 8);
	assert_int_equal(count(trace, "\"ph\":\"i\",\"s\":\"t\",\"cat\":\"exec\""), 8);
	/* Each failure: red in chrome://tracing, and an instant at its exit. */
	assert_int_equal(count(trace, "\"ph\":\"i\",\"s\":\"t\",\"cat\":\"failure\""), 2);
	assert_non_null(strstr(trace, "\"signal_name\":\"SIGTERM\",\"core_dumped\":false},"
				      "\"cname\":\"terrible\"}"));
	assert_non_null(strstr(trace, "{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"failure\","
				      "\"name\":\"exit 3\",\"ts\":610000.000,\"pid\":100,"
				      "\"tid\":3,\"args\":{\"pid\":104}}"));
	assert_non_null(strstr(trace, "\"name\":\"killed by SIGTERM\",\"ts\":612000.000,"));
	assert_int_equal(count(trace, "\"cname\""), 2);
	/* Flow arrows for every process but the root. */
	assert_int_equal(count(trace, "\"ph\":\"s\""), 7);
	assert_int_equal(count(trace, "\"ph\":\"f\""), 7);
	assert_non_null(strstr(trace, "{\"ph\":\"X\",\"cat\":\"process\",\"name\":\"sleep\","
				      "\"ts\":103000.000,\"dur\":302000.000,\"pid\":100,\"tid\":2,"
				      "\"args\":{\"pid\":102,\"ppid\":100,\"comm\":\"sleep\","
				      "\"argv\":[\"sleep\",\"0.3\"],\"exit_code\":0}}"));
	assert_non_null(strstr(trace, "\"args\":{\"pid\":106,\"ppid\":100,\"comm\":\"sh\","
				      "\"argv\":[\"sh\",\"-c\",\"sleep 0.2; kill -TERM $$\"],"
				      "\"signal\":15,\"signal_name\":\"SIGTERM\",\"core_dumped\":false}"));
	assert_non_null(strstr(trace, "\"processes\":8,\"failed\":2,\"peak\":6,\"events_lost\":0"));
	free(trace);
	tl_model_free(&m);
}

static void test_summary(void **state)
{
	static const char *const cmd[] = { "sh", "shape.sh" };
	struct tl_run run = { .command = cmd, .command_argc = 2 };
	struct tl_model m;
	struct capture c;
	char *s;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_shape(&m);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	capture_start(&c);
	tl_summary_write(c.f, &m, &run);
	s = capture_end(&c);
	assert_non_null(strstr(s, "wall time 615.0 ms, 8 processes, 2 failed, peak 6 at once\n"));
	assert_non_null(strstr(s, "  exit 3     pid 104     sh -c 'sleep 0.2; exit 3'\n"));
	assert_non_null(strstr(s, "  SIGTERM    pid 106     sh -c 'sleep 0.2; kill -TERM $$'\n"));
	/* The ten longest, longest first: the root, then sleep 0.3. */
	assert_non_null(strstr(s, "longest:\n  615.0 ms     pid 100     /bin/sh /tmp/shape.sh\n"
				  "  302.0 ms     pid 102     sleep 0.3\n"));
	assert_int_equal(count(s, "\n  "), 2 + 8);
	assert_null(strstr(s, "lost"));
	free(s);
	tl_model_free(&m);
}

/*
 * What each process used (libproctrace 0.3): in its tooltip, and the ten
 * that used the most CPU and the most memory in the summary; an EXIT of
 * an older library (its size stops before the fields) counts as unknown.
 */
static void test_usage(void **state)
{
	static const char *const cmd[] = { "sh", "build.sh" };
	struct tl_run run = { .command = cmd, .command_argc = 2 };
	struct tl_model m;
	struct capture c;
	char *s, *svg;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_usage(&m);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	assert_int_equal(m.n, 5);
	assert_int_equal(m.procs[1].cpu_ns, 2500 * 1000000ULL);
	assert_int_equal(m.procs[1].max_rss_bytes, 300ULL << 20);
	assert_int_equal(m.procs[4].cpu_ns, 0);
	assert_int_equal(m.procs[4].max_rss_bytes, 0);

	svg = write_svg(&m, &run);
	assert_non_null(strstr(svg, "pid 302, parent 300\nstart +2.60 s, duration 899.0 ms\n"
				    "exit 0\nCPU 800.0 ms, peak RSS 1.25 GiB\n"));
	assert_non_null(strstr(svg, "\nCPU 500 us, peak RSS 900 KiB\n"));
	/* No figure for the process whose library did not give them. */
	assert_int_equal(count(svg, "peak RSS"), 4);
	free(svg);

	capture_start(&c);
	tl_summary_write(c.f, &m, &run);
	s = capture_end(&c);
	assert_non_null(strstr(s, "most CPU time:\n"
				  "  2.50 s       pid 301     cc1 -O2 x.c\n"
				  "  800.0 ms     pid 302     ld -o x x.o\n"
				  "  3.0 ms       pid 300     sh build.sh\n"
				  "  500 us       pid 303     true\n"
				  "proctrace-timeline: highest peak memory:\n"
				  "  1.25 GiB     pid 302     ld -o x x.o\n"
				  "  300.0 MiB    pid 301     cc1 -O2 x.c\n"
				  "  4.0 MiB      pid 300     sh build.sh\n"
				  "  900 KiB      pid 303     true\n"
				  "proctrace-timeline: longest:\n"));
	free(s);
	tl_model_free(&m);
}

/* The picture of syn_build(), its model left in @m. */
static char *build_svg(struct tl_model *m)
{
	static const char *const cmd[] = { "make" };
	struct tl_run run = { .command = cmd, .command_argc = 1 };

	tl_model_init(m, SYN_TRACER);
	syn_build(m);
	assert_int_equal(tl_model_finish(m, 0), 0);
	return write_svg(m, &run);
}

/* The group of process @pid, as a string to free(). */
static char *group_of(const char *svg, int32_t pid)
{
	char key[48];
	const char *a, *b;

	snprintf(key, sizeof(key), "<g class=\"process\" data-pid=\"%d\"", pid);
	a = strstr(svg, key);
	assert_non_null(a);
	b = strstr(a, "</g>");
	assert_non_null(b);
	return strndup(a, (size_t)(b - a));
}

/*
 * A failure of a millisecond in a 2 s run (0.6 px at this scale) is
 * drawn at least TL_MIN_FAILED_BAR_PX wide, less the seam, with a mark as
 * tall as its lane at its end.
 */
static void check_failure_drawn(const char *svg, int32_t pid, const char *cls)
{
	char *g = group_of(svg, pid), want[32];
	double x, y, w, h, mx, my, mw, mh, mv;
	const char *r, *mark;

	r = strstr(g, "<rect class=\"");
	assert_non_null(r);
	assert_int_equal(sscanf(r + strlen("<rect class=\""), "%31[a-z]\" x=\"%lf\" y=\"%lf\" "
				"width=\"%lf\" height=\"%lf\"", want, &x, &y, &w, &h), 5);
	assert_string_equal(want, cls);
	assert_true(w >= TL_MIN_FAILED_BAR_PX - TL_SVG_SEAM - 1e-9);
	snprintf(want, sizeof(want), "<path class=\"end %s\" d=\"", cls);
	mark = strstr(g, want);
	assert_non_null(mark);
	assert_int_equal(sscanf(mark + strlen(want), "M%lf %lfl%lf %lfv%lfz\"/>",
				&mx, &my, &mw, &mh, &mv), 5);
	assert_true(mx > x + w - 0.11 && mx < x + w + 0.11);
	assert_true(mw == TL_SVG_END_MARK_W);
	assert_true(mv == TL_SVG_LANE_H);
	assert_true(my + mh <= y && my + mh + mv >= y + h);
	free(g);
}

static void test_svg_failures_visible(void **state)
{
	struct tl_model m;
	char *svg;

	(void)state;
	svg = build_svg(&m);
	assert_int_equal(tl_outcome(find(&m, 407)), TL_FAILED);
	assert_int_equal(find(&m, 407)->exit_code, 2);
	assert_int_equal(tl_outcome(find(&m, 410)), TL_KILLED);
	assert_int_equal(find(&m, 410)->signal, 15);
	check_failure_drawn(svg, 407, "failed");
	check_failure_drawn(svg, 410, "killed");
	/* Only failures are marked, and the legend says what the mark is. */
	assert_int_equal(count(svg, "<path class=\"end "), 2 + 1);
	assert_non_null(strstr(svg, ">where a process failed</text>"));
	free(svg);
	tl_model_free(&m);
}

/*
 * Execs that raised privilege (libproctrace 0.4): marked in the SVG (a
 * mark with the cause, in the title too) and named in the trace JSON;
 * an ordinary exec has neither.
 */
static void test_privilege_marked(void **state)
{
	static const char *const cmd[] = { "sh" };
	static const char *const argv[] = { "x", NULL };
	struct tl_run run = { .command = cmd, .command_argc = 1 };
	struct proctrace_event e;
	struct tl_model m;
	char *svg, *trace, *g;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_exec(&m, 500, 1, SYN_MS(0), "/bin/plain", argv);
	syn_exit(&m, 500, 1, SYN_MS(100), SYN_MS(0), "plain", 0, 0);
	/* The same exec as syn_exec() makes, with two causes. */
	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.type = PROCTRACE_EVENT_EXEC;
	e.pid = 501;
	e.ppid = 1;
	e.timestamp_ns = SYN_MS(10);
	e.filename = "/usr/bin/<su>";
	e.args = argv;
	e.args_count = 1;
	e.euid = 0;
	e.uid = 1000;
	e.flags = PROCTRACE_EVENT_F_PRIV_SETUID | PROCTRACE_EVENT_F_PRIV_FILE_CAPS |
		  PROCTRACE_EVENT_F_OLD_CREDS;
	tl_model_add(&m, &e);
	syn_exit(&m, 501, 1, SYN_MS(90), SYN_MS(10), "su", 0, 0);
	assert_int_equal(tl_model_finish(&m, 0), 0);

	svg = write_svg(&m, &run);
	g = group_of(svg, 501);
	assert_non_null(strstr(g, "<path class=\"priv\" data-priv=\"setuid+file-caps\""));
	assert_non_null(strstr(g, "/usr/bin/&lt;su&gt; [privilege raised: setuid+file-caps]"));
	free(g);
	g = group_of(svg, 500);
	assert_null(strstr(g, "priv"));
	free(g);
	/* The legend's mark, and the one exec's. */
	assert_int_equal(count(svg, "<path class=\"priv\""), 2);
	assert_non_null(strstr(svg, ">exec that raised privilege</text>"));

	trace = write_trace(&m, &run);
	assert_int_equal(count(trace, "\"privilege_raised\":\"setuid+file-caps\""), 1);
	assert_int_equal(count(trace, "privilege_raised"), 1);
	free(trace);
	free(svg);
	tl_model_free(&m);
}

/* The label of process @pid's only exec, whole. */
static void check_label(const char *svg, int32_t pid, const char *label)
{
	char *g = group_of(svg, pid), want[128];

	snprintf(want, sizeof(want), "\">%s</text>", label);
	if (!strstr(g, want))
		fail_msg("process %d: no label %s in %s", pid, want, g);
	assert_int_equal(count(g, "<text "), 1);
	free(g);
}

static void test_svg_labels(void **state)
{
	struct tl_model m;
	char *svg, *g;

	(void)state;
	svg = build_svg(&m);
	/* cc -O2 -c src/foo.c -o foo.o, and gcc's cc1 for it. */
	check_label(svg, 402, "cc src/foo.c");
	check_label(svg, 403, "cc1 src/foo.c");
	/* sh -c 'cc -O2 -c src/foo.c -o foo.o': the command, labelled as such. */
	check_label(svg, 401, "sh -c cc src/foo.c");
	check_label(svg, 408, "sh -c make all");
	check_label(svg, 409, "make all");
	/* A link: its output. */
	check_label(svg, 411, "cc prog");
	/* as -o foo.o /tmp/cc*.s: "as foo.o" is one column too wide, its file is not. */
	check_label(svg, 404, "foo.o");
	/* The tooltip keeps the whole command line. */
	g = group_of(svg, 401);
	assert_non_null(strstr(g, "<title>sh -c &apos;cc -O2 -c src/foo.c -o foo.o&apos;\n"));
	free(g);
	free(svg);
	tl_model_free(&m);
}

/* Each form of the label of @argv exec'd as @file, NULL-ended. */
static void check_forms(const char *file, const char *const *argv, size_t max_bytes, ...)
{
	struct tl_exec x = { .filename = (char *)file, .argv = (char **)argv };
	struct tl_label lb;
	const char *want;
	va_list ap;
	size_t i = 0;

	while (argv[x.argc])
		x.argc++;
	assert_int_equal(tl_label_make(&lb, &x, max_bytes), 0);
	va_start(ap, max_bytes);
	while ((want = va_arg(ap, const char *))) {
		if (i >= lb.n)
			fail_msg("%s: %zu forms, expected more (%s)", file, lb.n, want);
		assert_string_equal(lb.form[i], want);
		i++;
	}
	va_end(ap);
	assert_int_equal(lb.n, i);
	tl_label_free(&lb);
}

static void test_label_rules(void **state)
{
	static const char *const cc[] = { "cc", "-O2", "-c", "src/foo.c", "-o", "foo.o", NULL };
	static const char *const gcc[] = { "x86_64-linux-gnu-gcc-12", "-MF", "dep.d", "-c",
					   "../lib/a.cpp", "-I", "x.c", NULL };
	static const char *const ld[] = { "ld", "-plugin", "p.so", "-m", "elf_x86_64", "-o",
					  "libx.so", "a.o", "b.o", NULL };
	static const char *const lld[] = { "ld.lld", "a.o", "b.o", NULL };
	static const char *const sh[] = { "sh", "-c", "make all", NULL };
	static const char *const bash[] = { "bash", "-e", "-o", "pipefail", "-c",
					    "cd sub &&\n\tmake   -j4", "name", NULL };
	static const char *const script[] = { "/bin/sh", "/src/gen.sh", "-v", "out.h", NULL };
	static const char *const ls[] = { "ls", "-la", "/nonexistent", NULL };
	static const char *const opts[] = { "ls", "-la", NULL };
	static const char *const dashes[] = { "rm", "-f", "--", "-x", NULL };
	static const char *const plain[] = { "sh", "build.sh", NULL };
	static const char *const cut[] = { "cc", "-c", "src/deep/path/\xc3\xa9t\xc3\xa9.c", NULL };

	(void)state;
	check_forms("/usr/bin/cc", cc, 0, "cc src/foo.c", "src/foo.c", "foo.c", NULL);
	/* Target and version dropped to know it; -I's value is no source. */
	check_forms("/usr/bin/x86_64-linux-gnu-gcc-12", gcc, 0,
		    "x86_64-linux-gnu-gcc-12 ../lib/a.cpp", "../lib/a.cpp", "a.cpp", NULL);
	check_forms("/usr/bin/ld", ld, 0, "ld libx.so", "libx.so", NULL);
	check_forms("/usr/bin/ld.lld", lld, 0, "ld.lld b.o", "b.o", NULL);
	check_forms("/bin/sh", sh, 0, "sh -c make all", "make all", NULL);
	/* Not a simple command: on one line, as it is. */
	check_forms("/bin/bash", bash, 0, "bash -c cd sub && make -j4", "cd sub && make -j4", NULL);
	/* A script through its "#!" line: the script's name and operands. */
	check_forms("/src/gen.sh", script, 0, "gen.sh out.h", NULL);
	check_forms("/usr/bin/ls", ls, 0, "ls /nonexistent", NULL);
	check_forms("/usr/bin/ls", opts, 0, "ls -la", NULL);
	check_forms("/usr/bin/rm", dashes, 0, "rm -x", NULL);
	check_forms("/bin/sh", plain, 0, "sh build.sh", NULL);
	/* Cut at a number of bytes, never inside a character. */
	check_forms("/usr/bin/cc", cut, 21, "cc src/deep/path/\xc3\xa9t", "src/deep/path/\xc3\xa9t\xc3\xa9.c",
		    "\xc3\xa9t\xc3\xa9.c", NULL);
}

/*
 * The line from a parent is drawn only where it crosses no other bar:
 * the second compile's shell (405, in the fifth lane) would cut through
 * three bars, sh -c 'make all' (408) through the failed ls's room.
 */
static void test_svg_fork_lines(void **state)
{
	static const struct { int32_t pid; size_t lines; } want[] = {
		{ 401, 1 }, { 402, 1 }, { 403, 1 }, { 404, 1 }, { 405, 0 }, { 406, 1 },
		{ 407, 1 }, { 408, 0 }, { 409, 1 }, { 410, 1 }, { 411, 0 },
	};
	struct tl_model m;
	struct tl_layout l;
	char *svg, *g;
	size_t i;

	(void)state;
	svg = build_svg(&m);
	assert_int_equal(tl_layout_compute(&m, TL_SVG_WIDTH, &l), 0);
	assert_int_equal(l.lane[find(&m, 405) - m.procs], 4);
	assert_int_equal(l.lane[find(&m, 408) - m.procs], 2);
	tl_layout_free(&l);
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		g = group_of(svg, want[i].pid);
		if (count(g, "<path class=\"fork\"") != want[i].lines)
			fail_msg("process %d: expected %zu fork lines in %s", want[i].pid,
				 want[i].lines, g);
		free(g);
	}
	free(svg);
	tl_model_free(&m);
}

static void test_many_processes_stay_small(void **state)
{
	static const char *const cmd[] = { "sh", "build.sh" };
	struct tl_run run = { .command = cmd, .command_argc = 2 };
	struct tl_model m;
	char *svg;
	size_t len;

	(void)state;
	tl_model_init(&m, SYN_TRACER);
	syn_many(&m, 10000, 8);
	assert_int_equal(tl_model_finish(&m, 0), 0);
	assert_int_equal(m.n, 10001);
	svg = write_svg(&m, &run);
	len = strlen(svg);
	print_message("10,001 processes with 4 KiB arguments: SVG of %zu bytes\n", len);
	assert_true(len < 5 * 1000 * 1000);
	assert_int_equal(count(svg, "<g class=\"process\""), 10001);
	free(svg);
	tl_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_xml),
		cmocka_unit_test(test_escape_json_and_text),
		cmocka_unit_test(test_escape_columns),
		cmocka_unit_test(test_join_argv),
		cmocka_unit_test(test_model_shape),
		cmocka_unit_test(test_model_lost_events),
		cmocka_unit_test(test_model_deep_chain),
		cmocka_unit_test(test_layout_shape),
		cmocka_unit_test(test_layout_invariants),
		cmocka_unit_test(test_ticks_units),
		cmocka_unit_test(test_svg_shape),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_trace_shape),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_svg_failures_visible),
		cmocka_unit_test(test_svg_labels),
		cmocka_unit_test(test_label_rules),
		cmocka_unit_test(test_svg_fork_lines),
		cmocka_unit_test(test_privilege_marked),
		cmocka_unit_test(test_many_processes_stay_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
