/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The absolute path of a struct path, built in the kernel by a BPF program.
 *
 * Why not bpf_d_path(): the kernel allows that helper only in programs
 * attached to an allow-listed set of functions (fentry/LSM), never in a
 * tp_btf program or a task iterator, which is where we need it.  So the
 * path is walked here the way the kernel's own prepend_path() does:
 *
 *   - from the dentry up its d_parent chain, writing each name right to
 *     left, '/' before each;
 *   - at the root of a mount (dentry == vfsmount->mnt_root) the walk goes
 *     on from the mount point in the parent mount (mnt_mountpoint,
 *     mnt_parent), so "/mnt/usb/bin/x" crosses from the USB file system
 *     into the root one;
 *   - it stops at the root of the mount namespace (a mount that is its own
 *     parent).  The path is therefore the one the process's own mount
 *     namespace sees, as /proc/PID/exe shows it to a reader in that
 *     namespace; for a chroot, the path from the namespace's root (the
 *     chroot directory included), as the kernel's d_absolute_path() gives.
 *
 * Interface (small on purpose, so that other records can use it):
 *
 *   __u32 pt_path_resolve(const struct path *path, char *buf, __u32 *flags)
 *
 *   @buf is PT_PATH_SCRATCH_SIZE bytes of map memory that no other program
 *   writes at the same time (per CPU, and not shared between tracepoint
 *   programs and an iterator: an iterator can be preempted on its CPU).
 *   The result ends at buf[PT_PATH_MAX - 1], which holds its NUL; the
 *   return value is the offset of its first byte, so the path is the
 *   PT_PATH_MAX - offset bytes (NUL included, 2 .. PT_PATH_MAX) from
 *   buf + offset.  pt_path_len() gives that length with a bound the
 *   verifier sees, for copying it into a record.
 *
 *   @flags gets PT_PATH_F_* bits:
 *     PT_PATH_F_TRUNCATED    the path needs more than PT_PATH_MAX bytes or
 *                            is deeper than PT_PATH_DEPTH_MAX components
 *                            (mount crossings count as one each): the
 *                            result is its last components, still
 *                            starting with '/'.  Also set when a name
 *                            could not be read (freed by a racing rename).
 *     PT_PATH_F_UNREACHABLE  the walk met a dentry that is its own parent
 *                            without being a mount's root: a mount that was
 *                            detached (umount -l) or a file system with no
 *                            place in this namespace.  The result is the
 *                            path inside that file system; for a pseudo
 *                            file (memfd_create(), whose exe /proc shows as
 *                            "/memfd:NAME (deleted)"), "/" and its name.
 *     PT_PATH_F_NONE         @path or its dentry was NULL: the result is
 *                            "" (offset PT_PATH_MAX - 1).
 *
 * Deleted files: the walk uses the name the dentry had, without the
 * " (deleted)" that /proc/PID/exe appends.  Names are read without the
 * kernel's rename lock, so a rename racing with the walk may give a mix of
 * old and new names, never a read outside the buffer.
 *
 * The loop is bpf_loop() (Linux 5.17; Debian 12's 6.1 has it): its body is
 * verified a few times, whereas a plain bounded loop is verified once per
 * iteration and path (measured: 281,170 instructions and 6 s of
 * verification for 128 steps, against a 1,000,000 limit that an older
 * verifier may reach).  The offsets are masked so that every write is
 * provably inside @buf, which is why @buf holds twice PT_PATH_MAX: a name
 * of up to PT_PATH_MAX - 1 bytes written at an offset of up to
 * PT_PATH_MAX - 1; the walk's state follows (see struct pt_path_walk).
 *
 * Example, the executable of an exec (struct linux_binprm *bprm), copied
 * into a record at @dst:
 *
 *	struct file *f = BPF_CORE_READ(bprm, file);
 *	__u32 fl, off = pt_path_resolve(&f->f_path, scratch, &fl);
 *
 *	bpf_probe_read_kernel(dst, pt_path_len(off), scratch + off);
 */
#ifndef PT_PATH_H
#define PT_PATH_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "proctrace_core.h"

/* Longest path, including its NUL (the kernel's PATH_MAX). */
#define PT_PATH_MAX 4096
/* Size of the caller's scratch buffer: the path's room and the walk's state. */
#define PT_PATH_SCRATCH_SIZE (2 * PT_PATH_MAX + 64)
/* Most components (names and mount crossings) the walk visits. */
#define PT_PATH_DEPTH_MAX 128

#define PT_PATH_F_TRUNCATED (1u << 0)
#define PT_PATH_F_UNREACHABLE (1u << 1)
#define PT_PATH_F_NONE (1u << 2)

/* The mount that embeds @vfsmnt (the kernel's real_mount()). */
static __always_inline struct mount *pt_real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((char *)vfsmnt -
				bpf_core_field_offset(struct mount, mnt));
}

