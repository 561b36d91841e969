/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The process table (PROCTRACE_OPT_SNAPSHOT): every live process the
 * library has described, by a snapshot, exec or fork event, with the
 * program it runs, so that an EXIT can say which program ended and a
 * consumer can walk a process's ancestors.
 *
 * Key: a process is (pid, start time).  A pid names at most one live
 * process, so the table holds one record per pid; a record whose start
 * time differs from an event's is a process that has ended without our
 * seeing its EXIT (lost to a full ring buffer, or filtered out), and is
 * replaced, never taken for the new one.  So the table never holds more
 * records than there are pids, whatever is lost.
 *
 * Memory: a record is 80 bytes in one array (indices, not pointers, so
 * that it can grow by realloc), plus a 4-byte bucket head per record or
 * so; its program (filename, exe, the working directory it was started
 * in, arguments) is one allocation shared, with a reference count, by the
 * processes that run it because they were forked without exec.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NIL UINT32_MAX

/* The flags that describe a program, kept with it. */
#define PROGRAM_FLAGS (PROCTRACE_EVENT_F_ARGS_TRUNCATED |                     \
		       PROCTRACE_EVENT_F_ARGS_UNREADABLE |                    \
		       PROCTRACE_EVENT_F_EXE_TRUNCATED |                      \
		       PROCTRACE_EVENT_F_EXE_UNREACHABLE |                    \
		       PROCTRACE_EVENT_F_CWD_TRUNCATED |                      \
		       PROCTRACE_EVENT_F_CWD_DELETED |                        \
		       PROCTRACE_EVENT_F_CWD_UNREACHABLE)

struct pt_program {
	uint32_t refs;
	uint32_t flags;		/* PROGRAM_FLAGS */
	uint32_t args_count;
	uint32_t size;		/* of the whole allocation */
	const char *filename;	/* NULL, or in data[] */
	const char *exe;	/* NULL, or in data[] */
	const char *cwd;	/* where it was started: NULL, or in data[] */
	const char *args;	/* args_count NUL-terminated strings in data[] */
	char data[];
};

struct pt_proc {
	struct pt_process_fields f;	/* f.pid 0: a free record */
	uint64_t timestamp_ns;	/* of the last event that described it */
	uint32_t next;		/* in its bucket's chain, or the free list */
	struct pt_program *prog;	/* NULL: unknown */
};

/* An argv array built on demand over a program's strings. */
struct argv_buf {
	const char **v;
	size_t cap;
};

struct pt_table {
	struct pt_proc *procs;
	uint32_t cap;		/* records allocated */
	uint32_t used;		/* records ever handed out (the rest never used) */
	uint32_t free_head;	/* released records, or NIL */
	size_t count;		/* live records */
	uint32_t *buckets;	/* heads of chains, NIL if empty */
	uint32_t bucket_bits;
	size_t program_bytes;
	struct argv_buf event_argv;	/* for the event being delivered */
	struct argv_buf lookup_argv;	/* for proctrace_process_lookup() */
};

static uint32_t bucket_of(const struct pt_table *t, int32_t pid)
{
	return ((uint32_t)pid * 2654435761u) >> (32 - t->bucket_bits);
}

struct pt_table *pt_table_new(void)
{
	struct pt_table *t = calloc(1, sizeof(*t));
	uint32_t i;

	if (!t)
		return NULL;
	t->bucket_bits = 10;
	t->buckets = malloc(sizeof(*t->buckets) << t->bucket_bits);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	for (i = 0; i < (1u << t->bucket_bits); i++)
		t->buckets[i] = NIL;
	t->free_head = NIL;
	return t;
}

static void program_put(struct pt_table *t, struct pt_program *p)
{
	if (p && --p->refs == 0) {
		t->program_bytes -= p->size;
		free(p);
	}
}

void pt_table_free(struct pt_table *t)
{
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->used; i++)
		program_put(t, t->procs[i].prog);
	free(t->procs);
	free(t->buckets);
	free(t->event_argv.v);
	free(t->lookup_argv.v);
	free(t);
}

static struct pt_proc *find(const struct pt_table *t, int32_t pid)
{
	uint32_t i;

	for (i = t->buckets[bucket_of(t, pid)]; i != NIL; i = t->procs[i].next)
		if (t->procs[i].f.pid == pid)
			return &t->procs[i];
	return NULL;
}

