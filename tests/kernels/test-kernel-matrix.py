#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Unit tests of kernel-matrix.py's verdicts, without a VM.

Usage: test-kernel-matrix.py BUILD_DIR

How a console log is read, how a test is judged against a kernel's
expected failures (a listed test that passes, fails in another way or is
not run fails the matrix; an unlisted one that fails too), and that every
expected failure names a kernel of the matrix and a test that runs in the
VMs of BUILD_DIR.
"""

import importlib.util
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("kernel_matrix",
                                              os.path.join(HERE, "kernel-matrix.py"))
km = importlib.util.module_from_spec(spec)
spec.loader.exec_module(km)
BUILD = None

LINE = "this kernel lacks task storage maps (Linux 5.11)"
EXPECTED = {"a": ("no task storage", LINE)}


def result(status, *out):
    return (status, 1, list(out))


class Judge(unittest.TestCase):
    def verdicts(self, tests, results, expected=EXPECTED):
        return {n: (v, bad) for n, v, bad in km.judge(tests, results, expected)}

    def test_unlisted(self):
        v = self.verdicts(["b", "c", "d"], {"b": result(0), "c": result(1), "d": result(77)})
        self.assertEqual(v["b"], ("ok", False))
        self.assertEqual(v["c"], ("FAILED (status 1)", True))
        self.assertEqual(v["d"], ("SKIPPED (counts as failure)", True))

    def test_listed_fails_as_expected(self):
        v = self.verdicts(["a"], {"a": result(1, "x", "libproctrace: " + LINE + ", which")})
        self.assertEqual(v["a"], ("failed as expected (status 1)", False))

    def test_listed_skip_with_the_line_is_expected(self):
        v = self.verdicts(["a"], {"a": result(77, LINE)})
        self.assertFalse(v["a"][1])

    def test_listed_passes(self):
        v = self.verdicts(["a"], {"a": result(0, LINE)})
        self.assertTrue(v["a"][1])
        self.assertIn("PASSED, but listed as an expected failure (no task storage)", v["a"][0])

    def test_listed_fails_otherwise(self):
        v = self.verdicts(["a"], {"a": result(139, "Segmentation fault")})
        self.assertTrue(v["a"][1])
        self.assertIn("not as expected", v["a"][0])

    def test_listed_not_run(self):
        v = self.verdicts(["b"], {"b": result(0)})
        self.assertEqual(v["b"], ("ok", False))
        self.assertTrue(v["a"][1])
        self.assertIn("not run here", v["a"][0])

    def test_listed_without_result_is_left_to_the_missing_check(self):
        # a VM that died before the test: main() reports it as missing
        self.assertEqual(self.verdicts(["a"], {}), {})


class Parse(unittest.TestCase):
    def test_console_log(self):
        log = ("noise\r\n@@pt-kernel 5.10.0-46-amd64 3.10\n"
               "@@pt-features-begin\n"
               "map ringbuf\t5.8\tyes\t\n"
               "bpf_loop in tp_btf\t5.17\tno\tinvalid func unknown#181\n"
               "@@pt-features-end 0\n"
               "@@pt-begin live\nout 1\nout 2\n@@pt-result live 1 4\n"
               "@@pt-begin cli\nhalf\n")
        with tempfile.NamedTemporaryFile("w", suffix=".log") as f:
            f.write(log)
            f.flush()
            release, results, done, running, (features, status) = km.parse(f.name)
        self.assertEqual(release, "5.10.0-46-amd64 3.10")
        self.assertEqual(results, {"live": (1, 4, ["out 1", "out 2"])})
        self.assertFalse(done)
        self.assertEqual(running, ("cli", ["half"]))
        self.assertEqual(status, 0)
        self.assertEqual(features, [("map ringbuf", "5.8", "yes", ""),
                                    ("bpf_loop in tp_btf", "5.17", "no",
                                     "invalid func unknown#181")])

    def test_feature_table(self):
        rows = km.feature_table({"5.10": [("x", "5.8", "no", "why")],
                                 "6.1": [("x", "5.8", "yes", ""), ("y", "6.0", "yes", "")]})
        self.assertEqual([r.split() for r in rows],
                         [["feature", "since", "5.10", "6.1"],
                          ["x", "5.8", "no", "yes"],
                          ["y", "6.0", "-", "yes"]])


class List(unittest.TestCase):
    def test_expected_failures_name_kernels_and_tests_of_the_matrix(self):
        with open(os.path.join(BUILD, "meson-info", "intro-tests.json")) as f:
            root = {t["name"] for t in json.load(f)
                    if "root" in [s.split(":", 1)[-1] for s in t["suite"]]}
        in_vm = root - set(km.EXCLUDED)
        self.assertTrue(in_vm)
        for kernel, tests in km.EXPECTED_FAILURES.items():
            self.assertIn(kernel, km.KERNELS)
            for name, (reason, line) in tests.items():
                self.assertIn(name, in_vm, "%s: %s" % (kernel, name))
                self.assertTrue(reason and "\n" not in reason, name)
                self.assertTrue(line and "\n" not in line, name)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test-kernel-matrix.py BUILD_DIR")
    BUILD = sys.argv.pop(1)
    unittest.main(verbosity=2)
