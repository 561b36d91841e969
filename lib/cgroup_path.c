/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cgroup v2 paths from cgroup ids, in user space, cached.
 *
 * The kernel side sends the 64-bit cgroup id (a kernfs node id), never a
 * path: building one in BPF for every event would cost far more than a
 * look-up here, done once per cgroup.  On 64-bit systems the id is also
 * the inode number of the cgroup's directory and, as a file handle of
 * type FILEID_KERNFS, opens that directory with open_by_handle_at() on the
 * cgroup2 mount: one system call, whatever the number of cgroups.  That
 * needs CAP_DAC_READ_SEARCH; without it (a tracer with only CAP_BPF and
 * CAP_PERFMON) the cgroup2 tree is walked, comparing inode numbers.
 *
 * A cgroup removed before its first look-up has no path (NULL, cached as
 * such: ids are never reused).  A cgroup renamed after its look-up keeps
 * its old path in the cache (cgroup directories cannot be renamed across
 * parents, and rarely are at all).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#ifndef FILEID_KERNFS
#define FILEID_KERNFS 0xfe
#endif

/* Entries kept before the cache is emptied and starts again. */
#define CACHE_MAX 4096
/* Open-addressing index into the entries: twice as many slots. */
#define INDEX_SLOTS (2 * CACHE_MAX)
#define WALK_DEPTH_MAX 64

struct cgroup_entry {
	uint64_t id;
	char *path;		/* NULL: could not be resolved */
};

struct pt_cgroup_cache {
	struct cgroup_entry *v;
	size_t n, cap;
	uint16_t index[INDEX_SLOTS];	/* entry + 1; 0: empty slot */
	char *mnt;		/* the cgroup2 mount point, or NULL */
	size_t mnt_len;
	bool mnt_searched;
	int mnt_fd;		/* -1 until opened */
	bool no_handles;	/* open_by_handle_at() refused: walk */
};

struct pt_cgroup_cache *pt_cgroup_cache_new(void)
{
	struct pt_cgroup_cache *c = calloc(1, sizeof(*c));

	if (c)
		c->mnt_fd = -1;
	return c;
}

static void clear(struct pt_cgroup_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].path);
	c->n = 0;
	memset(c->index, 0, sizeof(c->index));
}

static size_t slot_of(uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 51) & (INDEX_SLOTS - 1);
}

void pt_cgroup_cache_free(struct pt_cgroup_cache *c)
{
	if (!c)
		return;
	clear(c);
	free(c->v);
	free(c->mnt);
	if (c->mnt_fd >= 0)
		close(c->mnt_fd);
	free(c);
}

/* The first cgroup2 mount whose root is the hierarchy's root. */
static void find_mount(struct pt_cgroup_cache *c)
{
	char line[4096], root[4096], mnt[4096], type[64];
	FILE *f;

	c->mnt_searched = true;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s", type) != 1 || strcmp(type, "cgroup2") ||
		    strcmp(root, "/"))
			continue;
		/* mountinfo escapes spaces as \040; cgroup2 mounts have none. */
		if (strchr(mnt, '\\'))
			continue;
		c->mnt = strdup(mnt);
		c->mnt_len = c->mnt ? strlen(mnt) : 0;
		break;
	}
	fclose(f);
	if (c->mnt)
		c->mnt_fd = open(c->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The path below the mount of the directory open at @fd, or NULL. */
static char *path_of_fd(struct pt_cgroup_cache *c, int fd)
{
	char link[64], buf[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0 || (size_t)n < c->mnt_len)
		return NULL;
	buf[n] = '\0';
	if (strncmp(buf, c->mnt, c->mnt_len) ||
	    (buf[c->mnt_len] != '/' && buf[c->mnt_len] != '\0'))
		return NULL;
	/* Removed since we opened it. */
	if (n > 10 && !strcmp(buf + n - 10, " (deleted)"))
		return NULL;
	return strdup(buf[c->mnt_len] ? buf + c->mnt_len : "/");
}

static char *by_handle(struct pt_cgroup_cache *c, uint64_t id, bool *gone)
{
	union {
		struct file_handle fh;
		char bytes[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char *path;
	int fd;

	h.fh.handle_bytes = sizeof(id);
	h.fh.handle_type = FILEID_KERNFS;
	memcpy(h.fh.f_handle, &id, sizeof(id));
	fd = open_by_handle_at(c->mnt_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EPERM || errno == EOPNOTSUPP || errno == EINVAL)
			c->no_handles = true;
		else
			*gone = errno == ESTALE || errno == ENOENT;
		return NULL;
	}
	path = path_of_fd(c, fd);
	close(fd);
	return path;
}

/* Depth-first search of the tree under @dir_fd (at @rel) for inode @id. */
static char *walk(int dir_fd, const char *rel, uint64_t id, int depth)
{
	struct dirent *d;
	char *found = NULL;
	DIR *dir;

	if (depth > WALK_DEPTH_MAX)
		return NULL;
	dir = fdopendir(dir_fd);
	if (!dir) {
		close(dir_fd);
		return NULL;
	}
	while (!found && (d = readdir(dir))) {
		struct stat st;
		char *sub;
		int fd;

		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") ||
		    !strcmp(d->d_name, ".."))
			continue;
		fd = openat(dirfd(dir), d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (asprintf(&sub, "%s/%s", rel, d->d_name) < 0) {
			close(fd);
			break;
		}
		if (fstat(fd, &st) == 0 && (uint64_t)st.st_ino == id) {
			close(fd);
			found = sub;
			break;
		}
		found = walk(fd, sub, id, depth + 1);
		free(sub);
	}
	closedir(dir);
	return found;
}

static char *by_walk(struct pt_cgroup_cache *c, uint64_t id)
{
	struct stat st;
	int fd;

	if (fstat(c->mnt_fd, &st) == 0 && (uint64_t)st.st_ino == id)
		return strdup("/");
	fd = dup(c->mnt_fd);
	if (fd < 0)
		return NULL;
	lseek(fd, 0, SEEK_SET);
	return walk(fd, "", id, 0);
}

const char *pt_cgroup_path(struct pt_cgroup_cache *c, uint64_t id)
{
	struct cgroup_entry *e;
	bool gone = false;
	char *path = NULL;
	size_t slot;

	if (!c || !id)
		return NULL;
	for (slot = slot_of(id); c->index[slot]; slot = (slot + 1) & (INDEX_SLOTS - 1))
		if (c->v[c->index[slot] - 1].id == id)
			return c->v[c->index[slot] - 1].path;

	if (!c->mnt_searched)
		find_mount(c);
	if (c->mnt_fd >= 0) {
		if (!c->no_handles)
			path = by_handle(c, id, &gone);
		if (!path && c->no_handles) {
			path = by_walk(c, id);
			gone = !path;
		}
	}
	/* Remember a path, or a cgroup that is gone; retry anything else. */
	if (!path && !gone)
		return NULL;

	if (c->n == CACHE_MAX)
		clear(c);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct cgroup_entry *v = realloc(c->v, sizeof(*v) * cap);

		if (!v) {
			free(path);
			return NULL;
		}
		c->v = v;
		c->cap = cap;
	}
	for (slot = slot_of(id); c->index[slot]; slot = (slot + 1) & (INDEX_SLOTS - 1))
		;
	e = &c->v[c->n++];
	c->index[slot] = (uint16_t)c->n;
	e->id = id;
	e->path = path;
	return path;
}
