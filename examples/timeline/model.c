/* SPDX-License-Identifier: BSD-2-Clause */
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tl_model_init(struct tl_model *m, int32_t ignore_pid)
{
	memset(m, 0, sizeof(*m));
	m->ignore_pid = ignore_pid;
	m->first_root = TL_NONE;
}

static void exec_free(struct tl_exec *x)
{
	uint32_t i;

	for (i = 0; x->argv && i < x->argc; i++)
		free(x->argv[i]);
	free(x->argv);
	free(x->filename);
}

void tl_model_free(struct tl_model *m)
{
	size_t i, j;

	for (i = 0; i < m->n; i++) {
		for (j = 0; j < m->procs[i].n_execs; j++)
			exec_free(&m->procs[i].execs[j]);
		free(m->procs[i].execs);
	}
	free(m->procs);
	free(m->slots);
	free(m->order);
	memset(m, 0, sizeof(*m));
}

static size_t slot_of(const struct tl_model *m, int32_t pid)
{
	size_t mask = m->n_slots - 1;
	size_t i = ((uint32_t)pid * 2654435761u) & mask;

	/* Slots hold index + 1; 0 is empty.  Never full (load <= 1/2). */
	while (m->slots[i] && m->procs[m->slots[i] - 1].pid != pid)
		i = (i + 1) & mask;
	return i;
}

/* The latest process with @pid, or NULL. */
static struct tl_proc *find_latest(const struct tl_model *m, int32_t pid)
{
	size_t i;

	if (!m->n_slots)
		return NULL;
	i = slot_of(m, pid);
	return m->slots[i] ? &m->procs[m->slots[i] - 1] : NULL;
}

/* The process with @pid that has not ended yet, or NULL. */
static struct tl_proc *find_alive(const struct tl_model *m, int32_t pid)
{
	struct tl_proc *p = find_latest(m, pid);

	return p && !p->has_exit ? p : NULL;
}

