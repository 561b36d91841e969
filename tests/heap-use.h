/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Heap in use, measured exactly, for the leak tests (test-leaks,
 * test-failinject): what mallinfo2() counts, with glibc's per-thread
 * cache off.
 */
#ifndef PROCTRACE_TESTS_HEAP_USE_H
#define PROCTRACE_TESTS_HEAP_USE_H

#include <stddef.h>

/*
 * Under AddressSanitizer, freed memory waits in its quarantine (hundreds of
 * megabytes of resident memory), its allocator maps memory as it likes and
 * mallinfo2() reports nothing: resident memory, mappings and heap are
 * then not compared, and LeakSanitizer checks the heap at exit instead.
 */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/*
 * glibc's per-thread cache holds freed blocks that mallinfo2() still
 * counts as in use, tens of kilobytes whatever the number of cycles; with
 * it off, heap in use is exact.  Tunables are read at start-up, hence a
 * re-exec: unless GLIBC_TUNABLES already turns the cache off, this runs
 * /proc/self/exe again with @argv and the cache off (it does not return),
 * or exits 1 if it cannot.  Call it first in main().
 */
void heap_without_malloc_cache(char **argv);

/* Bytes of heap in use: allocated from the arena and mmap()ed. */
size_t heap_in_use(void);

#endif
