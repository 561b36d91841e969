/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a bar says: the label of one exec's part of a bar, chosen so that
 * a step of a build is known at a glance (the whole command line is in
 * the tooltip).  The label is "HEAD WHAT":
 *
 *   HEAD  the program's base name; a script's own name when it was run
 *         through its "#!" line; "sh -c" (the shell's name) for a shell
 *         running a command string.
 *   WHAT  for a compiler (cc, gcc, clang, c++, cc1, rustc...), its last
 *         source file argument, else its -o output, else its last operand;
 *         for a linker or an assembler (ld, ld.*, lld, as, collect2), its
 *         -o output, else its last operand; for a shell with -c, a
 *         simple command string (no quote, $, `, ;, &, |, <, >, (, ), #,
 *         and no assignment in front) labelled by these rules as if the
 *         shell had run it, any other with its runs of white space made
 *         one space; for anything else, its operands (the arguments but
 *         those starting with '-'), or all of its arguments when it has
 *         no operand.
 *
 * Narrower forms follow for bars too short for the first: WHAT alone
 * (but for "anything else", whose operands mean little without the
 * program), then a file's last path component; for a shell, the forms of
 * its command.  The strings are raw
 * bytes from the traced process: the writer escapes them.
 *
 * No library call here: the drawing code is tested without BPF.
 */
#ifndef TIMELINE_LABEL_H
#define TIMELINE_LABEL_H

#include <stddef.h>

#include "model.h"

#define TL_LABEL_FORMS 4

struct tl_label {
	char *form[TL_LABEL_FORMS];	/* widest first; those unused NULL */
	size_t n;
};

/*
 * Fills @lb for @x, each form cut at about @max_bytes bytes (0: no
 * limit).  0, or -ENOMEM (@lb then holds nothing to free).
 */
int tl_label_make(struct tl_label *lb, const struct tl_exec *x, size_t max_bytes);
void tl_label_free(struct tl_label *lb);

/* The part of @path after its last '/' (all of it if it ends in '/'). */
const char *tl_base_name(const char *path);

#endif
