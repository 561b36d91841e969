/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A strict UTF-8 decoder for the fuzz checks, written apart from
 * bootstrap-cli's own so that a mistake in one is not repeated in the
 * other.
 */
#ifndef FUZZ_UTF8_CHECK_H
#define FUZZ_UTF8_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the sequence at @s (at most @n bytes): returns its length (1-4)
 * and sets *@cp, or returns 0 if it is not well-formed UTF-8 as Unicode
 * defines it (table 3-7: no overlong form, no surrogate, nothing past
 * U+10FFFF, no truncated sequence).  @n must be at least 1.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* True if all @n bytes at @s are well-formed UTF-8. */
bool utf8_valid(const unsigned char *s, size_t n);

#endif
