#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The compat BPF object (bpf/meson.build, -DPT_COMPAT) uses nothing that
Linux 5.8-5.10 lacks, so that it loads there: no call to a helper of a
later kernel and no atomic instruction but add.  Reads the instructions'
bytes as llvm-objdump -d prints them (its mnemonics for atomics depend on
the CPU version it is told, the bytes do not).

Usage: check-bpf-compat-object.py LLVM-OBJDUMP OBJECT
"""
import re
import subprocess
import sys

# Helpers the compat object must not call, by number (include/uapi/linux/bpf.h).
FORBIDDEN_HELPERS = {
    181: "bpf_loop (5.17)",
    # TODO(i24-state): the task storage and the snapshot's user-memory
    # reads go when the per-process state moves to hash maps; then move
    # these three into FORBIDDEN_HELPERS for good.
    # 156: "bpf_task_storage_get (5.11)",
    # 157: "bpf_task_storage_delete (5.11)",
    # 191: "bpf_copy_from_user_task (5.18)",
}
# BPF_STX | BPF_ATOMIC, 32- and 64-bit; imm 0x00 is BPF_ADD without
# BPF_FETCH (the old XADD, Linux 4.x); any other imm (fetch, and, or, xor,
# xchg, cmpxchg) needs Linux 5.12.
ATOMIC_OPCODES = {0xc3, 0xdb}
XADD = 0x00
# TODO(i24-state): proctrace.bpf.c's claim() and exit de-duplication still
# use cmpxchg/xchg; set this to True when they are gone.
CHECK_ATOMICS_EVERYWHERE = False
# Functions whose atomics are checked until then: those of this branch.
ATOMICS_CHECKED_IN = {"exec_failed", "proctrace_sys_exit_failed",
                      "proctrace_execve_failed", "proctrace_execveat_failed",
                      "proctrace_execve_failed32", "proctrace_execveat_failed32",
                      "pt_usage_try", "pt_path_step_global", "copy_args_global"}

INSN = re.compile(r"^\s*[0-9a-f]+:\s+((?:[0-9a-f]{2} ){7}[0-9a-f]{2})")
FUNC = re.compile(r"^[0-9a-f]+ <([A-Za-z_][A-Za-z0-9_]*)>:")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out = subprocess.run([sys.argv[1], "-d", sys.argv[2]], check=True,
                         capture_output=True, text=True).stdout
    func = None
    found = []
    insns = 0
    for line in out.splitlines():
        m = FUNC.match(line)
        if m and not m.group(1).startswith("LBB"):
            func = m.group(1)
            continue
        m = INSN.match(line)
        if not m:
            continue
        b = [int(x, 16) for x in m.group(1).split()]
        insns += 1
        opcode, src = b[0], b[1] >> 4
        imm = int.from_bytes(bytes(b[4:8]), "little", signed=True)
        if opcode == 0x85 and src == 0 and imm in FORBIDDEN_HELPERS:
            found.append("%s: call %d, %s" % (func, imm, FORBIDDEN_HELPERS[imm]))
        if (opcode in ATOMIC_OPCODES and imm != XADD and
                (CHECK_ATOMICS_EVERYWHERE or func in ATOMICS_CHECKED_IN)):
            found.append("%s: atomic operation 0x%02x (5.12)" % (func, imm & 0xff))
    if insns == 0:
        sys.exit("FAIL: no instruction in %s's disassembly" % sys.argv[2])
    for f in found:
        print(f)
    if found:
        print("FAIL: %s uses what its kernels lack" % sys.argv[2])
        return 1
    print("%d instructions, none that Linux 5.8 lacks" % insns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