/* Doubles the buckets once the chains get longer than one on average. */
static void maybe_rehash(struct pt_table *t)
{
	uint32_t bits = t->bucket_bits + 1, n = 1u << bits, i, *b;

	if (t->count <= (1u << t->bucket_bits) || bits > 30)
		return;
	b = malloc(sizeof(*b) * n);
	if (!b)
		return;		/* longer chains, still correct */
	for (i = 0; i < n; i++)
		b[i] = NIL;
	free(t->buckets);
	t->buckets = b;
	t->bucket_bits = bits;
	for (i = 0; i < t->used; i++) {
		struct pt_proc *p = &t->procs[i];
		uint32_t h;

		if (!p->f.pid)
			continue;	/* a free record */
		h = bucket_of(t, p->f.pid);
		p->next = b[h];
		b[h] = i;
	}
}

/* A new record for @pid (absent from the table), linked in; or NULL. */
static struct pt_proc *insert(struct pt_table *t, int32_t pid)
{
	struct pt_proc *p;
	uint32_t i, h;

	if (t->free_head != NIL) {
		i = t->free_head;
		t->free_head = t->procs[i].next;
	} else {
		if (t->used == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 256;
			struct pt_proc *n = realloc(t->procs, sizeof(*n) * cap);

			if (!n)
				return NULL;
			t->procs = n;
			t->cap = cap;
		}
		i = t->used++;
	}
	p = &t->procs[i];
	memset(p, 0, sizeof(*p));
	p->f.pid = pid;
	h = bucket_of(t, pid);
	p->next = t->buckets[h];
	t->buckets[h] = i;
	t->count++;
	maybe_rehash(t);
	return find(t, pid);	/* a rehash does not move records, but be plain */
}

static void remove_proc(struct pt_table *t, struct pt_proc *p)
{
	uint32_t idx = (uint32_t)(p - t->procs), *link;

	for (link = &t->buckets[bucket_of(t, p->f.pid)]; *link != NIL;
	     link = &t->procs[*link].next) {
		if (*link == idx) {
			*link = p->next;
			break;
		}
	}
	program_put(t, p->prog);
	memset(p, 0, sizeof(*p));	/* pid 0: free */
	p->next = t->free_head;
	t->free_head = idx;
	t->count--;
}

/* A copy of the program @ev describes (EXEC, PROCESS); NULL if no memory. */
static struct pt_program *program_new(struct pt_table *t,
				      const struct proctrace_event *ev)
{
	size_t flen = ev->filename ? strlen(ev->filename) + 1 : 0;
	size_t elen = ev->exe ? strlen(ev->exe) + 1 : 0;
	size_t clen = ev->cwd ? strlen(ev->cwd) + 1 : 0;
	size_t alen = 0, size, len;
	struct pt_program *p;
	char *at;
	uint32_t i;

	for (i = 0; i < ev->args_count; i++)
		alen += strlen(ev->args[i]) + 1;
	size = sizeof(*p) + flen + elen + clen + alen;
	p = malloc(size);
	if (!p)
		return NULL;
	p->refs = 1;
	p->flags = ev->flags & PROGRAM_FLAGS;
	p->args_count = ev->args_count;
	p->size = (uint32_t)size;
	at = p->data;
	p->filename = flen ? memcpy(at, ev->filename, flen) : NULL;
	at += flen;
	p->exe = elen ? memcpy(at, ev->exe, elen) : NULL;
	at += elen;
	p->cwd = clen ? memcpy(at, ev->cwd, clen) : NULL;
	at += clen;
	p->args = at;
	for (i = 0; i < ev->args_count; i++) {
		len = strlen(ev->args[i]) + 1;
		memcpy(at, ev->args[i], len);
		at += len;
	}
	t->program_bytes += size;
	return p;
}

/* Points @ev's program fields at @p's strings (argv built in @a). */
static void show_program(const struct pt_program *p, struct argv_buf *a,
			 struct proctrace_event *ev)
{
	const char *s;
	uint32_t i;

	ev->filename = NULL;
	ev->exe = NULL;
	ev->cwd = NULL;
	ev->args = NULL;
	ev->args_count = 0;
	ev->flags &= ~(uint32_t)(PROGRAM_FLAGS | PROCTRACE_EVENT_F_PROGRAM_UNKNOWN);
	if (!p) {
		ev->flags |= PROCTRACE_EVENT_F_PROGRAM_UNKNOWN;
		return;
	}
	ev->flags |= p->flags;
	ev->filename = p->filename;
	ev->exe = p->exe;
	ev->cwd = p->cwd;
	if (a->cap < (size_t)p->args_count + 1) {
		const char **v = realloc(a->v, sizeof(*v) * (p->args_count + 1));

		if (!v) {
			/* The arguments only are missing; say so. */
			ev->flags |= PROCTRACE_EVENT_F_ARGS_TRUNCATED;
			return;
		}
		a->v = v;
		a->cap = p->args_count + 1;
	}
	for (i = 0, s = p->args; i < p->args_count; i++, s += strlen(s) + 1)
		a->v[i] = s;
	a->v[i] = NULL;
	ev->args = a->v;
	ev->args_count = p->args_count;
}

