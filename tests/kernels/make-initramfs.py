#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Builds the initramfs in which the kernel matrix runs the live tests.

Usage: make-initramfs.py BUILD_DIR VM_RUN OUT.cpio [--exclude NAME]...
                         [--probe PROGRAM [FILE]...]

Every test of the 'root' suite that meson knows in BUILD_DIR (its
meson-info/intro-tests.json: command, arguments, environment, timeout),
except those excluded, goes in, so that a new live test joins the matrix
without a change here.  The archive holds:

  - busybox (busybox-static) as /init (its init, which reaps orphans) and
    as every command the host's files below do not provide;
  - every file a test's command, arguments and environment name (the test
    programs, pt-child, bootstrap-cli, scripts...), at the same absolute
    path as on the host, so that the paths meson gives still hold, and the
    shared libraries ldd names for each (libproctrace, libbpf, libelf, libz,
    libcmocka, libc...); with a Python script, the Python files of its
    directory and of the one above, which it may import (tests/cli/
    test-cli.py imports tests/live_harness.py, found through sys.path);
  - the host programs the tests call (python3 and its standard library,
    setpriv, ldd and bash);
  - VM_RUN as /pt/run.sh, which busybox init starts, and /pt/tests.sh: one
    `run_test NAME TIMEOUT VAR=VALUE... -- COMMAND ARGS...` line per test;
  - with --probe, PROGRAM (probe-features), its libraries and the FILEs,
    and /pt/probe.sh, the command `PROGRAM FILE...`, which VM_RUN runs
    before the tests.

Prints the names of the tests it holds, one per line.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile

# Programs the tests run by name, taken from the host when it has them
# (busybox stands in for the rest: cp, umount, sleep...).  sh too: busybox's
# runs `sh` as its own applet through /proc/self/exe (comm "exe").
HOST_PROGRAMS = ["sh", "python3", "setpriv", "ldd", "bash",
                 # coreutils, whose output the tests read (busybox's ls
                 # cannot list /proc/self/fd/, for one)
                 "ls", "cat", "echo", "env", "sleep", "true", "false",
                 "readlink", "cp", "rm", "mkdir", "timeout"]
# Libraries glibc loads with dlopen(), which ldd cannot see:
# libgcc_s for pthread_exit() and pthread_cancel().
DLOPENED = ["libgcc_s.so.1"]
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# What python3 never needs here: tests, GUIs, build support (and config-*,
# the static libpython), site packages.
PY_SKIP = {"test", "idlelib", "tkinter", "turtledemo", "lib2to3",
           "ensurepip", "pydoc_data", "site-packages", "dist-packages"}
PYTHON = re.compile(r"python3(\.[0-9]+)?$")
# Python modules from outside the standard library that the tests import
# (live_harness.py checks the CLI's JSON lines with jsonschema), taken with
# every module they import in turn, where the host has them.
PY_EXTRA = ["jsonschema"]
# Prints the file of every module that importing argv[1:] loaded from
# outside the standard library.
PY_FIND_EXTRA = """
import importlib, sys, sysconfig
std = sysconfig.get_paths()["stdlib"]
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f and not f.startswith(std):
        print(f)
"""


