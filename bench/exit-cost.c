/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench-exit-cost NOOP COUNT ROUNDS
 *
 * What reading a process's resource usage (issue 15) adds to the kernel
 * side of every EXIT.  Each round loads the library's own BPF object (its
 * skeleton) twice, once with the usage read turned off (the read_usage
 * setting, which the library never changes) and once as the library runs
 * it, attaches both exit programs (only those), so that every exit runs
 * both, one after the other (the order alternating between rounds), and
 * runs COUNT fork + exec(NOOP) + wait.  The kernel's BPF statistics (kernel.bpf_stats_enabled, turned on through
 * BPF_ENABLE_STATS for as long as this runs) give the program's run
 * time and run count; per-run costs are exact averages over every exit
 * on the machine meanwhile, ours being nearly all of them.  The ring
 * buffer is drained as the library drains it, so that records are
 * really written, never dropped as "ring full".
 *
 * Prints one line per round, "round=I without_ns=A with_ns=B runs=N"
 * (A and B in ns per run of the exit program), then
 * "mean_without_ns=A mean_with_ns=B rounds=R": means over the rounds,
 * which hold each order equally often when ROUNDS is even (the program
 * that runs first pays for the cache misses of both, which is far more
 * than the difference being measured).
 *
 * This is a measuring tool next to the library, not part of it: it uses
 * libbpf directly, because no public option turns the usage read off.
 *
 * Exit status: 0; 1 if BPF statistics or loading failed; 2 for bad usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common.h"
#include "proctrace.skel.h"

#define RING_SIZE (4u * 1024 * 1024)

static int drop_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void spawn_one(const char *noop)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		execl(noop, "bench-noop", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(1);
		}
}

struct loaded {
	struct proctrace_bpf *skel;
	struct ring_buffer *ring;
	struct bpf_prog_info before;
};

/* The library's object with the usage read on or off, not yet attached. */
static void load(struct loaded *l, bool usage)
{
	struct bpf_program *prog;
	int err;

	l->skel = proctrace_bpf__open();
	if (!l->skel) {
		perror("opening the BPF object");
		exit(1);
	}
	l->skel->rodata->read_usage = usage;
	/* As the library sets them (lib/bpf_config.c). */
	l->skel->rodata->wakeup_bytes = RING_SIZE / 8;
	bpf_map__set_max_entries(l->skel->maps.events, RING_SIZE);
	/*
	 * The exit program alone: every other one (exec, fork, snapshot,
	 * failed exec attempts, and whatever comes next) stays unloaded.
	 */
	bpf_object__for_each_program(prog, l->skel->obj)
		if (prog != l->skel->progs.proctrace_exit)
			bpf_program__set_autoload(prog, false);
	err = proctrace_bpf__load(l->skel);
	if (err) {
		fprintf(stderr, "loading the BPF object: %s\n", strerror(-err));
		exit(1);
	}
	l->ring = ring_buffer__new(bpf_map__fd(l->skel->maps.events), drop_record,
				   NULL, NULL);
	if (!l->ring) {
		perror("ring_buffer__new");
		exit(1);
	}
}

static void attach(struct loaded *l)
{
	__u32 len = sizeof(l->before);

	l->skel->links.proctrace_exit = bpf_program__attach(l->skel->progs.proctrace_exit);
	if (!l->skel->links.proctrace_exit) {
		perror("attaching the exit program");
		exit(1);
	}
	memset(&l->before, 0, sizeof(l->before));
	bpf_obj_get_info_by_fd(bpf_program__fd(l->skel->progs.proctrace_exit),
			       &l->before, &len);
}

/* ns per run since attach(); frees @l. */
static double finish(struct loaded *l, unsigned long long *runs)
{
	struct bpf_prog_info after = {};
	__u32 len = sizeof(after);

	bpf_obj_get_info_by_fd(bpf_program__fd(l->skel->progs.proctrace_exit),
			       &after, &len);
	ring_buffer__free(l->ring);
	proctrace_bpf__destroy(l->skel);
	*runs = after.run_cnt - l->before.run_cnt;
	if (!*runs)
		return 0;
	return (double)(after.run_time_ns - l->before.run_time_ns) / (double)*runs;
}

int main(int argc, char **argv)
{
	long count, rounds, r;
	double *without, *with, sum_without = 0, sum_with = 0;
	unsigned long long runs_without, runs_with;
	int stats_fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s NOOP COUNT ROUNDS\n", argv[0]);
		return 2;
	}
	count = parse_count("count", argv[2]);
	rounds = parse_count("rounds", argv[3]);
	libbpf_set_print(silent);
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "BPF_ENABLE_STATS: %s\n", strerror(errno));
		return 1;
	}
	without = calloc((size_t)rounds, sizeof(*without));
	with = calloc((size_t)rounds, sizeof(*with));
	if (!without || !with)
		return 1;
	for (r = 0; r < rounds; r++) {
		struct loaded off, on;
		long i;

		load(&off, false);
		load(&on, true);
		/*
		 * Both run on every exit, one after the other, so they share
		 * whatever else the machine does; the first warms the caches
		 * for the second, so the order alternates between rounds.
		 */
		if (r % 2 == 0) {
			attach(&off);
			attach(&on);
		} else {
			attach(&on);
			attach(&off);
		}
		for (i = 0; i < count; i++) {
			spawn_one(argv[1]);
			if (i % 64 == 63) {
				ring_buffer__consume(off.ring);
				ring_buffer__consume(on.ring);
			}
		}
		without[r] = finish(&off, &runs_without);
		with[r] = finish(&on, &runs_with);
		printf("round=%ld without_ns=%.0f with_ns=%.0f runs=%llu\n", r,
		       without[r], with[r], runs_with);
		if (runs_without < (unsigned long long)count ||
		    runs_with < (unsigned long long)count) {
			fprintf(stderr, "the exit program ran fewer times than there were spawns\n");
			return 1;
		}
	}
	for (r = 0; r < rounds; r++) {
		sum_without += without[r];
		sum_with += with[r];
	}
	printf("mean_without_ns=%.0f mean_with_ns=%.0f rounds=%ld\n",
	       sum_without / rounds, sum_with / rounds, rounds);
	free(without);
	free(with);
	close(stats_fd);
	return 0;
}
