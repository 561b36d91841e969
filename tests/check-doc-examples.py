#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The C examples of README.md and proctrace(3) compile as they are
written (-Wall -Werror) and do what the text says, live:

  - a machine-wide tracer shows a process killed by SIGKILL as killed by
    SIGKILL (exit_code alone would say 0);
  - the recipe for "a command and everything it starts" reports an
    orphan that outlives the command, a killed descendant and the
    command's own status, and exits with that status.

Usage: check-doc-examples.py CC LIBPROCTRACE.so INCLUDE-DIR README PAGE
Exit status: 0 passed, 1 failed, 77 skipped (BPF cannot run here).
"""

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def readme_examples(path):
    text = open(path).read()
    return [b for b in re.findall(r"^```c\n(.*?)^```\n", text, re.S | re.M)
            if "int main" in b]


def man_examples(path):
    text = open(path).read()
    section = text[text.index(".SH EXAMPLES"):]
    section = section[:section.index("\n.SH ", 1)]
    blocks = re.findall(r"^\.EX\n(.*?)^\.EE\n", section, re.S | re.M)
    unescape = {"\\-": "-", "\\e": "\\", "\\(dq": '"'}
    out = []
    for b in blocks:
        for k, v in unescape.items():
            b = b.replace(k, v)
        if "\\" in b.replace("\\n", "").replace("\\\\", ""):
            fail("a groff escape left in a proctrace(3) example: " + b)
        if "int main" in b:
            out.append(b)
    return out


def build(cc, source, name, workdir, include, libdir):
    src = os.path.join(workdir, name + ".c")
    exe = os.path.join(workdir, name)
    with open(src, "w") as f:
        f.write(source)
    cmd = cc + ["-std=gnu11", "-Wall", "-Werror", "-I", include, src,
                "-o", exe, "-L", libdir, "-lproctrace",
                "-Wl,-rpath," + libdir]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        fail("%s does not compile:\n%s\n%s" % (name, p.stderr, source))
    return exe


def read_available(fd):
    """What a non-blocking pipe holds now, as bytes."""
    data = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return data
        if not chunk:
            return data
        data += chunk


def check_machine_wide(name, exe):
    """The tracer prints a SIGKILLed child of ours as killed by SIGKILL."""
    tracer = subprocess.Popen(["stdbuf", "-oL", exe], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    os.set_blocking(tracer.stdout.fileno(), False)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if tracer.poll() is not None:
                err = tracer.stderr.read().decode(errors="replace")
                if "CAP_BPF" in err or "BTF" in err:
                    print("SKIP: BPF cannot run here: " + err.strip())
                    sys.exit(77)
                fail("%s exited %d: %s" % (name, tracer.returncode, err))
            victim = subprocess.Popen(["sh", "-c", "kill -KILL $$"])
            victim.wait()
            time.sleep(0.2)
            seen += read_available(tracer.stdout.fileno())
            lines = [l for l in seen.decode(errors="replace").splitlines()
                     if re.search(r"\b%d\b" % victim.pid, l)]
            if lines:
                if not any("killed by SIGKILL" in l for l in lines):
                    fail("%s hides the signal: %s" % (name, lines))
                if any(re.search(r"\[0\]|exited 0", l) for l in lines):
                    fail("%s shows a killed process as a clean exit: %s"
                         % (name, lines))
                return
        fail("%s never reported our SIGKILLed child" % name)
    finally:
        tracer.kill()
        tracer.wait()


def check_command_recipe(name, exe):
    """Orphan, killed descendant and the command's own failure, each on
    one line; the command's status is the example's status."""
    script = '(sleep 0.3; exit 4) & sh -c "kill -TERM \\$\\$"; exit 3'
    start = time.monotonic()
    p = subprocess.run([exe, "sh", "-c", script], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    if p.returncode == 1 and ("CAP_BPF" in p.stderr or "BTF" in p.stderr):
        print("SKIP: BPF cannot run here: " + p.stderr.strip())
        sys.exit(77)
    if p.returncode != 3:
        fail("%s exited %d, not the command's 3: %s" % (name, p.returncode, p.stderr))
    if elapsed < 0.3:
        fail("%s did not wait for the orphan (%.2f s)" % (name, elapsed))
    got = []
    for line in p.stdout.splitlines():
        m = re.fullmatch(r"(\d+) (\S+): (.*)", line)
        if not m:
            fail("%s printed an unexpected line: %r" % (name, line))
        got.append((int(m.group(1)), m.group(2), m.group(3)))
    if sorted(g[1:] for g in got) != [("sh", "SIGTERM"), ("sh", "exit 3"),
                                       ("sh", "exit 4")]:
        fail("%s reported %r" % (name, p.stdout))
    if len({g[0] for g in got}) != 3:
        fail("%s reported one pid twice: %r" % (name, p.stdout))


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: check-doc-examples.py CC LIBPROCTRACE.so INCLUDE-DIR README PAGE")
    cc = shlex.split(sys.argv[1])
    libdir = os.path.dirname(os.path.abspath(sys.argv[2]))
    include, readme, page = sys.argv[3:6]
    examples = [("readme-%d" % i, s) for i, s in enumerate(readme_examples(readme))]
    examples += [("man-%d" % i, s) for i, s in enumerate(man_examples(page))]
    recipes = [n for n, s in examples if "PR_SET_CHILD_SUBREAPER" in s]
    if len(examples) != 4 or recipes != ["readme-1", "man-1"]:
        fail("expected a tracer and a command recipe in each document, found %s"
             % [n for n, _ in examples])
    with tempfile.TemporaryDirectory() as workdir:
        exes = [(n, s, build(cc, s, n, workdir, include, libdir))
                for n, s in examples]
        if os.geteuid() != 0:
            print("SKIP: the examples compile; running them needs root")
            sys.exit(77)
        if not os.access("/sys/kernel/btf/vmlinux", os.R_OK):
            print("SKIP: the examples compile; the kernel has no BTF")
            sys.exit(77)
        for name, source, exe in exes:
            if name in recipes:
                check_command_recipe(name, exe)
            else:
                check_machine_wide(name, exe)
            print("%s: compiles and works" % name)


if __name__ == "__main__":
    main()
