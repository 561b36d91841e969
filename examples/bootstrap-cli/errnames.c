/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "errnames.h"

#include <string.h>

/* Past the largest errno Linux defines (EHWPOISON, 133) with room to grow. */
#define ERRNO_SCAN_MAX 512

const char *errno_name(int err)
{
	/* glibc 2.32+; NULL for a value without a name. */
	return err > 0 ? strerrorname_np(err) : NULL;
}

int errno_by_name(const char *name)
{
	int e;

	for (e = 1; e < ERRNO_SCAN_MAX; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcmp(n, name))
			return e;
	}
	return 0;
}
