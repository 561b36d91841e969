/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Giving up privileges once tracing has started: a started libproctrace
 * session needs none (docs/security.md), so bootstrap-cli keeps none.
 */
#ifndef BOOTSTRAP_CLI_PRIVDROP_H
#define BOOTSTRAP_CLI_PRIVDROP_H

#include <stdbool.h>
#include <sys/types.h>

struct privdrop {
	bool switch_user;	/* --user given */
	const char *user;	/* as given, for messages */
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* the user's supplementary groups */
	int ngroups;
};

/*
 * Resolves --user @user (a name, or a number) into @pd before tracing
 * starts, and checks that this process may switch users, so that
 * neither a typo nor a missing capability is found after the command
 * has started.  @user NULL: no user switch.  Returns 0, or the exit
 * status after printing why: 2 for an unknown user, 1 otherwise.
 */
int privdrop_prepare(const char *user, struct privdrop *pd);

/*
 * Gives up every capability of this process for good: the bounding set
 * (if CAP_SETPCAP allows), ambient, then, with --user, the user and its
 * groups, then the effective, permitted and inheritable sets; then sets
 * no_new_privs.  Processes forked before keep their credentials.
 * Returns 0, or -1 after printing why (the caller must then stop).
 */
int privdrop_apply(const struct privdrop *pd, bool verbose);

void privdrop_free(struct privdrop *pd);

#endif
