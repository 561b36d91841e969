// SPDX-License-Identifier: BSD-2-Clause
/*
 * probe-features: which of the BPF features that libproctrace uses, or
 * could use instead, the running kernel offers.  The kernel matrix runs it
 * in each VM before the tests (docs/kernels.md); it runs on any machine
 * as root.
 *
 * One line per feature, tab-separated: NAME, the Linux version that brought
 * it, "yes" or "no", and for a "no" the kernel's reason (the verifier's
 * last word, or the error).  Each answer comes from the kernel itself:
 * libbpf's probe for a map type, else the load of a minimal program that
 * uses the feature in the kind of program that libproctrace uses it in,
 * with valid arguments, so that "yes" means "loads" and a refusal is the
 * kernel saying no.  An attach point is attached too, and an iterator read.
 *
 * Usage: probe-features [OBJECT]
 *
 * With OBJECT (libproctrace's BPF object, bpf/proctrace.bpf.o in the build
 * directory), one more line per program of it: whether the kernel loads
 * that program alone, and if not the verifier's (or libbpf's) reason.  On
 * a kernel without task storage maps those maps become hash maps first,
 * so that each program gets as far as the verifier and shows what it
 * refuses there.
 *
 * Exit status: 0 when it probed (whatever the answers), 1 when it could
 * not (no bpf() at all).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s)	INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i)	INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define ST_IMM(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define ATOMIC(sz, d, s, o, op) INSN(BPF_STX | BPF_ATOMIC | (sz), d, s, o, op)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define CALL(id)	INSN(BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define CALL_REL(o)	INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, o)
#define EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* 64-bit immediates take two instructions. */
#define LD_MAP(d, fd)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define LD_FUNC(d, o)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_FUNC, 0, o), INSN(0, 0, 0, 0, 0)
#define RET0()		MOV_IMM(0, 0), EXIT()
/* r = fp - 8, zeroed: a small buffer on the stack. */
#define STACK_BUF(r)	ST_IMM(BPF_DW, 10, -8, 0), MOV_REG(r, 10), ADD_IMM(r, -8)
#define N(a)		(sizeof(a) / sizeof((a)[0]))

/* Where a program attaches: what SEC("...") names in a BPF object. */
struct target {
	const char *sec;
	enum bpf_attach_type attach;
	const char *btf_name;	/* in the kernel's BTF */
	int btf_kind;
	__u32 flags;
};

static const struct target tp_exec = {
	"tp_btf/sched_process_exec", BPF_TRACE_RAW_TP,
	"btf_trace_sched_process_exec", BTF_KIND_TYPEDEF, 0 };
static const struct target tp_exit = {
	"tp_btf/sched_process_exit", BPF_TRACE_RAW_TP,
	"btf_trace_sched_process_exit", BTF_KIND_TYPEDEF, 0 };
static const struct target tp_fork = {
	"tp_btf/sched_process_fork", BPF_TRACE_RAW_TP,
	"btf_trace_sched_process_fork", BTF_KIND_TYPEDEF, 0 };
static const struct target tp_sys_exit = {
	"tp_btf/sys_exit", BPF_TRACE_RAW_TP, "btf_trace_sys_exit", BTF_KIND_TYPEDEF, 0 };
static const struct target fexit_execve = {
	"fexit/__x64_sys_execve", BPF_TRACE_FEXIT, "__x64_sys_execve", BTF_KIND_FUNC, 0 };
static const struct target fexit_execveat = {
	"fexit/__x64_sys_execveat", BPF_TRACE_FEXIT, "__x64_sys_execveat", BTF_KIND_FUNC, 0 };
static const struct target fexit_compat_execve = {
	"fexit/__ia32_compat_sys_execve", BPF_TRACE_FEXIT,
	"__ia32_compat_sys_execve", BTF_KIND_FUNC, 0 };
static const struct target fexit_compat_execveat = {
	"fexit/__ia32_compat_sys_execveat", BPF_TRACE_FEXIT,
	"__ia32_compat_sys_execveat", BTF_KIND_FUNC, 0 };
