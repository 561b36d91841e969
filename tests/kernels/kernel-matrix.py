#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The kernel matrix: the live tests on the kernels users run.

Usage: kernel-matrix.py BUILD_DIR [--cache DIR] [--kernel SERIES]...
                        [--probe PROGRAM] [--probe-object OBJECT]

Boots each kernel of the matrix (Debian 11's own 5.10, Debian 12's own
6.1 and the 6.12 that Debian 12 also offers, each the newest of its
series, fetched by fetch-kernel.sh) with qemu, without KVM (TCG, as on a
CI machine), in an initramfs that make-initramfs.py builds from every test
of the 'root' suite in BUILD_DIR, except the EXCLUDED ones below.  Each VM
first prints what BPF features its kernel offers, and which programs of
libproctrace's BPF object it loads (PROGRAM OBJECT, by default
BUILD_DIR/tests/kernels/probe-features BUILD_DIR/bpf/proctrace-{full,compat}.bpf.o),
then runs the tests one after the other (vm-run.sh) and prints a result
line per test on its serial console; all VMs run at once.

Passes only if every test passed on every kernel, except the
EXPECTED_FAILURES of a kernel below, each of which must fail there with
its line in the output.  A test that skips (status 77) inside a VM fails
here: there, it runs as root on a kernel with BTF, so a skip means a test
that ran nothing.  A kernel that cannot be fetched or booted, a VM that
stops before its last test, or a feature probe that did not run, fails
too, with the reason.  Exit status: 0 passed, 1 failed, 77 skipped (not an
x86_64 host: the test programs built here cannot run in an amd64 VM).

