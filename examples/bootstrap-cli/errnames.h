/* SPDX-License-Identifier: BSD-2-Clause */
/* errno values by name ("ENOENT") and back, for --failed and the output. */
#ifndef BOOTSTRAP_CLI_ERRNAMES_H
#define BOOTSTRAP_CLI_ERRNAMES_H

/* The symbolic name of @err ("EACCES"), or NULL if it has none. */
const char *errno_name(int err);

/* The errno named @name ("EACCES", case-sensitive), or 0 if none. */
int errno_by_name(const char *name);

#endif
