#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The kernel matrix: the live tests on the kernels users run.

Usage: kernel-matrix.py BUILD_DIR [--cache DIR] [--kernel SERIES]...

Boots each kernel of the matrix (Debian 12's own 6.1 and the 6.12 that
Debian 12 also offers, each the newest of its series, fetched by
fetch-kernel.sh) with qemu, without KVM (TCG, as on a CI machine), in an
initramfs that make-initramfs.py builds from every test of the 'root'
suite in BUILD_DIR, except the EXCLUDED ones below.  Each VM runs the
tests one after the other (vm-run.sh) and prints a result line per test
on its serial console; both VMs run at once.

Passes only if every test passed on every kernel.  A test that skips
(status 77) inside a VM fails here: there, it runs as root on a kernel
with BTF, so a skip means a test that ran nothing.  A kernel that cannot
be fetched or booted, or a VM that stops before its last test, fails too,
with the reason.  Exit status: 0 passed, 1 failed, 77 skipped (not an
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
KERNELS = ["6.1", "6.12"]

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
    "leaks": "1,000 open/start/close cycles, each loading and verifying "
             "the BPF program: 47 s on the host, over 10 minutes under "
             "TCG; the kernel half of what it checks (every program, link "
             "and map of a finished session gone) cli-kill checks on every "
             "kernel",
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
    """(kernel release, {test: (status, seconds, output lines)}, done)."""
    release, results, done = None, {}, False
    current, lines = None, []
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    for line in text.splitlines():
        m = re.search(r"@@pt-(kernel|begin|result|done)\b ?(.*)$", line)
        if not m:
            if current:
                lines.append(line)
            continue
        kind, rest = m.groups()
        if kind == "kernel":
            release = rest.strip()
        elif kind == "begin":
            current, lines = rest.strip(), []
        elif kind == "result":
            name, status, secs = rest.split()
            results[name] = (int(status), int(secs), lines)
            current, lines = None, []
        else:
            done = rest.strip() or True
    return release, results, done, (current, lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--cache")
    ap.add_argument("--kernel", action="append", choices=KERNELS)
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    cache = os.path.abspath(args.cache or os.path.join(build, "tests", "kernels", "cache"))
    kernels = args.kernel or KERNELS
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
           os.path.join(HERE, "vm-run.sh"), initrd]
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

    for k in images:
        log = os.path.join(cache, "console-%s.log" % k)
        status, secs = booted[k]
        release, results, done, (current, lines) = parse(log)
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
        for name in tests:
            if name not in results:
                continue
            st, took, out = results[name]
            verdict = "ok" if st == 0 else "SKIPPED (counts as failure)" if st == 77 else "FAILED (status %d)" % st
            print("   %-16s %-28s %4d s" % (name, verdict, took))
            if st != 0:
                bad = True
                print("\n".join("      | " + l for l in out[-200:]))
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
    print("\nkernel matrix: %s in %.0f s" % ("FAILED" if bad else "passed", time.monotonic() - t0))
    return 1 if bad else 0


def tail(log, n=30):
    with open(log, "rb") as f:
        lines = f.read().decode("utf-8", "replace").replace("\r", "").splitlines()
    return "\n".join("      | " + l for l in lines[-n:])


if __name__ == "__main__":
    sys.exit(main())
