/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The only file that talks to libbpf: opens the embedded skeleton, loads
 * and attaches it, and reads its ring buffer.  See backend.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "proctrace.skel.h"
#include "proctrace_wire.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct pt_backend {
	struct proctrace_bpf *skel;
	struct ring_buffer *ring;
	/*
	 * What proctrace_fd() hands out: an epoll set of the ring buffer
	 * (readable when the kernel wakes us) and, unless every event wakes
	 * the reader, a periodic timer that bounds how long an event waits.
	 */
	int epoll_fd;
	int timer_fd;		/* -1 if none */
	struct pt_logger log;
	pt_record_fn on_record;
	void *ctx;
	/* The proctrace_poll_n() bound of the drain in progress (0: none). */
	unsigned int budget;
	unsigned int seen;
	/*
	 * The snapshot's records (PROCTRACE_OPT_SNAPSHOT), read from the
	 * task iterator during start, delivered by the first polls before
	 * anything from the ring buffer; freed once delivered.
	 */
	char *snap;
	size_t snap_len, snap_pos;
	/* The program the kernel refused, and the verifier's reason (keep_verdict()). */
	char refused[64];
	char verdict[160];
};

/*
 * What on_sample() returns to stop libbpf's drain when the poll's bound is
 * reached.  libbpf has already consumed that record (it advances its
 * position before calling us), so nothing is delivered twice or lost.
 */
#define PT_BUDGET_SPENT (-EDQUOT)

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

static bool cap_effective(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

/*
 * Loading a tracing program needs CAP_BPF and CAP_PERFMON (or the older
 * catch-all CAP_SYS_ADMIN).  Checking first turns a cascade of libbpf
 * errors into one message that says what to do.  Returns which of the
 * two this process lacks, or NULL if it holds what is needed (or if the
 * kernel cannot tell us: then the kernel decides).
 */
static const char *missing_bpf_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];
	bool bpf, perfmon;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0 || cap_effective(data, CAP_SYS_ADMIN))
		return NULL;
	bpf = cap_effective(data, CAP_BPF);
	perfmon = cap_effective(data, CAP_PERFMON);
	if (bpf && perfmon)
		return NULL;
	if (!bpf && !perfmon)
		return "CAP_BPF and CAP_PERFMON";
	return bpf ? "CAP_PERFMON" : "CAP_BPF";
}

/*
 * Capabilities held inside a user namespace other than the first one do
 * not count for BPF.  The initial namespace maps every uid to itself.
 */
