/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A 32-bit program without libc for the live tests of failed exec
 * attempts: execve("/nonexistent-pt32", {"pt32", "arg one"}) through the
 * 32-bit system call gate (int $0x80, the compat execve of a 64-bit
 * kernel), then exit(9).  Built only where the compiler can make 32-bit
 * x86 code (tests/meson.build).
 */
static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory");
	return ret;
}

void _start(void)
{
	char name[] = "/nonexistent-pt32";
	char a0[] = "pt32", a1[] = "arg one";
	char *argv[] = { a0, a1, 0 };
	char *envp[] = { 0 };

	sys3(11, (long)name, (long)argv, (long)envp);	/* execve */
	sys3(1, 9, 0, 0);				/* exit(9) */
	for (;;)
		;
}
