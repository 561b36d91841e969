# SPDX-License-Identifier: BSD-2-Clause
"""What the timeline tests read from proctrace-timeline's files: the SVG
as an XML parser sees it, the trace as a JSON parser sees it, and the SVG
as a real browser (headless Chromium) draws it, decoded from PNG with zlib
alone."""

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib

SVG_NS = "{http://www.w3.org/2000/svg}"

# The outcome classes and the colours the file's <style> gives them.
COLOURS = {
    "ok": (0x4E, 0x9A, 0x06),
    "failed": (0xCC, 0x00, 0x00),
    "killed": (0x75, 0x50, 0x7B),
    "open": (0x88, 0x8A, 0x85),
}
SEAM = 1.0  # bars of 3 px and more are drawn 1 px short (svg.h)
END_MARK_PX = 7.0  # room kept after a failed bar for its end mark (layout.h)
# A failed process shows at least this many pixels of its colour: its bar
# (5 px at least, less the seam, 14 high) and its end mark; a bar of 1 px
# would show 14.
FAILED_MIN_PIXELS = 40
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "min": 60000.0}


def parse_translate(value):
    m = re.fullmatch(r"translate\(([-\d.]+),([-\d.]+)\)", value or "")
    if not m:
        raise AssertionError("unexpected transform %r" % value)
    return float(m.group(1)), float(m.group(2))


def parse_end_mark(g, cls):
    """A failed process's end mark as (x, y, width, height) in the plot's
    coordinates, or None; the mark's class must be the bar's outcome."""
    marks = [e for e in g.findall(SVG_NS + "path")
             if (e.get("class") or "").split()[0] == "end"]
    if not marks:
        return None
    if len(marks) > 1 or marks[0].get("class") != "end " + cls:
        raise AssertionError("process %s: end marks %r"
                             % (g.get("data-pid"), [e.attrib for e in marks]))
    m = re.fullmatch(r"M([-\d.]+) ([-\d.]+)l([-\d.]+) ([-\d.]+)v([-\d.]+)z",
                     marks[0].get("d"))
    if not m:
        raise AssertionError("unexpected end mark %r" % marks[0].get("d"))
    x, y, dx, dy, v = (float(v) for v in m.groups())
    return (x, y + dy, dx, v)


def load_svg(path):
    """The picture as a dict: the root's attributes, the header's text,
    the ticks (x, ms) and every process as a dict in document order."""
    with open(path, "rb") as f:
        data = f.read()
    data.decode("utf-8")  # strict: the file is valid UTF-8
    root = ET.fromstring(data)
    if root.tag != SVG_NS + "svg":
        raise AssertionError("root element is %s" % root.tag)
    if root.findall(".//" + SVG_NS + "script") or b"<script" in data:
        raise AssertionError("the SVG holds a script")
    if re.search(rb"(href|src)\s*=", data):
        raise AssertionError("the SVG refers to an external resource")
    out = {"attrs": dict(root.attrib), "size": len(data), "processes": [],
           "ticks": []}
    header = root.find(SVG_NS + "g[@class='header']")
    out["header"] = " ".join("".join(t.itertext()) for t in header)
    axis = root.find(SVG_NS + "g[@class='axis']")
    ax, _ = parse_translate(axis.get("transform"))
    for t in axis.iter(SVG_NS + "text"):
        num, unit = t.text.split()
        out["ticks"].append((ax + float(t.get("x")), float(num) * UNIT_MS[unit]))
    plot = root.find(SVG_NS + "g[@class='processes']")
    px, py = parse_translate(plot.get("transform"))
    out["plot"] = (px, py)
    for g in plot.findall(SVG_NS + "g"):
        if g.get("class") != "process":
            raise AssertionError("unexpected group %r" % g.attrib)
        rects = g.findall(SVG_NS + "rect")
        if len(rects) != 1:
            raise AssertionError("process %s has %d bars" % (g.get("data-pid"), len(rects)))
        r = rects[0]
        out["processes"].append({
            "pid": int(g.get("data-pid")),
            "ppid": int(g.get("data-ppid")),
            "cls": r.get("class"),
            # In the page's coordinates.
            "x": px + float(r.get("x")),
            "y": py + float(r.get("y")),
            "w": float(r.get("width")),
            "h": float(r.get("height")),
            "title": g.find(SVG_NS + "title").text,
            "labels": ["".join(t.itertext()) for t in g.findall(SVG_NS + "text")],
            "execs": len(g.findall(SVG_NS + "path[@class='exec']")),
            "end": parse_end_mark(g, r.get("class")),
        })
    return out