Downloaded packages, kernel images, the initramfs and each VM's console
log (console-SERIES.log) stay in the cache directory (default:
BUILD_DIR/tests/kernels/cache), so a rerun fetches nothing.
"""

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = ["5.10", "6.1", "6.12"]
# Run by default (meson test --suite kernels, and so CI).  5.10 runs by
# hand (--kernel 5.10) until its expected failures are gone: some of them
# are races (the compat programs' exactly-once cases), which a listed
# failure cannot pin down run after run (docs/kernels.md).
DEFAULT_KERNELS = ["6.1", "6.12"]

# Root-suite tests that do not run in the VMs, and why.  Each of them runs
# on the host's kernel in the ordinary `meson test`.
EXCLUDED = {
    "cli-fleet": "it runs systemd-journald, journal-upload and journal-remote, "
                 "which the VM does not carry, and a storm of 20,000 processes "
                 "that takes many minutes under TCG; what it checks of the kernel "
                 "(every child's exec and exit, losses counted) cli and cli-burst "
                 "check on every kernel",
    "cli-valgrind": "Memcheck looks for memory errors of bootstrap-cli's "
                    "own code, which no kernel changes; valgrind on top of "
                    "TCG would take many minutes",
    "bench-smoke": "it measures speed ratios, which mean nothing under "
                   "instruction emulation",
    "doc-examples": "it compiles the C examples of README.md and "
                    "proctrace(3) with the host's compiler, a toolchain the "
                    "VM does not carry; what the examples then do (a "
                    "SIGKILL reported as such, a command's subtree with "
                    "its orphans) live, lifecycle and cli check on every "
                    "kernel",
    "timeline": "it checks proctrace-timeline's picture in headless "
                "Chromium, which the VM does not carry; the events it draws "
                "live, lifecycle and cli check on every kernel",
    "failinject": "it makes every fallible call of a session fail in turn, "
                  "a fresh process and BPF load for each (hundreds): the "
                  "library's own error paths; 40 s on the host, far over "
                  "the matrix's budget under TCG",
    "stopped-reader": "30,000 processes while the reader is stopped 30 s: "
                      "minutes under TCG, over the matrix's budget; the "
                      "kernel side of loss counting loss and cli-burst "
                      "check on every kernel",
    "cli-fleet": "its storm of 20,000 processes into rotated files had not "
                 "ended after 11 minutes under TCG (6.1, the VM's limit "
                 "raised to 900 s); its journal cases passed there, and "
                 "what the kernel does for it cli and cli-burst check on "
                 "every kernel",
    "leaks": "1,000 open/start/close cycles, each loading and verifying "
             "the BPF program: 47 s on the host, over 10 minutes under "
             "TCG; the kernel half of what it checks (every program, link "
             "and map of a finished session gone) cli-kill checks on every "
             "kernel",
}

# Tests that fail on a kernel the library does not support yet: for each,
# a one-line reason and a line its output must hold (the library's own
# refusal).  Such a test does not fail the matrix when it fails with that
# line; it does when it passes (the entry is out of date: take it off),
# fails without that line (a failure of another kind), or is not run.
# A test not listed here fails the matrix on every kernel, as anywhere.
# 5.10 runs the compat programs (docs/kernels.md); what still fails there,
# and why (docs/kernels.md, "5.10: what still fails").
STATS_REFUSED = "reading the kernel's loss counters was refused"
EXPECTED_FAILURES = {
    "5.10": {
        "lifecycle": ("two exactly-once cases of the compat programs' EXIT on 5.10: "
                      "an exit_group() reported twice, and an EXIT not yet queued when "
                      "the parent reaped the process; the same cases pass on compat "
                      "on 6.x: under investigation", "FAILED TEST(S)"),
        "context": ("the snapshot's no-gap/no-double check under churn: on 5.10 a "
                    "process created while the snapshot ran was described twice, "
                    "by the compat iterator and by its fork record (the compat "
                    "claim, under investigation)", "FAILED TEST(S)"),
        "exec-failed-live": ("failed exec attempts need bpf_get_current_task_btf() "
                             "(5.11): proctrace_start() refuses them with EOPNOTSUPP",
                             "need Linux 5.11 or later (the bpf_get_current_task_btf() "
                             "helper)"),
        "cli": ("its failed-exec cases (EOPNOTSUPP, as exec-failed-live), and the "
                "summary of every case: after the CLI gives up its capabilities, "
                "5.10 refuses the bpf() call that reads the loss counters "
                "(kernel.unprivileged_bpf_disabled)", STATS_REFUSED),
        "cli-burst": ("the CLI's summary: the loss counters cannot be read once it "
                      "has given up its capabilities (as cli)", STATS_REFUSED),
        "privileges": ("proctrace_stats() without privileges: refused by 5.10 (as "
                       "cli)", "the session child failed"),
        "cli-privileges": ("the CLI's summary after it gave up its capabilities (as "
                           "cli)", STATS_REFUSED),
    },
}

QEMU = "qemu-system-x86_64"
# TCG by default: what a CI machine without KVM has, so that the time
# measured here is the time there.
ACCEL = os.environ.get("PT_QEMU_ACCEL", "tcg")
VM_MEMORY = "2G"
VM_CPUS = "2"
# Wall-clock limit of one VM, boot to power-off.
VM_LIMIT_S = int(os.environ.get("PT_KERNEL_VM_LIMIT", "540"))

REQUIRED = {
    QEMU: "qemu-system-x86",
    "busybox": "busybox-static",
    "cpio": "cpio",
    "apt-get": "apt",
    "dpkg-deb": "dpkg",
}


def fail(msg):
    print("kernel matrix: FAIL: " + msg, flush=True)


def fetch(series, cache, out):
    p = subprocess.run([os.path.join(HERE, "fetch-kernel.sh"), series, cache],
                       capture_output=True, text=True)
    out[series] = (p.returncode, p.stdout.strip(), p.stderr.strip())


def boot(series, image, initrd, log, out):
    cmd = [QEMU, "-accel", ACCEL, "-cpu", "max" if ACCEL == "tcg" else "host",
           "-smp", VM_CPUS, "-m", VM_MEMORY, "-nographic", "-no-reboot",
           "-kernel", image, "-initrd", initrd,
           "-append", "console=ttyS0 quiet panic=-1"]
    start = time.monotonic()
    with open(log, "wb") as f:
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=f,
                               stderr=subprocess.STDOUT, timeout=VM_LIMIT_S)
            status = p.returncode
        except subprocess.TimeoutExpired:
            status = "timeout"
    out[series] = (status, time.monotonic() - start)


def parse(log):
    """(kernel release, {test: (status, seconds, output lines)}, done,
    (test running at the end, its output), (features, probe status))
    where features is [(name, since, "yes" or "no", why)]."""
    release, results, done = None, {}, False
    current, lines = None, []
    features, probing, probe_status = [], False, None
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    for line in text.splitlines():
        m = re.search(r"@@pt-(kernel|features-begin|features-end|begin|result|done)\b ?(.*)$", line)
        if not m:
            if current:
                lines.append(line)
            elif probing:
                f = line.split("\t")
                features.append(tuple(f[:4]) if len(f) >= 4 else (line, "", "?", ""))
            continue
        kind, rest = m.groups()
        if kind == "features-begin":
            probing = True
        elif kind == "features-end":
            probing = False
            probe_status = int(rest) if rest.strip().isdigit() else rest
        elif kind == "kernel":
            release = rest.strip()
        elif kind == "begin":
            current, lines = rest.strip(), []
        elif kind == "result":
            name, status, secs = rest.split()
            results[name] = (int(status), int(secs), lines)
            current, lines = None, []
        else:
            done = rest.strip() or True
    return release, results, done, (current, lines), (features, probe_status)


def judge(tests, results, expected):
    """The verdict on each test that has a result, and on each expected
    failure that is not one of @tests: [(name, verdict, bad)].  @expected
    is the kernel's EXPECTED_FAILURES entry.  A test without a result is
    main()'s to report."""
    rows = []
    for name in tests:
        if name not in results:
            continue
        st, _, out = results[name]
        if name not in expected:
            if st == 0:
                rows.append((name, "ok", False))
            elif st == 77:
                rows.append((name, "SKIPPED (counts as failure)", True))
            else:
                rows.append((name, "FAILED (status %d)" % st, True))
            continue
        reason, line = expected[name]
        if st == 0:
            rows.append((name, "PASSED, but listed as an expected failure (%s): "
                         "take it off EXPECTED_FAILURES" % reason, True))
        elif not any(line in l for l in out):
            rows.append((name, "FAILED (status %d), but not as expected: no line "
                         "\"%s\" in its output" % (st, line), True))
        else:
            rows.append((name, "failed as expected (status %d)" % st, False))
    for name in sorted(expected):
        if name not in tests:
            rows.append((name, "listed as an expected failure but not run here: "
                         "take it off EXPECTED_FAILURES", True))
    return rows


