# SPDX-License-Identifier: BSD-2-Clause
"""A systemd-journald of one's own, shared by tests/cli/test-cli-fleet.py
and the benchmark (bench/run.py): empty tmpfs over the journal's
directories, and journald started there by hand.

Use it only in a private mount namespace (live_harness's
enter_private_mount_ns_without_tracefs()): there the tmpfs hide the
machine's journal, which is neither read nor touched, and the socket
bootstrap-cli --journal connects to is this journald's.

Imported through sys.path, with this directory put there by the caller
relative to its own file.
"""

import os
import subprocess
import time

JOURNAL_DIRS = ("/run/systemd", "/run/log", "/var/log/journal")
SOCKET = "/run/systemd/journal/socket"
# Read by journald from the tmpfs over /run/systemd (journald.conf(5)).
CONF_DIR = "/run/systemd/journald.conf.d"


def tmpfs_over_journal_dirs():
    for d in JOURNAL_DIRS:
        os.makedirs(d, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", d], check=True)
    os.makedirs(os.path.dirname(SOCKET), exist_ok=True)


def unmount_journal_dirs():
    for d in JOURNAL_DIRS:
        subprocess.run(["umount", "-l", d], check=False)


class PrivateJournald:
    """journald (the program at @path) over fresh tmpfs, with @conf (the
    text of a journald.conf drop-in, or None) as its configuration."""

    def __init__(self, path, conf=None):
        self.path, self.conf = path, conf
        self.proc = None

    def start(self, timeout=30.0):
        """Returns True once journald's socket is there; False if it did
        not come within @timeout seconds (journald then stopped)."""
        tmpfs_over_journal_dirs()
        if self.conf:
            os.makedirs(CONF_DIR, exist_ok=True)
            with open(os.path.join(CONF_DIR, "private.conf"), "w") as f:
                f.write(self.conf)
        self.proc = subprocess.Popen([self.path], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not os.path.exists(SOCKET) and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if os.path.exists(SOCKET):
            return True
        self.stop()
        return False

    def terminate(self):
        """Stops journald (its socket file stays, refusing), not the tmpfs."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stop(self):
        """Stops journald and unmounts the tmpfs."""
        if self.proc:
            self.terminate()
            self.proc = None
            unmount_journal_dirs()
