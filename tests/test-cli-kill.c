/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bootstrap-cli killed with SIGKILL (live, suite root): it gets no chance to
 * clean up, so only the kernel's release of its file descriptors detaches
 * the BPF programs.  Checks that none of its programs, links or maps
 * survives it (by id, read from its /proc/PID/fdinfo while it traces),
 * allowing the kernel a bounded moment for its deferred release.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf-objects.h"
#include "cli-process.h"
#include "live-harness.h"

/* Bounds only: the CLI starts in well under a second here. */
#define START_TIMEOUT_MS 30000
#define RELEASE_TIMEOUT_MS 10000

static int contains(const struct id_set *s, uint32_t id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 1;
	return 0;
}

static struct bpf_objects named(void)
{
	struct bpf_objects o = { 0 };
	int err = bpf_objects_named(BPF_OBJECTS_OUR_PREFIX, &o);

	if (err)
		fail_msg("enumerating BPF programs and links: %s", strerror(-err));
	return o;
}

static void kill_cli_and_check(const char *const args[], const char *first_line)
{
	struct bpf_objects cli = { 0 }, before = named(), during, after;
	struct collector probes = { 0 };
	char line[8192];
	int out[2], n = -ETIMEDOUT, status, left, err, waited;
	size_t i, p, l, m;
	pid_t pid;

	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	pid = cli_spawn(args, out[1], -1);
	close(out[1]);
	/*
	 * It prints its first line only once proctrace_start() succeeded: the
	 * table's header, or in JSON the first event, for which a child is
	 * run whenever nothing came for a moment.
	 */
	for (waited = 0; waited < START_TIMEOUT_MS; waited += 200) {
		n = cli_read_line(out[0], line, sizeof(line), 200);
		if (n != -ETIMEDOUT)
			break;
		reap(spawn_child(&probes, 0, 0));
	}
	if (n < 0 || strncmp(line, first_line, strlen(first_line))) {
		kill(pid, SIGKILL);
		cli_wait(pid);
		fail_msg("bootstrap-cli did not start tracing: %s",
			 n < 0 ? strerror(-n) : line);
	}

	err = bpf_objects_of_pid(pid, &cli);
	during = named();
	kill(pid, SIGKILL);
	status = cli_wait(pid);
	close(out[0]);
	if (err)
		fail_msg("reading /proc/%d/fdinfo: %s", (int)pid, strerror(-err));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	left = bpf_objects_wait_gone(&cli, RELEASE_TIMEOUT_MS, &p, &l, &m);
	if (left < 0)
		fail_msg("checking BPF object ids: %s", strerror(-left));
	after = named();
	printf("bootstrap-cli held %zu programs, %zu links, %zu maps; alive after SIGKILL: "
	       "%zu, %zu, %zu\n", cli.progs.n, cli.links.n, cli.maps.n, p, l, m);
	printf("programs/links named %s* on the machine: %zu/%zu before, %zu/%zu while it "
	       "ran, %zu/%zu after\n", BPF_OBJECTS_OUR_PREFIX, before.progs.n,
	       before.links.n, during.progs.n, during.links.n, after.progs.n, after.links.n);

	/* The enumeration saw the CLI's objects, under our name, while it ran. */
	assert_true(cli.progs.n >= 1);
	assert_true(cli.links.n >= 1);
	assert_true(cli.maps.n >= 1);
	for (i = 0; i < cli.progs.n; i++)
		assert_true(contains(&during.progs, cli.progs.ids[i]));
	for (i = 0; i < cli.links.n; i++)
		assert_true(contains(&during.links, cli.links.ids[i]));
	/* And none of them outlives it. */
	assert_int_equal(p, 0);
	assert_int_equal(l, 0);
	assert_int_equal(m, 0);
	for (i = 0; i < cli.progs.n; i++)
		assert_false(contains(&after.progs, cli.progs.ids[i]));
	for (i = 0; i < cli.links.n; i++)
		assert_false(contains(&after.links, cli.links.ids[i]));

	collector_free(&probes);
	bpf_objects_free(&cli);
	bpf_objects_free(&before);
	bpf_objects_free(&during);
	bpf_objects_free(&after);
}

static void test_sigkill_table_mode(void **state)
{
	const char *const args[] = { NULL };

	kill_cli_and_check(args, "TIME");
}

static void test_sigkill_json_mode(void **state)
{
	const char *const args[] = { "--json", NULL };

	kill_cli_and_check(args, "{\"type\":");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigkill_table_mode),
		cmocka_unit_test(test_sigkill_json_mode),
	};

	live_prepare();
	cli_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