static bool in_initial_user_ns(void)
{
	unsigned long inside, outside, count;
	bool initial = true;	/* cannot tell: say nothing about it */
	FILE *f = fopen("/proc/self/uid_map", "re");

	if (f) {
		if (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
			initial = inside == 0 && outside == 0 && count == 4294967295UL;
		fclose(f);
	}
	return initial;
}

/*
 * The one message for a refused load or attach: which capability is
 * missing, or, if this process holds them, why the kernel may still say
 * no.
 */
static int privileges_error(const struct pt_logger *lg)
{
	const char *missing = missing_bpf_privileges();

	if (missing)
		pt_warn(lg, "proctrace_start: loading the BPF program was refused: it needs "
			"root or CAP_BPF+CAP_PERFMON; this process lacks %s", missing);
	else if (!in_initial_user_ns())
		pt_warn(lg, "proctrace_start: loading the BPF program was refused: it needs "
			"root or CAP_BPF+CAP_PERFMON in the initial user namespace; this "
			"process holds them only inside a user namespace (a container), "
			"where they do not count for BPF");
	else
		pt_warn(lg, "proctrace_start: loading the BPF program was refused: it needs "
			"root or CAP_BPF+CAP_PERFMON; this process holds them, so a "
			"security module (SELinux, AppArmor) or a seccomp filter forbids "
			"BPF here");
	return -EPERM;
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

static int on_sample(void *ctx, void *data, size_t size)
{
	struct pt_backend *b = ctx;
	int err;

	err = b->on_record(b->ctx, data, size);
	if (err < 0)
		return err;
	if (b->budget && ++b->seen == b->budget)
		return PT_BUDGET_SPENT;
	return 0;
}

_Static_assert(sizeof(((struct pt_backend_params *)0)->exec_failed_errnos) ==
	       sizeof(((struct proctrace_bpf *)0)->rodata->exec_failed_errnos),
	       "the errno set has the BPF side's size");

/* True if the running kernel has function @name (in its BTF). */
static bool kernel_has_function(const char *name)
{
	return libbpf_find_vmlinux_btf_id(name, BPF_TRACE_FEXIT) > 0;
}

/*
 * True if the kernel accepts an fexit program on @name: it may have the
 * function and BPF trampolines and still refuse them (a security policy,
 * or a JIT without trampolines).  Loads a two-instruction program.
 */
static bool fexit_allowed(const struct pt_logger *lg, const char *name)
{
	const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = libbpf_find_vmlinux_btf_id(name, BPF_TRACE_FEXIT);
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FEXIT,
		    .attach_btf_id = id > 0 ? (__u32)id : 0);
	int fd;

	if (id <= 0)
		return false;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "pt_probe", "GPL", ret0, 2, &opts);
	if (fd < 0) {
		pt_debug(lg, "fexit on %s refused (%s)", name, strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/*
 * Failed exec attempts.  Off, none of their programs is loaded (nothing
 * attached, nothing verified) and their scratch map keeps one slot.  On:
 * fexit programs on the exec system calls where the kernel takes them
 * (the 32-bit compat ones where it has 32-bit compat), else the raw
 * sys_exit tracepoint, which every kernel with BTF has but which runs on
 * every system call (docs/design.md).
 */
static int configure_exec_failed(struct proctrace_bpf *skel,
				 const struct pt_backend_params *p, int ncpus,
				 bool allow_fexit)
{
	bool on = p->flags & PROCTRACE_OPT_EXEC_FAILED;
	bool fexit = on && allow_fexit && kernel_has_function("__x64_sys_execveat") &&
		     fexit_allowed(&p->log, "__x64_sys_execve");
	bool compat = fexit && kernel_has_function("__ia32_compat_sys_execve") &&
		      kernel_has_function("__ia32_compat_sys_execveat");
	int err;

	memcpy((void *)skel->rodata->exec_failed_errnos, p->exec_failed_errnos,
	       sizeof(p->exec_failed_errnos));
	skel->rodata->exec_failed_other_errnos = p->exec_failed_other_errnos;
	skel->rodata->exec_failed_fexit = fexit;
	err = bpf_program__set_autoload(skel->progs.proctrace_execve_failed, fexit);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_execveat_failed,
						fexit);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_execve_failed32,
						compat);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_execveat_failed32,
						compat);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_sys_exit_failed,
						on && !fexit);
	if (!err && on)
		err = bpf_map__set_max_entries(skel->maps.failed_scratch, ncpus);
	if (!err && on)
		pt_info(&p->log, "failed exec attempts: %s", fexit ?
			(compat ? "fexit on the 64-bit and 32-bit exec system calls" :
			 "fexit on the 64-bit exec system calls (this kernel has no "
			 "32-bit compat exec)") :
			"the raw sys_exit tracepoint (no fexit programs here), which "
			"runs on every system call");
	return err;
}