/* A function on bpf_d_path()'s allow-list since it came (5.10). */
static const struct target fentry_truncate = {
	"fentry/vfs_truncate", BPF_TRACE_FENTRY, "vfs_truncate", BTF_KIND_FUNC, 0 };
static const struct target iter_task = {
	"iter/task", BPF_TRACE_ITER, "bpf_iter_task", BTF_KIND_FUNC, 0 };
/* 5.10 takes the sleepable flag on an iterator already, unchecked */
static const struct target iter_s_task = {
	"iter.s/task", BPF_TRACE_ITER, "bpf_iter_task", BTF_KIND_FUNC, BPF_F_SLEEPABLE };

static struct btf *vmlinux;
static char log_buf[1 << 20];
/* libbpf's first warning: why an object failed before the verifier ran */
static char libbpf_said[200];

static int keep_warning(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n;

	if (level == LIBBPF_WARN && !libbpf_said[0]) {
		vsnprintf(libbpf_said, sizeof(libbpf_said), fmt, ap);
		n = strlen(libbpf_said);
		while (n && libbpf_said[n - 1] == '\n')
			libbpf_said[--n] = '\0';
	}
	return 0;
}

static void line(const char *name, const char *since, int yes, const char *fmt, ...)
{
	char why[512] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	printf("%s\t%s\t%s\t%s\n", name, since, yes ? "yes" : "no", yes ? "" : why);
	fflush(stdout);
}

/*
 * The verifier's last word in log_buf, or @err's text when it said nothing;
 * with the instruction it refused when the line before is one ("12: (db)
 * ...") and @insn is set.
 */
static const char *verdict(int err, int insn)
{
	static char v[400];
	char *end = log_buf + strlen(log_buf), *l, *prev, *e;

	while (end > log_buf) {
		while (end > log_buf && end[-1] == '\n')
			end--;
		for (l = end; l > log_buf && l[-1] != '\n'; l--)
			;
		if (end > l && strncmp(l, "processed ", 10) && strncmp(l, "verification time", 17)) {
			snprintf(v, sizeof(v), "%.*s", (int)(end - l), l);
			if (!insn || l == log_buf)
				return v;
			e = l - 1;
			for (prev = e; prev > log_buf && prev[-1] != '\n'; prev--)
				;
			if (prev < e && prev[0] >= '0' && prev[0] <= '9' && strchr(prev, ':') < e)
				snprintf(v + strlen(v), sizeof(v) - strlen(v), " (at %.*s)",
					 (int)(e - prev), prev);
			return v;
		}
		end = l;
	}
	snprintf(v, sizeof(v), "%s", strerror(-err));
	return v;
}

/* Func info of a program whose BTF holds a main function and one more. */
struct funcs {
	int btf_fd;
	struct bpf_func_info info[2];
};

/*
 * Loads a tracing program at @t; returns its fd, or a negative errno with
 * the reason in *@why.
 */
static int load(const struct target *t, const struct bpf_insn *insns, size_t n,
		const struct funcs *f, const char **why)
{
	int id = btf__find_by_name_kind(vmlinux, t->btf_name, t->btf_kind), fd;
	static char no_target[200];
	LIBBPF_OPTS(bpf_prog_load_opts, o,
		    .expected_attach_type = t->attach,
		    .prog_flags = t->flags,
		    .log_buf = log_buf,
		    .log_size = sizeof(log_buf),
		    .log_level = 1);

	if (id < 0) {
		snprintf(no_target, sizeof(no_target), "%s is not in the kernel's BTF", t->btf_name);
		*why = no_target;
		return -ENOENT;
	}
	o.attach_btf_id = id;
	if (f) {
		o.prog_btf_fd = f->btf_fd;
		o.func_info = f->info;
		o.func_info_cnt = 2;
		o.func_info_rec_size = sizeof(f->info[0]);
	}
	log_buf[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "pt_probe", "GPL", insns, n, &o);
	if (fd < 0) {
		fd = -errno;
		*why = verdict(fd, 0);
	}
	return fd;
}

/* A program that uses the feature loads at @t: yes, or no with the reason. */
static void loads(const char *name, const char *since, const struct target *t,
		  const struct bpf_insn *insns, size_t n, const struct funcs *f)
{
	const char *why;
	int fd = load(t, insns, n, f, &why);

	line(name, since, fd >= 0, "%s", fd >= 0 ? "" : why);
	if (fd >= 0)
		close(fd);
}

