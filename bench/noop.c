/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The benchmark's workload: a process that does nothing.  Linked
 * statically so that a spawn costs fork, exec and exit only, not the
 * dynamic loader, which would dilute the tracing overhead being measured.
 */
int main(void)
{
	return 0;
}
