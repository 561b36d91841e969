/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Starting and stopping the BPF backend (backend.h): the checks before
 * loading, opening the embedded skeleton, loading it with a verifier log
 * per program, the one message that explains a refusal, and the start
 * sequence (load, mark the subtree, set up the reader, attach, take the
 * snapshot).  The other jobs are in the other lib/bpf_*.c files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf_internal.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proctrace-compat.skel.h"
#pragma GCC diagnostic pop

/*
 * The callback promises one line per message; @text may hold many (the
 * verifier's log, or a libbpf message), so it is split here, and each
 * line gets @prefix unless it already starts with it.
 */
static void log_lines(const struct pt_logger *lg, enum proctrace_log_level level,
		      const char *prefix, char *text)
{
	size_t plen = strlen(prefix);
	char *line, *next;

	for (line = text; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!*line)
			continue;
		pt_log(lg, level, "%s%s", strncmp(line, prefix, plen) ? prefix : "",
		       line);
	}
}

/*
 * Only for handles that use the process-wide log callback (0.2's
 * behaviour, see pt_backend_start()): libbpf's messages go to that
 * callback, demoted one level, since libbpf warns about things we then
 * report ourselves in one clear line.
 */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[4096];

	if (!pt_log_verbose(NULL))
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_lines(NULL, level == LIBBPF_WARN ? PROCTRACE_LOG_INFO : PROCTRACE_LOG_DEBUG,
		  "libbpf: ", msg);
	return 0;
}

#define DEFAULT_BTF_PATH "/sys/kernel/btf/vmlinux"

/*
 * The BPF program is relocated against the kernel's BTF (CO-RE) and
 * attaches to BTF-enabled tracepoints: without BTF nothing can work, and
 * libbpf's own error for it is obscure, so check first and say so plainly.
 */
static int check_btf(const struct pt_logger *lg, const char *path)
{
	if (access(path ? path : DEFAULT_BTF_PATH, R_OK) == 0)
		return 0;
	if (path) {
		int err = -errno;

		pt_warn(lg, "proctrace_start: cannot read the kernel BTF file '%s' given in "
			"opts.btf_path: %s", path, strerror(-err));
		return err;
	}
	pt_warn(lg, "proctrace_start: the running kernel has no BTF (" DEFAULT_BTF_PATH
		" is missing); libproctrace needs a kernel built with "
		"CONFIG_DEBUG_INFO_BTF=y");
	return -EOPNOTSUPP;
}

/*
 * libbpf reports some failures with codes of its own (LIBBPF_ERRNO__*,
 * from 4000), which are not errno values: the message gets libbpf's words
 * for them (libbpf_strerror() knows both kinds), the caller EINVAL.
 */
static const char *libbpf_reason(int err, char *buf, size_t size)
{
	if (libbpf_strerror(err, buf, size))
		snprintf(buf, size, "error %d", -err);
	return buf;
}

static int errno_of(int err)
{
	return err <= -__LIBBPF_ERRNO__START ? -EINVAL : err;
}

/*
 * The verifier's log goes into a buffer of ours, not through libbpf's
 * process-wide print hook.  libbpf asks for no log on the first attempt
 * (kernel_log_level 0) and retries a failed load with the log into this
 * buffer, so it is written only when a load fails.  It has the size of
 * libbpf's own, as a smaller one can fail a long log, and is mapped, not
 * malloc()ed, so that it costs no memory until the kernel writes to it
 * and goes back to the system at once (docs/design.md, "Logging").
 */
#define VERIFIER_LOG_SIZE (16u << 20)
/* The skeleton's programs, each with a log buffer of its own. */
#define PT_PROGRAMS (sizeof(((struct proctrace_bpf *)0)->progs) / sizeof(struct bpf_program *))

/*
 * The verifier's last word on a refused program: the last line of its log
 * that is not the closing statistics ("processed N insns ...").  Kept
 * for the warning, so that the reason is seen without a debug log.
 */
