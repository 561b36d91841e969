#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""proctrace-timeline's files for synthetic runs (timeline-sample), as an
XML parser, a JSON parser and, with --browser, headless Chromium see them.
No BPF: this is the drawing code alone.

Usage: test-timeline-files.py TIMELINE_SAMPLE [--browser]
Exit status: 0 passed, 1 failed, 77 skipped (--browser where no browser is
installed).
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svgcheck  # noqa: E402

SAMPLE = None
TMP = None

# synthetic.h's shape: pid -> (start ms, end ms, outcome class, parent).
SHAPE = {
    100: (0, 615, "ok", 99),
    101: (1, 102, "ok", 100),
    102: (103, 405, "ok", 100),
    103: (406, 607, "ok", 100),
    104: (406.5, 610, "failed", 100),
    105: (408, 609, "ok", 104),
    106: (407, 612, "killed", 100),
    107: (409, 611, "ok", 106),
}


def sample(kind):
    svg, trace = (os.path.join(TMP, kind + ext) for ext in (".svg", ".json"))
    subprocess.run([SAMPLE, kind, svg, trace], check=True)
    return svg, trace


class Files(unittest.TestCase):
    def test_shape(self):
        svg_path, trace_path = sample("shape")
        svg = svgcheck.load_svg(svg_path)
        procs = svg["processes"]
        # Tree order: a parent, then its children in order of start.
        self.assertEqual([p["pid"] for p in procs], [100, 101, 102, 103, 104, 105, 106, 107])
        self.assertEqual(svg["attrs"]["data-processes"], "8")
        self.assertEqual(svg["attrs"]["data-failed"], "2")
        self.assertEqual(svg["attrs"]["data-peak"], "6")
        self.assertIn("8 processes \u00b7 2 failed \u00b7 peak 6 at once", svg["header"])
        self.assertIn("wall time 615.0 ms", svg["header"])
        scale = svgcheck.px_per_ms(svg)
        x0 = procs[0]["x"]
        for p in procs:
            start, end, cls, ppid = SHAPE[p["pid"]]
            self.assertEqual(p["cls"], cls, p["pid"])
            self.assertEqual(p["ppid"], ppid)
            self.assertAlmostEqual(p["x"] - x0, start * scale, delta=2)
            self.assertAlmostEqual(svgcheck.true_width(p), (end - start) * scale, delta=2)
            self.assertIn("pid %d, parent %d" % (p["pid"], ppid), p["title"])
            self.assertEqual(p["execs"], 1)
        self.assertEqual(svgcheck.check_lanes(svg), 6)
        self.assertIn("exit 3", procs[4]["title"])
        self.assertIn("killed by SIGTERM", procs[6]["title"])
        self.assertEqual(procs[2]["labels"], ["sleep 0.3"])

        doc, tprocs, execs = svgcheck.load_trace(trace_path)
        self.assertEqual(sorted(tprocs), sorted(SHAPE))
        for pid, (start, end, cls, ppid) in SHAPE.items():
            (e,) = tprocs[pid]
            self.assertAlmostEqual(e["ts"], start * 1000, delta=0.001)
            self.assertAlmostEqual(e["dur"], (end - start) * 1000, delta=0.001)
            self.assertEqual(e["args"]["ppid"], ppid)
        self.assertEqual(tprocs[104][0]["args"]["exit_code"], 3)
        self.assertEqual(tprocs[106][0]["args"]["signal"], 15)
        self.assertEqual(len(execs), 8)
        fails = svgcheck.failures_of(doc)
        self.assertEqual(sorted(fails), [104, 106])
        self.assertEqual(fails[104]["name"], "exit 3")
        self.assertEqual(fails[106]["name"], "killed by SIGTERM")
        self.assertAlmostEqual(fails[106]["ts"], 612 * 1000, delta=0.001)
        self.assertEqual(fails[106]["tid"], tprocs[106][0]["tid"])
        self.assertEqual(doc["otherData"]["peak"], 6)
        # The tracks are the picture's lanes, so they never overlap either.
        by_tid = {}
        for (e,) in tprocs.values():
            by_tid.setdefault(e["tid"], []).append((e["ts"], e["ts"] + e["dur"]))
        for spans in by_tid.values():
            spans.sort()
            for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
                self.assertLessEqual(a1, b0)
        self.assertEqual(svgcheck.peak_of([(e["ts"], e["ts"] + e["dur"])
                                           for (e,) in tprocs.values()]), 6)

    def test_build(self):
        # A millisecond is 0.6 px: the two 1 ms failures are drawn wider,
        # each with its end mark, and their lanes keep room for the mark.
        svg_path, trace_path = sample("build")
        svg = svgcheck.load_svg(svg_path)
        procs = {p["pid"]: p for p in svg["processes"]}
        for pid, cls in ((407, "failed"), (410, "killed")):
            p = procs[pid]
            self.assertEqual(p["cls"], cls)
            self.assertGreaterEqual(p["w"], 4.0)
            x, y, w, h = p["end"]
            self.assertAlmostEqual(x, p["x"] + p["w"] - svg["plot"][0], delta=0.15)
            self.assertEqual((w, h), (6.0, 18.0))
        self.assertEqual(sum(1 for p in procs.values() if p["end"]), 2)
        svgcheck.check_lanes(svg)
        self.assertEqual(procs[402]["labels"], ["cc src/foo.c"])
        self.assertEqual(procs[403]["labels"], ["cc1 src/foo.c"])
        self.assertEqual(procs[401]["labels"], ["sh -c cc src/foo.c"])
        self.assertEqual(procs[408]["labels"], ["sh -c make all"])
        self.assertEqual(procs[411]["labels"], ["cc prog"])
        doc, tprocs, _ = svgcheck.load_trace(trace_path)
        self.assertEqual(sorted(svgcheck.failures_of(doc)), [407, 410])
        self.assertEqual(tprocs[407][0]["cname"], "terrible")
        self.assertNotIn("cname", tprocs[402][0])

    def test_hostile_strings(self):
        svg_path, trace_path = sample("hostile")
        svg = svgcheck.load_svg(svg_path)  # parses: valid XML, valid UTF-8
        doc, tprocs, execs = svgcheck.load_trace(trace_path)  # valid JSON
        child = [p for p in svg["processes"] if p["pid"] == 201][0]
        self.assertIn("\\x1b[31m<&\"'\\\ufffd", child["title"])
        self.assertIn("</text></g><script>alert(1)</script>", child["title"])
        self.assertIn("3 events lost", svg["header"])
        self.assertEqual(svg["attrs"]["data-events-lost"], "3")
        (e,) = tprocs[201]
        self.assertEqual(e["args"]["comm"], "\x1b[31m<&\"'\\\ufffd")
        self.assertEqual(e["args"]["argv"][1], "</text></g><script>alert(1)</script>")
        self.assertEqual(e["args"]["argv"][5], "line\u2028sep")
        self.assertEqual(e["args"]["argv"][7], "\ufffd\ufffdoverlong")
        self.assertEqual(doc["otherData"]["command"][2], "sample \x1b[1m<&>\ufffd")
        self.assertEqual(doc["otherData"]["events_lost"], 3)

    def test_many_processes(self):
        svg_path, trace_path = sample("many")
        svg = svgcheck.load_svg(svg_path)
        print("10,001 processes: SVG of %d bytes" % svg["size"])
        self.assertLess(svg["size"], 5 * 1000 * 1000)
        self.assertEqual(len(svg["processes"]), 10001)
        # Batches of 8 start every 3 ms, less than the 1 px (3.1 ms) that
        # a 2 ms bar takes at this scale: two sets of 8 lanes alternate;
        # every 97th fails, and its bar and end mark (12 px) take one more.
        self.assertEqual(svgcheck.check_lanes(svg), 1 + 2 * 8 + 1)
        _, tprocs, _ = svgcheck.load_trace(trace_path)
        self.assertEqual(len(tprocs), 10001)


