/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Failed exec attempts: turns opts.exec_failed_errnos and its flags into
 * the errno set the kernel side filters on (bpf/exec_failed.bpf.h).
 */
#include <string.h>

#include "internal.h"

/* Larger values are not errnos: the kernel's MAX_ERRNO. */
#define PT_ERRNO_MAX 4095
/* A longer list is surely not ended by its 0. */
#define PT_ERRNO_LIST_MAX 4096

#define SET_BITS (8 * sizeof(((struct pt_backend_params *)0)->exec_failed_errnos))

int pt_exec_failed_options(struct pt_backend_params *p, const int32_t *errnos)
{
	bool except = p->flags & PROCTRACE_OPT_EXEC_FAILED_EXCEPT;
	bool listed_other = false;
	size_t i;

	memset(p->exec_failed_errnos, 0, sizeof(p->exec_failed_errnos));
	p->exec_failed_other_errnos = false;
	if (!(p->flags & PROCTRACE_OPT_EXEC_FAILED)) {
		if (errnos || except) {
			pt_warn(&p->log, "proctrace_open: opts.exec_failed_errnos or "
				"PROCTRACE_OPT_EXEC_FAILED_EXCEPT is set without "
				"PROCTRACE_OPT_EXEC_FAILED; set that flag to report "
				"failed exec attempts");
			return -EINVAL;
		}
		return 0;
	}
	if (!errnos) {
		if (except) {
			pt_warn(&p->log, "proctrace_open: PROCTRACE_OPT_EXEC_FAILED_EXCEPT needs "
				"opts.exec_failed_errnos, the errnos not to report");
			return -EINVAL;
		}
		memset(p->exec_failed_errnos, 0xff, sizeof(p->exec_failed_errnos));
		p->exec_failed_other_errnos = true;
		return 0;
	}
	for (i = 0; errnos[i]; i++) {
		int32_t e = errnos[i];

		if (i >= PT_ERRNO_LIST_MAX) {
			pt_warn(&p->log, "proctrace_open: opts.exec_failed_errnos has more than %d "
				"entries; end the list with a 0", PT_ERRNO_LIST_MAX);
			return -EINVAL;
		}
		if (e < 1 || e > PT_ERRNO_MAX) {
			pt_warn(&p->log, "proctrace_open: opts.exec_failed_errnos[%zu] is %d; an "
				"errno is 1 to %d (the list ends with a 0)", i, (int)e,
				PT_ERRNO_MAX);
			return -EINVAL;
		}
		if ((size_t)e < SET_BITS)
			p->exec_failed_errnos[e / 64] |= 1ull << (e % 64);
		else
			listed_other = true;
	}
	if (i == 0) {
		pt_warn(&p->log, "proctrace_open: opts.exec_failed_errnos is empty (its first "
			"entry is the ending 0); use NULL to report every failure");
		return -EINVAL;
	}
	if (listed_other && !except) {
		/*
		 * The kernel side keeps one bit for all errnos past the set;
		 * no exec failure returns one today.
		 */
		pt_warn(&p->log, "proctrace_open: opts.exec_failed_errnos lists an errno of %zu "
			"or more, which can be filtered only together with all the "
			"others that large: use PROCTRACE_OPT_EXEC_FAILED_EXCEPT or NULL",
			SET_BITS);
		return -EINVAL;
	}
	if (except) {
		for (i = 0; i < sizeof(p->exec_failed_errnos) / sizeof(uint64_t); i++)
			p->exec_failed_errnos[i] = ~p->exec_failed_errnos[i];
		p->exec_failed_errnos[0] &= ~1ull;	/* errno 0 is no failure */
		p->exec_failed_other_errnos = !listed_other;
	}
	return 0;
}
