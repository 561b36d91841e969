/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The processes of a traced run, rebuilt from FORK, EXEC and EXIT events.
 *
 * One struct tl_proc per process lifetime, in the order the processes
 * appeared.  A process is known from its first event of any kind: its
 * start is when its creation was seen (FORK; or its EXIT's timestamp
 * minus its lifetime, which the kernel measures from the creation; or its
 * first EXEC when both were lost), its end is its EXIT.  A process whose
 * EXIT was lost stays open-ended: tl_model_finish() ends it at the end of
 * the run and leaves has_exit false, so that it is drawn, not hidden.
 *
 * Everything is copied out of the events: they live only for the callback.
 * No library call here, only its event structure, so that the drawing code
 * is tested on synthetic events without BPF.
 */
#ifndef TIMELINE_MODEL_H
#define TIMELINE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <proctrace/proctrace.h>

#define TL_NONE SIZE_MAX

struct tl_exec {
	uint64_t ts_ns;
	char *filename;
	char **argv;		/* argc strings; never NULL after an exec */
	uint32_t argc;
	bool args_truncated;
	/* PROCTRACE_EVENT_F_PRIV_* (libproctrace 0.4): the exec raised privilege. */
	uint32_t priv;
};

/*
 * The causes in @priv (PROCTRACE_EVENT_F_PRIV_* bits), e.g.
 * "setuid+file-caps"; "" when none.  A static string.
 */
const char *tl_priv_causes(uint32_t priv);

struct tl_proc {
	int32_t pid;
	int32_t ppid;
	uint64_t start_ns;
	uint64_t end_ns;	/* the EXIT, or the run's end if it was lost */
	bool has_fork;
	bool has_exit;
	int32_t exit_code;
	int32_t signal;
	bool core_dumped;
	/*
	 * What it used, from its EXIT (libproctrace 0.3): CPU time (user +
	 * system) and peak resident set size; both 0 when not known (EXIT
	 * lost, or an older library).
	 */
	uint64_t cpu_ns;
	uint64_t max_rss_bytes;
	char comm[PROCTRACE_COMM_LEN];	/* the latest seen */
	struct tl_exec *execs;
	size_t n_execs;

	/* Filled by tl_model_finish(). */
	size_t parent;		/* index, or TL_NONE for a root */
	size_t first_child;	/* children in order of start, TL_NONE-ended */
	size_t next_sibling;
};

/* Outcome, by which a process is coloured and counted. */
enum tl_outcome {
	TL_OK,		/* exit 0 */
	TL_FAILED,	/* non-zero exit */
	TL_KILLED,	/* killed by a signal */
	TL_OPEN,	/* exit lost: how it ended is unknown */
};

struct tl_model {
	struct tl_proc *procs;
	size_t n;
	size_t cap;
	/* pid -> index of its latest process, open addressing. */
	size_t *slots;
	size_t n_slots;
	int32_t ignore_pid;	/* our own process: never part of the picture */
	uint64_t last_ts_ns;	/* the latest event seen */
	bool oom;		/* an allocation failed: some data is missing */

	/* Filled by tl_model_finish(). */
	uint64_t t0_ns;		/* the earliest start */
	uint64_t t1_ns;		/* the latest end */
	size_t first_root;	/* roots in order of start */
	size_t *order;		/* tree order: parent, then children (n entries) */
};

/* Events of @ignore_pid (0: none) are dropped. */
void tl_model_init(struct tl_model *m, int32_t ignore_pid);
void tl_model_free(struct tl_model *m);

/* Records one event; 0, or -ENOMEM (the model then stays usable). */
int tl_model_add(struct tl_model *m, const struct proctrace_event *e);

/*
 * After the last event: ends open processes at @end_ns (or at the latest
 * timestamp seen, if later), links parents and children, computes the tree
 * order and t0/t1.  0, or -ENOMEM.
 */
int tl_model_finish(struct tl_model *m, uint64_t end_ns);

enum tl_outcome tl_outcome(const struct tl_proc *p);

/* It failed: TL_FAILED or TL_KILLED. */
bool tl_failed(const struct tl_proc *p);

/* The program's command line: its last exec's argv, or its comm. */
const char *const *tl_proc_argv(const struct tl_proc *p, uint32_t *argc);

/* Processes that failed (TL_FAILED or TL_KILLED). */
size_t tl_model_failed(const struct tl_model *m);

/* The largest number of processes alive at the same instant. */
size_t tl_model_peak(const struct tl_model *m);

/* "SIGTERM", "SIGRTMIN+3" or "SIG99" into @buf. */
const char *tl_signal_name(int32_t sig, char *buf, size_t size);

#endif
