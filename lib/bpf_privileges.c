/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The capabilities loading needs, checked before the first bpf() call,
 * and the one message for a load or attach the kernel refused with EPERM.
 * Apart from bpf_load.c because it asks about the process (capabilities,
 * user namespace), never about the BPF object.
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "bpf_internal.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool cap_effective(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

/*
 * Loading a tracing program needs CAP_BPF and CAP_PERFMON (or the older
 * catch-all CAP_SYS_ADMIN).  Checking first turns a cascade of libbpf
 * errors into one message that says what to do.  Returns which of the
 * two this process lacks, or NULL if it holds what is needed (or if the
 * kernel cannot tell us: then the kernel decides).
 */
const char *pt_bpf_missing_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];
	bool bpf, perfmon;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0 || cap_effective(data, CAP_SYS_ADMIN))
		return NULL;
	bpf = cap_effective(data, CAP_BPF);
	perfmon = cap_effective(data, CAP_PERFMON);
	if (bpf && perfmon)
		return NULL;
	if (!bpf && !perfmon)
		return "CAP_BPF and CAP_PERFMON";
	return bpf ? "CAP_PERFMON" : "CAP_BPF";
}

/*
 * Capabilities held inside a user namespace other than the first one do
 * not count for BPF.  The initial namespace maps every uid to itself.
 */
static bool in_initial_user_ns(void)
{
	unsigned long inside, outside, count;
	bool initial = true;	/* cannot tell: say nothing about it */
	FILE *f = fopen("/proc/self/uid_map", "re");

	if (f) {
		if (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
			initial = inside == 0 && outside == 0 && count == 4294967295UL;
		fclose(f);
	}
	return initial;
}

/*
 * The one message for a refused load or attach: which capability is
 * missing, or, if this process holds them, why the kernel may still say
 * no.
 */
int pt_bpf_privileges_error(const struct pt_logger *lg)
{
	const char *missing = pt_bpf_missing_privileges();

	if (missing)
		pt_warn(lg, "proctrace_start: loading the BPF program was refused: it needs "
			"root or CAP_BPF+CAP_PERFMON; this process lacks %s", missing);
	else if (!in_initial_user_ns())
		pt_warn(lg, "proctrace_start: loading the BPF program was refused: it needs "
			"root or CAP_BPF+CAP_PERFMON in the initial user namespace; this "
			"process holds them only inside a user namespace (a container), "
			"where they do not count for BPF");
	else
		pt_warn(lg, "proctrace_start: loading the BPF program was refused: it needs "
			"root or CAP_BPF+CAP_PERFMON; this process holds them, so a "
			"security module (SELinux, AppArmor) or a seccomp filter forbids "
			"BPF here");
	return -EPERM;
}
