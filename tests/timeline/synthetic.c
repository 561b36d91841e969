/* SPDX-License-Identifier: BSD-2-Clause */
#include "synthetic.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static struct proctrace_event base(uint32_t type, int32_t pid, int32_t ppid,
				   uint64_t ts, const char *comm)
{
	struct proctrace_event e;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	e.type = type;
	e.pid = pid;
	e.ppid = ppid;
	e.ns_pid = pid;
	e.timestamp_ns = ts;
	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	return e;
}

void syn_fork(struct tl_model *m, int32_t pid, int32_t ppid, uint64_t ts,
	      const char *parent_comm)
{
	struct proctrace_event e = base(PROCTRACE_EVENT_FORK, pid, ppid, ts, parent_comm);

	tl_model_add(m, &e);
}

void syn_exec(struct tl_model *m, int32_t pid, int32_t ppid, uint64_t ts,
	      const char *filename, const char *const *argv)
{
	const char *slash = strrchr(filename, '/');
	struct proctrace_event e = base(PROCTRACE_EVENT_EXEC, pid, ppid, ts,
					slash ? slash + 1 : filename);

	e.filename = filename;
	e.args = argv;
	while (argv && argv[e.args_count])
		e.args_count++;
	tl_model_add(m, &e);
}

void syn_exit(struct tl_model *m, int32_t pid, int32_t ppid, uint64_t ts,
	      uint64_t start, const char *comm, int32_t code, int32_t sig)
{
	struct proctrace_event e = base(PROCTRACE_EVENT_EXIT, pid, ppid, ts, comm);

	e.duration_ns = ts - start;
	e.exit_code = code;
	e.signal = sig;
	tl_model_add(m, &e);
}

void syn_exit_usage(struct tl_model *m, int32_t pid, int32_t ppid, uint64_t ts,
		    uint64_t start, const char *comm, uint64_t user_ns,
		    uint64_t sys_ns, uint64_t max_rss_bytes)
{
	struct proctrace_event e = base(PROCTRACE_EVENT_EXIT, pid, ppid, ts, comm);

	e.duration_ns = ts - start;
	e.cpu_user_ns = user_ns;
	e.cpu_sys_ns = sys_ns;
	e.max_rss_bytes = max_rss_bytes;
	tl_model_add(m, &e);
}

void syn_usage(struct tl_model *m)
{
	static const char *const sh[] = { "sh", "build.sh", NULL };
	static const char *const cc1[] = { "cc1", "-O2", "x.c", NULL };
	static const char *const ld[] = { "ld", "-o", "x", "x.o", NULL };
	static const char *const t[] = { "true", NULL };
	static const char *const cat[] = { "cat", "x.map", NULL };
	struct proctrace_event old;

	syn_fork(m, 300, SYN_TRACER, SYN_MS(0), "proctrace-timel");
	syn_exec(m, 300, SYN_TRACER, SYN_MS(0.5), "/bin/sh", sh);
	syn_fork(m, 301, 300, SYN_MS(1), "sh");
	syn_exec(m, 301, 300, SYN_MS(1.5), "/usr/lib/gcc/cc1", cc1);
	syn_exit_usage(m, 301, 300, SYN_MS(2600), SYN_MS(1), "cc1", 2200 * 1000000ULL,
		       300 * 1000000ULL, 300ULL << 20);
	syn_fork(m, 302, 300, SYN_MS(2601), "sh");
	syn_exec(m, 302, 300, SYN_MS(2602), "/usr/bin/ld", ld);
	syn_exit_usage(m, 302, 300, SYN_MS(3500), SYN_MS(2601), "ld", 700 * 1000000ULL,
		       100 * 1000000ULL, 5ULL << 28);
	syn_fork(m, 303, 300, SYN_MS(3501), "sh");
	syn_exec(m, 303, 300, SYN_MS(3502), "/usr/bin/true", t);
	syn_exit_usage(m, 303, 300, SYN_MS(3503), SYN_MS(3501), "true", 400000, 100000,
		       900 * 1024);
	syn_fork(m, 304, 300, SYN_MS(3504), "sh");
	syn_exec(m, 304, 300, SYN_MS(3505), "/usr/bin/cat", cat);
	old = base(PROCTRACE_EVENT_EXIT, 304, 300, SYN_MS(3510), "cat");
	old.size = offsetof(struct proctrace_event, cpu_user_ns);
	old.duration_ns = SYN_MS(3510) - SYN_MS(3504);
	old.cpu_user_ns = 99 * 1000000000ULL;
	old.max_rss_bytes = 99ULL << 30;
	tl_model_add(m, &old);
	syn_exit_usage(m, 300, SYN_TRACER, SYN_MS(3511), SYN_MS(0), "sh", 2000000, 1000000,
		       4ULL << 20);
}

