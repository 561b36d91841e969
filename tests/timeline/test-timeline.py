#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Live test of proctrace-timeline: runs it around known commands, with
tracefs unmounted, and checks the picture, the trace and the summary
against what the commands did (their own pids, statuses and shape) and
against each other, and the picture once more in headless Chromium.

Timing under load: durations are never compared with the wall clock,
only with each other (a bar with its event's duration, within 2 px) and
with lower bounds no load can break (a 300 ms sleep lasts >= 300 ms).

Usage: test-timeline.py PROCTRACE_TIMELINE
Exit status: 0 passed, 1 failed, 77 skipped (BPF cannot run here).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(HERE, ".."))
import svgcheck  # noqa: E402
from live_harness import (enter_private_mount_ns_without_tracefs, run_tests,  # noqa: E402
                          skip, skip_unless_root_and_btf)

TIMELINE = None
# Set to "1" in the re-run inside the private mount namespace.
IN_NS = "PT_TIMELINE_TEST_IN_NS"
SHAPE_SH = os.path.join(HERE, "shape.sh")
MS = 1000.0  # trace times are in microseconds


def run_timeline(tmp, command, *options, name="run", timeout=300):
    """Runs proctrace-timeline; returns (status, stderr, svg path, trace path)."""
    svg = os.path.join(tmp, name + ".svg")
    trace = os.path.join(tmp, name + ".json")
    p = subprocess.run([TIMELINE, "-o", svg, "--trace", trace] + list(options) +
                       ["--"] + list(command), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, cwd=tmp)
    return p.returncode, p.stderr.decode("utf-8", errors="replace"), svg, trace


