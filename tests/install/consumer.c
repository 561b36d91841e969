/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An out-of-tree consumer, built by tests/install/check-install.sh against
 * an installed copy of the library found through pkg-config.  As root it
 * traces its own child; otherwise it checks what works unprivileged.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <proctrace/proctrace.h>

static pid_t child;
static int seen;

static int on_event(const struct proctrace_event *e, void *ctx)
{
	(void)ctx;
	if (e->pid == child && e->type == PROCTRACE_EVENT_EXIT && e->exit_code == 3)
		seen = 1;
	return 0;
}

int main(void)
{
	struct proctrace *pt;
	int i, err;

	printf("libproctrace %s\n", proctrace_version_string());
	if (proctrace_version() >> 16 != PROCTRACE_VERSION_MAJOR)
		return 1;
	pt = proctrace_open(on_event, NULL, NULL);
	if (!pt)
		return 1;
	if (geteuid() != 0) {
		printf("not root: open/close only\n");
		proctrace_close(pt);
		return 0;
	}
	err = proctrace_start(pt);
	if (err) {
		fprintf(stderr, "start: %s\n", strerror(-err));
		return 1;
	}
	child = fork();
	if (child == 0) {
		execl("/bin/sh", "sh", "-c", "exit 3", (char *)NULL);
		_exit(127);
	}
	waitpid(child, NULL, 0);
	for (i = 0; i < 100 && !seen; i++)
		proctrace_poll(pt, 100);
	proctrace_close(pt);
	printf("exit event of child %d: %s\n", (int)child, seen ? "seen" : "MISSING");
	return seen ? 0 : 1;
}