/* The fields of bpf/proctrace_fields.h, between an event and a record. */
#define COPY_FIELD(name, ...) memcpy(&dst->name, &src->name, sizeof(dst->name));

static void set_identity(struct pt_proc *p, const struct proctrace_event *ev)
{
	struct pt_process_fields *dst = &p->f;
	const struct proctrace_event *src = ev;

	PT_PROCESS_FIELDS(COPY_FIELD)
	p->timestamp_ns = ev->timestamp_ns;
}

/*
 * The record of process (@pid, @start), created if absent; a record of an
 * earlier process with that pid is emptied for it.  NULL if no memory.
 */
static struct pt_proc *record_for(struct pt_table *t, int32_t pid,
				  uint64_t start)
{
	struct pt_proc *p = find(t, pid);

	if (!p)
		return insert(t, pid);
	if (p->f.start_time_ns != start) {
		program_put(t, p->prog);
		p->prog = NULL;
	}
	return p;
}

int pt_table_before(struct pt_table *t, struct proctrace_event *ev)
{
	struct pt_program *prog = NULL;
	struct pt_proc *p, *parent;

	if (ev->pid <= 0)
		return 0;
	switch (ev->type) {
	case PROCTRACE_EVENT_PROCESS:
	case PROCTRACE_EVENT_EXEC:
		prog = program_new(t, ev);
		p = record_for(t, ev->pid, ev->start_time_ns);
		if (!p) {
			program_put(t, prog);
			return -ENOMEM;
		}
		set_identity(p, ev);
		program_put(t, p->prog);
		p->prog = prog;		/* NULL without memory: unknown */
		return prog ? 0 : -ENOMEM;
	case PROCTRACE_EVENT_FORK:
		/* The child runs its parent's program until it execs. */
		parent = find(t, ev->ppid);
		if (parent && parent->f.start_time_ns == ev->parent_start_time_ns)
			prog = parent->prog;
		show_program(prog, &t->event_argv, ev);
		p = record_for(t, ev->pid, ev->start_time_ns);
		if (!p)
			return -ENOMEM;
		set_identity(p, ev);
		if (prog)
			prog->refs++;
		program_put(t, p->prog);
		p->prog = prog;
		return 0;
	case PROCTRACE_EVENT_CRED_CHANGE:
	case PROCTRACE_EVENT_EXIT:
		p = find(t, ev->pid);
		if (p && p->f.start_time_ns != ev->start_time_ns)
			p = NULL;
		/* A lookup shows the credentials the process has now. */
		if (p && ev->type == PROCTRACE_EVENT_CRED_CHANGE)
			set_identity(p, ev);
		show_program(p ? p->prog : NULL, &t->event_argv, ev);
		return 0;
	default:
		return 0;
	}
}

void pt_table_after(struct pt_table *t, const struct proctrace_event *ev)
{
	struct pt_proc *p;

	if (ev->type != PROCTRACE_EVENT_EXIT || ev->pid <= 0)
		return;
	/* Its record, or that of an earlier process with its pid: both gone. */
	p = find(t, ev->pid);
	if (p && p->f.start_time_ns <= ev->start_time_ns)
		remove_proc(t, p);
}

int pt_table_lookup(struct pt_table *t, int32_t pid, struct proctrace_event *out)
{
	const struct pt_proc *p = pid > 0 ? find(t, pid) : NULL;

	if (!p)
		return -ESRCH;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->type = PROCTRACE_EVENT_PROCESS;
	{
		struct proctrace_event *dst = out;
		const struct pt_process_fields *src = &p->f;

		PT_PROCESS_FIELDS(COPY_FIELD)
	}
	out->timestamp_ns = p->timestamp_ns;
	show_program(p->prog, &t->lookup_argv, out);
	return 0;
}

size_t pt_table_count(const struct pt_table *t)
{
	return t->count;
}

size_t pt_table_bytes(const struct pt_table *t)
{
	return sizeof(*t) + (size_t)t->cap * sizeof(*t->procs) +
	       (sizeof(*t->buckets) << t->bucket_bits) + t->program_bytes +
	       (t->event_argv.cap + t->lookup_argv.cap) * sizeof(char *);
}