/* The settings the BPF program reads as constants, and the map sizes. */
static int configure(struct proctrace_bpf *skel, const struct pt_backend_params *p,
		     bool allow_fexit)
{
	int ncpus = libbpf_num_possible_cpus();
	int err;

	if (ncpus < 1) {
		pt_warn(&p->log, "proctrace_start: cannot count the possible CPUs: %s",
			strerror(ncpus ? -ncpus : EINVAL));
		return ncpus ? ncpus : -EINVAL;
	}
	skel->rodata->min_duration_ns = p->min_duration_ns;
	skel->rodata->max_args_size = p->max_args_size;
	skel->rodata->fork_events = p->flags & PROCTRACE_OPT_FORK_EVENTS;
	skel->rodata->wake_every_event = p->flags & PROCTRACE_OPT_WAKE_EVERY_EVENT;
	/*
	 * Wake the reader early once an eighth of the ring is in use: far
	 * from full even if the reader is slow to run, yet thousands of
	 * events per wake-up.
	 */
	skel->rodata->wakeup_bytes = p->ring_buffer_size / 8;
	skel->rodata->filter_subtree = p->filter_pid > 0;
	skel->rodata->filter_by_uid = p->flags & PROCTRACE_OPT_FILTER_UID;
	skel->rodata->filter_uid = p->filter_uid;
	skel->rodata->filter_cgroup_id = p->filter_cgroup_id;
	skel->rodata->process_table = p->flags & PROCTRACE_OPT_SNAPSHOT;
	/* The last exec_scratch slot is the iterator's (see the BPF side). */
	skel->rodata->snapshot_slot = (__u32)ncpus;
	if (p->filter_comm) {
		skel->rodata->filter_by_comm = true;
		strncpy((char *)skel->rodata->filter_comm, p->filter_comm,
			sizeof(skel->rodata->filter_comm) - 1);
	}

	err = bpf_map__set_max_entries(skel->maps.events, p->ring_buffer_size);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.exec_scratch, ncpus + 1);
	if (!err)
		err = configure_exec_failed(skel, p, ncpus, allow_fexit);
	/* Fork is the busiest tracepoint: attach only if something needs it. */
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_fork,
						(p->flags & (PROCTRACE_OPT_FORK_EVENTS |
							     PROCTRACE_OPT_SNAPSHOT)) ||
						p->filter_pid > 0);
	if (!err)
		err = bpf_program__set_autoload(skel->progs.proctrace_snapshot,
						p->flags & PROCTRACE_OPT_SNAPSHOT);
	if (err)
		pt_warn(&p->log, "proctrace_start: cannot configure the BPF object: %s",
			strerror(-err));
	return err;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL	/* Linux 6.9: a pidfd for one thread */
#endif

/* The thread-group id of @id from /proc, or -errno. */
static int tgid_of(int32_t id)
{
	char path[64], line[256];
	int tgid = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)id);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

static int mark_task(int map_fd, int32_t id, unsigned int pidfd_flags)
{
	const unsigned char one = 1;
	int pidfd, err = 0;

	pidfd = (int)syscall(SYS_pidfd_open, id, pidfd_flags);
	if (pidfd < 0)
		return -errno;
	if (bpf_map_update_elem(map_fd, &pidfd, &one, BPF_ANY))
		err = -errno;
	close(pidfd);
	return err;
}

/*
 * Puts the subtree filter's mark on the root process, between load and
 * attach, so that every child it forks once attached inherits it.  Its
 * other threads are marked too where the kernel can name a thread by
 * pidfd (6.9+), so that an exec from one of them keeps the process in the
 * subtree; elsewhere the BPF side also accepts a thread whose leader is
 * marked.
 */
static int mark_subtree_root(struct pt_backend *b, int32_t pid)
{
	int map_fd = bpf_map__fd(b->skel->maps.subtree);
	struct dirent *d;
	char path[64];
	int tgid, err, unmarked = 0;
	DIR *dir;

	tgid = tgid_of(pid);
	if (tgid == -ESRCH) {
		pt_warn(&b->log, "proctrace_start: filter_pid %d: no such process", (int)pid);
		return -ESRCH;
	}
	if (tgid > 0 && tgid != pid) {
		pt_warn(&b->log, "proctrace_start: filter_pid %d is a thread of process %d; "
			"pass the process id %d", (int)pid, tgid, tgid);
		return -EINVAL;
	}
	err = mark_task(map_fd, pid, 0);
	if (err) {
		if (err == -ESRCH)
			pt_warn(&b->log, "proctrace_start: filter_pid %d: no such process",
				(int)pid);
		else
			pt_warn(&b->log, "proctrace_start: cannot mark process %d for the subtree "
				"filter: %s (it needs Linux 5.12 or later)", (int)pid,
				strerror(-err));
		return err;
	}

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		int tid = atoi(d->d_name);

		if (tid <= 0 || tid == pid)
			continue;
		err = mark_task(map_fd, tid, PIDFD_THREAD);
		if (err == -EINVAL)	/* before 6.9: no pidfd for a thread */
			unmarked++;
		else if (err && err != -ESRCH)
			pt_debug(&b->log, "subtree filter: thread %d of %d not marked: %s", tid,
				 (int)pid, strerror(-err));
	}
	if (dir)
		closedir(dir);
	if (unmarked)
		pt_warn(&b->log, "proctrace_start: filter_pid %d: its %d other thread(s) cannot "
			"be marked (that needs Linux 6.9 or later): if one of them calls "
			"exec, the process leaves the subtree", (int)pid, unmarked);
	return 0;
}