static int grow_slots(struct tl_model *m)
{
	size_t old_n = m->n_slots, i, *old = m->slots;
	size_t n = old_n ? old_n * 2 : 1024;

	m->slots = calloc(n, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->n_slots = n;
	for (i = 0; i < old_n; i++)
		if (old[i])
			m->slots[slot_of(m, m->procs[old[i] - 1].pid)] = old[i];
	free(old);
	return 0;
}

static struct tl_proc *new_proc(struct tl_model *m, const struct proctrace_event *e,
				uint64_t start_ns)
{
	struct tl_proc *p, *parent;

	if (m->n + 1 > m->n_slots / 2 && grow_slots(m))
		return NULL;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct tl_proc *procs = realloc(m->procs, cap * sizeof(*procs));

		if (!procs)
			return NULL;
		m->procs = procs;
		m->cap = cap;
	}
	/* Looked up now: the parent alive at the fork, even if its pid comes back. */
	parent = find_latest(m, e->ppid);
	p = &m->procs[m->n];
	memset(p, 0, sizeof(*p));
	p->pid = e->pid;
	p->ppid = e->ppid;
	p->start_ns = start_ns;
	p->parent = parent ? (size_t)(parent - m->procs) : TL_NONE;
	p->first_child = p->next_sibling = TL_NONE;
	memcpy(p->comm, e->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	m->slots[slot_of(m, e->pid)] = ++m->n;
	return p;
}

static char *copy_string(const char *s, bool *ok)
{
	char *c = strdup(s ? s : "");

	if (!c)
		*ok = false;
	return c;
}

const char *tl_priv_causes(uint32_t priv)
{
	/* Indexed by the three bits, in the order setuid, setgid, file-caps. */
	static const char *const names[8] = {
		"", "setuid", "setgid", "setuid+setgid", "file-caps",
		"setuid+file-caps", "setgid+file-caps", "setuid+setgid+file-caps",
	};
	unsigned int i = ((priv & PROCTRACE_EVENT_F_PRIV_SETUID) ? 1 : 0) |
			 ((priv & PROCTRACE_EVENT_F_PRIV_SETGID) ? 2 : 0) |
			 ((priv & PROCTRACE_EVENT_F_PRIV_FILE_CAPS) ? 4 : 0);

	return names[i];
}

static int add_exec(struct tl_proc *p, const struct proctrace_event *e)
{
	struct tl_exec *execs, *x;
	bool has_args = PROCTRACE_EVENT_HAS(e, args_count) && e->args;
	uint32_t i, argc = has_args ? e->args_count : 0;
	bool ok = true;

	execs = realloc(p->execs, (p->n_execs + 1) * sizeof(*execs));
	if (!execs)
		return -ENOMEM;
	p->execs = execs;
	x = &execs[p->n_execs];
	memset(x, 0, sizeof(*x));
	x->ts_ns = e->timestamp_ns;
	x->args_truncated = PROCTRACE_EVENT_HAS(e, flags) &&
			    (e->flags & PROCTRACE_EVENT_F_ARGS_TRUNCATED);
	if (PROCTRACE_EVENT_HAS(e, euid))
		x->priv = e->flags & PROCTRACE_EVENT_F_PRIV_RAISED;
	x->filename = copy_string(e->filename, &ok);
	x->argv = calloc(argc ? argc : 1, sizeof(*x->argv));
	if (!x->argv)
		ok = false;
	for (i = 0; ok && i < argc; i++) {
		x->argv[i] = copy_string(e->args[i], &ok);
		x->argc = i + 1;
	}
	if (!ok) {
		exec_free(x);
		return -ENOMEM;
	}
	p->n_execs++;
	return 0;
}

int tl_model_add(struct tl_model *m, const struct proctrace_event *e)
{
	struct tl_proc *p;
	int err = 0;

	if (e->pid == m->ignore_pid && m->ignore_pid)
		return 0;
	if (e->type != PROCTRACE_EVENT_FORK && e->type != PROCTRACE_EVENT_EXEC &&
	    e->type != PROCTRACE_EVENT_EXIT)
		return 0;
	if (e->timestamp_ns > m->last_ts_ns)
		m->last_ts_ns = e->timestamp_ns;

	p = find_alive(m, e->pid);
	if (e->type == PROCTRACE_EVENT_FORK && p) {
		/* The pid is back, so the old one's exit was lost: it ended by now. */
		p->end_ns = e->timestamp_ns;
		p = NULL;
	}
	if (!p) {
		uint64_t start = e->timestamp_ns;

		if (e->type == PROCTRACE_EVENT_EXIT && e->duration_ns <= start)
			start -= e->duration_ns;
		p = new_proc(m, e, start);
		if (!p) {
			m->oom = true;
			return -ENOMEM;
		}
		p->has_fork = e->type == PROCTRACE_EVENT_FORK;
		if (p->has_fork)
			return 0;
	}

	if (e->type == PROCTRACE_EVENT_EXEC) {
		err = add_exec(p, e);
		if (err)
			m->oom = true;
	} else if (e->type == PROCTRACE_EVENT_EXIT) {
		p->has_exit = true;
		p->end_ns = e->timestamp_ns;
		/* The kernel measured the lifetime from the creation itself. */
		if (e->duration_ns && e->duration_ns <= e->timestamp_ns)
			p->start_ns = e->timestamp_ns - e->duration_ns;
		p->exit_code = e->exit_code;
		p->signal = PROCTRACE_EVENT_HAS(e, signal) ? e->signal : 0;
		p->core_dumped = PROCTRACE_EVENT_HAS(e, flags) &&
				 (e->flags & PROCTRACE_EVENT_F_CORE_DUMPED);
		if (PROCTRACE_EVENT_HAS(e, max_rss_bytes)) {
			p->cpu_ns = e->cpu_user_ns + e->cpu_sys_ns;
			p->max_rss_bytes = e->max_rss_bytes;
		}
	}
	memcpy(p->comm, e->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	return err;
}

static const struct tl_proc *sort_procs;

static int by_start(const void *a, const void *b)
{
	const struct tl_proc *pa = &sort_procs[*(const size_t *)a];
	const struct tl_proc *pb = &sort_procs[*(const size_t *)b];

	if (pa->start_ns != pb->start_ns)
		return pa->start_ns < pb->start_ns ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

int tl_model_finish(struct tl_model *m, uint64_t end_ns)
{
	size_t *sorted, *stack, i, k, top, n_order = 0;

	if (m->last_ts_ns > end_ns)
		end_ns = m->last_ts_ns;
	free(m->order);
	m->order = NULL;
	m->first_root = TL_NONE;
	m->t0_ns = m->t1_ns = 0;
	if (!m->n)
		return 0;

	sorted = malloc(m->n * sizeof(*sorted));
	stack = malloc(m->n * sizeof(*stack));
	m->order = malloc(m->n * sizeof(*m->order));
	if (!sorted || !stack || !m->order) {
		free(sorted);
		free(stack);
		free(m->order);
		m->order = NULL;
		return -ENOMEM;
	}

	m->t0_ns = UINT64_MAX;
	for (i = 0; i < m->n; i++) {
		struct tl_proc *p = &m->procs[i];

		if (!p->has_exit && !p->end_ns)
			p->end_ns = end_ns;
		if (p->end_ns < p->start_ns)
			p->end_ns = p->start_ns;
		/*
		 * A parent is always recorded before its child (it was looked
		 * up when the child appeared), so the links cannot loop.
		 */
		if (p->parent != TL_NONE && p->parent >= i)
			p->parent = TL_NONE;
		p->first_child = p->next_sibling = TL_NONE;
		if (p->start_ns < m->t0_ns)
			m->t0_ns = p->start_ns;
		if (p->end_ns > m->t1_ns)
			m->t1_ns = p->end_ns;
		sorted[i] = i;
	}

	/* Children lists and roots in order of start: prepend, latest first. */
	sort_procs = m->procs;
	qsort(sorted, m->n, sizeof(*sorted), by_start);
	for (k = m->n; k-- > 0;) {
		struct tl_proc *p = &m->procs[sorted[k]];
		size_t *head = p->parent == TL_NONE ? &m->first_root
						    : &m->procs[p->parent].first_child;

		p->next_sibling = *head;
		*head = sorted[k];
	}

	/* Depth first, without recursion: a chain may be 10,000 deep. */
	top = 0;
	for (i = m->first_root; i != TL_NONE; i = m->procs[i].next_sibling) {
		stack[top++] = i;
		while (top) {
			size_t cur = stack[--top], c, first = top;

			m->order[n_order++] = cur;
			for (c = m->procs[cur].first_child; c != TL_NONE;
			     c = m->procs[c].next_sibling)
				stack[top++] = c;
			/* Pushed in order; reverse so the earliest pops first. */
			for (k = 0; k < (top - first) / 2; k++) {
				size_t t = stack[first + k];

				stack[first + k] = stack[top - 1 - k];
				stack[top - 1 - k] = t;
			}
		}
	}
	free(sorted);
	free(stack);
	return 0;
}

enum tl_outcome tl_outcome(const struct tl_proc *p)
{
	if (!p->has_exit)
		return TL_OPEN;
	if (p->signal)
		return TL_KILLED;
	return p->exit_code ? TL_FAILED : TL_OK;
}

bool tl_failed(const struct tl_proc *p)
{
	enum tl_outcome o = tl_outcome(p);

	return o == TL_FAILED || o == TL_KILLED;
}

const char *const *tl_proc_argv(const struct tl_proc *p, uint32_t *argc)
{
	static const char *const none[] = { NULL };
	const struct tl_exec *x;

	if (p->n_execs) {
		x = &p->execs[p->n_execs - 1];
		if (x->argc) {
			*argc = x->argc;
			return (const char *const *)x->argv;
		}
	}
	*argc = 0;
	return none;
}

size_t tl_model_failed(const struct tl_model *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->n; i++)
		n += tl_failed(&m->procs[i]);
	return n;
}

struct edge {
	uint64_t t;
	int delta;
};

static int by_time(const void *a, const void *b)
{
	const struct edge *ea = a, *eb = b;

	if (ea->t != eb->t)
		return ea->t < eb->t ? -1 : 1;
	/* An end and a start at the same instant do not overlap. */
	return ea->delta - eb->delta;
}

size_t tl_model_peak(const struct tl_model *m)
{
	struct edge *edges = malloc(2 * m->n * sizeof(*edges) + 1);
	size_t i, alive = 0, peak = 0;

	if (!edges)
		return 0;
	for (i = 0; i < m->n; i++) {
		edges[2 * i] = (struct edge){ m->procs[i].start_ns, 1 };
		edges[2 * i + 1] = (struct edge){ m->procs[i].end_ns, -1 };
	}
	qsort(edges, 2 * m->n, sizeof(*edges), by_time);
	for (i = 0; i < 2 * m->n; i++) {
		alive += edges[i].delta;
		if (alive > peak)
			peak = alive;
	}
	free(edges);
	return peak;
}

static const char *const signal_names[] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL",
	[5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
	[9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2",
	[13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM", [16] = "SIGSTKFLT",
	[17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU",
	[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
	[29] = "SIGIO", [30] = "SIGPWR", [31] = "SIGSYS",
};

const char *tl_signal_name(int32_t sig, char *buf, size_t size)
{
	if (sig > 0 && (size_t)sig < sizeof(signal_names) / sizeof(*signal_names) &&
	    signal_names[sig])
		snprintf(buf, size, "%s", signal_names[sig]);
	else if (sig >= 34 && sig <= 64)
		snprintf(buf, size, "SIGRTMIN+%d", (int)sig - 34);
	else
		snprintf(buf, size, "SIG%d", (int)sig);
	return buf;
}
