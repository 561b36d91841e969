#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bootstrap-cli's command line, without privileges: bad usage exits 2
with a message that names the problem, before anything is traced.

Usage: test-cli-options.py BOOTSTRAP_CLI LIBRARY_VERSION
"""

import subprocess
import sys
import unittest

CLI = VERSION = None


def run(*args):
    p = subprocess.run([CLI] + list(args), capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class BadUsage(unittest.TestCase):
    def expect_usage_error(self, args, message):
        status, out, err = run(*args)
        self.assertEqual(status, 2, (args, out, err))
        self.assertEqual(out, "")
        self.assertIn(message, err)
        self.assertIn("--help", err)

    def test_bad_durations(self):
        for value in ("abc", "-5", "0", "", " 5", "5ms", "+5", "1.5"):
            self.expect_usage_error(["-d", value],
                                    "invalid duration '%s'" % value)

    def test_duration_overflow(self):
        for value in ("99999999999999999999", "18446744073710"):
            self.expect_usage_error(["--duration", value],
                                    "duration '%s' is too large" % value)

    def test_missing_value(self):
        self.expect_usage_error(["-d"], "requires an argument")

    def test_unknown_option(self):
        self.expect_usage_error(["--bogus"], "unrecognized option '--bogus'")
        self.expect_usage_error(["-Q"], "invalid option -- 'Q'")

    def test_snapshot_with_duration(self):
        self.expect_usage_error(["--snapshot", "-d", "5"],
                                "--snapshot and -d cannot be combined")

    def test_stray_argument(self):
        self.expect_usage_error(["extra"], "unexpected argument 'extra'")

    def test_dashdash_without_command(self):
        self.expect_usage_error(["--"], "'--' must be followed by a command")
        self.expect_usage_error(["--json", "--"],
                                "'--' must be followed by a command")

    def test_bad_filters(self):
        for value in ("abc", "0", "-1", "2147483648", ""):
            self.expect_usage_error(["-p", value], "invalid pid '%s'" % value)
        self.expect_usage_error(["-u", "no-such-user-here"],
                                "invalid uid 'no-such-user-here'")
        self.expect_usage_error(["-n", ""], "invalid comm ''")
        self.expect_usage_error(["-n", "sixteen-bytes-xx"],
                                "invalid comm 'sixteen-bytes-xx'")
        self.expect_usage_error(["-c", "/nonexistent-cgroup"],
                                "cannot use cgroup '/nonexistent-cgroup'")
        self.expect_usage_error(["-c", "/"],
                                "not a directory of a cgroup2 file system")
        self.expect_usage_error(["-p", "1", "--", "true"],
                                "-p and a command cannot be combined")

    def test_one_prefix_for_every_message(self):
        # Run by its full path: getopt's messages too say "bootstrap-cli:".
        for args in (["--bogus"], ["-Q"], ["-d"], ["-d", "abc"], ["extra"],
                     ["-x", "E", "--", "true"], ["--ring-size=0"]):
            status, out, err = run(*args)
            self.assertEqual(status, 2)
            self.assertTrue(err.startswith("bootstrap-cli: "), (args, err))
            self.assertNotIn(CLI + ":", err)

    def test_empty_output_file(self):
        self.expect_usage_error(["-o", ""], "invalid output file ''")

    def test_bad_failed_lists(self):
        self.expect_usage_error(["--failed=EBOGUS"],
                                "invalid --failed 'EBOGUS': 'EBOGUS' is not an errno name")
        self.expect_usage_error(["--failed=EACCES,enoent"],
                                "'enoent' is not an errno name")
        self.expect_usage_error(["--failed=,"], "name at least one errno")
        self.expect_usage_error(["--failed=all-but-EACCES"],
                                "'all-but-EACCES' is not an errno name")

    def test_bad_delivery_settings(self):
        # Every refusal names the real range: the library's limits.
        for value in ("0", "4095", "5000", "16384", "2147483648", "1k",
                      "99999999999"):
            self.expect_usage_error(
                ["--ring-size", value],
                "invalid ring buffer size '%s': expected a power of two "
                "from 32768 to 1073741824" % value)
        for value in ("0", "60001", "x", "99999999999"):
            self.expect_usage_error(
                ["--latency", value],
                "invalid latency '%s': expected a whole number from 1 to 60000"
                % value)
        for value in ("0", "32769", "-4", "99999999999"):
            self.expect_usage_error(
                ["--max-args", value],
                "invalid argument size '%s': expected a whole number from 1 "
                "to 32768" % value)
        # The smallest ring depends on --max-args, given before or after.
        for args in (["--ring-size", "8192", "--max-args", "1"],
                     ["--max-args=1", "--ring-size=0"]):
            self.expect_usage_error(args, "expected a power of two from 16384 "
                                    "to 1073741824 (the least that holds two "
                                    "exec records with 1 byte of arguments")
        self.expect_usage_error(["--ring-size", "16384", "--max-args", "32768"],
                                "from 131072 to 1073741824")

    def test_word_before_dashdash(self):
        # argp would take the word into the command; each is refused, and
        # nothing runs (status 2, not the command's).
        self.expect_usage_error(
            ["-x", "EACCES", "--", "bash", "-c", "exit 0"],
            "bootstrap-cli: 'EACCES' before '--': an optional argument must "
            "be attached, as -xEACCES or --failed=EACCES; the command goes "
            "after '--'\n")
        for args in (["--failed", "EACCES", "--", "true"],
                     ["--fail", "EACCES", "--", "true"],
                     ["-vx", "EACCES", "--", "true"]):
            self.expect_usage_error(args, "bootstrap-cli: 'EACCES' before "
                                    "'--': an optional argument must be "
                                    "attached, as -xEACCES or --failed=EACCES")
        self.expect_usage_error(
            ["-d", "5", "ls", "--", "true"],
            "bootstrap-cli: 'ls' before '--': the command and its arguments "
            "go after '--'\n")
        self.expect_usage_error(["ls", "--"], "'ls' before '--'")
        # Without '--', the same hint.
        self.expect_usage_error(
            ["-x", "EACCES"],
            "bootstrap-cli: unexpected argument 'EACCES': an optional "
            "argument must be attached, as -xEACCES or --failed=EACCES")
        # An attached argument, or one after '--', is no stray word.
        status, out, err = run("-xEACCES", "--latency", "0", "--", "true")
        self.assertIn("invalid latency '0'", err)
        status, out, err = run("--latency", "0", "--", "-x", "EACCES")
        self.assertIn("invalid latency '0'", err)


class Informational(unittest.TestCase):
    def test_help(self):
        status, out, err = run("--help")
        self.assertEqual(status, 0, err)
        for option in ("--duration=MS", "--verbose", "--json", "--version",
                       "--pid=PID", "--uid=UID", "--cgroup=PATH",
                       "--comm=COMM", "--fork", "--ring-size=BYTES",
                       "--latency=MS", "--wake-every-event",
                       "--max-args=BYTES", "--failed[=ERRNO,...]",
                       "-x", "-- COMMAND"):
            self.assertIn(option, out)

    def test_version(self):
        status, out, err = run("--version")
        self.assertEqual(status, 0, err)
        self.assertEqual(out, "bootstrap-cli %s (libproctrace %s)\n"
                         % (VERSION, VERSION))


if __name__ == "__main__":
    CLI, VERSION = sys.argv[1], sys.argv[2]
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
