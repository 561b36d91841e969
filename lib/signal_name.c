/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Signal names for struct proctrace_event::signal.  The C libraries do
 * not agree on a way to get them (sigabbrev_np() is glibc's alone, and
 * strsignal() gives a translated description), and a program that only
 * wants "SIGKILL" should not need a table of its own.
 *
 * Indexed by the <signal.h> constants, not by numbers written here: the
 * numbers differ between architectures (SIGBUS is 7 on x86, 10 on MIPS),
 * and the events carry the kernel's numbers for the one we run on.
 */
#include <signal.h>
#include <stddef.h>

#include <proctrace/proctrace.h>

static const char *const signal_names[] = {
	[SIGHUP] = "SIGHUP",
	[SIGINT] = "SIGINT",
	[SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP",
	[SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",
	[SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1",
	[SIGSEGV] = "SIGSEGV",
	[SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE",
	[SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM",
#ifdef SIGSTKFLT
	[SIGSTKFLT] = "SIGSTKFLT",
#endif
	[SIGCHLD] = "SIGCHLD",
	[SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP",
	[SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",
	[SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM",
	[SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",
#if defined(SIGPWR) && SIGPWR != SIGIO
	[SIGPWR] = "SIGPWR",
#endif
#ifdef SIGEMT
	[SIGEMT] = "SIGEMT",
#endif
	[SIGSYS] = "SIGSYS",
};

PROCTRACE_API const char *proctrace_signal_name(int32_t sig)
{
	if (sig <= 0 || (size_t)sig >= sizeof(signal_names) / sizeof(*signal_names))
		return NULL;
	return signal_names[sig];
}
