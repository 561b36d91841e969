/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The subtree filter's root (opts.filter_pid): its mark in the task
 * storage map, put by pidfd on the process and its threads between load
 * and attach (in the compat variant, by a task iterator), from which
 * every descendant inherits it on the BPF side.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_internal.h"

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
 * The compat variant's marking (no task storage, so no pidfd key): the
 * BPF side's proctrace_mark_root iterator, run once through a link of its
 * own, marks every thread whose thread-group id is the root's (set in
 * rodata).  Returns -ESRCH if it found none: the root is gone.
 */
static int mark_root_by_iterator(struct pt_backend *b)
{
	struct bpf_link *link = bpf_program__attach_iter(b->skel->progs.proctrace_mark_root,
							 NULL);
	__u64 key;
	char buf[64];
	int fd, err = 0;
	ssize_t n;

	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0)
		err = -errno;
	/* The walk runs as the iterator is read (it writes nothing). */
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	if (!err && bpf_map_get_next_key(bpf_map__fd(b->skel->maps.subtree), NULL, &key))
		err = -ESRCH;
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
int pt_bpf_mark_subtree_root(struct pt_backend *b, int32_t pid)
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
	if (b->compat) {
		/* Every thread, at once: nothing more to do or say. */
		err = mark_root_by_iterator(b);
		if (err == -ESRCH)
			pt_warn(&b->log, "proctrace_start: filter_pid %d: no such process",
				(int)pid);
		else if (err)
			pt_warn(&b->log, "proctrace_start: cannot mark process %d for the subtree "
				"filter: %s", (int)pid, strerror(-err));
		return err;
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
