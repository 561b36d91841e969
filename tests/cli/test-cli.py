#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Live test of bootstrap-cli: runs it around known children, in both
formats, with tracefs unmounted, and checks its lines field by field.

Usage: test-cli.py BOOTSTRAP_CLI PT_CHILD
Exit status: 0 passed, 1 failed, 77 skipped (BPF cannot run here).
"""

import fcntl
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from live_harness import (check_json_lines, enter_private_mount_ns_without_tracefs,  # noqa: E402
                          run_tests, skip, skip_unless_root_and_btf)

CLI = PT_CHILD = None
# Set to "1" in the re-run inside the private mount namespace.
IN_NS = "PT_CLI_TEST_IN_NS"
# Under instruction emulation (the kernel matrix sets PT_EMULATED,
# docs/kernels.md) a process starts ten or more times slower: commands get
# more time, and the wall-clock bounds of TrueDurations are not checked.
EMULATED = bool(os.environ.get("PT_EMULATED"))
NS = 1_000_000_000
MS = 1_000_000


class Cli:
    """bootstrap-cli running in the background; its stdout lines arrive
    in a queue, read by a thread so that the pipe never fills; its stderr
    goes to a file (with -v, libbpf's messages alone can fill a pipe)."""

    def __init__(self, *args):
        self.json = "--json" in args
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([CLI] + list(args),
                                     stdout=subprocess.PIPE,
                                     stderr=self.err)
        self.lines = queue.Queue()
        self.seen = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.put(raw)
        self.lines.put(None)

    def next_line(self, deadline):
        """The next raw line (bytes), or None at EOF or the deadline."""
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            return None
        try:
            raw = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        if raw is not None:
            self.seen.append(raw)
            if self.json:
                check_json_lines(raw)
        return raw

    def wait_for(self, match, timeout=10.0):
        """Reads lines until match(raw) is true; returns that line."""
        deadline = time.monotonic() + timeout
        while True:
            raw = self.next_line(deadline)
            if raw is None:
                return None
            if match(raw):
                return raw

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Signals the CLI; returns (exit status, all remaining lines)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("bootstrap-cli ignored signal %d" % sig)
        self.reader.join(5)
        deadline = time.monotonic() + 1
        while self.next_line(deadline) is not None:
            pass
        self.err.seek(0)
        err = self.err.read().decode(errors="replace")
        self.proc.stdout.close()
        self.err.close()
        return status, err


def run_child(path, code=0, sleep_ms=0, argv0=None):
    """Runs pt-child (or a link to it) to completion; returns its pid and
    the wall-clock window around its life, in ns."""
    before = time.time_ns()
    p = subprocess.Popen([argv0 or path, str(code), str(sleep_ms)],
                         executable=path)
    p.wait()
    after = time.time_ns()
    if p.returncode != code:
        raise AssertionError("child exited %d, not %d" % (p.returncode, code))
    return p.pid, before, after


def start_ready(*args, long_lived=False):
    """Starts the CLI and waits until it reports events: marker children
    are run until one of them shows up, so no event is missed for lack of
    a readiness signal from the CLI."""
    cli = Cli(*args)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if cli.proc.poll() is not None:
            # Whether BPF can run here was settled by main(): a failure.
            status, err = cli.stop()
            raise AssertionError("bootstrap-cli exited %d: %s" % (status, err))
        pid, _, _ = run_child(PT_CHILD, 0, 1200 if long_lived else 0)
        token = str(pid).encode()
        if cli.wait_for(lambda raw: token in raw, 0.5):
            return cli
    cli.stop(signal.SIGKILL)
    raise AssertionError("bootstrap-cli reported no marker child within 30 s")


SUMMARY = (r"^bootstrap-cli: summary: delivered=(\d+) lost=(\d+) "
           r"\(ring_full=(\d+) other=(\d+) malformed=(\d+)\)$")


def assert_summary_only(test, err, lost=0):
    """stderr holds the exit summary and nothing else; returns the
    number of events it says were delivered."""
    m = re.fullmatch(SUMMARY[:-1] + r"\n", err)
    test.assertIsNotNone(m, err)
    test.assertEqual(int(m.group(2)), lost, err)
    return int(m.group(1))


def json_events(cli):
    return [json.loads(raw) for raw in cli.seen if raw.strip()]


class JsonFormat(unittest.TestCase):
    def setUp(self):
        self.cli = start_ready("--json")

    def tearDown(self):
        if self.cli.proc.poll() is None:
            self.cli.stop(signal.SIGKILL)

    def events_of(self, pid, want):
        """Waits for the exit of @pid; returns its parsed events by type."""
        self.cli.wait_for(lambda raw: json.loads(raw)["pid"] == pid and
                          json.loads(raw)["type"] == "exit")
        got = {}
        for e in json_events(self.cli):
            if e["pid"] == pid:
                self.assertNotIn(e["type"], got, "two %s events" % e["type"])
                got[e["type"]] = e
        self.assertEqual(sorted(got), sorted(want))
        return got

    def test_exec_and_exit_fields(self):
        pid, before, after = run_child(PT_CHILD, 42, 300)
        got = self.events_of(pid, ["exec", "exit"])
        exe, ex = got["exec"], got["exit"]
        common = {"type", "timestamp_ns", "pid", "ppid", "comm", "uid",
                  "gid", "ns_pid", "cgroup_id"}
        exec_only = {"filename", "args", "args_truncated"}
        exit_only = {"exit_code", "signal", "core_dumped", "duration_ns"}
        # Every 0.2 key is there and each type keeps to its own; keys added
        # since (fields.c) may follow, and are checked by cli-format.
        self.assertLessEqual(common | exec_only, set(exe))
        self.assertLessEqual(common | exit_only, set(ex))
        self.assertFalse(exit_only & set(exe))
        self.assertFalse(exec_only & set(ex))
        self.assertEqual(exe["args"], [PT_CHILD, "42", "300"])
        self.assertIs(exe["args_truncated"], False)
        self.assertEqual((ex["signal"], ex["core_dumped"]), (0, False))
        for e in (exe, ex):
            self.assertEqual((e["uid"], e["gid"]), (os.getuid(), os.getgid()))
            self.assertEqual(e["ns_pid"], pid)
        self.assertEqual(exe["ppid"], os.getpid())
        self.assertEqual(exe["filename"], PT_CHILD)
        self.assertEqual(exe["cwd"], os.getcwd())
        self.assertEqual(exe["comm"], "pt-child")
        self.assertEqual(ex["ppid"], os.getpid())
        self.assertEqual(ex["comm"], "pt-child")
        self.assertEqual(ex["exit_code"], 42)
        self.assertGreaterEqual(ex["duration_ns"], 300 * MS)
        self.assertLessEqual(ex["duration_ns"], after - before)
        for e in (exe, ex):
            self.assertGreaterEqual(e["timestamp_ns"], before - 50 * MS)
            self.assertLessEqual(e["timestamp_ns"], after + 50 * MS)
        self.assertLessEqual(exe["timestamp_ns"], ex["timestamp_ns"])

        status, err = self.cli.stop(signal.SIGTERM)
        self.assertEqual(status, 0, err)
        assert_summary_only(self, err)
        # Every line, ours or any other process's, is valid JSON.
        for raw in self.cli.seen:
            self.assertTrue(raw.endswith(b"\n"))
            json.loads(raw)

    def test_hostile_filename_and_comm(self):
        # Bytes, not str: a str would be encoded to valid UTF-8.
        name = b"e\x1b[31m\nx\\\"\x7f\xff"
        with tempfile.TemporaryDirectory() as d:
            link = os.path.join(d.encode(), name)
            os.symlink(PT_CHILD, link)
            pid, _, _ = run_child(link, 7)
            got = self.events_of(pid, ["exec", "exit"])
        # Invalid UTF-8 came out as U+FFFD; all else round-trips exactly.
        self.assertEqual(got["exec"]["filename"],
                         link.decode("utf-8", "replace"))
        self.assertEqual(got["exec"]["comm"], name.decode("utf-8", "replace"))
        self.assertEqual(got["exit"]["comm"], name.decode("utf-8", "replace"))
        self.assertEqual(got["exit"]["exit_code"], 7)
        line = [raw for raw in self.cli.seen
                if json.loads(raw)["pid"] == pid][0]
        self.assertNotIn(b"\x1b", line)
        self.assertNotIn(b"\x7f", line)
        self.assertIn(b'"comm":"e\\u001b[31m\\nx\\\\\\"\\u007f\xef\xbf\xbd"',
                      line)


class TableFormat(unittest.TestCase):
    HEADER = b"TIME     EVENT COMM             PID     PPID    FILENAME/EXIT CODE\n"
    # An escaped comm longer than its 16 columns pushes the row right.
    ROW = re.compile(rb"^(\d\d:\d\d:\d\d) (EXEC|EXIT|FAIL)  (.{16,}?) "
                     rb"(\d+) +(\d+) +(.*)\n$", re.S)

    def rows_of(self, cli, pid):
        """Waits for the EXIT row of @pid; returns its rows, parsed."""
        def is_exit_of_pid(raw):
            m = self.ROW.match(raw)
            return m and m.group(2) == b"EXIT" and int(m.group(4)) == pid
        self.assertIsNotNone(cli.wait_for(is_exit_of_pid))
        rows = []
        for raw in cli.seen[1:]:
            m = self.ROW.match(raw)
            self.assertIsNotNone(m, raw)
            if int(m.group(4)) == pid:
                rows.append(m)
        return rows

    def test_rows(self):
        cli = start_ready()
        try:
            pid, before, after = run_child(PT_CHILD, 255, 300)
            rows = self.rows_of(cli, pid)
        finally:
            status, err = cli.stop(signal.SIGINT)
        self.assertEqual(status, 0, err)
        self.assertEqual(cli.seen[0], self.HEADER)
        self.assertEqual([r.group(2) for r in rows], [b"EXEC", b"EXIT"])
        exe, ex = rows
        window = {time.strftime("%H:%M:%S", time.localtime(t / NS)).encode()
                  for t in range(before - NS, after + NS, NS // 4)}
        for r in rows:
            self.assertIn(r.group(1), window)
        m = re.fullmatch(rb"\[255\] \((\d+)ms\)", ex.group(6))
        self.assertIsNotNone(m, ex.group(6))
        self.assertGreaterEqual(int(m.group(1)), 300)
        self.assertLessEqual(int(m.group(1)), (after - before) // MS)
        # Byte for byte the seed's layout.
        self.assertEqual(exe.group(0), b"%-8s %-5s %-16s %-7d %-7d %s\n" % (
            exe.group(1), b"EXEC", b"pt-child", pid, os.getpid(),
            PT_CHILD.encode()))
        self.assertEqual(ex.group(0), b"%-8s %-5s %-16s %-7d %-7d [255] (%sms)\n" % (
            ex.group(1), b"EXIT", b"pt-child", pid, os.getpid(), m.group(1)))

    def test_escaped_row(self):
        cli = start_ready()
        try:
            with tempfile.TemporaryDirectory() as d:
                link = os.path.join(d.encode(), b"t\x1b]0;x\x07\nz\\\xc2\x9b")
                os.symlink(PT_CHILD, link)
                pid, _, _ = run_child(link, 3)
                rows = self.rows_of(cli, pid)
        finally:
            status, err = cli.stop(signal.SIGTERM)
        self.assertEqual(status, 0, err)
        self.assertEqual([r.group(2) for r in rows], [b"EXEC", b"EXIT"])
        escaped = b"t\\x1b]0;x\\x07\\x0az\\\\\\xc2\\x9b"
        self.assertEqual(rows[0].group(3), escaped)
        self.assertEqual(rows[1].group(3), escaped)
        self.assertEqual(rows[0].group(6),
                         os.path.dirname(link) + b"/" + escaped)
        self.assertRegex(rows[1].group(6), rb"^\[3\] \(\d+ms\)$")
        for raw in cli.seen:
            for byte in (b"\x1b", b"\x07", b"\x9b"):
                self.assertNotIn(byte, raw)


class MinDuration(unittest.TestCase):
    def test_short_dropped_long_kept(self):
        # Wide margins: a loaded machine may take long to fork and exec.
        cli = start_ready("--json", "-d", "1000", long_lived=True)
        try:
            short, _, _ = run_child(PT_CHILD, 5, 0)
            long_, _, _ = run_child(PT_CHILD, 6, 1500)
            cli.wait_for(lambda raw: json.loads(raw)["pid"] == long_)
        finally:
            status, err = cli.stop(signal.SIGTERM)
        self.assertEqual(status, 0, err)
        events = json_events(cli)
        self.assertEqual([e for e in events if e["type"] != "exit"], [])
        self.assertEqual([e for e in events if e["pid"] == short], [])
        mine = [e for e in events if e["pid"] == long_]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["exit_code"], 6)
        self.assertGreaterEqual(mine[0]["duration_ns"], 1500 * MS)
        for e in events:
            self.assertGreaterEqual(e["duration_ns"], 1000 * MS)


class Verbose(unittest.TestCase):
    def test_library_messages_on_stderr(self):
        cli = start_ready("-v", "--json")
        status, err = cli.stop(signal.SIGINT)
        self.assertEqual(status, 0, err)
        lines = err.splitlines()
        self.assertIn("libproctrace: tracing exec, exit (minimum duration 0 ns, "
                      "ring buffer 4194304 bytes, woken in batches)", lines)
        self.assertTrue(any(l.startswith("libproctrace: libbpf: ")
                            for l in lines), err)
        for line in lines[:-1]:
            self.assertTrue(line.startswith("libproctrace: "), line)
            self.assertNotIn("libbpf: libbpf:", line)
        self.assertRegex(lines[-1], SUMMARY)
        # Without -v the library is silent when all goes well.
        cli = start_ready("--json")
        status, err = cli.stop(signal.SIGINT)
        self.assertEqual(status, 0)
        assert_summary_only(self, err)


def world_executable_copy(path, directory):
    """A copy of @path in @directory that any user may run (the build
    tree may sit where an unprivileged user cannot go)."""
    os.chmod(directory, 0o755)
    copy = os.path.join(directory, os.path.basename(path))
    shutil.copy(path, copy)
    os.chmod(copy, 0o755)
    return copy


def linked_libproctrace(program):
    """The libproctrace files @program loads, as ldd resolves them."""
    out = subprocess.run(["ldd", program], capture_output=True,
                         text=True, check=True).stdout
    libs = re.findall(r"libproctrace\.so\S* => (\S+)", out)
    if not libs:
        raise AssertionError("ldd finds no libproctrace for " + program)
    return libs


def run_command(*args, timeout=60, cwd=None):
    """bootstrap-cli ARGS... run to completion; (status, stdout, stderr)."""
    p = subprocess.run([CLI] + list(args), capture_output=True,
                       timeout=timeout * (5 if EMULATED else 1),
                       stdin=subprocess.DEVNULL, cwd=cwd)
    if "--json" in args and ("-o" not in args or "-" in args):
        check_json_lines(p.stdout)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


class CommandMode(unittest.TestCase):
    """bootstrap-cli -- COMMAND: only COMMAND and its descendants are
    reported, and the CLI exits with COMMAND's status once all are gone."""

    def test_exit_status_and_only_the_subtree(self):
        status, out, err = run_command("--", "sh", "-c", "exit 3")
        self.assertEqual(status, 3, err)
        self.assertEqual(assert_summary_only(self, err), 2)
        rows = out.splitlines(keepends=True)
        self.assertEqual(rows[0], TableFormat.HEADER)
        self.assertEqual(len(rows), 3, out)
        exe, ex = (TableFormat.ROW.match(r) for r in rows[1:])
        self.assertEqual((exe.group(2), exe.group(3).strip()), (b"EXEC", b"sh"))
        # execvp() found sh on PATH: the filename is where it found it.
        self.assertEqual(exe.group(6), shutil.which("sh").encode())
        self.assertEqual((ex.group(2), ex.group(4)), (b"EXIT", exe.group(4)))
        self.assertRegex(ex.group(6), rb"^\[3\] \(\d+ms\)$")

    def test_killed_command_and_descendants(self):
        status, out, err = run_command(
            "--json", "--", "sh", "-c", 'sh -c "exit 5"; kill -KILL $$')
        self.assertEqual(status, 128 + signal.SIGKILL, err)
        self.assertEqual(assert_summary_only(self, err), 4)
        events = [json.loads(l) for l in out.splitlines()]
        outer = events[0]["pid"]
        self.assertEqual([(e["type"], e["comm"]) for e in events],
                         [("exec", "sh"), ("exec", "sh"), ("exit", "sh"),
                          ("exit", "sh")])
        inner = events[1]["pid"]
        self.assertEqual(events[1]["ppid"], outer)
        self.assertEqual(events[1]["args"], ["sh", "-c", "exit 5"])
        self.assertEqual((events[2]["pid"], events[2]["exit_code"],
                          events[2]["signal"]), (inner, 5, 0))
        self.assertEqual((events[3]["pid"], events[3]["exit_code"],
                          events[3]["signal"]), (outer, 0, signal.SIGKILL))

    def test_signal_in_table(self):
        status, out, err = run_command("--", "sh", "-c", "kill -TERM $$")
        self.assertEqual(status, 128 + signal.SIGTERM, err)
        self.assertRegex(out.splitlines()[-1], rb" \[SIGTERM\] \(\d+ms\)$")

    def test_waits_for_orphaned_descendants(self):
        start = time.monotonic()
        status, out, err = run_command(
            "--json", "--", "sh", "-c", "(sleep 0.4; exit 4) & exit 0")
        elapsed = time.monotonic() - start
        self.assertEqual(status, 0, err)
        self.assertGreaterEqual(elapsed, 0.4)
        exits = [json.loads(l) for l in out.splitlines()
                 if json.loads(l)["type"] == "exit"]
        # sh, sleep, and the subshell that outlived sh with status 4.
        self.assertEqual(sorted(e["exit_code"] for e in exits), [0, 0, 4])

    def test_signal_sent_to_the_cli_reaches_the_command(self):
        cli = Cli("--json", "--", "sleep", "30")
        try:
            exe = cli.wait_for(lambda raw: json.loads(raw)["type"] == "exec")
            self.assertIsNotNone(exe)
            status, err = cli.stop(signal.SIGTERM)
        finally:
            if cli.proc.poll() is None:
                cli.stop(signal.SIGKILL)
        self.assertEqual(status, 128 + signal.SIGTERM, err)
        pid = json.loads(exe)["pid"]
        last = json.loads(cli.seen[-1])
        self.assertEqual((last["type"], last["pid"], last["signal"]),
                         ("exit", pid, signal.SIGTERM))

    def test_command_starts_with_default_dispositions(self):
        # What bootstrap-cli was given, not what it set for itself (it
        # ignores SIGPIPE); its handlers become the default in the command.
        cmd = ["grep", "^SigIgn:", "/proc/self/status"]
        given = subprocess.run(cmd, capture_output=True, check=True).stdout
        status, out, err = run_command("-o", os.devnull, "--", *cmd)
        self.assertEqual(status, 0, err)
        self.assertEqual(out, given)
        ignored = int(out.split()[1], 16)
        for sig in (signal.SIGPIPE, signal.SIGINT, signal.SIGTERM,
                    signal.SIGCHLD):
            self.assertFalse(ignored & (1 << (sig - 1)), out)

    def test_signal_once_only_orphans_are_left(self):
        # The command ends at once; its orphan would keep bootstrap-cli
        # for 30 s, but a signal then stops it with the command's status.
        cli = Cli("--json", "--", "sh", "-c",
                  "sleep 30 >/dev/null 2>&1 & exit 5")
        exe = None
        try:
            # The sleep's exec and sh's exit, in either order.
            cli.wait_for(lambda raw: len({(e["type"], e["comm"]) for e in
                                          json_events(cli)} &
                                         {("exec", "sleep"), ("exit", "sh")}) == 2)
            exe = [e for e in json_events(cli) if e["comm"] == "sleep"]
            self.assertEqual(len(exe), 1, cli.seen)
            exe = exe[0]
            cli.proc.send_signal(signal.SIGTERM)
            status = cli.proc.wait(10)
        finally:
            if exe:
                os.kill(exe["pid"], signal.SIGKILL)
            cli.stop(signal.SIGKILL)
        self.assertEqual(status, 5)

    def test_hostile_arguments_stay_on_one_line(self):
        hostile = ["\x1b]0;owned\x07", "two\nlines", "tab\there", "q\"b\\"]
        status, out, err = run_command(
            "--json", "--", PT_CHILD, "6", "0", *hostile)
        self.assertEqual(status, 6, err)
        lines = out.splitlines(keepends=True)
        self.assertEqual(len(lines), 2)
        exe = json.loads(lines[0])
        self.assertEqual(exe["args"], [PT_CHILD, "6", "0"] + hostile)
        for byte in (b"\x1b", b"\x07", b"\t"):
            self.assertNotIn(byte, lines[0])
        # Invalid UTF-8 in an argument becomes U+FFFD, still valid JSON.
        status, out, err = run_command(
            "--json", "--", "sh", "-c", "exit 0", "sh", b"\xff\xfe")
        self.assertEqual(status, 0, err)
        exe = [json.loads(l) for l in out.splitlines()][0]
        self.assertEqual(exe["args"], ["sh", "-c", "exit 0", "sh",
                                       "\ufffd\ufffd"])

    def test_fork_events(self):
        status, out, err = run_command(
            "--json", "--fork", "--", "sh", "-c", "sh -c true & wait")
        self.assertEqual(status, 0, err)
        events = [json.loads(l) for l in out.splitlines()]
        # The command is created once tracing runs: its own fork, by
        # bootstrap-cli (the subtree's root, whose events are not shown),
        # comes first.
        self.assertEqual((events[0]["type"], events[0]["comm"]),
                         ("fork", "bootstrap-cli"))
        outer = events[0]["pid"]
        self.assertEqual([e["type"] for e in events if e["pid"] == outer],
                         ["fork", "exec", "exit"])
        self.assertFalse([e for e in events if e["pid"] == events[0]["ppid"]])
        forks = [e for e in events[1:] if e["type"] == "fork"]
        self.assertEqual(len(forks), 1, events)
        self.assertEqual((forks[0]["ppid"], forks[0]["comm"]), (outer, "sh"))
        child = forks[0]["pid"]
        self.assertEqual([e["type"] for e in events if e["pid"] == child],
                         ["fork", "exec", "exit"])

    def test_comm_and_uid_filters(self):
        status, out, err = run_command(
            "--json", "-n", "pt-child", "--", "sh", "-c",
            "'%s' 5 0; exit 0" % PT_CHILD)
        self.assertEqual(status, 0, err)
        events = [json.loads(l) for l in out.splitlines()]
        self.assertEqual([(e["type"], e["comm"]) for e in events],
                         [("exec", "pt-child"), ("exit", "pt-child")])
        self.assertEqual(events[1]["exit_code"], 5)

        with tempfile.TemporaryDirectory() as d:
            child = world_executable_copy(PT_CHILD, d)
            status, out, err = run_command(
                "--json", "-u", "65534", "--", "setpriv", "--reuid=65534",
                "--regid=65534", "--clear-groups", child, "9", "0")
        self.assertEqual(status, 9, err)
        events = [json.loads(l) for l in out.splitlines()]
        # setpriv's own exec ran as root: filtered out in the kernel.
        self.assertEqual([(e["type"], e["comm"], e["uid"], e["gid"])
                          for e in events],
                         [("exec", "pt-child", 65534, 65534),
                          ("exit", "pt-child", 65534, 65534)])

    def test_loss_is_reported_and_counted(self):
        # The command stops the CLI, so that the smallest ring (16 KiB,
        # with 1 byte of arguments) overflows, then lets it go on:
        # 1 + 2 * 500 + 1 events in all.
        script = ("kill -STOP $PPID; i=0; while [ $i -lt 500 ]; do /bin/true;"
                  " i=$((i+1)); done; kill -CONT $PPID")
        status, out, err = run_command("--json", "--ring-size", "16384",
                                       "--max-args", "1", "--",
                                       "sh", "-c", script)
        self.assertEqual(status, 0, err)
        records = [json.loads(l) for l in out.splitlines()]
        lost = sum(r["count"] for r in records if r["type"] == "lost")
        delivered = len([r for r in records if r["type"] != "lost"])
        self.assertGreater(lost, 0)
        self.assertEqual(delivered + lost, 1002)
        m = re.fullmatch(SUMMARY[:-1] + r"\n", err)
        self.assertIsNotNone(m, err)
        self.assertEqual((int(m.group(1)), int(m.group(2)), int(m.group(3))),
                         (delivered, lost, lost))


def command_exit_duration_ms(*command):
    """bootstrap-cli --json -- COMMAND: the command's own exit's duration."""
    status, out, err = run_command("--json", "--", *command)
    if status != 0:
        raise AssertionError("status %d: %s" % (status, err))
    events = [json.loads(l) for l in out.splitlines()]
    exits = [e for e in events if e["type"] == "exit"]
    if len(exits) != 1 or exits[0]["pid"] != events[0]["pid"]:
        raise AssertionError(out)
    return exits[0]["duration_ns"] / MS


@unittest.skipIf(EMULATED, "bounds of 20 ms and 350 ms on a command's own "
                 "duration: an emulated CPU's process start-up exceeds them")
class TrueDurations(unittest.TestCase):
    """The command is created after tracing has started: its duration is
    its own, not the 50 to 200 ms that loading the BPF program takes
    (as when the command was forked first and held until then)."""

    def best_of(self, tries, *command):
        """Durations of up to @tries runs, stopping at the first that is
        short enough: a loaded machine can slow one run down, but no run
        is short when start-up is counted in."""
        got = []
        for _ in range(tries):
            got.append(command_exit_duration_ms(*command))
            if got[-1] < self.upper:
                break
        return got

    def test_true_is_short(self):
        self.upper = 20
        got = self.best_of(3, "/bin/true")
        self.assertLess(min(got), 20, got)

    def test_sleep_is_its_own_length(self):
        self.upper = 350
        got = self.best_of(3, "sleep", "0.3")
        self.assertGreaterEqual(min(got), 300, got)
        self.assertLessEqual(min(got), 350, got)


class OutputFile(unittest.TestCase):
    """-o FILE: the events go to FILE, the command keeps standard output."""

    def test_command_output_stays_out_of_the_events(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "trace.jsonl")
            status, out, err = run_command(
                "--json", "-o", path, "--", "sh", "-c",
                'echo "{not json"; /bin/echo hello; ls -l /proc/self/fd/')
            self.assertEqual(status, 0, err)
            with open(path, "rb") as f:
                data = f.read()
        self.assertTrue(out.startswith(b"{not json\nhello\n"), out)
        # The command did not inherit the events' file.
        self.assertNotIn(path.encode(), out)
        self.assertTrue(data.endswith(b"\n"), data)
        check_json_lines(data)
        events = [json.loads(l) for l in data.splitlines()]
        self.assertEqual([(e["type"], e["comm"]) for e in events],
                         [("exec", "sh"), ("exec", "echo"), ("exit", "echo"),
                          ("exec", "ls"), ("exit", "ls"), ("exit", "sh")])
        self.assertEqual(events[1]["args"], ["/bin/echo", "hello"])
        self.assertEqual(assert_summary_only(self, err), 6)

    def test_table_into_a_file_and_dash_for_stdout(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "trace.txt")
            with open(path, "w") as f:
                f.write("old content that must go\n" * 100)
            status, out, err = run_command("-o", path, "--", "sh", "-c",
                                           "echo out; exit 7")
            self.assertEqual(status, 7, err)
            with open(path, "rb") as f:
                rows = f.read().splitlines(keepends=True)
        self.assertEqual(out, b"out\n")
        self.assertEqual(rows[0], TableFormat.HEADER)
        self.assertEqual(len(rows), 3, rows)
        self.assertRegex(rows[2], rb" \[7\] \(\d+ms\)\n$")
        status, out, err = run_command("--json", "-o", "-", "--", "true")
        self.assertEqual(status, 0, err)
        self.assertEqual([json.loads(l)["type"] for l in out.splitlines()],
                         ["exec", "exit"])

    def test_unwritable_file(self):
        status, out, err = run_command("-o", "/nonexistent-dir/trace", "--",
                                       "sh", "-c", "echo ran")
        self.assertEqual((status, out), (1, b""))
        self.assertEqual(err, "bootstrap-cli: cannot open '/nonexistent-dir/"
                         "trace' for the events: No such file or directory\n")


class FailedExec(unittest.TestCase):
    """-x / --failed: failed exec attempts, in the table and in JSON, and
    the errno filter; every EXEC carries its working directory."""

    def test_table_row(self):
        with tempfile.TemporaryDirectory() as d:
            status, out, err = run_command(
                "-x", "--", "sh", "-c", "cd '%s' && /nonexistent-pt-x a b; exit 0" % d)
        self.assertEqual(status, 0, err)
        rows = [TableFormat.ROW.match(r) for r in out.splitlines(keepends=True)[1:]]
        fails = [r for r in rows if r.group(2) == b"FAIL" and
                 r.group(6).startswith(b"/nonexistent-pt-x")]
        self.assertEqual(len(fails), 1, out)
        self.assertEqual(fails[0].group(6), b"/nonexistent-pt-x (ENOENT)")
        self.assertEqual(fails[0].group(3).strip(), b"sh")

    def test_json_keys_and_cwd(self):
        with tempfile.TemporaryDirectory() as d:
            real = os.path.realpath(d)
            with open(os.path.join(d, "plain"), "w") as f:
                f.write("not executable\n")
            status, out, err = run_command(
                "--json", "--failed", "--", "sh", "-c",
                "cd '%s' && ./plain 'x y' 2>/dev/null; %s 0" % (d, PT_CHILD))
        self.assertEqual(status, 0, err)
        events = [json.loads(l) for l in out.splitlines()]
        fails = [e for e in events if e["type"] == "exec_failed" and
                 e["filename"] == "./plain"]
        self.assertEqual(len(fails), 1, events)
        f = fails[0]
        self.assertEqual((f["errno"], f["error"], f["cwd"], f["args"],
                          f["args_truncated"], f["comm"]),
                         (13, "EACCES", real, ["./plain", "x y"], False, "sh"))
        # Without --snapshot no cgroup path; without a descriptor no path of it.
        self.assertNotIn("cgroup", f)
        self.assertNotIn("exec_dirfd_path", f)
        child = [e for e in events if e["type"] == "exec" and
                 e["filename"] == PT_CHILD]
        self.assertEqual(len(child), 1, events)
        self.assertEqual(child[0]["cwd"], real)
        self.assertNotIn("errno", child[0])

    def test_errno_filter(self):
        # Only EACCES: neither the ENOENT nor the PATH search's misses.
        status, out, err = run_command(
            "--json", "--failed=EACCES", "--", "sh", "-c",
            "/nonexistent-pt-x 2>/dev/null; /etc/passwd 2>/dev/null; exit 0")
        self.assertEqual(status, 0, err)
        fails = [json.loads(l) for l in out.splitlines()
                 if json.loads(l)["type"] == "exec_failed"]
        self.assertEqual([(f["filename"], f["error"]) for f in fails],
                         [("/etc/passwd", "EACCES")])
        status, out, err = run_command(
            "--json", "--failed=all-but-ENOENT", "--", "sh", "-c",
            "/nonexistent-pt-x 2>/dev/null; /etc/passwd 2>/dev/null; exit 0")
        fails = [json.loads(l) for l in out.splitlines()
                 if json.loads(l)["type"] == "exec_failed"]
        self.assertEqual([(f["filename"], f["error"]) for f in fails],
                         [("/etc/passwd", "EACCES")])

    def test_off_by_default(self):
        status, out, err = run_command(
            "--json", "--", "sh", "-c", "/nonexistent-pt-x 2>/dev/null; exit 0")
        self.assertEqual(status, 0, err)
        self.assertNotIn(b"exec_failed", out)


class Unprivileged(unittest.TestCase):
    def test_clear_message_and_status_1(self):
        # A copy that user 65534 can reach wherever the build tree is.
        with tempfile.TemporaryDirectory() as d:
            cli = world_executable_copy(CLI, d)
            for lib in linked_libproctrace(CLI):
                shutil.copy(lib, d)
            os.chmod(d, 0o755)
            p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                                "--clear-groups", "--inh-caps=-all",
                                "--bounding-set=-all", cli, "--json"],
                               capture_output=True, timeout=30,
                               stdin=subprocess.DEVNULL,
                               env=dict(os.environ, LD_LIBRARY_PATH=d))
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 1, err)
        self.assertEqual(p.stdout, b"")
        self.assertIn("libproctrace: proctrace_start: loading the BPF program "
                      "was refused: it needs root or CAP_BPF+CAP_PERFMON", err)
        self.assertIn("bootstrap-cli: cannot start tracing: Operation not "
                      "permitted", err)