class Browser(unittest.TestCase):
    def test_shape_in_chromium(self):
        svg_path, _ = sample("shape")
        svg = svgcheck.load_svg(svg_path)
        checked = svgcheck.render_and_check(svg_path, svg, TMP)
        self.assertEqual(checked, 8)

    def test_build_in_chromium(self):
        # Both 1 ms failures show: at least svgcheck.FAILED_MIN_PIXELS of
        # their colours, where a 1 px bar shows 14.
        svg_path, _ = sample("build")
        svg = svgcheck.load_svg(svg_path)
        png = svgcheck.render_png(svg_path, svg, TMP)
        self.assertEqual(svgcheck.check_failures(svg, png), 2)
        self.assertEqual(svgcheck.check_colours(svg, png), 10)

    def test_many_in_chromium(self):
        svg_path, _ = sample("many")
        svg = svgcheck.load_svg(svg_path)
        # 2 ms bars at this scale are about 1 px: the long root is checked,
        # and the failures' red must show somewhere in the image.
        checked = svgcheck.render_and_check(svg_path, svg, TMP)
        self.assertGreaterEqual(checked, 1)


def main():
    global SAMPLE, TMP
    args = sys.argv[1:]
    browser = "--browser" in args
    args = [a for a in args if a != "--browser"]
    if len(args) != 1:
        sys.exit(__doc__)
    SAMPLE = os.path.abspath(args[0])
    if browser and not svgcheck.find_browser():
        print("SKIP: no browser installed (apt-get install chromium)")
        sys.exit(77)
    with tempfile.TemporaryDirectory(prefix="timeline-files-") as TMP:
        suite = unittest.defaultTestLoader.loadTestsFromTestCase(Browser if browser else Files)
        result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
