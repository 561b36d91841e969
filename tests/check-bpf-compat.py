#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The compat BPF object (bpf/meson.build) must load on Linux 5.8 to 5.10:
none of its instructions may call a helper those kernels lack, and none
may be an atomic operation other than a plain add (BPF_XADD).  One
instruction each would make the whole object fail to load there, and no
kernel of this machine would notice.

Reads the raw instruction bytes from llvm-objdump's listing: llvm-objdump
14 prints the newer atomics as "<unknown>", so their mnemonics cannot be
searched for.

Usage: check-bpf-compat.py LLVM-OBJDUMP OBJECT [--helpers N,N...] [--atomics]
  --helpers: helper ids the object must not call
  --atomics: refuse every atomic but add without fetch (Linux 5.12)
"""
import re
import subprocess
import sys

# Helper ids of include/uapi/linux/bpf.h, for the messages.
HELPER_NAMES = {156: "bpf_task_storage_get", 157: "bpf_task_storage_delete",
                181: "bpf_loop", 191: "bpf_copy_from_user_task"}
INSN = re.compile(r"^\s*(\d+):\s+((?:[0-9a-f]{2} ){7}[0-9a-f]{2})")
FUNC = re.compile(r"^[0-9a-f]+ <(.*)>:")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    objdump, obj = argv[1], argv[2]
    helpers, atomics, rest = set(), False, argv[3:]
    while rest:
        if rest[0] == "--helpers" and len(rest) > 1:
            helpers = {int(n) for n in rest[1].split(",")}
            rest = rest[2:]
        elif rest[0] == "--atomics":
            atomics, rest = True, rest[1:]
        else:
            sys.exit(__doc__)
    out = subprocess.run([objdump, "-d", obj], check=True, capture_output=True,
                         text=True).stdout
    where, bad, seen = "?", [], 0
    for line in out.splitlines():
        m = FUNC.match(line)
        if m:
            where = m.group(1)
            continue
        m = INSN.match(line)
        if not m:
            continue
        seen += 1
        b = bytes.fromhex(m.group(2).replace(" ", ""))
        op, src, imm = b[0], b[1] >> 4, int.from_bytes(b[4:8], "little", signed=True)
        if op == 0x85 and src == 0 and imm in helpers:
            bad.append("%s+%s: calls helper %d (%s)" % (
                where, m.group(1), imm, HELPER_NAMES.get(imm, "?")))
        # BPF_STX | BPF_ATOMIC, 32 or 64 bits: imm 0 is the add 5.8 has.
        if atomics and op in (0xc3, 0xdb) and imm != 0:
            bad.append("%s+%s: atomic operation 0x%x (only add: Linux 5.12)" % (
                where, m.group(1), imm))
    if not seen:
        sys.exit("FAIL: no instruction found in %s's listing" % obj)
    for b in bad:
        print("FAIL:", b)
    if bad:
        return 1
    print("%d instructions, none of the forbidden ones" % seen)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
