/* SPDX-License-Identifier: BSD-2-Clause */
/* bootstrap-cli run as a child of a live test, with its output redirected. */
#ifndef PROCTRACE_TESTS_CLI_PROCESS_H
#define PROCTRACE_TESTS_CLI_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

/* Path of bootstrap-cli, from the BOOTSTRAP_CLI environment variable. */
const char *cli_path(void);

/*
 * Runs bootstrap-cli with the arguments @args (NULL-terminated, without the
 * program name), stdout to @out_fd and stderr to @err_fd (-1: inherited).
 * Fails the test if it cannot fork.
 */
pid_t cli_spawn(const char *const args[], int out_fd, int err_fd);

/*
 * Reads from @fd up to and including the first newline, within
 * @timeout_ms.  Returns the line's length (without the newline), -ETIMEDOUT,
 * or -EPIPE at end of file.
 */
int cli_read_line(int fd, char *buf, size_t size, int timeout_ms);

/* waitpid() for @pid, retried on EINTR; returns the raw status. */
int cli_wait(pid_t pid);

#endif