/* One process: fork, exec of @argv[0] from /usr/bin, exit. */
static void step(struct tl_model *m, int32_t pid, int32_t ppid, double start_ms,
		 double end_ms, const char *const *argv, int32_t code, int32_t sig)
{
	char path[64] = "/usr/bin/";

	strncat(path, argv[0], sizeof(path) - strlen(path) - 1);
	syn_fork(m, pid, ppid, SYN_MS(start_ms), "sh");
	syn_exec(m, pid, ppid, SYN_MS(start_ms + 0.3), path, argv);
	syn_exit(m, pid, ppid, SYN_MS(end_ms), SYN_MS(start_ms), argv[0], code, sig);
}

/* A process that starts: its fork, then its exec 0.2 ms later. */
static void begin(struct tl_model *m, int32_t pid, int32_t ppid, double ms,
		  const char *parent_comm, const char *file, const char *const *argv)
{
	syn_fork(m, pid, ppid, SYN_MS(ms), parent_comm);
	syn_exec(m, pid, ppid, SYN_MS(ms + 0.2), file, argv);
}

void syn_shape(struct tl_model *m)
{
	static const char *const sh[] = { "/bin/sh", "/tmp/shape.sh", NULL };
	static const char *const s01[] = { "sleep", "0.1", NULL };
	static const char *const s03[] = { "sleep", "0.3", NULL };
	static const char *const s02[] = { "sleep", "0.2", NULL };
	static const char *const fail[] = { "sh", "-c", "sleep 0.2; exit 3", NULL };
	static const char *const kill[] = { "sh", "-c", "sleep 0.2; kill -TERM $$", NULL };

	/* Events in time order, as they would be delivered. */
	syn_fork(m, 100, SYN_TRACER, SYN_MS(0), "proctrace-timel");
	/* A script: exec'd by its name, run by the interpreter of its "#!". */
	syn_exec(m, 100, SYN_TRACER, SYN_MS(0.5), "/tmp/shape.sh", sh);
	step(m, 101, 100, 1, 102, s01, 0, 0);
	step(m, 102, 100, 103, 405, s03, 0, 0);
	begin(m, 103, 100, 406, "sh", "/usr/bin/sleep", s02);
	begin(m, 104, 100, 406.5, "sh", "/usr/bin/sh", fail);
	begin(m, 106, 100, 407, "sh", "/usr/bin/sh", kill);
	begin(m, 105, 104, 408, "sh", "/usr/bin/sleep", s02);
	begin(m, 107, 106, 409, "sh", "/usr/bin/sleep", s02);
	syn_exit(m, 103, 100, SYN_MS(607), SYN_MS(406), "sleep", 0, 0);
	syn_exit(m, 105, 104, SYN_MS(609), SYN_MS(408), "sleep", 0, 0);
	syn_exit(m, 104, 100, SYN_MS(610), SYN_MS(406.5), "sh", 3, 0);
	syn_exit(m, 107, 106, SYN_MS(611), SYN_MS(409), "sleep", 0, 0);
	syn_exit(m, 106, 100, SYN_MS(612), SYN_MS(407), "sh", 0, 15);
	syn_exit(m, 100, SYN_TRACER, SYN_MS(615), SYN_MS(0), "sh", 0, 0);
}

