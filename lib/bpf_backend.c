/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The only file that talks to libbpf: opens the embedded skeleton, loads
 * and attaches it, and reads its ring buffer.  See backend.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/libbpf.h>

#include "internal.h"
#include "proctrace.skel.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct pt_backend {
	struct proctrace_bpf *skel;
	struct ring_buffer *ring;
	pt_record_fn on_record;
	void *ctx;
};

/*
 * libbpf's messages go to our log callback, demoted one level: libbpf warns
 * about things we then report ourselves in one clear line.  The callback
 * promises one line per message, and libbpf sends the verifier's log as
 * one multi-line message, so it is split here.
 */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum proctrace_log_level ours =
		level == LIBBPF_WARN ? PROCTRACE_LOG_INFO : PROCTRACE_LOG_DEBUG;
	char msg[4096], *line, *next;

	if (!pt_log_enabled())
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (line = msg; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!*line)
			continue;
		/* Most of libbpf's own lines already carry its name. */
		pt_log(ours, "%s%s", strncmp(line, "libbpf: ", 8) ? "libbpf: " : "",
		       line);
	}
	return 0;
}

static bool cap_effective(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

/*
 * Loading a tracing program needs CAP_BPF and CAP_PERFMON (or the older
 * catch-all CAP_SYS_ADMIN).  Checking first turns a cascade of libbpf
 * errors into one message that says what to do.
 */
static bool have_bpf_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0)
		return true;	/* cannot tell: let the kernel decide */
	return cap_effective(data, CAP_SYS_ADMIN) ||
	       (cap_effective(data, CAP_BPF) && cap_effective(data, CAP_PERFMON));
}

static int privileges_error(void)
{
	pt_warn("proctrace_start: loading the BPF program was refused: it needs "
		"root or CAP_BPF+CAP_PERFMON");
	return -EPERM;
}

#define DEFAULT_BTF_PATH "/sys/kernel/btf/vmlinux"

/*
 * The BPF program is relocated against the kernel's BTF (CO-RE) and
 * attaches to BTF-enabled tracepoints: without BTF nothing can work, and
 * libbpf's own error for it is obscure, so check first and say so plainly.
 */
static int check_btf(const char *path)
{
	if (access(path ? path : DEFAULT_BTF_PATH, R_OK) == 0)
		return 0;
	if (path) {
		int err = -errno;

		pt_warn("proctrace_start: cannot read the kernel BTF file '%s' given in "
			"opts.btf_path: %s", path, strerror(-err));
		return err;
	}
	pt_warn("proctrace_start: the running kernel has no BTF (" DEFAULT_BTF_PATH
		" is missing); libproctrace needs a kernel built with "
		"CONFIG_DEBUG_INFO_BTF=y");
	return -EOPNOTSUPP;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct pt_backend *b = ctx;

	return b->on_record(b->ctx, data, size);
}

static int load_and_attach(struct pt_backend *b, const struct pt_backend_params *p)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = p->btf_path);
	int err;

	b->skel = proctrace_bpf__open_opts(&open_opts);
	if (!b->skel) {
		err = -errno;
		pt_warn("proctrace_start: cannot open the embedded BPF object: %s",
			strerror(-err));
		return err;
	}
	b->skel->rodata->min_duration_ns = p->min_duration_ns;

	err = proctrace_bpf__load(b->skel);
	if (err == -EPERM)
		return privileges_error();
	if (err) {
		pt_warn("proctrace_start: the kernel rejected the BPF program: %s; "
			"it needs Linux 5.8 or later with BPF ring buffers and "
			"BTF-enabled tracepoints (set a PROCTRACE_LOG_DEBUG log "
			"callback for the verifier's output)", strerror(-err));
		return err == -EINVAL || err == -ENOTSUP ? -EOPNOTSUPP : err;
	}

	err = proctrace_bpf__attach(b->skel);
	if (err == -EPERM)
		return privileges_error();
	if (err) {
		pt_warn("proctrace_start: cannot attach to the sched_process_exec and "
			"sched_process_exit tracepoints: %s", strerror(-err));
		return err;
	}

	b->ring = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_sample,
				   b, NULL);
	if (!b->ring) {
		err = -errno;
		pt_warn("proctrace_start: cannot map the BPF ring buffer: %s",
			strerror(-err));
		return err;
	}
	return 0;
}

int pt_backend_start(const struct pt_backend_params *p, struct pt_backend **out)
{
	libbpf_print_fn_t old_print;
	struct pt_backend *b;
	int err;

	*out = NULL;
	err = check_btf(p->btf_path);
	if (err)
		return err;
	if (!have_bpf_privileges())
		return privileges_error();

	b = calloc(1, sizeof(*b));
	if (!b) {
		pt_warn("proctrace_start: out of memory");
		return -ENOMEM;
	}
	b->on_record = p->on_record;
	b->ctx = p->ctx;

	/*
	 * libbpf's print function is process-wide; borrow it only while we
	 * call into libbpf, and give the application's back afterwards.
	 */
	old_print = libbpf_set_print(libbpf_log);
	err = load_and_attach(b, p);
	libbpf_set_print(old_print);
	if (err) {
		pt_backend_destroy(b);
		return err;
	}
	pt_info("tracing exec and exit (minimum duration %llu ns)",
		(unsigned long long)p->min_duration_ns);
	*out = b;
	return 0;
}

int pt_backend_poll(struct pt_backend *b, int timeout_ms)
{
	return ring_buffer__poll(b->ring, timeout_ms);
}

int pt_backend_fd(const struct pt_backend *b)
{
	return ring_buffer__epoll_fd(b->ring);
}

void pt_backend_destroy(struct pt_backend *b)
{
	if (!b)
		return;
	ring_buffer__free(b->ring);
	proctrace_bpf__destroy(b->skel);
	free(b);
}
