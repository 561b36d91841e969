/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The 10,000-exit burst through bootstrap-cli (live, suite root): with
 * `bootstrap-cli --json -p OUR_PID` writing every event to a file, all
 * 10,000 children's exits are in the file, each once with its exit code,
 * no "lost" record, and the exit summary on stderr says nothing was lost
 * and counts exactly the events written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "burst.h"
#include "cli-process.h"
#include "live-harness.h"

#define BURST 10000
#define MAX_PROBES 1000
/* Bounds only, far above what this takes on the 2-core VM. */
#define START_TIMEOUT_MS 30000
#define DELIVERY_TIMEOUT_MS 60000

struct scan {
	unsigned *seen;		/* exit records per burst child */
	size_t exits;		/* exit records of burst children */
	size_t wrong_code;
	size_t probe_records;	/* records of the start-up probes */
	size_t foreign;		/* records of anyone else: -p must keep them out */
	size_t lost_records;	/* {"type":"lost",...} */
	size_t events;		/* every record but "lost" ones */
	size_t bad_lines;	/* not one JSON object per line */
	char first_bad[256];
};

struct probes {
	pid_t pids[MAX_PROBES];
	size_t n;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The number after "KEY": in a JSON line of ours, or -1. */
static long json_number(const char *line, const char *key)
{
	char pattern[64];
	const char *p;

	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	p = strstr(line, pattern);
	return p ? strtol(p + strlen(pattern), NULL, 10) : -1;
}

static int json_type_is(const char *line, const char *type)
{
	char pattern[64];

	snprintf(pattern, sizeof(pattern), "{\"type\":\"%s\"", type);
	return !strncmp(line, pattern, strlen(pattern));
}

static int is_probe(const struct probes *pr, pid_t pid)
{
	size_t i;

	for (i = 0; i < pr->n; i++)
		if (pr->pids[i] == pid)
			return 1;
	return 0;
}

/* Reads the whole output file into @s (reset first). */
static void scan_file(const char *path, const struct burst *b, const struct probes *pr,
		      struct scan *s)
{
	unsigned *seen = s->seen;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	memset(s, 0, sizeof(*s));
	s->seen = seen;
	if (b && b->n)
		memset(seen, 0, b->n * sizeof(*seen));
	while ((len = getline(&line, &cap, f)) > 0) {
		long pid;
		int i;

		if (line[len - 1] != '\n')
			break;	/* being written: taken up at the next scan */
		line[--len] = '\0';
		if (len < 2 || line[0] != '{' || line[len - 1] != '}') {
			if (!s->bad_lines++)
				snprintf(s->first_bad, sizeof(s->first_bad), "%s", line);
			continue;
		}
		if (json_type_is(line, "lost")) {
			s->lost_records++;
			continue;
		}
		s->events++;
		pid = json_number(line, "pid");
		i = b && b->n ? burst_index(b, (pid_t)pid) : -1;
		if (i >= 0 && json_type_is(line, "exit")) {
			s->exits++;
			seen[i]++;
			if (json_number(line, "exit_code") != burst_code((size_t)i))
				s->wrong_code++;
		} else if (is_probe(pr, (pid_t)pid)) {
			s->probe_records++;
		} else {
			s->foreign++;
		}
	}
	free(line);
	fclose(f);
}

/* A child that exits at once; its record in the file means the CLI traces. */
static void run_probe(struct probes *pr)
{
	pid_t pid;

	assert_true(pr->n < MAX_PROBES);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	pr->pids[pr->n++] = pid;
	cli_wait(pid);
}

static int temp_file(char *path, size_t size, const char *what)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(path, size, "%s/proctrace-cli-burst-%s-XXXXXX", dir, what);
	fd = mkostemp(path, O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* The summary line from the CLI's stderr, echoed to our log as it is read. */
static int read_summary(const char *path, unsigned long long v[5])
{
	char line[1024];
	int found = 0, end;
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		printf("bootstrap-cli stderr: %s", line);
		line[strcspn(line, "\n")] = '\0';
		end = -1;
		if (sscanf(line, "bootstrap-cli: summary: delivered=%llu lost=%llu "
			   "(ring_full=%llu other=%llu malformed=%llu)%n",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &end) == 5 &&
		    end == (int)strlen(line))
			found++;
	}
	fclose(f);
	return found;
}

static void test_cli_burst_to_file_loses_nothing(void **state)
{
	char out_path[256], err_path[256], pid_arg[16];
	const char *args[] = { "--json", "-p", pid_arg, NULL };
	struct probes pr = { .n = 0 };
	struct scan s = { 0 };
	struct burst b = { 0 };
	unsigned long long sum[5];
	int out_fd, err_fd, status, summaries;
	uint64_t deadline, t_release, t_done;
	pid_t cli;
	size_t i;

	burst_check_limits(BURST);
	s.seen = calloc(BURST, sizeof(*s.seen));
	assert_non_null(s.seen);
	out_fd = temp_file(out_path, sizeof(out_path), "out");
	err_fd = temp_file(err_path, sizeof(err_path), "err");
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)getpid());
	cli = cli_spawn(args, out_fd, err_fd);
	close(out_fd);
	close(err_fd);

	/* Tracing once a probe's exit reaches the file. */
	deadline = now_ms() + START_TIMEOUT_MS;
	do {
		run_probe(&pr);
		usleep(100 * 1000);
		scan_file(out_path, NULL, &pr, &s);
	} while (!s.probe_records && now_ms() < deadline);
	if (!s.probe_records) {
		kill(cli, SIGKILL);
		cli_wait(cli);
		fail_msg("bootstrap-cli reported none of %zu probe children within %d ms",
			 pr.n, START_TIMEOUT_MS);
	}

	burst_fork(&b, BURST);
	burst_release(&b);
	t_release = now_ms();
	burst_reap(&b, 1);
	deadline = t_release + DELIVERY_TIMEOUT_MS;
	do {
		scan_file(out_path, &b, &pr, &s);
		if (s.exits >= BURST)
			break;
		usleep(200 * 1000);
	} while (now_ms() < deadline);
	t_done = now_ms();

	kill(cli, SIGINT);
	status = cli_wait(cli);
	scan_file(out_path, &b, &pr, &s);	/* complete now */
	summaries = read_summary(err_path, sum);
	unlink(out_path);
	unlink(err_path);

	printf("burst of %d exits through bootstrap-cli --json -p: %zu exit records of our "
	       "children in the file %llu ms after release; %zu events in all (%zu probes, "
	       "%zu foreign), %zu lost records\n", BURST, s.exits,
	       (unsigned long long)(t_done - t_release), s.events, s.probe_records,
	       s.foreign, s.lost_records);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	if (s.bad_lines)
		fail_msg("%zu lines are not one JSON object each; first: %s", s.bad_lines,
			 s.first_bad);
	if (summaries != 1)
		fail_msg("expected one line \"bootstrap-cli: summary: delivered=D lost=L "
			 "(ring_full=A other=B malformed=C)\" on stderr, found %d", summaries);
	if (sum[1] || sum[2] || sum[3] || sum[4] || s.lost_records)
		fail_msg("events were lost: %llu per the summary (ring_full=%llu other=%llu "
			 "malformed=%llu), %zu lost records in the file", sum[1], sum[2], sum[3],
			 sum[4], s.lost_records);
	if (sum[0] != s.events)
		fail_msg("the summary counts %llu delivered, the file has %zu records", sum[0],
			 s.events);
	assert_int_equal(s.foreign, 0);
	assert_int_equal(s.wrong_code, 0);
	for (i = 0; i < BURST; i++)
		if (s.seen[i] != 1)
			fail_msg("child %d has %u exit records", (int)b.pids[i], s.seen[i]);
	assert_int_equal(s.exits, BURST);

	burst_free(&b);
	free(s.seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_burst_to_file_loses_nothing),
	};

	live_prepare();
	cli_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
