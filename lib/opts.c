/* SPDX-License-Identifier: BSD-2-Clause */
/* Validation of the caller's sz-first options structures. */
#include "internal.h"

/*
 * No options struct will ever grow this large; a larger sz is garbage (an
 * uninitialized struct), and reading that far could run off the caller's
 * memory.
 */
#define PT_OPTS_MAX_SZ 4096

bool pt_opts_valid(const struct pt_logger *lg, const void *opts,
		   size_t user_sz, size_t known_sz, const char *type_name)
{
	const unsigned char *bytes = opts;
	size_t i;

	if (user_sz < sizeof(size_t)) {
		pt_warn(lg, "struct %s: sz is %zu, smaller than the sz field itself; "
			"declare the options with PROCTRACE_OPTS()",
			type_name, user_sz);
		return false;
	}
	if (user_sz > PT_OPTS_MAX_SZ) {
		pt_warn(lg, "struct %s: sz is %zu, not the size of any version of it; "
			"declare the options with PROCTRACE_OPTS()",
			type_name, user_sz);
		return false;
	}
	for (i = known_sz; i < user_sz; i++) {
		if (bytes[i]) {
			pt_warn(lg, "struct %s: non-zero byte at offset %zu, past the "
				"%zu bytes this library version (%s) knows; it cannot "
				"honour that option, upgrade libproctrace",
				type_name, i, known_sz, proctrace_version_string());
			return false;
		}
	}
	return true;
}
