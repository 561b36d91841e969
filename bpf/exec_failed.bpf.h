/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Failed exec attempts (opt-in): one record per execve()/execveat() that
 * returned an error.  Included by proctrace.bpf.c, as the skeleton is
 * built from one object; what it shares with the other programs (settings,
 * ring buffer, filters, the record's header and strings) is pt_common.h's.
 *
 * The hook is fexit on the system calls' own entry points
 * (__x64_sys_execve, __x64_sys_execveat and, where the kernel has 32-bit
 * compat, __ia32_compat_sys_execve and __ia32_compat_sys_execveat).  They
 * run only when a program calls exec, unlike the raw sys_exit tracepoint,
 * which runs on every system call of the machine (docs/design.md has the
 * measurement).  An fexit program sees the call's arguments (the caller's
 * registers) and its return value, attaches through the BPF syscall alone
 * (no tracefs), and exists since Linux 5.5.  Where the kernel refuses
 * fexit programs, the library loads the sys_exit one instead; and none of
 * them unless failed attempts are asked for.
 *
 * When the call failed, the caller's memory is still its own: exec
 * replaces it only after the point of no return, and a failure after that
 * kills the process (SIGSEGV) and leaves the arguments unreadable (the
 * record then has none).  So the filename and the argument vector are
 * read from the caller's memory here, as passed.
 */
#ifndef PT_EXEC_FAILED_BPF_H
#define PT_EXEC_FAILED_BPF_H

#include "pt_common.h"
#include "pt_cwd.h"

/*
 * Errno filter, filled in by the library: bit N of the set says "report
 * errno N"; errnos of PT_WIRE_ERRNO_LIMIT or more follow
 * exec_failed_other_errnos.  "Every errno but ENOENT" is the set with all
 * bits but ENOENT's and exec_failed_other_errnos true.
 */
const volatile __u64 exec_failed_errnos[PT_WIRE_ERRNO_WORDS] = {};
const volatile bool exec_failed_other_errnos = false;
/* Which hook the library loaded: the fexit programs, or sys_exit. */
const volatile bool exec_failed_fexit = false;

/*
 * Unlike tracepoints, fexit programs run with only migration disabled:
 * the task may be preempted and another one run the same program on this
 * CPU.  So failed attempts have their own scratch slots, apart from the
 * exec program's, each with a busy word: a program that finds its CPU's
 * slot busy counts a loss instead of writing over a record being built.
 */
struct failed_scratch {
	__u32 busy;
	__u32 pad;
	struct exec_scratch rec;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* the library sets the CPU count */
	__type(key, __u32);
	__type(value, struct failed_scratch);
} failed_scratch SEC(".maps");

static __always_inline bool errno_wanted(__u32 err)
{
	if (err >= PT_WIRE_ERRNO_LIMIT)
		return exec_failed_other_errnos;
	return exec_failed_errnos[err / 64] & (1ull << (err % 64));
}

/* State of the walk over the caller's argv[], shared with the callback. */
struct argv_walk {
	const char *argv;	/* user address of the pointer array */
	__u32 base;		/* where the strings start: after the filename */
	__u32 off;		/* bytes of argument strings copied so far */
	__u32 limit;		/* at most this many */
	bool compat;		/* 4-byte pointers (a 32-bit caller) */
	bool truncated;
	bool unreadable;	/* a pointer or string could not be read */
};

/*
 * Copies argv[i] after the strings before it; returns 1 to end the walk
 * (NULL pointer, unreadable memory, or the limit reached).
 *
 * The reads cannot fault pages in (the hooks may not sleep; sleepable
 * fexit needs CONFIG_FUNCTION_ERROR_INJECTION, which Debian's kernels lack).
 * A string the caller has not touched since fork(), e.g. a constant in a
 * page of its program the child never read, may not be resident: when the
 * call failed before the kernel copied the arguments (a missing file is
 * found before, on Linux 6.8 and later), nothing has faulted it in.  The
 * walk then stops and says so, rather than guess.
 */