class Image:
    """The ordered list of host paths to archive (directories and symbolic
    links on the way included, each once)."""

    def __init__(self):
        self.paths = []
        self.seen = set()

    def _add_one(self, path):
        if path not in self.seen:
            self.seen.add(path)
            self.paths.append(path)

    def add(self, path):
        """Adds @path with every directory and symbolic link on its way
        (and what each link points to); returns its real path."""
        path = os.path.normpath(os.path.abspath(path))
        parts = path.strip("/").split("/")
        cur = "/"
        for i, part in enumerate(parts):
            nxt = os.path.join(cur, part)
            if os.path.islink(nxt):
                self._add_one(nxt)
                target = os.path.join(cur, os.readlink(nxt))
                rest = parts[i + 1:]
                return self.add(os.path.join(target, *rest))
            if i < len(parts) - 1:
                self._add_one(nxt)
            cur = nxt
        if not os.path.lexists(path):
            raise FileNotFoundError(path)
        self._add_one(path)
        return path

    def add_tree(self, top, skip=()):
        top = self.add(top)
        for root, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in skip and
                             not d.startswith("config-"))
            for name in sorted(dirs + files):
                self._add_one(os.path.join(root, name))


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def shared_libraries(path, env):
    """The files the dynamic loader maps for @path (ldd), loader included."""
    out = subprocess.run(["ldd", path], capture_output=True, text=True,
                         env=env).stdout
    if "not a dynamic executable" in out or "statically linked" in out:
        return []
    libs = []
    for line in out.splitlines():
        m = re.search(r"=> (/\S+)", line) or re.match(r"\s*(/\S+) \(0x", line)
        if m:
            libs.append(m.group(1))
        elif "not found" in line:
            sys.exit("make-initramfs.py: %s: %s" % (path, line.strip()))
    return libs


def add_program(image, path, env, done):
    real = image.add(path)
    if real in done:
        return
    done.add(real)
    if is_elf(real):
        for lib in shared_libraries(real, env):
            add_program(image, lib, env, done)


def add_python_neighbours(image, script):
    """The .py files beside @script and in the directory above it: the
    modules a test script may put on sys.path relative to itself."""
    here = os.path.dirname(os.path.abspath(script))
    for d in (here, os.path.dirname(here)):
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if name.endswith(".py") and os.path.isfile(p):
                image.add(p)


