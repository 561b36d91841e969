/* SPDX-License-Identifier: BSD-2-Clause */
/* The library's only way to say anything: the log callback. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static proctrace_log_fn log_fn = proctrace_log_stderr;
static void *log_ctx;

PROCTRACE_API void proctrace_log_stderr(enum proctrace_log_level level,
					const char *msg, void *ctx)
{
	(void)ctx;
	if (level != PROCTRACE_LOG_WARN || !msg)
		return;
	fprintf(stderr, "libproctrace: %s\n", msg);
}

PROCTRACE_API proctrace_log_fn proctrace_set_log(proctrace_log_fn fn, void *ctx)
{
	proctrace_log_fn old = log_fn;

	log_fn = fn;
	log_ctx = ctx;
	return old;
}

bool pt_log_verbose(const struct pt_logger *lg)
{
	proctrace_log_fn fn = pt_log_is_own(lg) ? lg->fn : log_fn;

	return fn && fn != proctrace_log_stderr;
}

void pt_log(const struct pt_logger *lg, enum proctrace_log_level level,
	    const char *fmt, ...)
{
	char small[512], *msg = small, *big = NULL;
	/* A handle's own callback, else the process-wide one. */
	proctrace_log_fn fn = pt_log_is_own(lg) ? lg->fn : log_fn;
	void *ctx = pt_log_is_own(lg) ? lg->ctx : log_ctx;
	int saved_errno = errno;	/* logging must not change errno */
	va_list ap;
	size_t len;
	int n;

	if (!fn)
		return;
	if (level != PROCTRACE_LOG_WARN && fn == proctrace_log_stderr)
		return;		/* the default would drop it: skip formatting */

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	if ((size_t)n >= sizeof(small)) {
		big = malloc((size_t)n + 1);
		if (big) {
			va_start(ap, fmt);
			vsnprintf(big, (size_t)n + 1, fmt, ap);
			va_end(ap);
			msg = big;
		}
	}
	/* One message is one line for the callback: no trailing newline. */
	len = strlen(msg);
	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = '\0';

	fn(level, msg, ctx);
	free(big);
out:
	errno = saved_errno;
}
