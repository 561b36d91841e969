#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Live test of bootstrap-cli's ways to a fleet's log pipeline: -o FILE
rotated (--rotate-size, --rotate-keep) and reopened on SIGHUP, under a
storm of 20,000 processes; --journal into a systemd-journald of the
test's own, read back with journalctl; and shipped from there with
systemd-journal-upload to a systemd-journal-remote on 127.0.0.1.

Everything runs in a private mount namespace: the journal's directories
(/run/systemd, /run/log, /var/log/journal) are empty tmpfs there, so
nothing of the machine's journal is read or touched.

Usage: test-cli-fleet.py BOOTSTRAP_CLI PT_CHILD SCHEMA
Environment: JOURNALD, JOURNAL_REMOTE, JOURNAL_UPLOAD, JOURNALCTL (paths;
unset: the journal cases are skipped, which meson makes a setup error
with -Dtests=enabled).
Exit status: 0 passed, 1 failed, 77 skipped (BPF cannot run here).
"""

import collections
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from live_harness import (check_json_lines, enter_private_mount_ns_without_tracefs,  # noqa: E402
                          run_tests, skip_unless_root_and_btf)
from private_journald import (SOCKET, PrivateJournald, tmpfs_over_journal_dirs,  # noqa: E402
                              unmount_journal_dirs)

CLI = PT_CHILD = None
SCHEMA = None
IN_NS = "PT_CLI_FLEET_IN_NS"
JOURNALD = os.environ.get("JOURNALD")
JOURNAL_REMOTE = os.environ.get("JOURNAL_REMOTE")
JOURNAL_UPLOAD = os.environ.get("JOURNAL_UPLOAD")
JOURNALCTL = os.environ.get("JOURNALCTL")


def run(*args, timeout=120):
    p = subprocess.run([CLI] + list(args), capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def lines_of(paths):
    """Every line of @paths, oldest file first; each one whole JSON."""
    out = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            raise AssertionError("%s ends within a line" % path)
        check_json_lines(data)
        out += [json.loads(raw) for raw in data.splitlines()]
    return out


def rotated(path):
    """FILE.N ... FILE.1, FILE: oldest first."""
    n = 1
    while os.path.exists("%s.%d" % (path, n)):
        n += 1
    return ["%s.%d" % (path, i) for i in range(n - 1, 0, -1)] + [path]


def lost_in(err):
    for line in err.splitlines():
        if line.startswith("bootstrap-cli: summary:"):
            return int(line.split("lost=")[1].split()[0])
    raise AssertionError("no summary: " + err)


class Rotation(unittest.TestCase):
    def test_storm_of_20000_rotated_files_hold_every_event_once(self):
        n = 20000
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "events.jsonl")
            status, _, err = run(
                "--json", "-o", path, "--rotate-size", "1M", "--rotate-keep", "1000",
                "--ring-size", "67108864", "--", "sh", "-c",
                "yes 0 | head -n %d | xargs -P 8 -n 1 %s" % (n, PT_CHILD), timeout=600)
            self.assertEqual(status, 0, err)
            files = rotated(path)
            self.assertGreater(len(files), 10, files)
            for f in files[:-1]:
                # Rotated at the end of the line that reached 1 MiB.
                size = os.path.getsize(f)
                self.assertGreaterEqual(size, 1 << 20, f)
                self.assertLess(size, (1 << 20) + 65536, f)
            events = lines_of(files)
        execs = collections.Counter((e["pid"], e["start_time_ns"]) for e in events
                                    if e["type"] == "exec" and e["comm"] == "pt-child")
        exits = collections.Counter((e["pid"], e["start_time_ns"]) for e in events
                                    if e["type"] == "exit" and e["comm"] == "pt-child")
        self.assertEqual(max(execs.values()), 1)
        self.assertEqual(max(exits.values()), 1)
        for e in events:
            if e["type"] == "exit" and e["comm"] == "pt-child":
                self.assertEqual(e["exit_code"], 0, e)
        missing = (n - len(execs)) + (n - len(exits))
        self.assertEqual(missing, lost_in(err), err)
        self.assertEqual(set(exits) - set(execs), set())

    def test_keep_bounds_the_old_files(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "e")
            status, _, err = run("--json", "-o", path, "--rotate-size", "1K",
                                 "--rotate-keep", "2", "--", "sh", "-c",
                                 "for i in $(seq 40); do %s; done" % PT_CHILD)
            self.assertEqual(status, 0, err)
            self.assertEqual(sorted(os.listdir(d)), ["e", "e.1", "e.2"])
            events = lines_of([path + ".2", path + ".1", path])
            # The newest lines are kept, in order, and the last is the shell's exit.
            self.assertEqual(events[-1]["comm"], "sh")
            stamps = [e["timestamp_ns"] for e in events]
            self.assertEqual(stamps, sorted(stamps))

    def test_sighup_reopens_the_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "e")
            fifo = os.path.join(d, "go")
            os.mkfifo(fifo)
            err = tempfile.TemporaryFile()
            cli = subprocess.Popen([CLI, "--json", "-o", path, "--", "sh", "-c",
                                    "%s 3; read x < %s; %s 4" % (PT_CHILD, fifo, PT_CHILD)],
                                   stderr=err)
            try:
                deadline = time.monotonic() + 30
                while not (os.path.exists(path) and
                           b'"exit_code":3' in open(path, "rb").read()):
                    self.assertLess(time.monotonic(), deadline, "no first exit")
                    time.sleep(0.05)
                os.rename(path, path + ".moved")
                cli.send_signal(signal.SIGHUP)
                while not os.path.exists(path):
                    self.assertLess(time.monotonic(), deadline, "not reopened")
                    time.sleep(0.05)
                with open(fifo, "w") as f:
                    f.write("go\n")
                self.assertEqual(cli.wait(30), 4)
            finally:
                if cli.poll() is None:
                    cli.kill()
                    cli.wait()
            moved = lines_of([path + ".moved"])
            new = lines_of([path])
            err.close()
        self.assertIn(3, [e.get("exit_code") for e in moved])
        self.assertNotIn(4, [e.get("exit_code") for e in moved])
        self.assertEqual([(e["type"], e.get("exit_code")) for e in new
                          if e["comm"] == "pt-child"], [("exec", None), ("exit", 4)])
        keys = [(e["type"], e["pid"]) for e in moved + new]
        self.assertEqual(len(keys), len(set(keys)))

    def test_bad_usage(self):
        for args, words in ((["--rotate-size", "1M"], "needs -o FILE"),
                            (["-o", "x", "--rotate-size", "0"], "invalid rotation size"),
                            (["-o", "x", "--rotate-size", "1T"], "invalid rotation size"),
                            (["-o", "x", "--rotate-keep", "3"], "needs --rotate-size"),
                            (["-o", "x", "--rotate-size", "1K", "--rotate-keep", "0"],
                             "number of old files"),
                            (["--journal", "-o", "x"], "cannot be combined")):
            status, out, err = run(*args, "--", "true")
            self.assertEqual((status, out), (2, b""), args)
            self.assertIn(words, err, args)


def journal_entries(*args):
    out = subprocess.run([JOURNALCTL, "-o", "json", "--no-pager", "--all"] + list(args),
                         capture_output=True, timeout=60, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def event_fields(entry):
    return {k: v for k, v in entry.items() if k.startswith("PROCTRACE_")}


def need_journal_tools(test):
    if not all((JOURNALD, JOURNAL_REMOTE, JOURNAL_UPLOAD, JOURNALCTL)):
        test.skipTest("systemd-journald, -remote, -upload or journalctl not given")


class NoJournal(unittest.TestCase):
    def test_no_journald_is_a_clear_error(self):
        need_journal_tools(self)
        tmpfs_over_journal_dirs()
        try:
            status, out, err = run("--journal", "--", "true")
        finally:
            unmount_journal_dirs()
        self.assertEqual((status, out), (1, b""))
        self.assertIn("cannot send events to the journal", err)
        self.assertIn("is systemd-journald running?", err)


class Journal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.journald = None
        if not all((JOURNALD, JOURNAL_REMOTE, JOURNAL_UPLOAD, JOURNALCTL)):
            return
        cls.journald = PrivateJournald(JOURNALD)
        cls.journald.start()

    @classmethod
    def tearDownClass(cls):
        if cls.journald:
            cls.journald.stop()

    def setUp(self):
        need_journal_tools(self)
        self.assertTrue(os.path.exists(SOCKET), "journald did not start")
        with open(SCHEMA) as f:
            self.schema = json.load(f)["$defs"]

    def trace(self, script, *args):
        """Runs the CLI --journal around sh -c @script @args; its entries."""
        cli = subprocess.Popen([CLI, "--journal", "--", "sh", "-c", script, "sh"] + list(args),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = cli.communicate(timeout=60)
        self.assertEqual(out, b"")
        subprocess.run([JOURNALCTL, "--flush"], capture_output=True, timeout=30)
        # journald takes datagrams in order: the last one is there once
        # journalctl sees the shell's exit.
        deadline = time.monotonic() + 30
        while True:
            entries = journal_entries("_PID=%d" % cli.pid)
            if any(e.get("PROCTRACE_TYPE") == "exit" and e.get("PROCTRACE_COMM") == "sh"
                   for e in entries) or time.monotonic() > deadline:
                return cli, err.decode(errors="replace"), entries

    def test_every_event_with_its_fields(self):
        hostile = "a\nb\x1b[31m\\"
        cli, err, entries = self.trace(
            '%s 0; %s 3 0 "$1"; sh -c \'kill -9 $$\'; true' % (PT_CHILD, PT_CHILD),
            hostile)
        self.assertEqual(cli.returncode, 0, err)
        self.assertNotIn("not sent", err)
        events = [e for e in entries if "PROCTRACE_TYPE" in e]
        starts = [e for e in entries if "PROCTRACE_TYPE" not in e]
        self.assertEqual(len(starts), 1, starts)
        kids = [e for e in events if e["PROCTRACE_COMM"] == "pt-child"]
        self.assertEqual(sorted(e["PROCTRACE_TYPE"] for e in kids), ["exec"] * 2 + ["exit"] * 2)
        self.assertEqual(sorted(e["PROCTRACE_TYPE"] for e in events),
                         ["exec"] * 4 + ["exit"] * 4)
        ids = {}
        for e in events:
            t = e["PROCTRACE_TYPE"]
            ids.setdefault(t, set()).add(e["MESSAGE_ID"])
            # Every key the JSON would have, and none other.
            fields = {k[len("PROCTRACE_"):].lower() for k in event_fields(e)}
            d = self.schema[t]
            self.assertLessEqual(set(d["required"]), fields, e)
            self.assertLessEqual(fields, set(d["properties"]), e)
            self.assertEqual(e["SYSLOG_IDENTIFIER"], "bootstrap-cli")
            self.assertTrue(e["MESSAGE"].startswith(t.upper() + " "), e)
            # Text, not a byte array: journalctl shows valid printable UTF-8.
            for k, v in event_fields(e).items():
                self.assertIsInstance(v, str, (k, v))
        self.assertEqual({t: len(v) for t, v in ids.items()}, {"exec": 1, "exit": 1})
        self.assertNotEqual(ids["exec"], ids["exit"])
        by_code = {(e.get("PROCTRACE_EXIT_CODE"), e.get("PROCTRACE_SIGNAL")): e["PRIORITY"]
                   for e in events if e["PROCTRACE_TYPE"] == "exit"}
        self.assertEqual(by_code, {("0", "0"): "6", ("3", "0"): "5", ("0", "9"): "4"})
        args = [json.loads(e["PROCTRACE_ARGS"]) for e in kids if e["PROCTRACE_TYPE"] == "exec"]
        self.assertIn([PT_CHILD, "3", "0", hostile], args)
        hostile_exec = [e for e in kids if e["PROCTRACE_TYPE"] == "exec"
                        and "3" in json.loads(e["PROCTRACE_ARGS"])][0]
        self.assertNotIn("\n", hostile_exec["PROCTRACE_ARGS"])
        self.assertNotIn("\x1b", hostile_exec["PROCTRACE_ARGS"])
        self.assertEqual(int(hostile_exec["PROCTRACE_PID"]),
                         [int(e["PROCTRACE_PID"]) for e in kids
                          if e.get("PROCTRACE_EXIT_CODE") == "3"][0])

    def test_shipped_once_through_journal_upload_and_remote(self):
        cli, err, entries = self.trace("for i in 1 2 3 4 5; do %s $i; done" % PT_CHILD)
        self.assertEqual(cli.returncode, 5, err)
        local = [json.dumps(event_fields(e), sort_keys=True) for e in entries
                 if "PROCTRACE_TYPE" in e]
        self.assertEqual(len(local), 12)
        with tempfile.TemporaryDirectory() as d:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            out = os.path.join(d, "remote.journal")
            remote = subprocess.Popen([JOURNAL_REMOTE, "--split-mode=none",
                                       "--listen-http=127.0.0.1:%d" % port, "-o", out],
                                      stderr=subprocess.PIPE)
            try:
                deadline = time.monotonic() + 30
                while True:
                    up = subprocess.run([JOURNAL_UPLOAD, "-u", "http://127.0.0.1:%d" % port,
                                         "--follow=no", "-m", "--save-state=" + d + "/state"],
                                        capture_output=True, timeout=60)
                    if up.returncode == 0 or time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
                self.assertEqual(up.returncode, 0, up.stderr)
            finally:
                remote.terminate()
                remote.wait(30)
                remote.stderr.close()
            shipped = journal_entries("--file", out, "_PID=%d" % cli.pid)
        shipped = [json.dumps(event_fields(e), sort_keys=True) for e in shipped
                   if "PROCTRACE_TYPE" in e]
        self.assertEqual(collections.Counter(shipped), collections.Counter(local))

    def test_z_losses_counted_when_journald_goes(self):
        # Last (the name): journald is stopped; the socket file stays, refusing.
        cli = subprocess.Popen([CLI, "--journal", "--", "sh", "-c",
                                "read x; %s; %s" % (PT_CHILD, PT_CHILD)],
                               stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not any(e.get("PROCTRACE_COMM") == "sh" for e in journal_entries("_PID=%d" % cli.pid)):
            self.assertLess(time.monotonic(), deadline, "the shell's exec never arrived")
            time.sleep(0.1)
        self.journald.terminate()
        _, err = cli.communicate(b"go\n", timeout=60)
        err = err.decode(errors="replace")
        self.assertEqual(cli.returncode, 0, err)
        self.assertRegex(err, r"bootstrap-cli: 5 entries not sent to the journal: "
                              r"Connection refused\n")


def main():
    global CLI, PT_CHILD, SCHEMA
    CLI, PT_CHILD, SCHEMA = (os.path.abspath(p) for p in sys.argv[1:4])
    os.environ["PT_EVENT_SCHEMA"] = SCHEMA
    skip_unless_root_and_btf("bootstrap-cli")
    enter_private_mount_ns_without_tracefs(IN_NS)
    del sys.argv[1:4]
    run_tests()


if __name__ == "__main__":
    main()