/* The epoll set behind proctrace_fd(), with the latency timer. */
static int setup_wakeups(struct pt_backend *b, const struct pt_backend_params *p)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct itimerspec period;
	int err;

	b->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (b->epoll_fd < 0)
		goto fail;
	ev.data.fd = bpf_map__fd(b->skel->maps.events);
	if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		goto fail;
	if (p->flags & PROCTRACE_OPT_WAKE_EVERY_EVENT)
		return 0;

	b->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (b->timer_fd < 0)
		goto fail;
	memset(&period, 0, sizeof(period));
	period.it_interval.tv_sec = p->max_latency_ms / 1000;
	period.it_interval.tv_nsec = (long)(p->max_latency_ms % 1000) * 1000000L;
	period.it_value = period.it_interval;
	if (timerfd_settime(b->timer_fd, 0, &period, NULL))
		goto fail;
	ev.data.fd = b->timer_fd;
	if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, b->timer_fd, &ev))
		goto fail;
	return 0;
fail:
	err = -errno;
	pt_warn(&p->log, "proctrace_start: cannot set up the event wake-ups: %s",
		strerror(-err));
	return err;
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
 * buffer, so it is written only when a load fails.  libbpf's own buffer
 * has the same size; a smaller one would turn a long log into -ENOSPC
 * on Linux before 6.4.  It is mapped, not malloc()ed, so that it is
 * address space, not memory, until the kernel writes to it, and goes back
 * to the system at once (malloc() would keep a heap that large, and
 * MALLOC_PERTURB_ would write all of it).
 */
#define VERIFIER_LOG_SIZE (16u << 20)
/* The skeleton's programs, each with a log buffer of its own. */
#define PT_PROGRAMS (sizeof(((struct proctrace_bpf *)0)->progs) / sizeof(struct bpf_program *))

/* Appends what the iterator link @link writes to the snapshot buffer. */
static int read_iterator(struct pt_backend *b, struct bpf_link *link,
			 size_t *cap)
{
	int fd, err = 0;
	ssize_t n;

	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		pt_warn(&b->log, "proctrace_start: cannot run the snapshot's task "
			"iterator: %s (it needs Linux 5.18 or later)", strerror(-err));
		return err;
	}
	for (;;) {
		if (*cap - b->snap_len < 64 * 1024) {
			char *more = realloc(b->snap, *cap * 2);

			if (!more) {
				err = -ENOMEM;
				pt_warn(&b->log, "proctrace_start: out of memory for the snapshot");
				break;
			}
			b->snap = more;
			*cap *= 2;
		}
		n = read(fd, b->snap + b->snap_len, *cap - b->snap_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			pt_warn(&b->log, "proctrace_start: reading the snapshot failed: %s",
				strerror(-err));
			break;
		}
		if (n == 0)
			break;
		b->snap_len += (size_t)n;
	}
	close(fd);
	return err;
}

/*
 * Runs the snapshot iterator once, through its link (no tracefs, no
 * pinning), and keeps its output for the first polls.  The tracepoints
 * are already attached, with snapshot_running set: a process created
 * from now on is described by whichever comes first, its fork record or
 * the iterator (the BPF side's claim()); one that ends before the
 * iterator reaches it is skipped there and has its EXIT in the ring.
 */
static int take_snapshot(struct pt_backend *b)
{
	size_t cap = 1 << 20;
	int err;

	b->snap = malloc(cap);
	if (!b->snap) {
		pt_warn(&b->log, "proctrace_start: out of memory for the snapshot");
		return -ENOMEM;
	}
	err = read_iterator(b, b->skel->links.proctrace_snapshot, &cap);
	b->skel->bss->snapshot_running = 0;
	/* The iterator's work is done: free its link now. */
	bpf_link__destroy(b->skel->links.proctrace_snapshot);
	b->skel->links.proctrace_snapshot = NULL;
	return err;
}

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
 * What the running kernel lacks of what every program needs, by a probe
 * of each (NULL: nothing): a refusal is blamed on the kernel's age only
 * when a probe says so.
 */