/* A program that does nothing loads and attaches at @t. */
static void attaches(const char *since, const struct target *t)
{
	const struct bpf_insn insns[] = { RET0() };
	const char *why;
	int fd = load(t, insns, N(insns), NULL, &why), link;

	if (fd < 0) {
		line(t->sec, since, 0, "load: %s", why);
		return;
	}
	link = bpf_raw_tracepoint_open(NULL, fd);
	line(t->sec, since, link >= 0, "attach: %s", strerror(errno));
	if (link >= 0)
		close(link);
	close(fd);
}

/* A task iterator loads, gets its link and is read to the end. */
static void iterates(const char *since, const struct target *t)
{
	const struct bpf_insn insns[] = { RET0() };
	const char *why;
	int fd = load(t, insns, N(insns), NULL, &why), link, it = -1;
	char buf[64];
	ssize_t r = -1;

	if (fd < 0) {
		line(t->sec, since, 0, "load: %s", why);
		return;
	}
	link = bpf_link_create(fd, 0, BPF_TRACE_ITER, NULL);
	if (link >= 0)
		it = bpf_iter_create(link);
	if (it >= 0)
		while ((r = read(it, buf, sizeof(buf))) > 0)
			;
	line(t->sec, since, r == 0, "%s: %s", link < 0 ? "link" : it < 0 ? "iter_create" : "read",
	     strerror(errno));
	if (it >= 0)
		close(it);
	if (link >= 0)
		close(link);
	close(fd);
}

/*
 * BTF for a program of two functions: the main one at instruction 0 and
 * @name at instruction @at with @linkage, which takes (int, void *) if
 * static (a bpf_loop() callback's arguments), (int) if global (a global
 * function takes scalars); the BTF's fd, or -errno if the kernel refuses it.
 */
static int two_funcs(struct funcs *f, const char *name, int linkage, __u32 at)
{
	struct btf *b = btf__new_empty();
	int i32, ptr, proto, main_fn, sub_fn, err;

	if (!b)
		return -errno;
	i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	ptr = btf__add_ptr(b, 0);
	proto = btf__add_func_proto(b, i32);
	btf__add_func_param(b, "ctx", ptr);
	main_fn = btf__add_func(b, "pt_probe", BTF_FUNC_GLOBAL, proto);
	proto = btf__add_func_proto(b, i32);
	btf__add_func_param(b, "i", i32);
	if (linkage == BTF_FUNC_STATIC)
		btf__add_func_param(b, "ctx", ptr);
	sub_fn = btf__add_func(b, name, linkage, proto);
	err = main_fn < 0 || sub_fn < 0 ? -EINVAL : btf__load_into_kernel(b);
	f->btf_fd = err ? err : dup(btf__fd(b));
	btf__free(b);
	f->info[0] = (struct bpf_func_info){ .insn_off = 0, .type_id = main_fn };
	f->info[1] = (struct bpf_func_info){ .insn_off = at, .type_id = sub_fn };
	return f->btf_fd;
}

/* Offset of @member in struct @type of the kernel's BTF, or -1. */
static int member_offset(const char *type, const char *member)
{
	int id = btf__find_by_name_kind(vmlinux, type, BTF_KIND_STRUCT);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(vmlinux, id);
	const struct btf_member *m;
	int i;

	if (!t)
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(vmlinux, m->name_off), member))
			return btf_member_bit_offset(t, i) / 8;
	return -1;
}

/*
 * A helper called with valid arguments, the call being what @call says
 * (instructions that end with the call), in a program at @t.
 */
static void helper(const char *name, const char *since, const struct target *t,
		   const struct bpf_insn *call, size_t n, const struct funcs *f)
{
	struct bpf_insn insns[32];

	memcpy(insns, call, n * sizeof(*call));
	insns[n] = MOV_IMM(0, 0);
	insns[n + 1] = EXIT();
	loads(name, since, t, insns, n + 2, f);
}

