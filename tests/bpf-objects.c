/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf-objects.h"

int id_set_reserve(struct id_set *s, size_t cap)
{
	uint32_t *ids;

	if (cap <= s->cap)
		return 0;
	ids = realloc(s->ids, cap * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	s->ids = ids;
	s->cap = cap;
	return 0;
}

int id_set_add(struct id_set *s, uint32_t id)
{
	size_t i;
	int err;

	for (i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return 0;
	if (s->n == s->cap && (err = id_set_reserve(s, s->cap ? 2 * s->cap : 16)))
		return err;
	s->ids[s->n++] = id;
	return 0;
}

static void id_set_free(struct id_set *s)
{
	free(s->ids);
	memset(s, 0, sizeof(*s));
}

void bpf_objects_free(struct bpf_objects *o)
{
	id_set_free(&o->progs);
	id_set_free(&o->links);
	id_set_free(&o->maps);
}

static int id_set_merge(struct id_set *into, const struct id_set *from)
{
	size_t i;
	int err;

	for (i = 0; i < from->n; i++)
		if ((err = id_set_add(into, from->ids[i])))
			return err;
	return 0;
}

int bpf_objects_merge(struct bpf_objects *into, const struct bpf_objects *from)
{
	int err = id_set_merge(&into->progs, &from->progs);

	if (!err)
		err = id_set_merge(&into->links, &from->links);
	if (!err)
		err = id_set_merge(&into->maps, &from->maps);
	return err;
}

/* The value of "KEY:\t<number>" in an fdinfo text, or 0 if absent. */
static uint32_t fdinfo_field(const char *text, const char *key)
{
	size_t len = strlen(key);
	const char *line = text;

	while (line) {
		if (!strncmp(line, key, len) && line[len] == ':')
			return (uint32_t)strtoul(line + len + 1, NULL, 10);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

int bpf_objects_of_pid(pid_t pid, struct bpf_objects *o)
{
	char dir_path[64], path[64 + 256], text[4096];
	struct dirent *d;
	DIR *dir;
	int err = 0;

	if (pid)
		snprintf(dir_path, sizeof(dir_path), "/proc/%d/fdinfo", (int)pid);
	else
		snprintf(dir_path, sizeof(dir_path), "/proc/self/fdinfo");
	dir = opendir(dir_path);
	if (!dir)
		return -errno;
	while (!err && (d = readdir(dir))) {
		uint32_t link, prog, map;
		FILE *f;
		size_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;	/* closed meanwhile, or our own DIR fd */
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';

		/* A link's fdinfo also names its program, as prog_id. */
		link = fdinfo_field(text, "link_id");
		prog = fdinfo_field(text, "prog_id");
		map = fdinfo_field(text, "map_id");
		if (link)
			err = id_set_add(&o->links, link);
		if (!err && prog)
			err = id_set_add(&o->progs, prog);
		if (!err && map && !link && !prog)
			err = id_set_add(&o->maps, map);
	}
	closedir(dir);
	return err;
}

/* Fills @name with the name of program @id; -ENOENT if it is gone. */
static int prog_name(uint32_t id, char *name, size_t size)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), err = 0;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else
		snprintf(name, size, "%s", info.name);
	close(fd);
	return err;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

int bpf_objects_named(const char *prefix, struct bpf_objects *o)
{
	char name[BPF_OBJ_NAME_LEN + 1];
	__u32 id = 0;
	int err;

	while (!bpf_prog_get_next_id(id, &id)) {
		err = prog_name(id, name, sizeof(name));
		if (err == -ENOENT)
			continue;	/* freed while we looked */
		if (err)
			return err;
		if (starts_with(name, prefix) && (err = id_set_add(&o->progs, id)))
			return err;
	}
	if (errno != ENOENT)
		return -errno;

	id = 0;
	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info;
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
		close(fd);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		err = prog_name(info.prog_id, name, sizeof(name));
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		if (starts_with(name, prefix) && (err = id_set_add(&o->links, id)))
			return err;
	}
	if (errno != ENOENT)
		return -errno;
	return 0;
}

/* 1 if the object exists, 0 if gone, or a negative errno. */
static int alive(int (*get_fd)(__u32), uint32_t id)
{
	int fd = get_fd(id);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int count_alive(int (*get_fd)(__u32), const struct id_set *s, size_t *count)
{
	size_t i;
	int r;

	*count = 0;
	for (i = 0; i < s->n; i++) {
		r = alive(get_fd, s->ids[i]);
		if (r < 0)
			return r;
		*count += (size_t)r;
	}
	return 0;
}

int bpf_objects_alive(const struct bpf_objects *o, size_t *progs,
		      size_t *links, size_t *maps)
{
	int err = count_alive(bpf_prog_get_fd_by_id, &o->progs, progs);

	if (!err)
		err = count_alive(bpf_link_get_fd_by_id, &o->links, links);
	if (!err)
		err = count_alive(bpf_map_get_fd_by_id, &o->maps, maps);
	return err;
}

int bpf_objects_wait_gone(const struct bpf_objects *o, int timeout_ms,
			  size_t *progs, size_t *links, size_t *maps)
{
	const struct timespec step = { .tv_nsec = 10 * 1000000L };
	int waited = 0, err;

	for (;;) {
		err = bpf_objects_alive(o, progs, links, maps);
		if (err)
			return err;
		if (*progs + *links + *maps == 0 || waited >= timeout_ms)
			return (int)(*progs + *links + *maps);
		nanosleep(&step, NULL);
		waited += 10;
	}
}

int bpf_new_program_names(const struct bpf_objects *before, char *out,
			  size_t size)
{
	struct bpf_objects o;
	size_t i, j;
	int err;

	out[0] = '\0';
	memset(&o, 0, sizeof(o));
	err = bpf_objects_of_pid(0, &o);
	for (i = 0; !err && i < o.progs.n; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		bool old = false;
		int fd;

		for (j = 0; j < before->progs.n; j++)
			old |= before->progs.ids[j] == o.progs.ids[i];
		if (old)
			continue;
		fd = bpf_prog_get_fd_by_id(o.progs.ids[i]);
		if (fd < 0) {
			err = -errno;
			break;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			err = -errno;
		close(fd);
		if (!err)
			snprintf(out + strlen(out), size - strlen(out), "%s%s",
				 *out ? " " : "", info.name);
	}
	bpf_objects_free(&o);
	return err;
}