def px_per_ms(svg):
    """The scale, read from the axis as a reader would: from the first
    tick to the last."""
    (x0, t0), (x1, t1) = svg["ticks"][0], svg["ticks"][-1]
    if t1 <= t0:
        raise AssertionError("the axis has a single tick")
    return (x1 - x0) / (t1 - t0)


def true_width(p):
    return p["w"] + SEAM if p["w"] >= 2 * SEAM + 1 else p["w"]


def check_lanes(svg):
    """No two bars in one lane overlap; a child's lane is below its
    parent's.  Returns the number of lanes."""
    lanes = {}
    for p in svg["processes"]:
        lanes.setdefault(p["y"], []).append((p["x"], p["x"] + p["w"], p["pid"]))
    for y, bars in lanes.items():
        bars.sort()
        for (a0, a1, apid), (b0, b1, bpid) in zip(bars, bars[1:]):
            if b0 < a1 - 0.05:
                raise AssertionError("bars of %d and %d overlap in the lane at y=%s"
                                     % (apid, bpid, y))
    by_pid = {}
    for p in svg["processes"]:
        by_pid.setdefault(p["pid"], p)
    for p in svg["processes"]:
        parent = by_pid.get(p["ppid"])
        if parent is not None and parent is not p and p["y"] <= parent["y"]:
            raise AssertionError("%d is not below its parent %d" % (p["pid"], p["ppid"]))
    return len(lanes)


def load_trace(path):
    """The trace's process events by pid (list, in order), its exec events
    and its metadata (failures_of() reads its failure events)."""
    with open(path, "rb") as f:
        data = f.read()
    doc = json.loads(data.decode("utf-8"))  # strict UTF-8 and JSON
    procs, execs = {}, []
    for e in doc["traceEvents"]:
        if e["ph"] == "X":
            procs.setdefault(e["args"]["pid"], []).append(e)
        elif e["ph"] == "i" and e["cat"] == "exec":
            execs.append(e)
        elif e["ph"] == "i" and e["cat"] == "failure":
            if not re.fullmatch(r"exit -?\d+|killed by SIG[A-Z0-9+]+", e["name"]):
                raise AssertionError("unexpected failure event %r" % e)
        elif e["ph"] not in ("M", "s", "f"):
            raise AssertionError("unexpected event %r" % e)
    return doc, procs, execs


def failures_of(doc):
    """The trace's failure events by pid."""
    return {e["args"]["pid"]: e for e in doc["traceEvents"]
            if e["ph"] == "i" and e["cat"] == "failure"}


def peak_of(intervals):
    """The most intervals [a, b) open at one instant."""
    edges = sorted([(a, 1) for a, b in intervals] + [(b, -1) for a, b in intervals],
                   key=lambda e: (e[0], e[1]))
    alive = peak = 0
    for _, d in edges:
        alive += d
        peak = max(peak, alive)
    return peak


# ---- The browser ----

