#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""proctrace-timeline's command line, without privileges: bad usage exits
2 with a message that starts "proctrace-timeline: " and names the
problem, before anything runs or any file is written.

Usage: test-timeline-options.py PROCTRACE_TIMELINE LIBRARY_VERSION
"""

import os
import subprocess
import sys
import tempfile
import unittest

TIMELINE = VERSION = None


def run(*args):
    """Runs in an empty directory: returns (status, stdout, stderr, the
    files left there)."""
    with tempfile.TemporaryDirectory(prefix="timeline-options-") as tmp:
        p = subprocess.run([TIMELINE] + list(args), capture_output=True,
                           timeout=30, stdin=subprocess.DEVNULL, cwd=tmp)
        left = os.listdir(tmp)
    return p.returncode, p.stdout.decode(), p.stderr.decode(), left


class BadUsage(unittest.TestCase):
    def expect_usage_error(self, args, message):
        status, out, err, left = run(*args)
        self.assertEqual(status, 2, (args, out, err))
        self.assertEqual(out, "")
        self.assertEqual(left, [])
        self.assertTrue(err.startswith("proctrace-timeline: "), (args, err))
        self.assertNotIn(TIMELINE + ":", err)
        self.assertIn(message, err)
        self.assertIn("--help", err)

    def test_word_before_dashdash(self):
        # argp would take the word into the command: this ran "echo hello".
        self.expect_usage_error(
            ["-q", "echo", "--", "hello"],
            "proctrace-timeline: 'echo' before '--': the command and its "
            "arguments go after '--'\n")
        self.expect_usage_error(["echo"], "unexpected argument 'echo'")

    def test_no_command(self):
        self.expect_usage_error([], "no command: give one after '--'")
        self.expect_usage_error(["-q", "--"], "'--' must be followed by a command")

    def test_getopt_messages_name_the_program(self):
        # Run by its full path: getopt's messages too say "proctrace-timeline:".
        self.expect_usage_error(["--bogus", "--", "true"],
                                "proctrace-timeline: unrecognized option '--bogus'")
        self.expect_usage_error(["-Q", "--", "true"],
                                "proctrace-timeline: invalid option -- 'Q'")

    def test_ranges(self):
        self.expect_usage_error(["--width", "7", "--", "true"],
                                "invalid width '7': expected a whole number from 200 to 100000")
        self.expect_usage_error(["--max-args", "0", "--", "true"],
                                "invalid argument size '0': expected a whole number from 1 to 32768")
        for value in ("0", "4096", "5000", "99999999999"):
            self.expect_usage_error(["--ring-size", value, "--", "true"],
                                    "invalid ring buffer size '%s': expected a power of two "
                                    "from 32768 to 1073741824" % value)
        self.expect_usage_error(["--ring-size=8192", "--max-args=1", "--", "true"],
                                "expected a power of two from 16384 to 1073741824")

    def test_version(self):
        status, out, err, _ = run("--version")
        self.assertEqual(status, 0, err)
        self.assertEqual(out, "proctrace-timeline %s (libproctrace %s)\n" % (VERSION, VERSION))


if __name__ == "__main__":
    TIMELINE, VERSION = os.path.abspath(sys.argv[1]), sys.argv[2]
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