static long copy_one_arg(__u32 i, void *ctx)
{
	struct argv_walk *w = ctx;
	__u32 cpu = bpf_get_smp_processor_id();
	struct failed_scratch *s;
	const char *str = NULL;
	__u32 off, left;
	char last = 0;
	long n;

	if (w->compat) {
		__u32 p32 = 0;

		if (bpf_probe_read_user(&p32, sizeof(p32), w->argv + (__u64)i * 4))
			goto unreadable;
		str = (const char *)(unsigned long)p32;
	} else if (bpf_probe_read_user(&str, sizeof(str), w->argv + (__u64)i * 8)) {
		goto unreadable;
	}
	if (!str)
		return 1;
	if (w->off >= w->limit) {
		w->truncated = true;	/* another string that does not fit */
		return 1;
	}
	s = bpf_map_lookup_elem(&failed_scratch, &cpu);
	if (!s || w->base > PT_WIRE_PATH_MAX)
		return 1;
	/* No-op masks (off < limit): bounds for the verifier. */
	off = w->base + (w->off & (PT_WIRE_ARGS_MAX - 1));
	left = w->limit - w->off;
	if (left > PT_WIRE_ARGS_MAX)
		left = PT_WIRE_ARGS_MAX;
	n = bpf_probe_read_user_str(s->rec.data + off, left, str);
	if (n <= 0)
		goto unreadable;
	if (n == left && !bpf_probe_read_user(&last, 1, str + n - 1) && last) {
		/*
		 * Cut: keep the bytes without the NUL the string copy put
		 * last, exactly as an EXEC record's cut vector looks.
		 */
		bpf_probe_read_user(s->rec.data + off, left, str);
		w->off += left;
		w->truncated = true;
		return 1;
	}
	w->off += n;
	return 0;
unreadable:
	w->unreadable = true;
	return 1;
}

/*
 * pt_args_reader of a failed exec: @ctx is the walk, with its argv and
 * compat set; the strings go after the filename, at @at.
 */
static __always_inline __u64 args_of_argv(struct exec_scratch *s, __u64 at,
					  __u64 limit, void *ctx)
{
	struct argv_walk *w = ctx;

	w->base = at;
	w->limit = limit;
	/* Every string takes a byte at least: limit + 1 steps see the end. */
	if (w->argv)
		bpf_loop(limit + 1, copy_one_arg, w, 0);
	if (w->truncated)
		s->hdr.flags |= PT_WIRE_F_ARGS_TRUNCATED;
	if (w->unreadable)
		s->hdr.flags |= PT_WIRE_F_ARGS_UNREADABLE;
	return w->off;
}

/*
 * @at: for execveat(), its dirfd in the high 32 bits and its flags in the
 * low ones (a BPF function takes at most five arguments).
 */
static __noinline int exec_failed(long ret, const char *filename,
				  const char *argv, __u64 at, __u16 kind)
{
	struct task_struct *task;
	struct failed_scratch *s;
	struct argv_walk w = {};
	__u32 cpu, err, dirfd_path;
	__u64 size, end;

	if (ret >= 0)
		return 0;
	err = (__u32)-ret;
	if (!errno_wanted(err))
		return 0;	/* filtered: no ring-buffer space taken */
	task = bpf_get_current_task_btf();
	if (!in_subtree(task))
		return 0;

	cpu = bpf_get_smp_processor_id();
	s = bpf_map_lookup_elem(&failed_scratch, &cpu);
	if (!s || __sync_lock_test_and_set(&s->busy, 1)) {
		count_loss(PT_LOSS_OTHER);
		return 0;
	}
	fill_common(&s->rec.hdr, task, PT_WIRE_EXEC_FAILED);
	if (!record_passes(&s->rec.hdr))
		goto out;
	s->rec.hdr.error = err;
	s->rec.hdr.flags = kind;
	if (kind & PT_WIRE_F_EXECVEAT) {
		s->rec.hdr.dirfd = (__s32)(at >> 32);
		s->rec.hdr.at_flags = (__u32)at;
	}

	w.argv = argv;
	w.compat = kind & PT_WIRE_F_COMPAT;
	size = put_record(&s->rec, task, PT_NAME_USER, filename, args_of_argv,
			  &w, PT_WIRE_ARGS_MAX, NULL);
	/*
	 * execveat() with a descriptor: the path the kernel resolves the
	 * name against (the file itself with AT_EMPTY_PATH), while the
	 * descriptor is still open.
	 */
	end = size - sizeof(s->rec.hdr);
	dirfd_path = 0;
	if ((kind & PT_WIRE_F_EXECVEAT) && s->rec.hdr.dirfd != PT_AT_FDCWD &&
	    end <= SCRATCH_PATH_AT_MAX)
		dirfd_path = pt_put_fd_path(task, s->rec.hdr.dirfd,
					    s->rec.data + end, s->rec.path);
	s->rec.hdr.len[PT_WIRE_STR_DIRFD_PATH] = dirfd_path;

	send(&s->rec, size + dirfd_path);
out:
	__sync_lock_test_and_set(&s->busy, 0);	/* clang 14 has no store-release for BPF */
	return 0;
}

