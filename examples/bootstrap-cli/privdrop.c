/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The privilege drop after start, with raw capset(2) and prctl(2): no
 * libcap.  Why it is safe and what it leaves: docs/security.md.
 */
#define _GNU_SOURCE
#include "privdrop.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int capget_self(struct __user_cap_data_struct data[2]);

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

int privdrop_prepare(const char *user, struct privdrop *pd)
{
	struct __user_cap_data_struct caps[2];
	struct passwd *pw;
	int n = 0;

	memset(pd, 0, sizeof(*pd));
	if (!user)
		return 0;
	pd->switch_user = true;
	pd->user = user;
	pw = getpwnam(user);
	if (!pw && all_digits(user)) {
		unsigned long v;

		errno = 0;
		v = strtoul(user, NULL, 10);

		if (errno || v >= UINT32_MAX) {
			fprintf(stderr, "bootstrap-cli: invalid --user '%s'\n", user);
			return 2;
		}
		pw = getpwuid((uid_t)v);
		if (!pw) {
			/* A uid with no entry: its own number as group, no others. */
			pd->uid = (uid_t)v;
			pd->gid = (gid_t)v;
			goto check;
		}
	}
	if (!pw) {
		fprintf(stderr, "bootstrap-cli: --user '%s': no such user\n", user);
		return 2;
	}
	pd->uid = pw->pw_uid;
	pd->gid = pw->pw_gid;
	/* The user's groups, as a login would have them (initgroups). */
	getgrouplist(pw->pw_name, pw->pw_gid, NULL, &n);
	if (n > 0) {
		pd->groups = calloc((size_t)n, sizeof(*pd->groups));
		if (!pd->groups || getgrouplist(pw->pw_name, pw->pw_gid, pd->groups, &n) < 0) {
			fprintf(stderr, "bootstrap-cli: --user '%s': cannot list its groups\n",
				user);
			free(pd->groups);
			pd->groups = NULL;
			return 1;
		}
	}
	pd->ngroups = n;
check:
	if (capget_self(caps) == 0 && (!has_cap(caps, CAP_SETUID) || !has_cap(caps, CAP_SETGID))) {
		fprintf(stderr, "bootstrap-cli: cannot switch to user '%s' (--user): that "
			"needs CAP_SETUID and CAP_SETGID (or root)\n", user);
		privdrop_free(pd);
		return 1;
	}
	return 0;
}

static int capget_self(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	memset(data, 0, 2 * sizeof(*data));
	return syscall(SYS_capget, &hdr, data) ? -errno : 0;
}

static int capset_empty(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/*
 * Empties the bounding set, which only CAP_SETPCAP may change.  Returns
 * 1 if emptied, 0 if this process may not, -errno on an error.
 */
static int drop_bounding_set(void)
{
	struct __user_cap_data_struct data[2];
	int cap, err;

	err = capget_self(data);
	if (err)
		return err;
	if (!(data[CAP_SETPCAP / 32].effective & (1u << (CAP_SETPCAP % 32))))
		return 0;
	/* Up to the kernel's last capability: PR_CAPBSET_READ says EINVAL past it. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	return 1;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "bootstrap-cli: cannot give up privileges after start (%s): %s\n",
		what, strerror(err));
	return -1;
}

int privdrop_apply(const struct privdrop *pd, bool verbose)
{
	struct __user_cap_data_struct data[2];
	int bounding, err;

	bounding = drop_bounding_set();
	if (bounding < 0)
		return fail("bounding set", -bounding);
	/* EINVAL: a kernel without ambient capabilities (before 4.3). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return fail("ambient set", errno);
	if (pd->switch_user) {
		/*
		 * Groups first: once the uid changes, the capabilities to
		 * change them are gone.  setresuid() from root to another user
		 * also clears the permitted and effective sets.
		 */
		if (setgroups((size_t)pd->ngroups, pd->groups) ||
		    setresgid(pd->gid, pd->gid, pd->gid) ||
		    setresuid(pd->uid, pd->uid, pd->uid)) {
			fprintf(stderr, "bootstrap-cli: cannot switch to user '%s' (--user): %s; "
				"that needs CAP_SETUID and CAP_SETGID (or root)\n", pd->user,
				strerror(errno));
			return -1;
		}
	}
	err = capset_empty();
	if (err)
		return fail("capability sets", -err);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail("no_new_privs", errno);

	/* Trust, but verify: nothing may be left to use. */
	err = capget_self(data);
	if (err)
		return fail("reading back the capability sets", -err);
	if (data[0].effective || data[1].effective || data[0].permitted ||
	    data[1].permitted || data[0].inheritable || data[1].inheritable)
		return fail("capability sets", EPERM);
	/* Said only when asked: a user with CAP_BPF+CAP_PERFMON alone sees it. */
	if (verbose && !bounding)
		fprintf(stderr, "bootstrap-cli: capabilities given up; the bounding set is "
			"kept (emptying it needs CAP_SETPCAP): with nothing permitted and "
			"no_new_privs it cannot be used\n");
	return 0;
}

void privdrop_free(struct privdrop *pd)
{
	free(pd->groups);
	pd->groups = NULL;
}
