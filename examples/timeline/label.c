/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "label.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

enum kind {
	K_OTHER,
	K_COMPILER,
	K_LINKER,
	K_SHELL,
};

static const char *const compilers[] = {
	"cc", "c++", "c89", "c99", "gcc", "g++", "clang", "clang++", "cpp", "cc1",
	"cc1plus", "cc1obj", "cc1objplus", "f951", "gfortran", "tcc", "icc", "icx",
	"icpx", "nvcc", "rustc", NULL,
};

/* "ld" also stands for ld.bfd, ld.gold, ld.lld. */
static const char *const linkers[] = {
	"ld", "lld", "gold", "as", "gas", "collect2", NULL,
};

static const char *const shells[] = {
	"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", NULL,
};

/* Options of compilers and linkers whose value is the next argument. */
static const char *const value_options[] = {
	"-o", "-I", "-D", "-U", "-L", "-x", "-MF", "-MT", "-MQ", "-include",
	"-imacros", "-isystem", "-iquote", "-idirafter", "-iprefix", "-isysroot",
	"-imultiarch", "-dumpbase", "-dumpbase-ext", "-dumpdir", "-auxbase",
	"-auxbase-strip", "-main-file-name", "-triple", "-target-cpu",
	"-resource-dir", "-T", "-z", "-m", "-e", "-soname", "-rpath", "-plugin",
	"-dynamic-linker", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-Xclang",
	"--crate-name", "--crate-type", "--edition", "--out-dir", "--target", NULL,
};

static const char *const source_suffixes[] = {
	".c", ".cc", ".cp", ".cpp", ".cxx", ".c++", ".C", ".CPP", ".m", ".mm", ".M",
	".i", ".ii", ".s", ".S", ".sx", ".f", ".for", ".f90", ".f95", ".f03",
	".f08", ".F", ".F90", ".cu", ".rs", NULL,
};

const char *tl_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static bool in_set(const char *const *set, const char *s, size_t n)
{
	for (; *set; set++)
		if (strlen(*set) == n && !memcmp(*set, s, n))
			return true;
	return false;
}

/* "12", "14.0.6": a version suffix. */
static bool is_version(const char *s, size_t n)
{
	size_t i;

	if (!n || s[0] < '0' || s[0] > '9')
		return false;
	for (i = 0; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
			return false;
	return true;
}

/* By the program's base name, less a version (gcc-12) and a target (x86_64-linux-gnu-gcc). */
static enum kind program_kind(const char *name)
{
	size_t n = strlen(name);
	const char *dash;

	while ((dash = memrchr(name, '-', n)) && is_version(dash + 1, n - (size_t)(dash + 1 - name)))
		n = (size_t)(dash - name);
	if ((dash = memrchr(name, '-', n))) {
		n -= (size_t)(dash + 1 - name);
		name = dash + 1;
	}
	if (n > 3 && !memcmp(name, "ld.", 3))
		n = 2;
	if (in_set(compilers, name, n))
		return K_COMPILER;
	if (in_set(linkers, name, n))
		return K_LINKER;
	if (in_set(shells, name, n))
		return K_SHELL;
	return K_OTHER;
}

static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1];
}

static bool has_source_suffix(const char *arg)
{
	const char *dot = strrchr(arg, '.');
	const char *const *s;

	if (!dot || dot == arg || dot[-1] == '/')
		return false;
	for (s = source_suffixes; *s; s++)
		if (!strcmp(dot, *s))
			return true;
	return false;
}

/*
 * A compiler's last source file (@compiler only), else its -o output,
 * else its last operand; NULL if none.
 */
static const char *tool_target(const char *const *args, size_t n, bool compiler)
{
	const char *source = NULL, *output = NULL, *operand = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_option(args[i])) {
			if (in_set(value_options, args[i], strlen(args[i])) && i + 1 < n) {
				if (!strcmp(args[i], "-o"))
					output = args[i + 1];
				i++;
			}
			continue;
		}
		if (compiler && has_source_suffix(args[i]))
			source = args[i];
		operand = args[i];
	}
	return source ? source : output ? output : operand;
}

/* A shell's command string: the first operand after options holding 'c'. */
static const char *shell_command(const char *const *args, size_t n)
{
	bool has_c = false;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *a = args[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if ((a[0] != '-' && a[0] != '+') || !a[1])
			break;
		if (a[1] == '-')
			continue;	/* --norc, --posix */
		if (a[0] == '-' && strchr(a + 1, 'c'))
			has_c = true;
		/* -o pipefail, -O extglob */
		if (!strcmp(a + 1, "o") || !strcmp(a + 1, "O"))
			i++;
	}
	return has_c && i < n ? args[i] : NULL;
}

