/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The working directory of a task, as the task itself sees it, for EXEC
 * and EXEC_FAILED records, and the path of an open file.
 *
 * task->fs->pwd is resolved with bpf/pt_path.h, stopping at task->fs->root:
 * through mount points (bind mounts included: the path is where the
 * directory is mounted, not where its file system keeps it), and relative
 * to the task's root directory, so that a chrooted process's working
 * directory reads as it would from getcwd(3) there.  Cases:
 *   - longer than PATH_MAX (or deeper than PT_PATH_DEPTH_MAX components):
 *     the last components, PT_WIRE_F_CWD_TRUNCATED;
 *   - not below the task's root (a chroot entered while the directory was
 *     elsewhere): the path from the namespace's root,
 *     PT_WIRE_F_CWD_UNREACHABLE (getcwd(3) fails there, /proc shows
 *     "(unreachable)");
 *   - removed (rmdir while it was the working directory): the name it had,
 *     PT_WIRE_F_CWD_DELETED, where /proc/PID/cwd shows it followed by
 *     " (deleted)".
 * fs_struct is read without its lock: a chdir() racing with the exec may
 * give the old or the new directory.
 */
#ifndef PT_CWD_H
#define PT_CWD_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "proctrace_core.h"
#include "proctrace_wire.h"
#include "pt_path.h"

/*
 * Writes the working directory of @task, NUL-terminated, at @dst (room
 * for PT_PATH_MAX bytes), using @scratch (PT_PATH_SCRATCH_SIZE bytes, as
 * pt_path_resolve() wants); returns its length with the NUL
 * (1 .. PT_PATH_MAX) and ORs PT_WIRE_F_CWD_* into *@flags.
 */
static __always_inline __u32 pt_put_cwd(struct task_struct *task, char *dst,
					char *scratch, __u16 *flags)
{
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct dentry *dentry;
	__u32 pf = 0, off, len;

	if (!fs) {
		dst[0] = '\0';
		return 1;
	}
	off = pt_path_resolve_under(&fs->pwd, &fs->root, scratch, &pf);
	len = pt_path_len(off);
	if (bpf_probe_read_kernel(dst, len, scratch + off)) {
		dst[0] = '\0';
		return 1;
	}
	if (pf & PT_PATH_F_TRUNCATED)
		*flags |= PT_WIRE_F_CWD_TRUNCATED;
	if (pf & PT_PATH_F_UNREACHABLE)
		*flags |= PT_WIRE_F_CWD_UNREACHABLE;
	/* The kernel's d_unlinked(): unhashed, and not a root. */
	dentry = BPF_CORE_READ(fs, pwd.dentry);
	if (!BPF_CORE_READ(dentry, d_hash.pprev) &&
	    BPF_CORE_READ(dentry, d_parent) != dentry)
		*flags |= PT_WIRE_F_CWD_DELETED;
	return len;
}

/*
 * Writes the path of the task's open file @fd (execveat()'s dirfd: a
 * directory, or with AT_EMPTY_PATH the file itself), as the task sees it,
 * at @dst; returns its length with the NUL, or 0 if @fd is not open (or
 * the fd table cannot be read).  Another thread may close the descriptor
 * meanwhile: the file is then read from freed memory at worst (never
 * written), and its path may be wrong or missing.
 */
static __always_inline __u32 pt_put_fd_path(struct task_struct *task, __s32 fd,
					     char *dst, char *scratch)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct file **fds, *file = NULL;
	__u32 pf = 0, off, len;

	if (fd < 0 || !fdt || !fs || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), fds + fd) || !file)
		return 0;
	off = pt_path_resolve_under(&file->f_path, &fs->root, scratch, &pf);
	if (pf & PT_PATH_F_NONE)
		return 0;
	len = pt_path_len(off);
	if (bpf_probe_read_kernel(dst, len, scratch + off))
		return 0;
	return len;
}

#endif /* PT_CWD_H */