class Timeline(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="timeline-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_shape(self):
        pidfile = os.path.join(self.tmp, "pids")
        status, err, svg_path, trace_path = run_timeline(
            self.tmp, [shutil.which("sh"), SHAPE_SH, pidfile])
        self.assertEqual(status, 0, err)
        with open(pidfile) as f:
            role = {r: int(p) for r, p in (line.split() for line in f)}
        self.assertEqual(len(role), 8)
        pid = role.__getitem__
        parent = {"root": None, "step1": "root", "step2": "root", "par_ok": "root",
                  "par_fail": "root", "par_kill": "root", "fail_sleep": "par_fail",
                  "kill_sleep": "par_kill"}
        outcome = {r: "ok" for r in role}
        outcome.update(par_fail="failed", par_kill="killed")

        svg = svgcheck.load_svg(svg_path)
        procs = {p["pid"]: p for p in svg["processes"]}
        self.assertEqual(sorted(procs), sorted(role.values()))
        self.assertEqual(svg["processes"][0]["pid"], pid("root"))
        self.assertEqual(svg["attrs"]["data-processes"], "8")
        self.assertEqual(svg["attrs"]["data-failed"], "2")
        self.assertEqual(svg["attrs"]["data-events-lost"], "0")
        self.assertIn("8 processes \u00b7 2 failed", svg["header"])
        for r, p in role.items():
            self.assertEqual(procs[p]["cls"], outcome[r], r)
            if parent[r]:
                self.assertEqual(procs[p]["ppid"], pid(parent[r]), r)
            self.assertIn("pid %d, parent %d" % (p, procs[p]["ppid"]), procs[p]["title"])
        self.assertIn("\nexit 3", procs[pid("par_fail")]["title"])
        self.assertIn("killed by SIGTERM", procs[pid("par_kill")]["title"])
        self.assertIn("sh -c 'sleep 0.2 & echo", procs[pid("par_fail")]["title"])
        svgcheck.check_lanes(svg)

        # The trace: the same processes; its durations are the events'.
        doc, tprocs, execs = svgcheck.load_trace(trace_path)
        self.assertEqual(sorted(tprocs), sorted(role.values()))
        ev = {r: tprocs[p][0] for r, p in role.items()}
        self.assertEqual(ev["par_fail"]["args"]["exit_code"], 3)
        self.assertEqual(ev["par_kill"]["args"]["signal"], 15)
        self.assertEqual(ev["root"]["args"]["argv"][1:], [SHAPE_SH, pidfile])
        self.assertEqual(ev["step2"]["args"]["argv"], ["sleep", "0.3"])
        for r in role:
            self.assertEqual(ev[r]["args"]["pid"], pid(r))
        # Every process but the root and the background shells' sleeps execs once.
        self.assertEqual(len(execs), 8)

        # Bars as long as the events' durations, where the events put them.
        scale = svgcheck.px_per_ms(svg)
        x0 = procs[pid("root")]["x"]
        for r, e in ev.items():
            p = procs[pid(r)]
            self.assertAlmostEqual(svgcheck.true_width(p), max(e["dur"] / MS * scale, 1),
                                   delta=2, msg=r)
            self.assertAlmostEqual(p["x"] - x0, e["ts"] / MS * scale, delta=2, msg=r)

        # Facts no load can break: sleeps last at least as asked, and the
        # shape's order holds.
        for r, ms in (("step1", 100), ("step2", 300), ("par_ok", 200),
                      ("fail_sleep", 200), ("kill_sleep", 200)):
            self.assertGreaterEqual(ev[r]["dur"], ms * MS, r)
        end = {r: e["ts"] + e["dur"] for r, e in ev.items()}
        self.assertGreaterEqual(ev["step2"]["ts"], end["step1"])
        for r in ("par_ok", "par_fail", "par_kill"):
            self.assertGreaterEqual(ev[r]["ts"], end["step2"])
            self.assertLessEqual(end[r], end["root"])
        self.assertGreaterEqual(ev["fail_sleep"]["ts"], ev["par_fail"]["ts"])
        self.assertLessEqual(end["fail_sleep"], end["par_fail"])

        # Peak parallelism: what the intervals say, which is 6 unless load
        # kept the three parallel steps from overlapping at all.
        peak = svgcheck.peak_of([(e["ts"], e["ts"] + e["dur"]) for e in ev.values()])
        self.assertEqual(int(svg["attrs"]["data-peak"]), peak)
        self.assertEqual(doc["otherData"]["peak"], peak)
        self.assertIn("peak %d at once" % peak, svg["header"])
        parallel = [ev[r] for r in ("par_ok", "par_fail", "par_kill", "fail_sleep", "kill_sleep")]
        if max(e["ts"] for e in parallel) < min(e["ts"] + e["dur"] for e in parallel):
            self.assertEqual(peak, 6)

        # The summary on stderr.
        self.assertIn("8 processes, 2 failed, peak %d at once" % peak, err)
        self.assertRegex(err, r"\n  exit 3 +pid %d +sh -c 'sleep 0.2 & echo" % pid("par_fail"))
        self.assertRegex(err, r"\n  SIGTERM +pid %d +sh -c" % pid("par_kill"))
        # What each process used (CPU time, peak RSS): in every tooltip,
        # and the top lists hold every process (all eight exited).
        for r, p in role.items():
            self.assertRegex(procs[p]["title"], r"\nCPU [0-9.]+ [mu]?s, peak RSS [0-9.]+ [KMG]iB", r)
        for title in ("most CPU time", "highest peak memory"):
            top = err.split(title + ":\n", 1)[1].splitlines()[:8]
            self.assertEqual(len([l for l in top if l.startswith("  ")]), 8, title)
        longest = err.split("longest:\n", 1)[1].splitlines()
        self.assertEqual(len(longest), 8)
        self.assertRegex(longest[0], r"pid %d +\S*sh \S*shape.sh " % pid("root"))

        # And as a browser draws it.
        if svgcheck.find_browser():
            self.assertEqual(svgcheck.render_and_check(svg_path, svg, self.tmp), 8)
        else:
            print("no browser installed: the picture was not rendered")

    def test_hostile_names(self):
        name = b"\x1b[31m<&\"'\xff"
        link = os.path.join(os.fsencode(self.tmp), name)
        os.symlink(shutil.which("sh"), link)
        status, err, svg_path, trace_path = run_timeline(
            self.tmp, [link, b"-c", b"exit 5", b"\x1b]0;t\x07", b"</title><x>&amp;",
                       b"\xc0\x80\xfe", "caf\u00e9\u2028".encode()])
        self.assertEqual(status, 5, err)
        svg = svgcheck.load_svg(svg_path)  # valid XML in valid UTF-8
        _, tprocs, _ = svgcheck.load_trace(trace_path)  # valid JSON
        (p,) = svg["processes"]
        self.assertEqual(p["cls"], "failed")
        self.assertIn("\\x1b[31m<&\"'\ufffd", p["title"])
        (e,) = tprocs[p["pid"]]
        self.assertEqual(e["args"]["comm"], "\x1b[31m<&\"'\ufffd")
        self.assertEqual(e["args"]["argv"][3:], ["\x1b]0;t\x07", "</title><x>&amp;",
                                                 "\ufffd\ufffd\ufffd", "caf\u00e9\u2028"])
        self.assertEqual(e["args"]["exit_code"], 5)
        self.assertNotIn("\x1b", err)

    def test_ten_thousand_processes(self):
        loop = ("for j in 1 2 3 4; do (i=0; while [ $i -lt 2500 ]; do /bin/true; "
                "i=$((i+1)); done) & done; wait")
        status, err, svg_path, trace_path = run_timeline(
            self.tmp, ["sh", "-c", loop], "--ring-size", str(64 << 20), timeout=580)
        self.assertEqual(status, 0, err)
        svg = svgcheck.load_svg(svg_path)
        print("10,005 processes: SVG of %d bytes, %s" % (svg["size"], svg["header"]))
        self.assertLess(svg["size"], 5 * 1000 * 1000)
        self.assertEqual(svg["attrs"]["data-events-lost"], "0")
        self.assertEqual(len(svg["processes"]), 1 + 4 + 10000)
        self.assertEqual(sum(1 for p in svg["processes"] if p["cls"] == "ok"), 10005)
        svgcheck.check_lanes(svg)
        _, tprocs, _ = svgcheck.load_trace(trace_path)
        self.assertEqual(len(tprocs), 10005)
        if svgcheck.find_browser():
            self.assertGreaterEqual(svgcheck.render_and_check(svg_path, svg, self.tmp,
                                                              max_height=1500), 1)

    def test_short_failures_show(self):
        """A failure of a few milliseconds in a run of a second (about a
        pixel at its true length) is drawn wider, with its end mark, and
        is an instant in the trace."""
        status, err, svg_path, trace_path = run_timeline(
            self.tmp, ["sh", "-c", "ls /nonexistent; sh -c 'kill -TERM $$'; sleep 1"])
        self.assertEqual(status, 0, err)
        svg = svgcheck.load_svg(svg_path)
        self.assertEqual(svg["attrs"]["data-failed"], "2")
        failed = {p["title"].split("\n")[0]: p for p in svg["processes"] if p["end"]}
        self.assertEqual(sorted(failed), ["ls /nonexistent", "sh -c 'kill -TERM $$'"])
        ls, killed = failed["ls /nonexistent"], failed["sh -c 'kill -TERM $$'"]
        self.assertEqual(ls["cls"], "failed")
        self.assertIn("\nexit 2", ls["title"])
        self.assertEqual(killed["cls"], "killed")
        self.assertIn("\nkilled by SIGTERM", killed["title"])
        for p in (ls, killed):
            self.assertGreaterEqual(p["w"], 4.0)
            self.assertEqual(p["end"][2:], (6.0, 18.0))
        svgcheck.check_lanes(svg)
        # Not a simple command: the root's label is its command string.
        self.assertEqual(svg["processes"][0]["labels"][0],
                         "sh -c ls /nonexistent; sh -c 'kill -TERM $$'; sleep 1")
        doc, _, _ = svgcheck.load_trace(trace_path)
        fails = svgcheck.failures_of(doc)
        self.assertEqual(sorted(e["name"] for e in fails.values()),
                         ["exit 2", "killed by SIGTERM"])
        self.assertEqual(sorted(fails), sorted((ls["pid"], killed["pid"])))
        if svgcheck.find_browser():
            png = svgcheck.render_png(svg_path, svg, self.tmp)
            self.assertEqual(svgcheck.check_failures(svg, png), 2)

    def test_exit_status(self):
        for command, want in ((["sh", "-c", "exit 3"], 3),
                              (["sh", "-c", "kill -TERM $$"], 128 + 15),
                              ([os.path.join(self.tmp, "no-such-program")], 127)):
            status, err, svg_path, _ = run_timeline(self.tmp, command)
            self.assertEqual(status, want, (command, err))
            svg = svgcheck.load_svg(svg_path)
            self.assertGreaterEqual(len(svg["processes"]), 1 if want != 127 else 0)

    def test_orphan_left_running_is_drawn_open(self):
        """The command ends, its orphan runs on: a SIGINT stops the wait,
        and the orphan is drawn to the end of the run as 'exit not seen'."""
        pidfile = os.path.join(self.tmp, "pids")
        svg_path = os.path.join(self.tmp, "orphan.svg")
        # A file, not a pipe: the orphan keeps the descriptor open.
        errfile = open(os.path.join(self.tmp, "stderr"), "w+b")
        self.addCleanup(errfile.close)
        p = subprocess.Popen([TIMELINE, "-o", svg_path, "--", "sh", "-c",
                              "sleep 60 & echo $$ $! > %s; exit 0" % pidfile],
                             stderr=errfile, cwd=self.tmp)
        orphan = None
        try:
            deadline = time.monotonic() + 60
            pids = []
            while len(pids) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
                if os.path.exists(pidfile):
                    with open(pidfile) as f:
                        text = f.read()
                    pids = text.split() if text.endswith("\n") else []
            command, orphan = (int(x) for x in pids)
            # Once the command has been reaped (its /proc entry is gone),
            # a first SIGINT ends the wait; before, it would go to it.
            while os.path.exists("/proc/%d" % command) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(os.path.exists("/proc/%d" % command))
            p.send_signal(signal.SIGINT)
            p.wait(timeout=60)
            errfile.seek(0)
            err = errfile.read()
            self.assertEqual(p.returncode, 0, err)
            self.assertTrue(os.path.exists("/proc/%d" % orphan))
            svg = svgcheck.load_svg(svg_path)
            procs = {q["pid"]: q for q in svg["processes"]}
            self.assertEqual(procs[command]["cls"], "ok")
            self.assertEqual(procs[orphan]["cls"], "open")
            self.assertEqual(procs[orphan]["ppid"], command)
            self.assertIn("exit not seen", procs[orphan]["title"])
            # Drawn to the end of the run: the right end of the plot.
            right = max(q["x"] + svgcheck.true_width(q) for q in svg["processes"])
            self.assertAlmostEqual(procs[orphan]["x"] + svgcheck.true_width(procs[orphan]),
                                   right, delta=2)
            self.assertIn(b", 2 processes, 0 failed", err)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            if orphan:
                try:
                    os.kill(orphan, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def test_default_output_and_usage(self):
        p = subprocess.run([TIMELINE, "-q", "--", "true"], cwd=self.tmp,
                           stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, b"")
        svg = svgcheck.load_svg(os.path.join(self.tmp, "timeline.svg"))
        self.assertEqual(len(svg["processes"]), 1)
        self.assertEqual(subprocess.run([TIMELINE], stderr=subprocess.DEVNULL).returncode, 2)
        self.assertEqual(subprocess.run([TIMELINE, "--width", "7", "--", "true"],
                                        stderr=subprocess.DEVNULL).returncode, 2)
        # An output that cannot be written: the command never runs.
        marker = os.path.join(self.tmp, "ran")
        p = subprocess.run([TIMELINE, "-o", "/proc/no/such.svg", "--", "touch", marker],
                           stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"cannot write '/proc/no/such.svg'", p.stderr)
        self.assertFalse(os.path.exists(marker))


def skip_unless_bpf_permitted():
    """Exits 77 if the kernel refuses to load BPF programs for us (a
    container without CAP_BPF, lockdown), the one condition that prevents
    these tests when root and BTF are there; checked once, before the
    tests and before entering the test's mount namespace.  Any other
    failure to start is left to the tests, which then fail."""
    if os.environ.get(IN_NS) == "1":
        return
    with tempfile.TemporaryDirectory(prefix="timeline-test-") as tmp:
        p = subprocess.run([TIMELINE, "-q", "--", "true"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=60, cwd=tmp)
    refused = "proctrace-timeline: cannot start tracing: Operation not permitted"
    if refused in p.stderr.decode(errors="replace").splitlines():
        skip("loading BPF programs is not permitted here (%s)" % refused)


def main():
    global TIMELINE
    if len(sys.argv) != 2:
        sys.exit("usage: test-timeline.py PROCTRACE_TIMELINE")
    TIMELINE = os.path.abspath(sys.argv[1])
    skip_unless_root_and_btf("proctrace-timeline")
    skip_unless_bpf_permitted()
    enter_private_mount_ns_without_tracefs(IN_NS)
    run_tests()


if __name__ == "__main__":
    main()