def root_tests(build):
    with open(os.path.join(build, "meson-info", "intro-tests.json")) as f:
        tests = json.load(f)
    for t in tests:
        suites = [s.split(":", 1)[-1] for s in t["suite"]]
        if "root" in suites:
            yield t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("vm_run")
    ap.add_argument("out")
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("--probe", nargs="+")
    args = ap.parse_args()
    build = os.path.abspath(args.build)

    host_env = dict(os.environ, PATH=SYSTEM_PATH)
    image = Image()
    done = set()
    busybox = shutil.which("busybox", path=SYSTEM_PATH)
    if not busybox or is_elf(busybox) and shared_libraries(busybox, host_env):
        sys.exit("make-initramfs.py: a static busybox is needed: apt-get install busybox-static")
    # A merged-/usr host's /bin, /sbin, /lib, /lib64 links: /bin/sh,
    # system("...") and the loader's path go through them.
    for d in ("/bin", "/sbin", "/lib", "/lib64"):
        if os.path.islink(d):
            image.add(d)
    image.add(busybox)
    ldconfig = subprocess.run(["ldconfig", "-p"], capture_output=True,
                              text=True, env=host_env).stdout
    for lib in DLOPENED:
        m = re.search(r"^\s*%s \(libc6,x86-64\) => (\S+)$" % re.escape(lib),
                      ldconfig, re.M)
        if not m:
            sys.exit("make-initramfs.py: %s not found by ldconfig" % lib)
        add_program(image, m.group(1), host_env, done)
    programs = {}
    for name in HOST_PROGRAMS:
        p = shutil.which(name, path=SYSTEM_PATH)
        if p:
            programs[name] = p
            add_program(image, p, host_env, done)
    if "python3" in programs:
        py = os.path.realpath(programs["python3"])
        out = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
                             capture_output=True, text=True, check=True)
        stdlib = out.stdout.strip()
        image.add_tree(stdlib, PY_SKIP)
        for lib in os.listdir(os.path.join(stdlib, "lib-dynload")):
            add_program(image, os.path.join(stdlib, "lib-dynload", lib), host_env, done)
        out = subprocess.run([py, "-c", PY_FIND_EXTRA] + PY_EXTRA,
                             capture_output=True, text=True, check=True)
        for f in out.stdout.split():
            # a package whole (its data files too), else the module alone
            if os.path.basename(f) == "__init__.py":
                image.add_tree(os.path.dirname(f), ("__pycache__",))
            else:
                add_program(image, f, host_env, done)

    lines = []
    names = []
    for t in root_tests(build):
        if t["name"] in args.exclude:
            continue
        cmd = list(t["cmd"])
        # An interpreter found through a shim on this host (pyenv...) is
        # the system's python3 in the VM.
        if PYTHON.search(os.path.basename(cmd[0])) and "python3" in programs:
            cmd[0] = programs["python3"]
        env = dict(t.get("env") or {})
        # The JSON lines' schema is checked by the host's run of the same
        # test (its output does not depend on the kernel); the VM carries
        # no python3-jsonschema.
        env.pop("PT_EVENT_SCHEMA", None)
        cwd = t.get("workdir") or build
        for word in cmd + list(env.values()):
            for item in word.split(":"):
                p = os.path.join(cwd, item)
                if item and os.path.isfile(p):
                    add_program(image, p, host_env, done)
                    if p.endswith(".py"):
                        add_python_neighbours(image, p)
        timeout = int(t.get("timeout") or 30)
        words = [t["name"], str(timeout), cwd]
        words += ["%s=%s" % kv for kv in sorted(env.items())]
        words += ["--"] + cmd
        lines.append("run_test " + " ".join(shlex.quote(w) for w in words))
        names.append(t["name"])
    if not names:
        sys.exit("make-initramfs.py: no 'root' suite test in %s" % build)
    probe = [os.path.abspath(p) for p in args.probe or []]
    for p in probe:
        if not os.path.isfile(p):
            sys.exit("make-initramfs.py: %s not found (meson compile -C %s)" % (p, build))
        add_program(image, p, host_env, done)

    with tempfile.TemporaryDirectory() as gen:
        # The generated part: busybox's commands first, so that the host's
        # own programs (the second archive) replace them where both exist.
        def put(rel, text, mode=0o644):
            p = os.path.join(gen, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
            os.chmod(p, mode)

        put("pt/run.sh", open(args.vm_run).read(), 0o755)
        put("pt/tests.sh", "\n".join(lines) + "\n")
        if probe:
            put("pt/probe.sh", " ".join(shlex.quote(p) for p in probe) + "\n")
        put("etc/inittab", "::sysinit:/pt/run.sh\n")
        put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
        put("etc/group", "root:x:0:\nnogroup:x:65534:\n")
        for d in ("proc", "sys", "dev", "root", "run"):
            os.makedirs(os.path.join(gen, d), exist_ok=True)
        os.makedirs(os.path.join(gen, "tmp"), exist_ok=True)
        os.chmod(os.path.join(gen, "tmp"), 0o1777)
        real_busybox = os.path.realpath(busybox)
        os.symlink(real_busybox, os.path.join(gen, "init"))
        applets = subprocess.run([busybox, "--list-full"], capture_output=True,
                                 text=True, check=True).stdout.split()
        for a in applets:
            # Where the host keeps that directory (/bin is usr/bin on a
            # merged-/usr system, whose links the host archive brings).
            where = os.path.realpath("/" + os.path.dirname(a))
            p = os.path.join(gen, where.lstrip("/"), os.path.basename(a))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if not os.path.lexists(p):
                os.symlink(real_busybox, p)
        gen_list = subprocess.run(["find", ".", "-mindepth", "1"], cwd=gen,
                                  capture_output=True, check=True).stdout
        with open(args.out, "wb") as out:
            subprocess.run(["cpio", "--quiet", "-o", "-H", "newc"], cwd=gen,
                           input=gen_list, stdout=out, check=True)
            host_list = "\n".join(p.lstrip("/") for p in image.paths) + "\n"
            subprocess.run(["cpio", "--quiet", "-o", "-H", "newc"], cwd="/",
                           input=host_list.encode(), stdout=out, check=True)
    print("\n".join(names))


if __name__ == "__main__":
    main()
