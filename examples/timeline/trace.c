/* SPDX-License-Identifier: BSD-2-Clause */
#include "trace.h"

#include <inttypes.h>

#include "escape.h"
#include "label.h"

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	esc_write(out, s ? s : "", ESC_JSON, 0);
	fputc('"', out);
}

static void put_argv(FILE *out, const char *const *argv, size_t argc)
{
	size_t i;

	fputc('[', out);
	for (i = 0; i < argc; i++) {
		if (i)
			fputc(',', out);
		put_string(out, argv[i]);
	}
	fputc(']', out);
}

/* Microseconds from the start, to the nanosecond. */
static void put_us(FILE *out, const char *key, uint64_t ns)
{
	fprintf(out, ",\"%s\":%" PRIu64 ".%03u", key, ns / 1000, (unsigned)(ns % 1000));
}

static const char *program_name(const struct tl_proc *p)
{
	return p->n_execs ? tl_base_name(p->execs[p->n_execs - 1].filename) : p->comm;
}

static void put_process(FILE *out, const struct tl_model *m, const struct tl_layout *l,
			size_t pi, int32_t track_pid)
{
	const struct tl_proc *p = &m->procs[pi];
	uint32_t argc;
	const char *const *argv = tl_proc_argv(p, &argc);
	char sig[24];
	size_t i;

	fputs(",\n{\"ph\":\"X\",\"cat\":\"process\",\"name\":", out);
	put_string(out, program_name(p));
	put_us(out, "ts", p->start_ns - m->t0_ns);
	put_us(out, "dur", p->end_ns - p->start_ns);
	fprintf(out, ",\"pid\":%" PRId32 ",\"tid\":%zu,\"args\":{\"pid\":%" PRId32
		",\"ppid\":%" PRId32 ",\"comm\":", track_pid, l->lane[pi] + 1, p->pid, p->ppid);
	put_string(out, p->comm);
	fputs(",\"argv\":", out);
	put_argv(out, argv, argc);
	switch (tl_outcome(p)) {
	case TL_OK:
	case TL_FAILED:
		fprintf(out, ",\"exit_code\":%" PRId32, p->exit_code);
		break;
	case TL_KILLED:
		fprintf(out, ",\"signal\":%" PRId32 ",\"signal_name\":\"%s\",\"core_dumped\":%s",
			p->signal, tl_signal_name(p->signal, sig, sizeof(sig)),
			p->core_dumped ? "true" : "false");
		break;
	case TL_OPEN:
		fputs(",\"exit\":\"not seen\"", out);
		break;
	}
	/* chrome://tracing's red; Perfetto UI colours by name only. */
	fputs(tl_failed(p) ? "},\"cname\":\"terrible\"}" : "}}", out);

	for (i = 0; i < p->n_execs; i++) {
		const struct tl_exec *x = &p->execs[i];

		fputs(",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"exec\",\"name\":", out);
		put_string(out, x->filename);
		put_us(out, "ts", x->ts_ns - m->t0_ns);
		fprintf(out, ",\"pid\":%" PRId32 ",\"tid\":%zu,\"args\":{\"pid\":%" PRId32
			",\"filename\":", track_pid, l->lane[pi] + 1, p->pid);
		put_string(out, x->filename);
		/* The last exec's argv is the process's own, in its "X" event. */
		if (i + 1 < p->n_execs) {
			fputs(",\"argv\":", out);
			put_argv(out, (const char *const *)x->argv, x->argc);
		}
		fprintf(out, ",\"args_truncated\":%s", x->args_truncated ? "true" : "false");
		/* An exec that raised privilege names how (libproctrace 0.4). */
		if (x->priv)
			fprintf(out, ",\"privilege_raised\":\"%s\"", tl_priv_causes(x->priv));
		fputs("}}", out);
	}

	/*
	 * A failure is also an instant at the exit, which viewers mark
	 * however short the process was.
	 */
	if (tl_failed(p)) {
		fputs(",\n{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"failure\",\"name\":", out);
		if (tl_outcome(p) == TL_KILLED)
			fprintf(out, "\"killed by %s\"", tl_signal_name(p->signal, sig, sizeof(sig)));
		else
			fprintf(out, "\"exit %" PRId32 "\"", p->exit_code);
		put_us(out, "ts", p->end_ns - m->t0_ns);
		fprintf(out, ",\"pid\":%" PRId32 ",\"tid\":%zu,\"args\":{\"pid\":%" PRId32 "}}",
			track_pid, l->lane[pi] + 1, p->pid);
	}

	/* An arrow from the parent's lane to the child's, at the fork. */
	if (p->parent != TL_NONE) {
		fprintf(out, ",\n{\"ph\":\"s\",\"cat\":\"fork\",\"name\":\"fork\",\"id\":%zu", pi);
		put_us(out, "ts", p->start_ns - m->t0_ns);
		fprintf(out, ",\"pid\":%" PRId32 ",\"tid\":%zu}", track_pid, l->lane[p->parent] + 1);
		fprintf(out, ",\n{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"fork\",\"name\":\"fork\",\"id\":%zu", pi);
		put_us(out, "ts", p->start_ns - m->t0_ns);
		fprintf(out, ",\"pid\":%" PRId32 ",\"tid\":%zu}", track_pid, l->lane[pi] + 1);
	}
}

void tl_trace_write(FILE *out, const struct tl_model *m, const struct tl_layout *l,
		    const struct tl_run *run)
{
	int32_t track_pid = m->first_root != TL_NONE ? m->procs[m->first_root].pid : 1;
	size_t k;

	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"command\":", out);
	put_argv(out, run->command, run->command_argc);
	fprintf(out, ",\"start_unix_ns\":%" PRIu64 ",\"wall_ns\":%" PRIu64
		",\"processes\":%zu,\"failed\":%zu,\"peak\":%zu,\"events_lost\":%" PRIu64 "},\n"
		"\"traceEvents\":[\n", m->t0_ns, m->t1_ns - m->t0_ns, m->n,
		tl_model_failed(m), tl_model_peak(m), tl_run_lost(run));
	fprintf(out, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%" PRId32
		",\"tid\":0,\"args\":{\"name\":", track_pid);
	put_string(out, run->command_argc ? run->command[0] : "");
	fputs("}}", out);
	for (k = 0; k < l->n_lanes; k++)
		fprintf(out, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%" PRId32
			",\"tid\":%zu,\"args\":{\"name\":\"lane %zu\"}},\n"
			"{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%" PRId32
			",\"tid\":%zu,\"args\":{\"sort_index\":%zu}}",
			track_pid, k + 1, k + 1, track_pid, k + 1, k);
	for (k = 0; m->order && k < m->n; k++)
		put_process(out, m, l, m->order[k], track_pid);
	fputs("\n]}\n", out);
}