/*
 * The walk's state, shared by the bpf_loop() steps.  It lives in the
 * caller's scratch (map memory), after the path's room, not on the stack:
 * a value loaded from a map is unknown to the verifier, so every step
 * starts from the same state and the step is verified a few times, where
 * values kept on the stack, each step narrowing their ranges, made it
 * verify the step again and again (measured: 160-380 ms of verification
 * for the exec program, against 1.4 ms without the walk).
 */
struct pt_path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *mnt_root;	/* vfsmnt's, read once per mount */
	/* Where to stop, as the kernel's d_path() does: NULL, none. */
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 off;		/* where the path built so far starts */
	__u32 flags;
	__u32 done;
};

/*
 * A dentry's parent and name.  The kernel keeps d_parent and d_name (a
 * struct qstr: hash and len in one 64-bit word, then the name's pointer)
 * side by side, so one read gives all three where the layout is that one
 * (every kernel we know: the relocated offsets say so at load time, and
 * the verifier drops the branch not taken); else three reads.  A failed
 * read gives a NULL name, which the caller's read of the name then fails
 * on.  Returns the name's length.
 */
static __always_inline __u32 pt_dentry_up(struct dentry *dentry,
					  struct dentry **parent,
					  const unsigned char **name)
{
	__u64 at = bpf_core_field_offset(struct dentry, d_parent);

	/*
	 * Offsets asked of struct dentry: a relocation that starts from
	 * struct qstr would cost libbpf one more scan of the kernel's BTF.
	 */
	if (bpf_core_field_offset(struct dentry, d_name) == at + 8 &&
	    bpf_core_field_offset(struct dentry, d_name.len) == at + 12 &&
	    bpf_core_field_size(struct dentry, d_name.len) == 4 &&
	    bpf_core_field_offset(struct dentry, d_name.name) == at + 16) {
		__u64 word[3];

		if (bpf_probe_read_kernel(word, sizeof(word), (char *)dentry + at)) {
			*parent = NULL;
			*name = NULL;
			return 0;
		}
		*parent = (struct dentry *)word[0];
		*name = (const unsigned char *)word[2];
		/* len is the upper half of hash_len on a little-endian kernel */
		return (__u32)(word[1] >> 32);
	}
	*parent = BPF_CORE_READ(dentry, d_parent);
	*name = BPF_CORE_READ(dentry, d_name.name);
	return BPF_CORE_READ(dentry, d_name.len);
}

/* What bpf_loop() passes to each step: where the scratch is. */
struct pt_path_ctx {
	char *buf;
};