static const char *kernel_lacks(void)
{
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1)
		return "BPF ring buffers (Linux 5.8)";
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) != 1)
		return "task storage maps (Linux 5.11)";
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, NULL) != 1)
		return "the bpf_loop() helper (Linux 5.17)";
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
	b->skel = proctrace_bpf__open_opts(&open_opts);
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
	/* configure() said why it failed: no second message. */
	err = configure(b->skel, p, allow_fexit);
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
	char reason[128];
	bool reported, fexit;
	int err;

	err = open_and_load(b, p, true, &reported, &fexit);
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
		return privileges_error(&p->log);
	if (err == -ENOMEM) {
		pt_warn(&p->log, "proctrace_start: loading the BPF program failed: out of memory");
		return err;
	}
	if (err)
		return explain_refusal(b, p, err);

	if (p->filter_pid > 0) {
		err = mark_subtree_root(b, p->filter_pid);
		if (err)
			return err;
	}

	/* The reader exists before the first event can be queued. */
	b->ring = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_sample,
				   b, NULL);
	if (!b->ring) {
		err = -errno;
		pt_warn(&p->log, "proctrace_start: cannot map the BPF ring buffer: %s",
			strerror(-err));
		return err;
	}
	err = setup_wakeups(b, p);
	if (err)
		return err;

	/* Before attaching: claims start with the first fork we see. */
	if (p->flags & PROCTRACE_OPT_SNAPSHOT)
		b->skel->bss->snapshot_running = 1;
	err = proctrace_bpf__attach(b->skel);
	if (err == -EPERM)
		return privileges_error(&p->log);
	if (err) {
		pt_warn(&p->log, "proctrace_start: cannot attach to the sched_process_exec, "
			"sched_process_exit and sched_process_fork tracepoints: %s",
			libbpf_reason(err, reason, sizeof(reason)));
		return errno_of(err);
	}
	if (p->flags & PROCTRACE_OPT_SNAPSHOT)
		return take_snapshot(b);
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
	if (missing_bpf_privileges())
		return privileges_error(&p->log);

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

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reading the timer's expiry count is what makes it unreadable again. */
static void ack_timer(struct pt_backend *b)
{
	uint64_t expirations;

	if (b->timer_fd >= 0 &&
	    read(b->timer_fd, &expirations, sizeof(expirations)) < 0) {
		/* EAGAIN: the timer had not expired; nothing to do. */
	}
}

/*
 * The snapshot's records, before anything else (see take_snapshot()), at
 * most b->budget of them.  Returns how many, or the record callback's
 * negative value.
 */
static int deliver_snapshot(struct pt_backend *b)
{
	int err;

	while (b->snap_pos < b->snap_len) {
		const char *rec = b->snap + b->snap_pos;
		size_t avail = b->snap_len - b->snap_pos;
		/* Each record is padded to PT_WIRE_ALIGN (the BPF side). */
		size_t size = (pt_wire_record_size(rec, avail) + PT_WIRE_ALIGN - 1) &
			      ~(size_t)(PT_WIRE_ALIGN - 1);

		if (b->budget && b->seen == b->budget)
			return (int)b->seen;
		/* The last one may end unpadded; a length past the end is
		 * handed over as the rest, to be refused by the decoder. */
		if (size > avail || size == 0)
			size = avail;
		b->snap_pos += size;
		b->seen++;
		err = b->on_record(b->ctx, rec, size);
		if (err < 0)
			return err;
	}
	free(b->snap);
	b->snap = NULL;
	b->snap_len = b->snap_pos = 0;
	return (int)b->seen;
}