/*
 * A helper that takes a callback, a static function (at instruction 9):
 * bpf_loop(1, cb, NULL, 0) without @map_fd, else helper(map, cb, NULL, 0).
 */
static void callback_helper(const char *name, const char *since, int map_fd, enum bpf_func_id id)
{
	struct bpf_insn insns[] = {
		MOV_IMM(1, 1), MOV_IMM(1, 1),	/* or the map, below */
		LD_FUNC(2, 6), MOV_IMM(3, 0), MOV_IMM(4, 0), CALL(id), RET0(),
		RET0(),				/* the callback */
	};
	const struct bpf_insn map[] = { LD_MAP(1, map_fd) };
	const struct bpf_insn bare[] = { CALL(id), RET0() };
	const char *why, *bare_why;
	struct funcs f;
	int fd;

	if (map_fd >= 0)
		memcpy(insns, map, sizeof(map));
	if (two_funcs(&f, "callback", BTF_FUNC_STATIC, 9) < 0) {
		line(name, since, 0, "the kernel refused the program's BTF");
		return;
	}
	fd = load(&tp_exec, insns, N(insns), &f, &why);
	close(f.btf_fd);
	if (fd >= 0) {
		line(name, since, 1, NULL);
		close(fd);
		return;
	}
	/* the bare call: does the verifier know the helper at all? */
	if (load(&tp_exec, bare, N(bare), NULL, &bare_why) < 0 &&
	    (strstr(bare_why, "invalid func") || strstr(bare_why, "unknown func")))
		why = bare_why;
	line(name, since, 0, "%s", why);
}

/*
 * Each program of the object at @path loaded alone, task storage maps
 * turned into hash maps where the kernel has none (@have_task_storage).
 */
static void probe_object(const char *path, int have_task_storage)
{
	struct bpf_object *obj;
	struct bpf_program *p, *q;
	struct bpf_map *m;
	char name[160];
	int i, n = 0, err;

	for (i = 0;; i++) {
		obj = bpf_object__open_file(path, NULL);
		if (!obj) {
			line("object", "-", 0, "cannot open %s: %s", path, strerror(errno));
			return;
		}
		n = 0;
		p = NULL;
		bpf_object__for_each_program(q, obj) {
			bpf_program__set_autoload(q, n == i);
			if (n++ == i)
				p = q;
		}
		if (!p) {
			bpf_object__close(obj);
			return;
		}
		if (!have_task_storage)
			bpf_object__for_each_map(m, obj)
				if (bpf_map__type(m) == BPF_MAP_TYPE_TASK_STORAGE) {
					bpf_map__set_type(m, BPF_MAP_TYPE_HASH);
					bpf_map__set_max_entries(m, 64);
				}
		log_buf[0] = '\0';
		libbpf_said[0] = '\0';
		bpf_program__set_log_buf(p, log_buf, sizeof(log_buf));
		err = bpf_object__load(obj);
		snprintf(name, sizeof(name), "program %s (%s)", bpf_program__name(p),
			 bpf_program__section_name(p));
		if (!err)
			line(name, "-", 1, NULL);
		else if (log_buf[0])
			line(name, "-", 0, "%s", verdict(err, 1));
		else
			line(name, "-", 0, "%s", libbpf_said[0] ? libbpf_said : strerror(-err));
		bpf_object__close(obj);
	}
}

