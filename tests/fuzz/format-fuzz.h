/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fuzz target for bootstrap-cli's event formatting, shared by the
 * libFuzzer build (run-fuzzer.sh) and the corpus replay (replay.c).
 *
 * Input layout (all integers little-endian; a short input reads as if
 * padded with zero bytes):
 *   0      type selector: value % 6 picks EXEC, EXIT, FORK, 0, 4, 0xffffffff
 *   1      flags: bit 0 ARGS_TRUNCATED, bit 1 CORE_DUMPED, bit 7 also sets
 *          bits 8..31 (unknown to this version)
 *   2      bit 0: filename NULL; bit 1: args NULL
 *   3      pid, ppid, exit_code, signal, uid, gid, ns_pid (7 x 4 bytes)
 *   31     timestamp_ns, duration_ns, cgroup_id (3 x 8 bytes)
 *   55     strings separated by NUL bytes: comm (cut to 15 bytes), then
 *          filename, then each argument (at most FUZZ_MAX_ARGS)
 */
#ifndef FUZZ_FORMAT_FUZZ_H
#define FUZZ_FORMAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_HEADER_SIZE 55
#define FUZZ_MAX_ARGS 512

/* Aborts, after saying why on stderr, if an output breaks its promise. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
