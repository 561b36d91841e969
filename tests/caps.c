/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"

static int capset_all(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];
	int i;

	for (i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(eff >> (32 * i));
		data[i].permitted = (uint32_t)(prm >> (32 * i));
		data[i].inheritable = (uint32_t)(inh >> (32 * i));
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static int switch_user(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

int caps_become_user(uid_t uid, gid_t gid, uint64_t caps)
{
	int err;

	/* Keep the permitted set across the uid change, then trim it. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -errno;
	err = switch_user(uid, gid);
	if (!err)
		err = capset_all(caps, caps, 0);
	if (!err && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))
		err = -errno;
	return err;
}

int caps_drop_all(uid_t uid, gid_t gid)
{
	int cap, err;

	/* The bounding set needs CAP_SETPCAP, so it goes first. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	err = switch_user(uid, gid);
	if (!err)
		err = capset_all(0, 0, 0);
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	return err;
}

/* The text after "@key:" in /proc/PID/status, into @buf; 0 or -1. */
static int status_line(pid_t pid, const char *key, char *buf, size_t size)
{
	char path[64], line[1024];
	size_t len = strlen(key);
	int found = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, len) || line[len] != ':')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", line + len + 1 + strspn(line + len + 1, " \t"));
		found = 0;
		break;
	}
	fclose(f);
	return found;
}

int64_t caps_status_set(pid_t pid, const char *key)
{
	char buf[64], *end;
	uint64_t v;

	if (status_line(pid, key, buf, sizeof(buf)))
		return -1;
	v = strtoull(buf, &end, 16);
	return *buf && !*end ? (int64_t)v : -1;
}

long caps_status_number(pid_t pid, const char *key, int index)
{
	char buf[256], *p = buf, *end;
	long v = -1;
	int i;

	if (status_line(pid, key, buf, sizeof(buf)))
		return -1;
	for (i = 0; i <= index; i++, p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			return -1;
	}
	return v;
}

int caps_status_groups(pid_t pid, char *buf, size_t size)
{
	size_t len;

	if (status_line(pid, "Groups", buf, size))
		return -1;
	len = strlen(buf);
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		buf[--len] = '\0';
	return 0;
}