int main(int argc, char **argv)
{
	int rb, ts, arr, pid_off;
	struct funcs f;
	const char *why;

	libbpf_set_print(keep_warning);
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		line("vmlinux BTF", "-", 0, "/sys/kernel/btf/vmlinux: %s", strerror(errno));
		return 0;
	}
	line("vmlinux BTF", "-", 1, NULL);
	arr = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 8, 1, NULL);
	if (arr < 0) {
		fprintf(stderr, "probe-features: cannot create a BPF array: %s\n", strerror(errno));
		return 1;
	}

	/* Map types */
	rb = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, 4096, NULL);
	line("map ringbuf", "5.8", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1,
	     "libbpf_probe_bpf_map_type: no");
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
		int vbtf = -1;
		struct btf *b = btf__new_empty();

		/* task storage needs BTF for its key and value */
		if (b && btf__add_int(b, "int", 4, BTF_INT_SIGNED) > 0 &&
		    !btf__load_into_kernel(b))
			vbtf = dup(btf__fd(b));
		o.btf_fd = vbtf;
		o.btf_key_type_id = 1;
		o.btf_value_type_id = 1;
		ts = vbtf < 0 ? -1 : bpf_map_create(BPF_MAP_TYPE_TASK_STORAGE, NULL, 4, 4, 0, &o);
		btf__free(b);
	}
	line("map task_storage", "5.11",
	     libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1,
	     "libbpf_probe_bpf_map_type: no");

	/* Attach points */
	attaches("5.5", &tp_exec);
	attaches("5.5", &tp_exit);
	attaches("5.5", &tp_fork);
	attaches("5.5", &tp_sys_exit);
	attaches("5.5", &fexit_execve);
	attaches("5.5", &fexit_execveat);
	attaches("5.5", &fexit_compat_execve);
	attaches("5.5", &fexit_compat_execveat);
	iterates("5.8", &iter_task);
	iterates("-", &iter_s_task);

	/* The verifier */
	pid_off = member_offset("task_struct", "pid");
	{
		/* tp_btf's first argument, task_struct *, read directly */
		const struct bpf_insn insns[] = {
			LDX(BPF_DW, 1, 1, 0), LDX(BPF_W, 0, 1, pid_off), RET0() };

		if (pid_off < 0)
			line("direct BTF pointer loads in tp_btf", "5.5", 0, "no task_struct.pid in BTF");
		else
			loads("direct BTF pointer loads in tp_btf", "5.5", &tp_exec, insns, N(insns), NULL);
	}
	{
		const struct bpf_insn insns[] = { CALL_REL(2), RET0(), RET0() };

		loads("bpf-to-bpf calls in tp_btf", "5.5", &tp_exec, insns, N(insns), NULL);
	}
	{
		/* a global function: verified alone, with its BTF prototype */
		const struct bpf_insn insns[] = { MOV_IMM(1, 0), CALL_REL(2), RET0(), RET0() };

		if (two_funcs(&f, "global_fn", BTF_FUNC_GLOBAL, 4) < 0) {
			line("global functions in tp_btf", "5.6", 0, "the kernel refused the program's BTF");
		} else {
			loads("global functions in tp_btf", "5.6", &tp_exec, insns, N(insns), &f);
			close(f.btf_fd);
		}
	}
	{
		/* __sync_lock_test_and_set() and __sync_val_compare_and_swap() */
		const struct bpf_insn xchg[] = {
			ST_IMM(BPF_DW, 10, -8, 0), MOV_IMM(1, 1),
			ATOMIC(BPF_DW, 10, 1, -8, BPF_XCHG), RET0() };
		const struct bpf_insn cmpxchg[] = {
			ST_IMM(BPF_DW, 10, -8, 0), MOV_IMM(0, 0), MOV_IMM(1, 1),
			ATOMIC(BPF_DW, 10, 1, -8, BPF_CMPXCHG), RET0() };

		loads("atomic xchg in tp_btf", "5.12", &tp_exec, xchg, N(xchg), NULL);
		loads("atomic cmpxchg in tp_btf", "5.12", &tp_exec, cmpxchg, N(cmpxchg), NULL);
	}

	/* Helpers, each in the kind of program that libproctrace calls it in */
	{
		const struct bpf_insn out[] = {
			STACK_BUF(2), LD_MAP(1, rb), MOV_IMM(3, 8), MOV_IMM(4, 0),
			CALL(BPF_FUNC_ringbuf_output) };
		const struct bpf_insn query[] = {
			LD_MAP(1, rb), MOV_IMM(2, 0), CALL(BPF_FUNC_ringbuf_query) };

		if (rb < 0) {
			line("bpf_ringbuf_output in tp_btf", "5.8", 0, "no ring buffer map");
			line("bpf_ringbuf_query in tp_btf", "5.8", 0, "no ring buffer map");
		} else {
			helper("bpf_ringbuf_output in tp_btf", "5.8", &tp_exec, out, N(out), NULL);
			helper("bpf_ringbuf_query in tp_btf", "5.8", &tp_exec, query, N(query), NULL);
		}
	}
	{
		/* a task storage map if there is one, else an array: the verifier
		 * looks the helper up before it checks the map */
		const struct bpf_insn get[] = {
			LDX(BPF_DW, 2, 1, 0), LD_MAP(1, ts >= 0 ? ts : arr), MOV_IMM(3, 0),
			MOV_IMM(4, 0), CALL(BPF_FUNC_task_storage_get) };

		helper("bpf_task_storage_get in tp_btf", "5.11", &tp_exec, get, N(get), NULL);
	}
	callback_helper("bpf_loop in tp_btf", "5.17", -1, BPF_FUNC_loop);
	callback_helper("bpf_for_each_map_elem in tp_btf", "5.13", arr, BPF_FUNC_for_each_map_elem);
	{
		const struct bpf_insn task[] = { CALL(BPF_FUNC_get_current_task_btf) };
		const struct bpf_insn boot[] = { CALL(BPF_FUNC_ktime_get_boot_ns) };

		helper("bpf_get_current_task_btf in tp_btf", "5.11", &tp_exec, task, N(task), NULL);
		helper("bpf_ktime_get_boot_ns in tp_btf", "5.8", &tp_exec, boot, N(boot), NULL);
	}
	{
		static const struct {
			const char *name;
			enum bpf_func_id id;
		} reads[] = {
			{ "bpf_probe_read_kernel in tp_btf", BPF_FUNC_probe_read_kernel },
			{ "bpf_probe_read_kernel_str in tp_btf", BPF_FUNC_probe_read_kernel_str },
			{ "bpf_probe_read_user in tp_btf", BPF_FUNC_probe_read_user },
			{ "bpf_probe_read_user_str in tp_btf", BPF_FUNC_probe_read_user_str },
		};
		size_t i;

		for (i = 0; i < N(reads); i++) {
			const struct bpf_insn call[] = {
				STACK_BUF(1), MOV_IMM(2, 8), MOV_IMM(3, 0), CALL(reads[i].id) };

			helper(reads[i].name, "5.5", &tp_exec, call, N(call), NULL);
		}
	}
	{
		/* the first argument of vfs_truncate() (or the task) is the path */
		const struct bpf_insn d_path[] = {
			STACK_BUF(2), LDX(BPF_DW, 1, 1, 0), MOV_IMM(3, 8), CALL(BPF_FUNC_d_path) };

		helper("bpf_d_path in fentry/vfs_truncate", "5.10", &fentry_truncate,
		       d_path, N(d_path), NULL);
		helper("bpf_d_path in tp_btf", "-", &tp_exec, d_path, N(d_path), NULL);
	}
	{
		/* ctx->meta->seq */
		const struct bpf_insn seq[] = {
			STACK_BUF(2), LDX(BPF_DW, 1, 1, 0), LDX(BPF_DW, 1, 1, 0),
			MOV_IMM(3, 8), CALL(BPF_FUNC_seq_write) };
		/* ctx->task, when not NULL */
		const struct bpf_insn copy[] = {
			LDX(BPF_DW, 4, 1, 8), JEQ_IMM(4, 0, 7), STACK_BUF(1),
			MOV_IMM(2, 8), MOV_IMM(3, 0), MOV_IMM(5, 0),
			CALL(BPF_FUNC_copy_from_user_task) };
		const struct bpf_insn ret0[] = { RET0() };
		int fd;

		helper("bpf_seq_write in iter/task", "5.8", &iter_task, seq, N(seq), NULL);
		fd = load(&iter_s_task, ret0, N(ret0), NULL, &why);
		if (fd < 0)
			line("bpf_copy_from_user_task in iter.s/task", "5.18", 0,
			     "no sleepable task iterator: %s", why);
		else
			helper("bpf_copy_from_user_task in iter.s/task", "5.18", &iter_s_task,
			       copy, N(copy), NULL);
		if (fd >= 0)
			close(fd);
	}
	/* Each object given: the full and the compat variant's. */
	for (int i = 1; i < argc; i++)
		probe_object(argv[i], ts >= 0);
	return 0;
}