/*
 * The four calls, from the caller's saved user registers: the 64-bit
 * calls pass their arguments in di, si, dx, r10, r8; the 32-bit compat
 * calls in bx, cx, dx, si, di, with 4-byte pointers.
 */
static __always_inline int execve64(const struct pt_regs *regs, long ret)
{
	return exec_failed(ret, (const char *)BPF_CORE_READ(regs, di),
			   (const char *)BPF_CORE_READ(regs, si), 0, 0);
}

static __always_inline int execveat64(const struct pt_regs *regs, long ret)
{
	__u64 at = (__u64)BPF_CORE_READ(regs, di) << 32 |
		   (__u32)BPF_CORE_READ(regs, r8);

	return exec_failed(ret, (const char *)BPF_CORE_READ(regs, si),
			   (const char *)BPF_CORE_READ(regs, dx), at,
			   PT_WIRE_F_EXECVEAT);
}

static __always_inline int execve32(const struct pt_regs *regs, long ret)
{
	return exec_failed(ret,
			   (const char *)(unsigned long)(__u32)BPF_CORE_READ(regs, bx),
			   (const char *)(unsigned long)(__u32)BPF_CORE_READ(regs, cx),
			   0, PT_WIRE_F_COMPAT);
}

static __always_inline int execveat32(const struct pt_regs *regs, long ret)
{
	__u64 at = (__u64)BPF_CORE_READ(regs, bx) << 32 |
		   (__u32)BPF_CORE_READ(regs, di);

	return exec_failed(ret,
			   (const char *)(unsigned long)(__u32)BPF_CORE_READ(regs, cx),
			   (const char *)(unsigned long)(__u32)BPF_CORE_READ(regs, dx),
			   at, PT_WIRE_F_EXECVEAT | PT_WIRE_F_COMPAT);
}

/*
 * First choice: fexit on the system calls' entry points, which run only
 * for exec.  The library loads these where the kernel accepts fexit
 * programs (BPF trampolines; some kernels refuse them, e.g. under an LSM
 * policy), else the sys_exit program below.
 */
SEC("fexit/__x64_sys_execve")
int BPF_PROG(proctrace_execve_failed, const struct pt_regs *regs, long ret)
{
	return execve64(regs, ret);
}

SEC("fexit/__x64_sys_execveat")
int BPF_PROG(proctrace_execveat_failed, const struct pt_regs *regs, long ret)
{
	return execveat64(regs, ret);
}

SEC("fexit/__ia32_compat_sys_execve")
int BPF_PROG(proctrace_execve_failed32, const struct pt_regs *regs, long ret)
{
	return execve32(regs, ret);
}

SEC("fexit/__ia32_compat_sys_execveat")
int BPF_PROG(proctrace_execveat_failed32, const struct pt_regs *regs, long ret)
{
	return execveat32(regs, ret);
}

/* x86 system call numbers (fixed by the kernel ABI). */
#define NR_EXECVE_64 59
#define NR_EXECVEAT_64 322
#define NR_EXECVE_32 11
#define NR_EXECVEAT_32 358
/* thread_info.status: the task is in a 32-bit system call. */
#define TS_COMPAT 0x0002

/*
 * Fallback: the raw sys_exit tracepoint (BTF-enabled, so no tracefs).  It
 * runs at the end of every system call of the machine, so it returns at
 * the first test that fails; see docs/design.md for what it costs.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(proctrace_sys_exit_failed, struct pt_regs *regs, long ret)
{
	struct task_struct *task;
	long nr;

	if (ret >= 0)
		return 0;
	nr = BPF_CORE_READ(regs, orig_ax);
	if (nr != NR_EXECVE_64 && nr != NR_EXECVEAT_64 &&
	    nr != NR_EXECVE_32 && nr != NR_EXECVEAT_32)
		return 0;
	task = bpf_get_current_task_btf();
	/* A 32-bit caller's numbers are another table's: 11 is munmap here. */
	if (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT) {
		if (nr == NR_EXECVE_32)
			return execve32(regs, ret);
		if (nr == NR_EXECVEAT_32)
			return execveat32(regs, ret);
		return 0;
	}
	if (nr == NR_EXECVE_64)
		return execve64(regs, ret);
	if (nr == NR_EXECVEAT_64)
		return execveat64(regs, ret);
	return 0;
}

#endif /* PT_EXEC_FAILED_BPF_H */