def find_browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def render(svg_path, png_path, width, height):
    """Headless Chromium draws the file at (width, height) CSS pixels, one
    device pixel each, into a PNG."""
    browser = find_browser()
    profile = tempfile.mkdtemp(prefix="timeline-chromium-")
    try:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--hide-scrollbars", "--force-device-scale-factor=1",
               "--force-color-profile=srgb", "--no-first-run",
               "--user-data-dir=" + profile,
               "--window-size=%d,%d" % (width, height),
               "--screenshot=" + png_path, "file://" + os.path.abspath(svg_path)]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=240)
        if not os.path.exists(png_path):
            raise AssertionError("chromium wrote no screenshot (status %d): %s"
                                 % (p.returncode, p.stderr.decode(errors="replace")[-2000:]))
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def decode_png(path):
    """(width, height, rows): rows[y][x] is an (r, g, b) tuple.  8-bit RGB
    or RGBA, not interlaced: what Chromium writes."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise AssertionError("unexpected PNG format %r" % (ihdr,))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def close(c1, c2, tolerance=10):
    return all(abs(a - b) <= tolerance for a, b in zip(c1, c2))


def check_colours(svg, png, min_width=10.0):
    """Each bar at least @min_width wide that lies in the image shows its
    outcome's colour along its top row (labels never reach it), edges
    (anti-aliased) left out: at least half of the row's pixels, the rest
    being exec marks and fork lines, and not one pixel of another
    outcome's colour.  Returns how many bars were checked."""
    width, height, rows = png
    checked = 0
    for p in svg["processes"]:
        y = int(p["y"]) + 1
        x0, x1 = int(p["x"]) + 2, int(p["x"] + p["w"]) - 2
        if p["w"] < min_width or y >= height or x1 > width:
            continue
        want = COLOURS[p["cls"]]
        row = rows[y][x0:x1]
        good = sum(1 for px in row if close(px, want))
        wrong = [px for px in row for cls, c in COLOURS.items()
                 if cls != p["cls"] and close(px, c)]
        if good < 0.5 * len(row) or wrong:
            raise AssertionError("bar of %d (%s) at x=%d..%d y=%d: %d of %d pixels are %r, "
                                 "%d of another outcome's colour; first ones: %r"
                                 % (p["pid"], p["cls"], x0, x1, y, good, len(row), want,
                                    len(wrong), row[:5]))
        checked += 1
    return checked


def check_failures(svg, png):
    """Each failed or killed process in the image, however short, shows
    at least FAILED_MIN_PIXELS of its outcome's colour around its bar and
    its end mark.  Returns how many were checked."""
    width, height, rows = png
    checked = 0
    for p in svg["processes"]:
        if p["cls"] not in ("failed", "killed"):
            continue
        y0, y1 = int(p["y"]) - 2, int(p["y"] + p["h"]) + 3
        x0, x1 = int(p["x"]), int(p["x"] + p["w"] + END_MARK_PX) + 1
        if y0 < 0 or y1 > height or x1 > width:
            continue
        want = COLOURS[p["cls"]]
        seen = sum(1 for y in range(y0, y1) for px in rows[y][x0:x1] if close(px, want))
        if seen < FAILED_MIN_PIXELS:
            raise AssertionError("%s process %d at x=%d..%d y=%d..%d shows %d pixels of "
                                 "its colour, fewer than %d"
                                 % (p["cls"], p["pid"], x0, x1, y0, y1, seen,
                                    FAILED_MIN_PIXELS))
        checked += 1
    return checked


def render_png(svg_path, svg, tmpdir, max_height=4000):
    """Renders at the picture's size (at most @max_height high) and checks
    the PNG's size; returns it decoded."""
    width = int(float(svg["attrs"]["width"]))
    height = min(int(float(svg["attrs"]["height"])), max_height)
    png_path = os.path.join(tmpdir, os.path.basename(svg_path) + ".png")
    render(svg_path, png_path, width, height)
    png = decode_png(png_path)
    if png[:2] != (width, height):
        raise AssertionError("the screenshot is %dx%d, not %dx%d"
                             % (png[0], png[1], width, height))
    return png


def render_and_check(svg_path, svg, tmpdir, max_height=4000):
    """Renders, checks the bars' colours and that every failure shows;
    returns the number of bars checked."""
    png = render_png(svg_path, svg, tmpdir, max_height)
    check_failures(svg, png)
    return check_colours(svg, png)
