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
 *   3      every integer field of bootstrap-cli's field table
 *          (examples/bootstrap-cli/fields.c), in the table's order, each
 *          as wide as its member (4 or 8 bytes); `fuzz-replay --layout`
 *          lists them, and make-corpus.py builds the seeds from that list
 *   fuzz_header_size()
 *          strings separated by NUL bytes: comm (cut to 15 bytes), then
 *          filename, then each argument (at most FUZZ_MAX_ARGS)
 *
 * So a field added to the table is fuzzed at once, and the seeds, built
 * at test time, follow; nothing here has a fixed size.
 */
#ifndef FUZZ_FORMAT_FUZZ_H
#define FUZZ_FORMAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#define FUZZ_MAX_ARGS 512

/* Bytes before the strings: 3, then the integer fields. */
size_t fuzz_header_size(void);

/* One line per integer field of the header, in order: "KEY BYTES". */
void fuzz_print_layout(FILE *out);

/* Aborts, after saying why on stderr, if an output breaks its promise. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