/* One component: a name prepended, a mount crossed, or the end. */
static long pt_path_step(__u32 index, void *ctx)
{
	char *buf = ((struct pt_path_ctx *)ctx)->buf;
	struct pt_path_walk *w = (void *)(buf + 2 * PT_PATH_MAX);
	struct dentry *dentry = w->dentry, *parent;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt, *mnt_parent;
	const unsigned char *name;
	__u32 off = w->off, len;
	bool last = false;
	char c[2];

	if (w->root_dentry && dentry == w->root_dentry && vfsmnt == w->root_mnt)
		goto done;	/* the process's root directory */
	if (dentry == w->mnt_root) {
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt_parent == mnt) {
			/* The namespace's root; not below the given root. */
			if (w->root_dentry)
				w->flags |= PT_PATH_F_UNREACHABLE;
			goto done;
		}
		/* Go on from where this mount is mounted. */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		vfsmnt = &mnt_parent->mnt;
		w->vfsmnt = vfsmnt;
		w->mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		return 0;
	}
	len = pt_dentry_up(dentry, &parent, &name);
	if (parent == dentry) {
		/*
		 * The root of a file system that is not mounted here: a
		 * detached mount ("/", nothing to add) or a pseudo file such
		 * as a memfd, whose own name is all there is ("memfd:x").
		 */
		w->flags |= PT_PATH_F_UNREACHABLE;
		/*
		 * The name is tested, not @len: a test on @len splits its
		 * range and with it the verifier's states (measured: 962,882
		 * verified instructions instead of 17,767).
		 */
		if (!bpf_probe_read_kernel(c, sizeof(c), name) && c[0] == '/' &&
		    c[1] == '\0')
			goto done;
		last = true;
	}
	/* One '/' and the name must fit before @off. */
	if (len + 1 > off) {
		w->flags |= PT_PATH_F_TRUNCATED;
		goto done;
	}
	off -= len + 1;
	/* Masks for the verifier: the check above already holds. */
	off &= PT_PATH_MAX - 1;
	len &= PT_PATH_MAX - 1;
	if (bpf_probe_read_kernel(buf + off + 1, len, name)) {
		/* An unreadable name (freed by a racing rename): stop. */
		w->flags |= PT_PATH_F_TRUNCATED;
		goto done;
	}
	buf[off] = '/';
	w->off = off;
	w->dentry = parent;
	if (last)
		goto done;
	return 0;
done:
	w->done = 1;
	return 1;
}

/*
 * pt_path_resolve(), but the path as a process whose root directory is
 * @root sees it (chroot), as the kernel's d_path() gives it: the walk
 * stops at @root.  A path not below @root gets PT_PATH_F_UNREACHABLE and
 * is the path from the namespace's root.  @root NULL: pt_path_resolve().
 */
static __always_inline __u32 pt_path_resolve_under(const struct path *path,
						   const struct path *root,
						   char *buf, __u32 *flags)
{
	struct pt_path_walk *w = (void *)(buf + 2 * PT_PATH_MAX);
	struct pt_path_ctx ctx = { .buf = buf };
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	__u32 off;

	buf[PT_PATH_MAX - 1] = '\0';
	dentry = path ? BPF_CORE_READ(path, dentry) : NULL;
	vfsmnt = path ? BPF_CORE_READ(path, mnt) : NULL;
	if (!dentry || !vfsmnt) {
		*flags = PT_PATH_F_NONE;
		return PT_PATH_MAX - 1;
	}
	w->dentry = dentry;
	w->vfsmnt = vfsmnt;
	w->mnt = pt_real_mount(vfsmnt);
	w->mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	w->off = PT_PATH_MAX - 1;
	w->flags = 0;
	w->done = 0;
	w->root_dentry = root ? BPF_CORE_READ(root, dentry) : NULL;
	w->root_mnt = root ? BPF_CORE_READ(root, mnt) : NULL;

	bpf_loop(PT_PATH_DEPTH_MAX, pt_path_step, &ctx, 0);
	if (!w->done)
		w->flags |= PT_PATH_F_TRUNCATED;
	off = w->off & (PT_PATH_MAX - 1);
	/* The root itself: "/". */
	if (off == PT_PATH_MAX - 1) {
		off = PT_PATH_MAX - 2;
		buf[off] = '/';
	}
	*flags = w->flags;
	return off;
}

static __always_inline __u32 pt_path_resolve(const struct path *path,
					     char *buf, __u32 *flags)
{
	return pt_path_resolve_under(path, NULL, buf, flags);
}

/*
 * Length, NUL included, of the path pt_path_resolve() returned at @off,
 * between 1 and PT_PATH_MAX in a way the verifier can see.
 */
static __always_inline __u32 pt_path_len(__u32 off)
{
	__u32 len = PT_PATH_MAX - (off & (PT_PATH_MAX - 1));

	return len > PT_PATH_MAX ? PT_PATH_MAX : len;
}

#endif /* PT_PATH_H */
