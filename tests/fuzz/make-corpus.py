#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes the seed corpus of the format fuzz target: one small file per
case that bootstrap-cli's escaping must get right.  The input layout is
described in format-fuzz.h; its integer header is whatever the fuzz target
says it is (`fuzz-replay --layout`, from bootstrap-cli's field table), so
the seeds follow when a field is added: they are built at test time, never
committed.  A field the seeds do not name is 0.

Usage: make-corpus.py REPLAY DIRECTORY
         writes the seeds into DIRECTORY
       make-corpus.py REPLAY --run COMMAND...
         writes them into a temporary directory and runs COMMAND with that
         directory as its last argument; exits with COMMAND's status
REPLAY is the fuzz-replay program (asked for the layout).
"""

import os
import subprocess
import sys
import tempfile

LAYOUT = []     # (key, bytes), filled by main() from the fuzz target

EXEC, EXIT, FORK, TYPE0, TYPE4, TYPEMAX = range(6)
ARGS_TRUNCATED, CORE_DUMPED, HIGH_FLAGS = 1, 2, 0x80
NULL_FILENAME, NULL_ARGS = 1, 2


def header_size():
    return 3 + sum(size for _, size in LAYOUT)


def event(kind, comm=b"", filename=b"", args=(), flags=0, pointers=0,
          pid=4242, ppid=1, exit_code=0, signal=0, uid=1000, gid=1000,
          ns_pid=None, timestamp=1_700_000_000_123_456_789, duration=0,
          cgroup=7, **more):
    values = dict(pid=pid, ppid=ppid, exit_code=exit_code, signal=signal,
                  uid=uid, gid=gid, ns_pid=pid if ns_pid is None else ns_pid,
                  timestamp_ns=timestamp, duration_ns=duration,
                  cgroup_id=cgroup, **more)
    header = bytes([kind, flags, pointers])
    for key, size in LAYOUT:
        # Two's complement for negative values, as the C side reads them.
        header += (values.pop(key, 0) % (1 << (8 * size))).to_bytes(size, "little")
    assert not values or set(values) <= {"ns_pid"}, \
        "seed values for fields the target lacks: %s" % sorted(values)
    strings = [comm, filename] + list(args)
    assert all(b"\0" not in s for s in strings)
    return header + b"\0".join(strings)


def exec_all(s, comm=None, **kw):
    """The same hostile string in comm, filename and an argument."""
    return event(EXEC, comm=s[:15] if comm is None else comm, filename=s,
                 args=[b"prog", s, b"tail"], **kw)


C0 = bytes(range(1, 0x20))


def seeds():
    return {
        # ordinary events of every type
        "exec-plain": event(EXEC, b"ls", b"/usr/bin/ls", [b"ls", b"-l", b"/tmp"]),
        "exec-no-args": event(EXEC, b"true", b"/bin/true"),
        "exec-empty-args": event(EXEC, b"sh", b"/bin/sh", [b"", b"", b""]),
        "exec-args-truncated": event(EXEC, b"cc", b"/usr/bin/cc",
                                     [b"cc", b"-c", b"x" * 300], flags=ARGS_TRUNCATED),
        "exec-null-pointers": event(EXEC, b"odd", flags=0, pointers=NULL_FILENAME | NULL_ARGS),
        "exit-plain": event(EXIT, b"make", exit_code=2, duration=12_345_678),
        "exit-signal-core": event(EXIT, b"crash", signal=11, flags=CORE_DUMPED,
                                  duration=1_000_000_000),
        "exit-with-strings": event(EXIT, b"x", b"/should/not/matter", [b"a", b"\x1b[2J"]),
        # signal numbers at and past every edge of a name table
        **{"exit-signal-%s" % (str(n).replace("-", "neg")):
           event(EXIT, b"sig", signal=n, flags=CORE_DUMPED if n == 6 else 0)
           for n in (-1, -2**31, 1, 6, 9, 31, 32, 33, 34, 64, 65, 128, 2**31 - 1)},
        "fork-plain": event(FORK, b"bash", pointers=NULL_FILENAME | NULL_ARGS, pid=100, ppid=99),
        "fork-with-strings": event(FORK, b"bash", b"\x1b]0;t\x07", [b"\n"]),
        "type-0": event(TYPE0, b"zero", b"\x1b[31m", [b"\xc2\x9b"]),
        "type-4": event(TYPE4, b"four", b"f", [b"a"], flags=HIGH_FLAGS | 3),
        "type-max": event(TYPEMAX, b"max", pointers=NULL_FILENAME),
        "ints-extreme": event(EXIT, b"ints", pid=-1, ppid=-2**31, exit_code=-2**31,
                              signal=2**31 - 1, uid=2**32 - 1, gid=2**32 - 1, ns_pid=-2**31,
                              timestamp=2**64 - 1, duration=2**64 - 1, cgroup=2**64 - 1,
                              flags=0xff),
        # empty comm (prctl(PR_SET_NAME, "") makes one): nothing is escaped into
        # the comm column's buffer, which must still come out empty
        "comm-empty": event(EXEC, b"", b"/x", [b""]),
        "ints-zero": event(EXEC, pid=0, ppid=0, uid=0, gid=0, ns_pid=0, timestamp=0, cgroup=0),
        "input-empty": b"",
        "input-header-ff": b"\xff" * header_size(),
        "input-short": b"\x01\x00",
        # terminal escape sequences and control characters
        "esc-csi-color": exec_all(b"\x1b[31mred\x1b[0m"),
        "esc-clear-screen": exec_all(b"\x1b[2J\x1b[H\x1bc"),
        "esc-osc-title": exec_all(b"\x1b]0;owned\x07\x1b]2;x\x1b\\"),
        "esc-only-comm": event(EXEC, b"\x1b" * 15, b"/x", [b"\x1b"]),
        "c0-all": exec_all(C0, comm=C0[:15]),
        "c0-newlines": exec_all(b"a\nb\r\nc\rd"),
        "c0-tab-bs-ff-vt": exec_all(b"\t\b\f\v\a"),
        "del": exec_all(b"\x7f\x7f[A"),
        "c1-utf8": exec_all(b"\xc2\x9b31m\xc2\x80\xc2\x9f\xc2\x85\xc2\x9d"),
        "c1-raw-bytes": exec_all(b"\x9b31m\x85\x80\x9f"),
        # JSON and printf injection
        "json-quote-backslash": exec_all(b"\"\\\\\\\"\\u0041\\x41/"),
        "json-injection": exec_all(b"\",\"type\":\"exit\",\"x\":\""),
        "json-brackets": exec_all(b"}]{[\"\":"),
        "printf-percent": exec_all(b"%s%n%x%p%%%99999d"),
        # invalid UTF-8
        "utf8-invalid-bytes": exec_all(b"\xff\xfe\xc0\xc1\xf5\xf8\xfc"),
        "utf8-lone-continuation": exec_all(b"\x80\xbf a\x80"),
        "utf8-truncated": exec_all(b"\xe2\x82 \xf0\x9f\x98 \xc3"),
        "utf8-truncated-at-end": event(EXEC, b"abc\xe2\x82", b"/x\xf0\x9f\x98", [b"\xc3"]),
        "utf8-overlong": exec_all(b"\xc0\xaf\xe0\x80\xaf\xf0\x80\x80\xaf\xc1\xbf\xe0\x9f\xbf"),
        "utf8-overlong-nul": exec_all(b"\xc0\x80\xe0\x80\x80"),
        "utf8-surrogates": exec_all(b"\xed\xa0\x80\xed\xbf\xbf\xed\xa0\xbd\xed\xb8\x80"),
        "utf8-past-max": exec_all(b"\xf4\x90\x80\x80\xf7\xbf\xbf\xbf\xf8\x88\x80\x80\x80"),
        "utf8-bad-then-good": exec_all(b"\xe2\xe2\x80\xa8\xc3\xc3\xa9"),
        # valid UTF-8 that needs care
        "utf8-valid": exec_all(b"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
        "utf8-edges": exec_all(b"\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
                               b"\xef\xbf\xbd\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
        "utf8-line-separators": exec_all(b"a\xe2\x80\xa8b\xe2\x80\xa9c\xc2\x85"),
        "utf8-bom-bidi": exec_all(b"\xef\xbb\xbf\xe2\x80\xae\xe2\x80\x8b"),
        "comm-cut-mid-sequence": event(EXEC, b"\xc3\xa9" * 7 + b"\xc3\xa9", b"/x"),
        "comm-all-ff": event(EXEC, b"\xff" * 15, b"/x"),
        "comm-all-c1": event(EXEC, b"\xc2\x9b" * 8, b"/x"),
        # long strings
        "long-filename": event(EXEC, b"long", b"/" + b"a" * 4094),
        "long-filename-escapes": event(EXEC, b"long", b"\x1b\xff" * 1000),
        "long-arg": event(EXEC, b"long", b"/x", [b"\\" * 8000]),
        "many-args": event(EXEC, b"many", b"/x", [b"%d" % i for i in range(300)]),
        "many-hostile-args": event(EXEC, b"many", b"/x",
                                   [bytes([i]) for i in range(1, 256)]),
    }


def write_seeds(out):
    all_seeds = seeds()
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(all_seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d seeds written to %s" % (len(all_seeds), out))


def main():
    if len(sys.argv) < 3 or (sys.argv[2] == "--run" and len(sys.argv) < 4):
        sys.exit(__doc__)
    layout = subprocess.run([sys.argv[1], "--layout"], check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    for line in layout.splitlines():
        key, size = line.split()
        LAYOUT.append((key, int(size)))
    if sys.argv[2] != "--run":
        write_seeds(sys.argv[2])
        return
    with tempfile.TemporaryDirectory(prefix="fuzz-corpus-") as out:
        write_seeds(out)
        sys.exit(subprocess.call(sys.argv[3:] + [out]))


if __name__ == "__main__":
    main()
