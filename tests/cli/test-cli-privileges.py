#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Live test of bootstrap-cli's privileges: once tracing has started it
holds no capability (bounding set included) and has no_new_privs; with
--user it is that user with that user's groups; events keep flowing and
its statistics keep working; a command after -- keeps the caller's
credentials; and it runs as a user holding only CAP_BPF+CAP_PERFMON.
Each running CLI is inspected through /proc/PID/status.

Usage: test-cli-privileges.py BOOTSTRAP_CLI PT_CHILD
Exit status: 0 passed, 1 failed, 77 skipped (BPF cannot run here).
"""

import importlib.util
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

# The helpers (Cli, start_ready, ...) of the main CLI test.
_spec = importlib.util.spec_from_file_location(
    "cli_test", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "test-cli.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

NOBODY = 65534
CAP_SETS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")


def status_of(pid):
    """/proc/PID/status as a dict of its lines."""
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def caps_of(status):
    return {k: int(status[k], 16) for k in CAP_SETS}


def ids(status, key):
    return [int(v) for v in status[key].split()]


def expected_groups(user):
    pw = pwd.getpwnam(user)
    return sorted(set(os.getgrouplist(pw.pw_name, pw.pw_gid)))


class Dropped(unittest.TestCase):
    def setUp(self):
        self.cli = None

    def tearDown(self):
        if self.cli and self.cli.proc.poll() is None:
            self.cli.stop(signal.SIGKILL)

    def exits_keep_flowing(self, codes):
        """Runs pt-child with each exit code; each exit is reported."""
        for code in codes:
            pid, _, _ = base.run_child(base.PT_CHILD, code)
            line = self.cli.wait_for(
                lambda raw: json.loads(raw)["pid"] == pid and
                json.loads(raw)["type"] == "exit")
            self.assertIsNotNone(line, "no exit event for pid %d" % pid)
            self.assertEqual(json.loads(line)["exit_code"], code)

    def stop_and_count(self):
        """Stops the CLI; its summary (from proctrace_stats() after the
        drop) counts exactly the events it printed."""
        status, err = self.cli.stop(signal.SIGTERM)
        self.assertEqual(status, 0, err)
        delivered = base.assert_summary_only(self, err)
        self.assertEqual(delivered, len([r for r in self.cli.seen if r.strip()]))

    def test_every_capability_given_up(self):
        self.cli = base.start_ready("--json")
        st = status_of(self.cli.proc.pid)
        self.assertEqual(caps_of(st), dict.fromkeys(CAP_SETS, 0), st)
        self.assertEqual(st["NoNewPrivs"], "1")
        # Still the user it was started as.
        self.assertEqual(ids(st, "Uid"), [os.getuid()] * 4)
        self.exits_keep_flowing([31, 32, 33])
        self.stop_and_count()

    def test_user_and_its_groups(self):
        self.cli = base.start_ready("--json", "-Z", "nobody")
        st = status_of(self.cli.proc.pid)
        pw = pwd.getpwnam("nobody")
        self.assertEqual(ids(st, "Uid"), [pw.pw_uid] * 4, st)
        self.assertEqual(ids(st, "Gid"), [pw.pw_gid] * 4, st)
        self.assertEqual(sorted(ids(st, "Groups")), expected_groups("nobody"))
        self.assertEqual(caps_of(st), dict.fromkeys(CAP_SETS, 0), st)
        self.assertEqual(st["NoNewPrivs"], "1")
        self.exits_keep_flowing([34, 35])
        self.stop_and_count()

    def test_numeric_user_without_entry(self):
        uid = 54321
        self.assertRaises(KeyError, pwd.getpwuid, uid)
        self.cli = base.start_ready("--json", "--user=%d" % uid)
        st = status_of(self.cli.proc.pid)
        self.assertEqual(ids(st, "Uid"), [uid] * 4)
        self.assertEqual(ids(st, "Gid"), [uid] * 4)
        self.assertEqual(st["Groups"], "")
        self.exits_keep_flowing([36])
        self.stop_and_count()

    def test_command_keeps_the_callers_credentials(self):
        with tempfile.TemporaryDirectory() as d:
            mine, cli = os.path.join(d, "command"), os.path.join(d, "cli")
            # The CLI drops right after spawning the command: wait for
            # that (shell builtins only, so that the events stay these).
            script = ('n=0; while [ $n -lt 100000 ]; do nnp=; '
                      'while read -r k v; do [ "$k" = NoNewPrivs: ] && nnp=$v; '
                      'done < /proc/$PPID/status; [ "$nnp" = 1 ] && break; '
                      'n=$((n + 1)); done; '
                      'cat /proc/self/status > "$1"; cat /proc/$PPID/status > "$2";'
                      ' exit 6')
            status, out, err = base.run_command(
                "--json", "-Z", "nobody", "--", "sh", "-c", script, "sh",
                mine, cli)
            self.assertEqual(status, 6, err)
            command, tracer = status_of_file(mine), status_of_file(cli)
        own = status_of(os.getpid())
        # The command: our own user and capabilities, no no_new_privs.
        self.assertEqual(ids(command, "Uid"), ids(own, "Uid"))
        self.assertEqual(caps_of(command)["CapEff"], caps_of(own)["CapEff"])
        self.assertEqual(caps_of(command)["CapBnd"], caps_of(own)["CapBnd"])
        self.assertEqual(command["NoNewPrivs"], own["NoNewPrivs"])
        # bootstrap-cli, while the command ran: nobody, nothing.
        self.assertEqual(ids(tracer, "Uid"), [NOBODY] * 4)
        self.assertEqual(caps_of(tracer), dict.fromkeys(CAP_SETS, 0))
        self.assertEqual(tracer["NoNewPrivs"], "1")
        events = [json.loads(l) for l in out.splitlines()]
        self.assertEqual(base.assert_summary_only(self, err), len(events))
        self.assertEqual([(e["type"], e["comm"]) for e in events],
                         [("exec", "sh"), ("exec", "cat"), ("exit", "cat"),
                          ("exec", "cat"), ("exit", "cat"), ("exit", "sh")])
        self.assertEqual(events[-1]["exit_code"], 6)
        self.assertEqual(events[0]["uid"], os.getuid())

    def test_unknown_user(self):
        status, out, err = base.run_command("-Z", "no-such-user-proctrace", "--json")
        self.assertEqual((status, out), (2, b""))
        self.assertEqual(err, "bootstrap-cli: --user 'no-such-user-proctrace': "
                         "no such user\n")


def status_of_file(path):
    fields = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


class LeastPrivilege(unittest.TestCase):
    """As user 65534 with CAP_BPF and CAP_PERFMON only (ambient, so that
    they survive exec), as setpriv(1) grants them."""

    SETPRIV = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
               "--clear-groups", "--inh-caps=-all,+bpf,+perfmon",
               "--ambient-caps=-all,+bpf,+perfmon"]

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.copy = base.world_executable_copy(base.CLI, self.dir.name)
        for lib in base.linked_libproctrace(base.CLI):
            shutil.copy(lib, self.dir.name)
        self.env = dict(os.environ, LD_LIBRARY_PATH=self.dir.name)
        self.cli = None

    def tearDown(self):
        if self.cli and self.cli.proc.poll() is None:
            self.cli.stop(signal.SIGKILL)
        self.dir.cleanup()

    def test_events_stats_and_drop(self):
        old = base.CLI
        base.CLI = self.copy
        saved_env = dict(os.environ)
        os.environ.update(self.env)
        try:
            # Cli() runs [CLI] + args: the setpriv wrapper goes in front.
            base.CLI = self.SETPRIV[0]
            self.cli = base.start_ready(*(self.SETPRIV[1:] + [self.copy, "--json", "-v"]))
        finally:
            base.CLI = old
            os.environ.clear()
            os.environ.update(saved_env)
        st = status_of(self.cli.proc.pid)
        self.assertEqual(ids(st, "Uid"), [NOBODY] * 4)
        caps = caps_of(st)
        for k in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            self.assertEqual(caps[k], 0, st)
        self.assertEqual(st["NoNewPrivs"], "1")
        # Without CAP_SETPCAP the bounding set stays (and -v says so).
        self.assertNotEqual(caps["CapBnd"], 0)
        pid, _, _ = base.run_child(base.PT_CHILD, 37)
        line = self.cli.wait_for(lambda raw: raw.startswith(b"{") and
                                 json.loads(raw)["pid"] == pid and
                                 json.loads(raw)["type"] == "exit")
        self.assertIsNotNone(line)
        self.assertEqual(json.loads(line)["exit_code"], 37)
        status, err = self.cli.stop(signal.SIGTERM)
        self.assertEqual(status, 0, err)
        self.assertIn("bootstrap-cli: capabilities given up; the bounding set is kept "
                      "(emptying it needs CAP_SETPCAP): with nothing permitted and "
                      "no_new_privs it cannot be used\n", err)
        self.assertRegex(err.splitlines()[-1], base.SUMMARY)
        self.assertEqual(int(base.re.match(base.SUMMARY, err.splitlines()[-1]).group(2)), 0)

    def test_user_switch_refused_without_setuid(self):
        p = subprocess.run(self.SETPRIV + [self.copy, "--json", "-Z", "root"],
                           capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL, env=self.env)
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 1, err)
        self.assertEqual(p.stdout, b"")
        # Refused before tracing starts: nothing printed, nothing run.
        self.assertEqual(err, "bootstrap-cli: cannot switch to user 'root' "
                         "(--user): that needs CAP_SETUID and CAP_SETGID "
                         "(or root)\n")


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: test-cli-privileges.py BOOTSTRAP_CLI PT_CHILD")
    base.CLI = os.path.abspath(sys.argv[1])
    base.PT_CHILD = os.path.abspath(sys.argv[2])
    base.skip_unless_root_and_btf("bootstrap-cli")
    base.enter_private_mount_ns_without_tracefs(base.IN_NS)
    base.run_tests()


if __name__ == "__main__":
    main()