static void keep_verdict(struct pt_backend *b, const char *log)
{
	const char *end = log + strlen(log), *line;
	size_t n;

	b->verdict[0] = '\0';
	while (end > log) {
		while (end > log && end[-1] == '\n')
			end--;
		for (line = end; line > log && line[-1] != '\n'; line--)
			;
		n = (size_t)(end - line);
		if (n && strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17)) {
			if (n >= sizeof(b->verdict))
				n = sizeof(b->verdict) - 1;
			memcpy(b->verdict, line, n);
			b->verdict[n] = '\0';
			return;
		}
		end = line;
	}
}

/*
 * What the running kernel lacks of what both variants need, by a probe
 * (NULL: nothing): a refusal is blamed on the kernel's age only when a
 * probe says so.
 */
static const char *kernel_lacks(void)
{
	if (!(pt_bpf_kernel() & PT_KERNEL_RINGBUF))
		return "BPF ring buffers (Linux 5.8)";
	return NULL;
}

/*
 * The warning for a load the kernel refused, and the error to return:
 * -EOPNOTSUPP for a kernel without a feature, else the kernel's own
 * (-EACCES from the verifier), as libbpf's codes become -EOPNOTSUPP.
 */
static int explain_refusal(struct pt_backend *b, const struct pt_backend_params *p,
			   int err)
{
	const char *prog = b->refused, *lacks = kernel_lacks();
	char reason[128];

	if (lacks) {
		pt_warn(&p->log, "proctrace_start: the kernel refused the BPF program%s%s: "
			"%s; this kernel lacks %s, which libproctrace needs",
			prog[0] ? " " : "", prog, libbpf_reason(err, reason, sizeof(reason)),
			lacks);
		return -EOPNOTSUPP;
	}
	pt_warn(&p->log, "proctrace_start: the kernel's verifier refused the BPF program%s%s "
		"(%s)%s%s%s; this is a libproctrace bug for this kernel and these options: "
		"please report it with the verifier's log (a PROCTRACE_LOG_DEBUG log "
		"callback receives it; bootstrap-cli -v prints it)",
		prog[0] ? " " : "", prog, libbpf_reason(err, reason, sizeof(reason)),
		b->verdict[0] ? ": \"" : "", b->verdict, b->verdict[0] ? "\"" : "");
	return err == -EINVAL || err == -ENOTSUP || errno_of(err) != err ? -EOPNOTSUPP : err;
}

/*
 * Opens the embedded object, configures it and loads it, with the
 * verifier's log of a failed load sent to the handle's log at DEBUG.
 * @allow_fexit: whether failed exec attempts may use fexit programs.
 * *@reported: set if the failure was already logged (opening or
 * configuring); a load's failure is left to the caller to explain.
 * *@fexit: set if the object was configured with the fexit programs.
 * Read from here, not from skel->rodata after a failed load: libbpf sets
 * the skeleton's pointer to NULL when it cannot map the maps again.
 */
/*
 * The skeleton, opened on the embedded object of b->compat's variant: both
 * have the skeleton's maps, programs and variables (bpf/meson.build).
 */
