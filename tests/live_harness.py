# SPDX-License-Identifier: BSD-2-Clause
"""Shared by the live Python tests (tests/cli/test-cli.py and
tests/timeline/test-timeline.py), as live-harness.c is by the C ones:
the skip status, the checks before any test, a private mount namespace
without tracefs, and the run of a script's tests.

Imported through sys.path, with this directory put there by the test
relative to its own file.
"""

import os
import subprocess
import sys
import unittest


def skip(reason):
    """Exits 77 (meson's skip) with the reason."""
    print("SKIP: " + reason)
    sys.exit(77)


def skip_unless_root_and_btf(program):
    """Exits 77 unless this runs as root on a kernel with BTF, which
    @program (its name, for the message) needs to load BPF programs."""
    if os.geteuid() != 0:
        skip(program + " needs root (or CAP_BPF+CAP_PERFMON)")
    if not os.access("/sys/kernel/btf/vmlinux", os.R_OK):
        skip("the kernel has no BTF (/sys/kernel/btf/vmlinux)")


def enter_private_mount_ns_without_tracefs(marker):
    """Re-runs this script in its own mount namespace and unmounts tracefs
    and debugfs there, so the program under test is proven not to need
    them; the machine's mounts are not touched.  @marker names the
    environment variable, set to "1" in the re-run, by which the script
    knows it is in the namespace."""
    if os.environ.get(marker) != "1":
        os.environ[marker] = "1"
        argv = ["unshare", "--mount", "--propagation", "private",
                sys.executable] + sys.argv
        os.execvp(argv[0], argv)
    for _ in range(8):
        mounts = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                if right.split()[0] in ("tracefs", "debugfs"):
                    mounts.append(left.split()[4])
        if not mounts:
            return
        for m in mounts:
            subprocess.run(["umount", "-l", m], stderr=subprocess.DEVNULL)
    sys.exit("cannot unmount tracefs/debugfs in a private mount namespace")


_validator = None


def check_json_lines(data):
    """Validates each line of @data (bytes: bootstrap-cli --json's output)
    against the published schema, whose path PT_EVENT_SCHEMA names (unset:
    nothing checked); raises AssertionError naming the line at fault."""
    global _validator
    path = os.environ.get("PT_EVENT_SCHEMA")
    if not path:
        return
    if _validator is None:
        import json
        import jsonschema
        with open(path) as f:
            _validator = jsonschema.Draft202012Validator(json.load(f))
    import json
    for raw in data.splitlines():
        if not raw.strip():
            continue
        errors = list(_validator.iter_errors(json.loads(raw)))
        if errors:
            raise AssertionError("line not valid against %s: %r: %s" %
                                 (path, raw, "; ".join(e.message for e in errors)))


def run_tests():
    """Runs the unittest cases of the script run (__main__), verbosely,
    and exits 0 if all passed, else 1."""
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