int pt_backend_poll(struct pt_backend *b, int timeout_ms, unsigned int max_records)
{
	int64_t deadline = timeout_ms > 0 ? monotonic_ms() + timeout_ms : 0;
	struct epoll_event evs[2];
	int n, wait_ms, snap = 0;

	b->budget = max_records;
	b->seen = 0;
	if (b->snap) {
		snap = deliver_snapshot(b);
		/* An error, the bound, or the snapshot not yet all delivered. */
		if (snap < 0 || b->snap)
			return snap;
		if (b->budget && b->seen == b->budget)
			return snap;
	}
	for (;;) {
		ack_timer(b);
		/*
		 * Records queued without a wake-up are delivered here too.
		 * libbpf 1.1 has no ring_buffer__consume_n(): the bound is
		 * on_sample() stopping the drain; records left behind keep the
		 * ring's descriptor readable, so the next call finds them.
		 */
		n = ring_buffer__consume(b->ring);
		if (n == PT_BUDGET_SPENT)
			return (int)b->seen;
		if (n < 0)
			return n;
		if (n + snap != 0 || timeout_ms == 0)
			return n + snap;
		wait_ms = -1;
		if (timeout_ms > 0) {
			int64_t left = deadline - monotonic_ms();

			if (left <= 0)
				return 0;
			wait_ms = (int)left;
		}
		if (epoll_wait(b->epoll_fd, evs, 2, wait_ms) < 0)
			return -errno;
	}
}

int pt_backend_fd(const struct pt_backend *b)
{
	return b->epoll_fd;
}

/*
 * Runs of our programs that the kernel skipped, added to @other.  A
 * tracing program does not run while it is already running on the same
 * CPU (an interrupt, or a preempted fexit program): the kernel then skips
 * it and counts only its recursion_misses (Linux 5.12; 0 before).  The
 * skipped run may have been one the filters would have dropped, so this
 * makes lost_other an upper bound rather than leave a loss uncounted.
 */
static int add_skipped_runs(const struct pt_backend *b, uint64_t *other)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, b->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)	/* not loaded (autoload off) */
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			int err = -errno;

			pt_warn(&b->log, "proctrace_stats: cannot read how often the kernel "
				"skipped program %s: %s", bpf_program__name(prog),
				strerror(-err));
			return err;
		}
		*other += info.recursion_misses;
	}
	return 0;
}

int pt_backend_losses(const struct pt_backend *b, struct pt_backend_losses *out)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *per_cpu;
	uint32_t key;
	uint64_t sum[PT_LOSS_NR];
	int i, err = 0;

	if (ncpus < 1) {
		pt_warn(&b->log, "proctrace_stats: cannot count the possible CPUs: %s",
			strerror(ncpus ? -ncpus : EINVAL));
		return ncpus ? ncpus : -EINVAL;
	}
	per_cpu = calloc((size_t)ncpus, sizeof(*per_cpu));
	if (!per_cpu) {
		pt_warn(&b->log, "proctrace_stats: out of memory");
		return -ENOMEM;
	}
	for (key = 0; key < PT_LOSS_NR; key++) {
		sum[key] = 0;
		if (bpf_map__lookup_elem(b->skel->maps.losses, &key, sizeof(key),
					 per_cpu, (size_t)ncpus * sizeof(*per_cpu), 0)) {
			err = -errno;
			break;
		}
		for (i = 0; i < ncpus; i++)
			sum[key] += per_cpu[i];
	}
	free(per_cpu);
	if (err == -EPERM) {
		/*
		 * Reading a map through a descriptor we hold needs no
		 * privilege, except on kernels that predate the change that
		 * limited kernel.unprivileged_bpf_disabled to creating maps and
		 * loading programs (Linux 6.1, Debian 12's, has it).
		 */
		pt_warn(&b->log, "proctrace_stats: reading the kernel's loss counters was refused: "
			"this kernel refuses every bpf() call to a process without "
			"CAP_BPF while sysctl kernel.unprivileged_bpf_disabled is set; "
			"keep CAP_BPF, clear that sysctl or use a newer kernel");
		return err;
	}
	if (err) {
		pt_warn(&b->log, "proctrace_stats: cannot read the kernel's loss counters: %s",
			strerror(-err));
		return err;
	}
	out->ring_full = sum[PT_LOSS_RING_FULL];
	out->other = sum[PT_LOSS_OTHER];
	return add_skipped_runs(b, &out->other);
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