def feature_table(by_kernel):
    """The features of every kernel side by side, as text lines."""
    kernels = list(by_kernel)
    names, since = [], {}
    for k in kernels:
        for name, version, _, _ in by_kernel[k]:
            if name not in since:
                names.append(name)
                since[name] = version
    width = max([len(n) for n in names] + [7])
    rows = ["%-*s %-6s %s" % (width, "feature", "since", " ".join("%-6s" % k for k in kernels))]
    for n in names:
        cells = []
        for k in kernels:
            got = [f[2] for f in by_kernel[k] if f[0] == n]
            cells.append("%-6s" % (got[0] if got else "-"))
        rows.append("%-*s %-6s %s" % (width, n, since[n], " ".join(cells)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--cache")
    ap.add_argument("--kernel", action="append", choices=KERNELS)
    ap.add_argument("--probe")
    ap.add_argument("--probe-object", action="append")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    cache = os.path.abspath(args.cache or os.path.join(build, "tests", "kernels", "cache"))
    kernels = args.kernel or DEFAULT_KERNELS
    os.makedirs(cache, exist_ok=True)

    if platform.machine() != "x86_64":
        print("SKIP: the kernel matrix boots amd64 kernels with the programs built here; this host is " + platform.machine())
        return 77
    missing = [pkg for prog, pkg in REQUIRED.items() if not shutil.which(prog)]
    if missing:
        fail("missing tools: apt-get install " + " ".join(missing))
        return 1

    t0 = time.monotonic()
    fetched = {}
    threads = [threading.Thread(target=fetch, args=(k, cache, fetched)) for k in kernels]
    for t in threads:
        t.start()

    initrd = os.path.join(cache, "initramfs.cpio")
    cmd = [os.path.join(HERE, "make-initramfs.py"), build,
           os.path.join(HERE, "vm-run.sh"), initrd,
           "--probe", args.probe or os.path.join(build, "tests", "kernels", "probe-features"),
           ] + (args.probe_object or [os.path.join(build, "bpf", "proctrace-%s.bpf.o" % v)
                                        for v in ("full", "compat")])
    for name in sorted(EXCLUDED):
        cmd += ["--exclude", name]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail("could not build the initramfs: " + p.stderr.strip())
        return 1
    tests = p.stdout.split()
    for t in threads:
        t.join()
    print("kernel matrix: fetched and built in %.0f s" % (time.monotonic() - t0))

    bad = False
    images = {}
    for k in kernels:
        status, path, err = fetched[k]
        if status != 0 or not path:
            fail("could not fetch a Debian %s kernel: %s" % (k, err))
            bad = True
        else:
            images[k] = path
            print("kernel matrix: %s: %s" % (k, os.path.basename(path)))
    print("kernel matrix: runs on every kernel: " + " ".join(tests))
    for name, why in sorted(EXCLUDED.items()):
        print("kernel matrix: not run in the VMs: %s: %s" % (name, why))
    for k in kernels:
        for name, (why, _) in sorted(EXPECTED_FAILURES.get(k, {}).items()):
            print("kernel matrix: expected to fail on %s: %s: %s" % (k, name, why))

    booted = {}
    threads = []
    for k, image in images.items():
        log = os.path.join(cache, "console-%s.log" % k)
        threads.append(threading.Thread(target=boot, args=(k, image, initrd, log, booted)))
    t1 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    print("kernel matrix: %d VM(s) ran in %.0f s (%s, %s CPUs, %s each); "
          "CPU time of this run's programs so far: %.0f s"
          % (len(images), time.monotonic() - t1, ACCEL, VM_CPUS, VM_MEMORY,
             cpu.ru_utime + cpu.ru_stime))

    features = {}
    for k in images:
        log = os.path.join(cache, "console-%s.log" % k)
        status, secs = booted[k]
        release, results, done, (current, lines), (feats, probed) = parse(log)
        words = (release or "").split()
        release = words[0] if words else None
        boot_s = words[1] if len(words) > 1 else "?"
        end_s = done if isinstance(done, str) else "?"
        print("\n== %s (%s): VM ran %.0f s (tests from %s s to %s s of its uptime), console log %s"
              % (k, release, secs, boot_s, end_s, log))
        if release is None:
            fail("%s: the kernel did not boot to the test runner (qemu status %s); the console's end:\n%s"
                 % (k, status, tail(log)))
            bad = True
            continue
        if probed != 0 or not feats:
            fail("%s: the feature probe did not run (status %s)%s"
                 % (k, probed, "".join("\n      | " + "\t".join(f) for f in feats)))
            bad = True
        else:
            features[k] = feats
            print("   BPF features: %d of the %d probed (table below)"
                  % (sum(f[2] == "yes" for f in feats), len(feats)))
        expected = EXPECTED_FAILURES.get(k, {})
        for name, verdict, wrong in judge(tests, results, expected):
            took = results[name][1] if name in results else 0
            print("   %-16s %-28s %4d s" % (name, verdict, took))
            if wrong:
                bad = True
                if name in results:
                    print("\n".join("      | " + l for l in results[name][2][-200:]))
        missing = [n for n in tests if n not in results]
        if missing:
            bad = True
            why = "qemu ran out of its %d s" % VM_LIMIT_S if status == "timeout" else "qemu ended with status %s" % status
            fail("%s: no result for %s (%s%s)" % (k, " ".join(missing), why,
                 ", during " + current if current else ""))
            if current:
                print("\n".join("      | " + l for l in lines[-60:]))
        elif not done:
            bad = True
            fail("%s: the VM stopped before its end marker" % k)
    if features:
        print("\nkernel matrix: BPF features (probe-features; the reasons for each no "
              "are in the console logs):")
        print("\n".join("   " + l for l in feature_table(features)))
    print("\nkernel matrix: %s in %.0f s" % ("FAILED" if bad else "passed", time.monotonic() - t0))
    return 1 if bad else 0


def tail(log, n=30):
    with open(log, "rb") as f:
        lines = f.read().decode("utf-8", "replace").replace("\r", "").splitlines()
    return "\n".join("      | " + l for l in lines[-n:])


if __name__ == "__main__":
    sys.exit(main())