void syn_build(struct tl_model *m)
{
	static const char *const make[] = { "make", "-j4", "all", NULL };
	static const char *const sh_foo[] = { "sh", "-c", "cc -O2 -c src/foo.c -o foo.o", NULL };
	static const char *const cc_foo[] = { "cc", "-O2", "-c", "src/foo.c", "-o", "foo.o", NULL };
	static const char *const cc1[] = {
		"cc1", "-quiet", "-I", "include", "src/foo.c", "-quiet", "-dumpbase", "foo.c",
		"-dumpbase-ext", ".c", "-O2", "-o", "/tmp/ccA1b2C3.s", NULL,
	};
	static const char *const as[] = { "as", "--64", "-o", "foo.o", "/tmp/ccA1b2C3.s", NULL };
	static const char *const sh_bar[] = { "sh", "-c", "cc -O2 -c src/bar.c -o bar.o", NULL };
	static const char *const cc_bar[] = { "cc", "-O2", "-c", "src/bar.c", "-o", "bar.o", NULL };
	static const char *const ls[] = { "ls", "/nonexistent", NULL };
	static const char *const sh_make[] = { "sh", "-c", "make all", NULL };
	static const char *const make_all[] = { "make", "all", NULL };
	static const char *const sh_kill[] = { "sh", "-c", "kill -TERM $$", NULL };
	static const char *const link[] = { "cc", "-o", "prog", "foo.o", "bar.o", NULL };

	syn_fork(m, 400, SYN_TRACER, SYN_MS(0), "proctrace-timel");
	syn_exec(m, 400, SYN_TRACER, SYN_MS(0.5), "/usr/bin/make", make);
	begin(m, 401, 400, 5, "make", "/bin/sh", sh_foo);
	begin(m, 405, 400, 5.5, "make", "/bin/sh", sh_bar);
	begin(m, 402, 401, 6, "sh", "/usr/bin/cc", cc_foo);
	begin(m, 406, 405, 6.5, "sh", "/usr/bin/cc", cc_bar);
	step(m, 403, 402, 7, 500, cc1, 0, 0);
	step(m, 404, 402, 501, 598, as, 0, 0);
	syn_exit(m, 402, 401, SYN_MS(599), SYN_MS(6), "cc", 0, 0);
	syn_exit(m, 401, 400, SYN_MS(600), SYN_MS(5), "sh", 0, 0);
	syn_exit(m, 406, 405, SYN_MS(699), SYN_MS(6.5), "cc", 0, 0);
	syn_exit(m, 405, 400, SYN_MS(700), SYN_MS(5.5), "sh", 0, 0);
	step(m, 407, 400, 710, 711, ls, 2, 0);
	begin(m, 408, 400, 720, "make", "/bin/sh", sh_make);
	begin(m, 409, 408, 721, "sh", "/usr/bin/make", make_all);
	step(m, 410, 409, 800, 801, sh_kill, 0, 15);
	step(m, 411, 409, 810, 1500, link, 0, 0);
	syn_exit(m, 409, 408, SYN_MS(1899), SYN_MS(721), "make", 0, 0);
	syn_exit(m, 408, 400, SYN_MS(1900), SYN_MS(720), "sh", 0, 0);
	syn_exit(m, 400, SYN_TRACER, SYN_MS(2000), SYN_MS(0), "make", 0, 0);
}

const char *const syn_hostile_name = "\x1b[31m<&\"'\\\xff";

void syn_hostile(struct tl_model *m)
{
	static const char *const sh[] = { "sh", "-c", "x", NULL };
	const char *argv[] = {
		syn_hostile_name, "</text></g><script>alert(1)</script>",
		"a]]>b&amp;\"'", "\x1b]0;title\x07", "\xc2\x9b" "31m", "line\xe2\x80\xa8sep",
		"\x80lone", "\xc0\x80overlong", "tab\tnew\nline", "\xef\xbf\xbe", NULL,
	};
	char path[64] = "/tmp/";

	strcat(path, syn_hostile_name);
	syn_fork(m, 200, SYN_TRACER, SYN_MS(0), "proctrace-timel");
	syn_exec(m, 200, SYN_TRACER, SYN_MS(1), "/bin/sh", sh);
	syn_fork(m, 201, 200, SYN_MS(10), "sh");
	syn_exec(m, 201, 200, SYN_MS(11), path, argv);
	syn_exit(m, 201, 200, SYN_MS(500), SYN_MS(10), syn_hostile_name, 1, 0);
	syn_exit(m, 200, SYN_TRACER, SYN_MS(600), SYN_MS(0), "sh", 1, 0);
}

void syn_many(struct tl_model *m, int n, int parallel)
{
	static const char *const sh[] = { "sh", "build.sh", NULL };
	char *big = malloc(4096);
	const char *argv[] = { "cc", "-c", big, "-o", "out.o", NULL };
	int i;

	memset(big, 'x', 4095);
	big[4095] = '\0';
	syn_fork(m, 1000, SYN_TRACER, SYN_MS(0), "proctrace-timel");
	syn_exec(m, 1000, SYN_TRACER, SYN_MS(0.1), "/bin/sh", sh);
	/* Batches of @parallel processes of 2 ms each, 1 ms apart. */
	for (i = 0; i < n; i++) {
		int32_t pid = 1001 + i;
		double start = 1 + (double)(i / parallel) * 3 + (i % parallel) * 0.01;

		syn_fork(m, pid, 1000, SYN_MS(start), "sh");
		syn_exec(m, pid, 1000, SYN_MS(start + 0.1),
			 "/usr/lib/gcc/x86_64-linux-gnu/12/cc1-with-a-long-path", argv);
		syn_exit(m, pid, 1000, SYN_MS(start + 2), SYN_MS(start),
			 i % 97 ? "cc1" : "cc1", i % 97 ? 0 : 1, 0);
	}
	syn_exit(m, 1000, SYN_TRACER, SYN_MS(2 + (double)(n / parallel + 1) * 3),
		 SYN_MS(0), "sh", 0, 0);
	free(big);
}
