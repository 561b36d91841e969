#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The two embedded BPF objects (bpf/meson.build) can share one skeleton:
the skeleton structure bpftool generates for each (maps, programs, links,
and the layout of every global variable) is the same, up to its name.
The library opens the compat object through the full one's skeleton, so a
variable or a map that one variant lacks, or lays out differently, would
be written at the wrong place.

Usage: check-bpf-variants.py FULL.skel.h COMPAT.skel.h
"""
import re
import sys


def skeleton_struct(path, name):
    text = open(path).read()
    m = re.search(r"^struct %s \{\n(.*?)^\};\n" % re.escape(name), text, re.S | re.M)
    if not m:
        sys.exit("FAIL: %s has no struct %s" % (path, name))
    return m.group(1).replace(name, "SKEL")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    full = skeleton_struct(sys.argv[1], "proctrace_bpf")
    compat = skeleton_struct(sys.argv[2], "proctrace_compat_bpf")
    if full != compat:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(
            full.splitlines(True), compat.splitlines(True), "full", "compat"))
        print("FAIL: the compat variant's skeleton differs from the full one's")
        return 1
    print("the two variants share one skeleton (%d lines)" % full.count("\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