class Snapshot(unittest.TestCase):
    """--snapshot: the processes already running first, and the process
    table's programs on EXIT."""

    def test_snapshot_and_programs(self):
        # A process started before tracing: a PROC line with its exe and
        # arguments; its EXIT carries the same program (no filename: the
        # snapshot has none); a later child's EXIT carries its filename.
        before = subprocess.Popen([PT_CHILD, "0", "60000", "a b"])
        try:
            with open("/proc/%d/stat" % before.pid):
                pass
            deadline = time.monotonic() + 10
            while os.readlink("/proc/%d/exe" % before.pid) != os.path.realpath(PT_CHILD):
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.01)
            cli = start_ready("--json", "--snapshot")
        except BaseException:
            before.kill()
            before.wait()
            raise
        try:
            before.kill()
            before.wait()
            pid, _, _ = run_child(PT_CHILD, 7, 0)
            cli.wait_for(lambda raw: json.loads(raw)["pid"] == pid and
                         json.loads(raw)["type"] == "exit")
            cli.wait_for(lambda raw: json.loads(raw)["pid"] == before.pid and
                         json.loads(raw)["type"] == "exit")
            status, err = cli.stop(signal.SIGTERM)
        finally:
            if cli.proc.poll() is None:
                cli.stop(signal.SIGKILL)
        self.assertEqual(status, 0, err)
        events = json_events(cli)
        exe = os.path.realpath(PT_CHILD)
        # Snapshot lines come first, before any live event.
        kinds = [e["type"] for e in events]
        self.assertEqual(kinds[0], "process")
        self.assertNotIn("process", kinds[kinds.index(next(k for k in kinds if k != "process")):])
        proc = [e for e in events if e["pid"] == before.pid]
        self.assertEqual([e["type"] for e in proc], ["process", "exit"])
        p, x = proc
        self.assertEqual(p["exe"], exe)
        self.assertEqual(p["args"], [PT_CHILD, "0", "60000", "a b"])
        self.assertNotIn("filename", p)
        self.assertEqual(p["ppid"], os.getpid())
        self.assertTrue(p["cgroup"].startswith("/"), p)
        self.assertEqual((x["exe"], x["args"], x["signal"]),
                         (exe, [PT_CHILD, "0", "60000", "a b"], signal.SIGKILL))
        self.assertNotIn("filename", x)
        self.assertEqual(x["start_time_ns"], p["start_time_ns"])
        ours = {e["type"]: e for e in events if e["pid"] == pid}
        self.assertEqual(ours["exit"]["filename"], PT_CHILD)
        self.assertEqual(ours["exit"]["exe"], exe)
        self.assertEqual(ours["exit"]["args"], [PT_CHILD, "7", "0"])
        self.assertEqual(ours["exec"]["exe"], exe)
        self.assertEqual(ours["exec"]["start_time_ns"], ours["exit"]["start_time_ns"])
        self.assertEqual(ours["exec"]["parent_start_time_ns"], p["parent_start_time_ns"])
        # The program's working directory, from the table (0.4).
        self.assertEqual((p["cwd"], x["cwd"]), (os.getcwd(), os.getcwd()))
        self.assertEqual((ours["exec"]["cwd"], ours["exit"]["cwd"]),
                         (os.getcwd(), os.getcwd()))

    def test_snapshot_with_a_command(self):
        # --snapshot with a command: the subtree filter of the command
        # mode and the snapshot together; the command's EXIT carries the
        # directory it was started in, here one with a space and a newline.
        with tempfile.TemporaryDirectory() as top:
            where = os.path.join(top, "a dir\nx")
            os.mkdir(where)
            status, out, err = run_command(
                "--json", "--snapshot", "--", "sh", "-c", 'cd /; sh -c "exit 3"; exit 4',
                cwd=where)
        self.assertEqual(status, 4, err)
        # Delivered: the four below and the CLI's own snapshot record,
        # which it does not print (it is the subtree's root, not the command).
        self.assertEqual(assert_summary_only(self, err), 5)
        events = [json.loads(l) for l in out.splitlines()]
        self.assertEqual([(e["type"], e["comm"]) for e in events],
                         [("exec", "sh"), ("exec", "sh"), ("exit", "sh"), ("exit", "sh")])
        outer, inner = events[0]["pid"], events[1]["pid"]
        self.assertEqual(events[1]["ppid"], outer)
        self.assertEqual([(e["pid"], e.get("exit_code")) for e in events[2:]],
                         [(inner, 3), (outer, 4)])
        self.assertEqual((events[0]["cwd"], events[3]["cwd"]), (where, where))
        self.assertEqual((events[1]["cwd"], events[2]["cwd"]), ("/", "/"))

    def test_snapshot_with_a_pid_filter(self):
        # -p PID with --snapshot: the root process is described by the
        # snapshot, once; a process it had before is not (the filter
        # covers descendants created from the start on).
        root = subprocess.Popen(["sh", "-c", PT_CHILD + ' 0 60000 & wait $!; exit 6'])
        try:
            deadline = time.monotonic() + 10
            while not self.children_of(root.pid):
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.01)
            before = self.children_of(root.pid)[0]
            cli = start_ready_filtered("--json", "--snapshot", "-p", str(root.pid))
            os.kill(before, signal.SIGKILL)
            self.assertEqual(root.wait(10), 6)
            cli.wait_for(lambda raw: json.loads(raw)["pid"] == root.pid and
                         json.loads(raw)["type"] == "exit")
            status, err = cli.stop(signal.SIGTERM)
        finally:
            for pid in [root.pid] + self.children_of(root.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            root.wait()
        self.assertEqual(status, 0, err)
        events = json_events(cli)
        self.assertEqual([(e["type"], e["pid"]) for e in events],
                         [("process", root.pid), ("exit", root.pid)])
        self.assertEqual(events[1]["exit_code"], 6)
        self.assertEqual(events[1]["args"][:2], ["sh", "-c"])
        self.assertEqual(events[1]["cwd"], os.getcwd())

    @staticmethod
    def children_of(pid):
        try:
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                return [int(x) for x in f.read().split()]
        except FileNotFoundError:
            return []


def start_ready_filtered(*args):
    """Starts the CLI with a filter that no marker child passes; ready
    once its snapshot lines (printed before anything else) arrived."""
    cli = Cli(*args)
    if cli.wait_for(lambda raw: b'"process"' in raw, 30) is None:
        status, err = cli.stop(signal.SIGKILL)
        raise AssertionError("bootstrap-cli printed no snapshot: %d %s" % (status, err))
    return cli


# The output's reader: copies its standard input, line by line, into the
# file argv[1], doing argv[2] (Python) after each line.
READER = """
import subprocess, sys, time
with open(sys.argv[1], "wb") as out:
    for line in sys.stdin.buffer:
        out.write(line)
        exec(sys.argv[2])
"""
# A line every 2 ms: slower than the spawn loop's events.
SLOW = "time.sleep(0.002)"
# A process per line, itself traced: the events never run out.
SPAWNING = "subprocess.run([sys.argv[3], '0', '0'])"
NOT_WRITTEN = r"^bootstrap-cli: (\d+) events not written: (.*)$"


@unittest.skipIf(EMULATED, "the stop's 1-second bound is bootstrap-cli's own timing, the "
                 "same on every kernel; under instruction emulation the spawn loops "
                 "behind it take minutes (run on the host's kernel)")
class StopWhateverTheReader(unittest.TestCase):
    """bootstrap-cli --json stops within a second of SIGINT or SIGTERM
    whatever the reader of its output does (slow, spawning a process per
    line, stopped): its output backed up behind a spawn loop of ours, it
    exits 0 in time; it shows no event that happened well after the
    signal; and every event the library delivered is either a whole line
    the reader got or in the count of events not written."""

    def queued(self, fd):
        buf = bytearray(4)
        fcntl.ioctl(fd, termios.FIONREAD, buf)
        return int.from_bytes(buf, sys.byteorder)

    def wait_backed_up(self, cli, fd, timeout=60):
        """Until the pipe is (nearly) full: the CLI is ahead of its reader."""
        full = fcntl.fcntl(fd, getattr(fcntl, "F_GETPIPE_SZ", 1032)) - 8192
        deadline = time.monotonic() + timeout
        while self.queued(fd) < full:
            self.assertIsNone(cli.poll(), "bootstrap-cli exited early")
            self.assertLess(time.monotonic(), deadline, "the output never backed up")
            time.sleep(0.02)

    def run_stop(self, after_line, stop_reader=False, signals=(signal.SIGINT,),
                 command=False):
        """Returns (seconds from the first signal to the exit, status,
        stderr, the reader's whole lines parsed, the first signal's
        wall-clock time in ns).  The spawn loop runs beside the CLI, or
        with @command as its command, which ignores SIGINT."""
        script = 'while :; do "$0" 0 0; done'
        args = ["--json"]
        if command:
            args += ["--", "sh", "-c", 'trap "" INT; ' + script, PT_CHILD]
        err = tempfile.TemporaryFile()
        got = tempfile.NamedTemporaryFile()
        r, w = os.pipe()
        loop = cli = reader = None
        try:
            # Each in a process group of its own, killed whole at the end.
            if not command:
                loop = subprocess.Popen(["sh", "-c", script, PT_CHILD],
                                        start_new_session=True)
            cli = subprocess.Popen([CLI] + args, stdout=w, stderr=err,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
            reader = subprocess.Popen([sys.executable, "-c", READER, got.name,
                                       after_line, PT_CHILD], stdin=r)
            os.close(w)
            w = None
            self.wait_backed_up(cli, r)
            if stop_reader:
                reader.send_signal(signal.SIGSTOP)
                self.wait_backed_up(cli, r)
            # Let the events queue up behind the reader.
            time.sleep(1)
            sent_ns, start = time.time_ns(), time.monotonic()
            for sig in signals:
                cli.send_signal(sig)
            try:
                status = cli.wait(10)
            except subprocess.TimeoutExpired:
                raise AssertionError("bootstrap-cli still runs 10 s after signal %d"
                                     % signals[0])
            elapsed = time.monotonic() - start
        finally:
            for p in (loop, cli):
                if p:
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    p.wait()
            if w is not None:
                os.close(w)
            if reader:
                reader.send_signal(signal.SIGCONT)
                try:
                    reader.wait(60)
                except subprocess.TimeoutExpired:
                    reader.kill()
                    reader.wait()
            os.close(r)
        with err, got:
            self.assertEqual(reader.returncode, 0)
            err.seek(0)
            stderr = err.read().decode(errors="replace")
            # The last line may have been cut short: not a whole line.
            lines = got.read().split(b"\n")[:-1]
        return elapsed, status, stderr, [json.loads(l) for l in lines], sent_ns

    def check(self, elapsed, status, stderr, lines, sent_ns, reason, want_status=(0,)):
        print("stopped %.3f s after the signal: %d lines read; %s"
              % (elapsed, len(lines), stderr.strip().replace("\n", "; ")))
        self.assertIn(status, want_status, stderr)
        self.assertLess(elapsed, 1.0, stderr)
        err = stderr.splitlines()
        # After a second signal, what the kernel still held is not read.
        unread = ["bootstrap-cli: events queued before the signal may be left "
                  "unread: a second signal came"] if "second" in reason else []
        self.assertEqual(len(err), 2 + len(unread), stderr)
        m = re.fullmatch(NOT_WRITTEN, err[0])
        self.assertIsNotNone(m, stderr)
        self.assertEqual(m.group(2), reason)
        self.assertEqual(err[1:-1], unread)
        summary = re.fullmatch(SUMMARY, err[-1])
        self.assertIsNotNone(summary, stderr)
        events = [e for e in lines if e["type"] != "lost"]
        not_written = int(m.group(1))
        self.assertGreater(not_written, 0)
        self.assertEqual(len(events) + not_written, int(summary.group(1)), stderr)
        # Events that happened after the signal are not shown; at most the
        # one that ended the delivery, shortly after it was seen.
        late = [e for e in events if e["timestamp_ns"] > sent_ns + 200 * MS]
        self.assertLessEqual(len(late), 1, late)

    def test_slow_reader(self):
        self.check(*self.run_stop(SLOW), "the output's reader did not take them "
                   "within 400 ms of the signal")

    def test_reader_spawning_a_process_per_line(self):
        self.check(*self.run_stop(SPAWNING, signals=(signal.SIGTERM,)),
                   "the output's reader did not take them within 400 ms of the signal")

    def test_stopped_reader(self):
        self.check(*self.run_stop(SLOW, stop_reader=True),
                   "the output's reader did not take them within 400 ms of the signal")

    def test_second_signal_with_stopped_reader(self):
        # Two different signals: two of the same could be merged into one
        # while pending.
        self.check(*self.run_stop(SLOW, stop_reader=True,
                                  signals=(signal.SIGINT, signal.SIGTERM)),
                   "a second signal stopped the output")

    def test_second_signal_with_a_command(self):
        # The first is passed on to the command, which ignores it; the
        # second stops at once, with 128 + its number: either, as the
        # kernel may run the handlers of the two in either order.
        self.check(*self.run_stop(SLOW, stop_reader=True, command=True,
                                  signals=(signal.SIGINT, signal.SIGTERM)),
                   "a second signal stopped the output",
                   want_status=(128 + signal.SIGINT, 128 + signal.SIGTERM))


def skip_unless_bpf_permitted():
    """Exits 77 if the kernel refuses to load BPF programs for us (a
    container without CAP_BPF, lockdown), the one condition that prevents
    these tests when root and BTF are there.  Checked once, before the
    tests: a skip raised inside a test's setUp would count as an error.
    Any other failure to start is left to the tests, which then fail.
    Done before entering the test's mount namespace (which needs
    CAP_SYS_ADMIN), and not again in it."""
    if os.environ.get(IN_NS) == "1":
        return
    p = subprocess.run([CLI, "--", "true"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=60)
    refused = "bootstrap-cli: cannot start tracing: Operation not permitted"
    if refused in p.stderr.decode(errors="replace").splitlines():
        skip("loading BPF programs is not permitted here (%s)" % refused)


def main():
    global CLI, PT_CHILD
    if len(sys.argv) < 3:
        sys.exit("usage: test-cli.py BOOTSTRAP_CLI PT_CHILD")
    CLI, PT_CHILD = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    skip_unless_root_and_btf("bootstrap-cli")
    skip_unless_bpf_permitted()
    enter_private_mount_ns_without_tracefs(IN_NS)
    run_tests()


if __name__ == "__main__":
    main()