static struct proctrace_bpf *open_variant(const struct pt_backend *b,
					  const struct bpf_object_open_opts *opts)
{
	struct proctrace_bpf *obj = calloc(1, sizeof(*obj));
	int err;

	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	err = proctrace_bpf__create_skeleton(obj);
	if (!err && b->compat)
		obj->skeleton->data = (void *)proctrace_compat_bpf__elf_bytes(&obj->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(obj->skeleton, opts);
	if (err) {
		proctrace_bpf__destroy(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

static int open_and_load(struct pt_backend *b, const struct pt_backend_params *p,
			 bool allow_fexit, bool *reported, bool *fexit)
{
	const size_t logs_size = (1 + PT_PROGRAMS) * (size_t)VERIFIER_LOG_SIZE;
	char reason[128];
	char *logs = mmap(NULL, logs_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = p->btf_path);
	struct bpf_program *prog;
	char *log;
	int err;

	*reported = true;
	*fexit = false;
	if (logs == MAP_FAILED) {
		pt_warn(&p->log, "proctrace_start: out of memory");
		return -ENOMEM;
	}
	/* The object's own log (its BTF), then one per program. */
	open_opts.kernel_log_buf = logs;
	open_opts.kernel_log_size = VERIFIER_LOG_SIZE;
	b->skel = open_variant(b, &open_opts);
	if (!b->skel) {
		err = -errno;
		munmap(logs, logs_size);
		pt_warn(&p->log, "proctrace_start: cannot open the embedded BPF object: %s",
			libbpf_reason(err, reason, sizeof(reason)));
		return errno_of(err);
	}
	log = logs;
	bpf_object__for_each_program(prog, b->skel->obj) {
		log += VERIFIER_LOG_SIZE;
		bpf_program__set_log_buf(prog, log, VERIFIER_LOG_SIZE);
	}
	/* pt_bpf_configure() said why it failed: no second message. */
	err = pt_bpf_configure(b->skel, p, b->compat, allow_fexit);
	if (err) {
		munmap(logs, logs_size);
		return err;
	}
	*reported = false;
	*fexit = b->skel->rodata->exec_failed_fexit;
	err = proctrace_bpf__load(b->skel);
	/*
	 * The object's log, then each program's.  libbpf stops at the first
	 * program the kernel refuses: its log is the only one written.
	 */
	b->refused[0] = '\0';
	log = logs;
	prog = NULL;
	do {
		log[VERIFIER_LOG_SIZE - 1] = '\0';
		if (log[0] && prog && !b->refused[0]) {
			snprintf(b->refused, sizeof(b->refused), "%s", bpf_program__name(prog));
			keep_verdict(b, log);
		}
		if (log[0] && pt_log_verbose(&p->log))
			log_lines(&p->log, PROCTRACE_LOG_DEBUG, "verifier: ", log);
		log += VERIFIER_LOG_SIZE;
	} while ((prog = bpf_object__next_program(b->skel->obj, prog)));
	munmap(logs, logs_size);
	return err;
}

static int load_and_attach(struct pt_backend *b, const struct pt_backend_params *p)
{
	/*
	 * A failed exec and a credential change are caught in the caller's
	 * context, which only bpf_get_current_task_btf() hands over as a task
	 * the programs can read directly.
	 */
	static const struct {
		uint32_t flag;
		const char *what;
	} need_task_btf[] = {
		{ PROCTRACE_OPT_EXEC_FAILED, "failed exec attempts (PROCTRACE_OPT_EXEC_FAILED)" },
		{ PROCTRACE_OPT_CRED_CHANGES, "credential changes (PROCTRACE_OPT_CRED_CHANGES)" },
	};
	char reason[128];
	bool reported, fexit;
	size_t i;
	int err;

	b->flags = p->flags;
	for (i = 0; i < sizeof(need_task_btf) / sizeof(need_task_btf[0]); i++) {
		if (!(p->flags & need_task_btf[i].flag) ||
		    (pt_bpf_kernel() & PT_KERNEL_CURRENT_TASK_BTF))
			continue;
		pt_warn(&p->log, "proctrace_start: %s need Linux 5.11 or later (the "
			"bpf_get_current_task_btf() helper), which this kernel lacks: start "
			"without that option", need_task_btf[i].what);
		return -EOPNOTSUPP;
	}
	b->compat = (p->flags & PROCTRACE_OPT_COMPAT) || pt_bpf_compat_forced() ||
		    !pt_bpf_kernel_runs_full(pt_bpf_kernel());
	err = open_and_load(b, p, true, &reported, &fexit);
	if (err && !reported && !b->compat && !strcmp(b->refused, "proctrace_snapshot")) {
		/*
		 * The full snapshot is sleepable and reads other processes'
		 * memory (Linux 5.18); a kernel with the rest of the full
		 * variant but not that (5.17) runs the compat one.
		 */
		pt_info(&p->log, "the snapshot's sleepable iterator did not load (%s); using "
			"the compat programs (docs/kernels.md)",
			libbpf_reason(err, reason, sizeof(reason)));
		proctrace_bpf__destroy(b->skel);
		b->skel = NULL;
		b->compat = true;
		err = open_and_load(b, p, true, &reported, &fexit);
	}
	if (err && !reported && fexit) {
		/*
		 * The fexit programs were refused although the probe passed
		 * (a verifier we could not test against): the sys_exit
		 * tracepoint does the same job at a higher cost.
		 */
		pt_info(&p->log, "failed exec attempts: the fexit programs did not load "
			"(%s); using the raw sys_exit tracepoint",
			libbpf_reason(err, reason, sizeof(reason)));
		proctrace_bpf__destroy(b->skel);
		b->skel = NULL;
		err = open_and_load(b, p, false, &reported, &fexit);
	}
	if (err && reported)
		return err;
	if (err == -EPERM)
		return pt_bpf_privileges_error(&p->log);
	if (err == -ENOMEM) {
		pt_warn(&p->log, "proctrace_start: loading the BPF program failed: out of memory");
		return err;
	}
	if (err)
		return explain_refusal(b, p, err);
	b->fexit = fexit;
	pt_debug(&p->log, "running the %s programs%s", b->compat ? "compat" : "full",
		 fexit ? ", fexit for failed exec attempts" : "");

	if (p->filter_pid > 0) {
		err = pt_bpf_mark_subtree_root(b, p->filter_pid);
		if (err)
			return err;
	}

	/* The reader exists before the first event can be queued. */
	err = pt_bpf_ring_open(b, p);
	if (err)
		return err;

	/* Before attaching: claims start with the first fork we see. */
	if (p->flags & PROCTRACE_OPT_SNAPSHOT)
		b->skel->bss->snapshot_running = 1;
	err = proctrace_bpf__attach(b->skel);
	if (err == -EPERM)
		return pt_bpf_privileges_error(&p->log);
	if (err) {
		pt_warn(&p->log, "proctrace_start: cannot attach to the sched_process_exec, "
			"sched_process_exit and sched_process_fork tracepoints: %s",
			libbpf_reason(err, reason, sizeof(reason)));
		return errno_of(err);
	}
	if (p->flags & PROCTRACE_OPT_SNAPSHOT)
		return pt_bpf_take_snapshot(b);
	return 0;
}

int pt_backend_start(const struct pt_backend_params *p, struct pt_backend **out)
{
	libbpf_print_fn_t old_print;
	struct pt_backend *b;
	int err;

	*out = NULL;
	err = check_btf(&p->log, p->btf_path);
	if (err)
		return err;
	if (pt_bpf_missing_privileges())
		return pt_bpf_privileges_error(&p->log);

	b = calloc(1, sizeof(*b));
	if (!b) {
		pt_warn(&p->log, "proctrace_start: out of memory");
		return -ENOMEM;
	}
	b->log = p->log;
	b->on_record = p->on_record;
	b->ctx = p->ctx;
	b->epoll_fd = -1;
	b->timer_fd = -1;

	/*
	 * libbpf's print hook is process-wide and has no context pointer, so
	 * it cannot tell handles apart.  A handle with its own log callback
	 * never touches it (the verifier's log comes through our buffer, and
	 * every failure is reported by us); a handle on the process-wide
	 * callback borrows it while it loads, as 0.2 did.  See docs/design.md,
	 * "Logging".
	 */
	if (pt_log_is_own(&p->log)) {
		err = load_and_attach(b, p);
	} else {
		old_print = libbpf_set_print(libbpf_log);
		err = load_and_attach(b, p);
		libbpf_set_print(old_print);
	}
	if (err) {
		pt_backend_destroy(b);
		return err;
	}
	pt_info(&p->log, "tracing exec, exit%s (minimum duration %llu ns, ring buffer %u bytes, "
		"%s)", p->flags & PROCTRACE_OPT_FORK_EVENTS ? ", fork" : "",
		(unsigned long long)p->min_duration_ns, p->ring_buffer_size,
		p->flags & PROCTRACE_OPT_WAKE_EVERY_EVENT ? "woken for every event" :
		"woken in batches");
	*out = b;
	return 0;
}

void pt_backend_destroy(struct pt_backend *b)
{
	if (!b)
		return;
	if (b->timer_fd >= 0)
		close(b->timer_fd);
	if (b->epoll_fd >= 0)
		close(b->epoll_fd);
	ring_buffer__free(b->ring);
	proctrace_bpf__destroy(b->skel);
	free(b->snap);
	free(b);
}
