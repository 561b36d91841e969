#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Live test of bootstrap-cli: runs it around known children, in both
formats, with tracefs unmounted, and checks its lines field by field.

Usage: test-cli.py BOOTSTRAP_CLI PT_CHILD
Exit status: 0 passed, 1 failed, 77 skipped (BPF cannot run here).
"""

import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

CLI = PT_CHILD = None
NS = 1_000_000_000
MS = 1_000_000


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(77)


def enter_private_mount_ns_without_tracefs():
    """Re-runs this script in its own mount namespace and unmounts tracefs
    and debugfs there, so the CLI is proven not to need them; the machine's
    mounts are not touched."""
    if os.environ.get("PT_CLI_TEST_IN_NS") != "1":
        os.environ["PT_CLI_TEST_IN_NS"] = "1"
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


class Cli:
    """bootstrap-cli running in the background; its stdout lines arrive
    in a queue, read by a thread so that the pipe never fills."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([CLI] + list(args),
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
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
        err = self.proc.stderr.read().decode(errors="replace")
        self.proc.stdout.close()
        self.proc.stderr.close()
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
            status, err = cli.stop()
            if "CAP_BPF" in err or "BTF" in err:
                skip("bootstrap-cli cannot run BPF here: " + err.strip())
            raise AssertionError("bootstrap-cli exited %d: %s" % (status, err))
        pid, _, _ = run_child(PT_CHILD, 0, 250 if long_lived else 0)
        token = str(pid).encode()
        if cli.wait_for(lambda raw: token in raw, 0.5):
            return cli
    cli.stop(signal.SIGKILL)
    raise AssertionError("bootstrap-cli reported no marker child within 30 s")


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
        self.assertEqual(set(exe), {"type", "timestamp_ns", "pid", "ppid",
                                    "comm", "filename"})
        self.assertEqual(set(ex), {"type", "timestamp_ns", "pid", "ppid",
                                   "comm", "exit_code", "duration_ns"})
        self.assertEqual(exe["ppid"], os.getpid())
        self.assertEqual(exe["filename"], PT_CHILD)
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
        self.assertEqual(err, "")
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
    ROW = re.compile(rb"^(\d\d:\d\d:\d\d) (EXEC|EXIT)  (.{16,}?) "
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
        cli = start_ready("--json", "-d", "200", long_lived=True)
        try:
            short, _, _ = run_child(PT_CHILD, 5, 0)
            long_, _, _ = run_child(PT_CHILD, 6, 400)
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
        self.assertGreaterEqual(mine[0]["duration_ns"], 400 * MS)
        for e in events:
            self.assertGreaterEqual(e["duration_ns"], 200 * MS)


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
        for line in lines:
            self.assertTrue(line.startswith("libproctrace: "), line)
            self.assertNotIn("libbpf: libbpf:", line)
        # Without -v the library is silent when all goes well.
        cli = start_ready("--json")
        status, err = cli.stop(signal.SIGINT)
        self.assertEqual((status, err), (0, ""))


def main():
    global CLI, PT_CHILD
    if len(sys.argv) < 3:
        sys.exit("usage: test-cli.py BOOTSTRAP_CLI PT_CHILD")
    CLI, PT_CHILD = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if os.geteuid() != 0:
        skip("bootstrap-cli needs root (or CAP_BPF+CAP_PERFMON)")
    if not os.access("/sys/kernel/btf/vmlinux", os.R_OK):
        skip("the kernel has no BTF (/sys/kernel/btf/vmlinux)")
    enter_private_mount_ns_without_tracefs()
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