/* @n bytes of @s at most, cut at a character boundary: the length. */
static size_t cut_len(const char *s, size_t n, size_t max_bytes)
{
	if (!max_bytes || n <= max_bytes)
		return n;
	n = max_bytes;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* @head, a space and @what (either may be NULL), in at most @max_bytes. */
static char *join(const char *head, const char *what, size_t max_bytes)
{
	size_t hn = head ? strlen(head) : 0, wn = what ? strlen(what) : 0;
	size_t sep = hn && wn ? 1 : 0, n;
	char *s = malloc(hn + sep + wn + 1);

	if (!s)
		return NULL;
	memcpy(s, head ? head : "", hn);
	memcpy(s + hn, " ", sep);
	memcpy(s + hn + sep, what ? what : "", wn);
	n = cut_len(s, hn + sep + wn, max_bytes);
	s[n] = '\0';
	return s;
}

/* A command string on one line: runs of white space as one space. */
static char *collapse(const char *s, size_t max_bytes)
{
	char *out = malloc(strlen(s) + 1);
	size_t n = 0;
	bool space = false;

	if (!out)
		return NULL;
	for (; *s && (!max_bytes || n < max_bytes); s++) {
		if (strchr(" \t\n\r\v\f", *s)) {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = *s;
	}
	out[cut_len(out, n, max_bytes)] = '\0';
	return out;
}

/* Operands joined as a shell would need them quoted, or all of @args. */
static char *operands(const char *const *args, size_t n, size_t max_bytes)
{
	const char **ops = malloc((n ? n : 1) * sizeof(*ops));
	bool options = true, cut;
	size_t i, k = 0;
	char *s;

	if (!ops)
		return NULL;
	for (i = 0; i < n; i++) {
		if (options && !strcmp(args[i], "--")) {
			options = false;
			continue;
		}
		if (!options || !is_option(args[i]))
			ops[k++] = args[i];
	}
	s = k ? esc_join_argv(ops, k, max_bytes, &cut) : esc_join_argv(args, n, max_bytes, &cut);
	free(ops);
	return s;
}

static int add(struct tl_label *lb, char *form)
{
	if (!form)
		return -ENOMEM;
	lb->form[lb->n++] = form;
	return 0;
}

static int make(struct tl_label *lb, const struct tl_exec *x, size_t max_bytes, bool nested);

/*
 * A command string with no quote, expansion, redirection or list: the
 * words a shell would run as they are, the first no assignment.
 */
static bool simple_command(const char *cmd)
{
	size_t first = strcspn(cmd, " \t\n\r\v\f");

	return !cmd[strcspn(cmd, "'\"\\$`;&|<>()#")] && !memchr(cmd, '=', first);
}

/*
 * A shell's command string: a simple command is labelled as if the shell
 * had run it, "sh -c" in front; any other on one line.
 */
static int shell_label(struct tl_label *lb, const char *shell, const char *cmd,
		       size_t max_bytes)
{
	char *head = join(shell, "-c", 0), *copy = NULL, **words = NULL, *w, *save;
	struct tl_label inner = { 0 };
	struct tl_exec x = { 0 };
	int err = head ? 0 : -ENOMEM;
	size_t i;

	if (!err && simple_command(cmd)) {
		copy = strdup(cmd);
		/* At most one word per two bytes, and a NULL. */
		words = calloc(strlen(cmd) / 2 + 2, sizeof(*words));
		if (!copy || !words)
			err = -ENOMEM;
		for (w = copy ? strtok_r(copy, " \t\n\r\v\f", &save) : NULL; !err && w;
		     w = strtok_r(NULL, " \t\n\r\v\f", &save))
			words[x.argc++] = w;
		if (!err && x.argc) {
			x.filename = words[0];
			x.argv = words;
			err = make(&inner, &x, max_bytes, true);
		}
	}
	if (!err && inner.n) {
		err = add(lb, join(head, inner.form[0], max_bytes));
		for (i = 0; !err && i < inner.n && lb->n < TL_LABEL_FORMS; i++) {
			err = add(lb, inner.form[i]);
			inner.form[i] = NULL;
		}
	} else if (!err) {
		char *what = collapse(cmd, max_bytes);

		err = what ? add(lb, join(head, what, max_bytes)) : -ENOMEM;
		if (!err)
			err = add(lb, what);
		else
			free(what);
	}
	for (i = 0; i < inner.n; i++)
		free(inner.form[i]);
	free(words);
	free(copy);
	free(head);
	return err;
}

/* @nested: for a shell's command string, where a shell is any program. */
static int make(struct tl_label *lb, const struct tl_exec *x, size_t max_bytes, bool nested)
{
	const char *file = x->filename ? x->filename : "";
	const char *head = tl_base_name(file), *target = NULL, *cmd;
	const char *const *args = (const char *const *)x->argv;
	size_t n = x->argc, first = 1;
	enum kind kind;
	char *what;
	int err;

	memset(lb, 0, sizeof(*lb));
	/* A script run through its "#!" line: interpreter, script, arguments. */
	if (n >= 2 && !strcmp(args[1], file))
		first = 2;
	args += n > first ? first : n;
	n = n > first ? n - first : 0;

	kind = first == 1 ? program_kind(head) : K_OTHER;
	if (kind == K_SHELL && !nested && (cmd = shell_command(args, n))) {
		err = shell_label(lb, head, cmd, max_bytes);
	} else if ((kind == K_COMPILER || kind == K_LINKER) &&
		   (target = tool_target(args, n, kind == K_COMPILER))) {
		err = add(lb, join(head, target, max_bytes));
		if (!err)
			err = add(lb, join(NULL, target, max_bytes));
		if (!err && tl_base_name(target) != target)
			err = add(lb, join(NULL, tl_base_name(target), max_bytes));
	} else {
		what = operands(args, n, max_bytes);
		err = what ? add(lb, join(head, what, max_bytes)) : -ENOMEM;
		free(what);
	}
	if (err)
		tl_label_free(lb);
	return err;
}

int tl_label_make(struct tl_label *lb, const struct tl_exec *x, size_t max_bytes)
{
	return make(lb, x, max_bytes, false);
}

void tl_label_free(struct tl_label *lb)
{
	size_t i;

	for (i = 0; i < lb->n; i++)
		free(lb->form[i]);
	memset(lb, 0, sizeof(*lb));
}
