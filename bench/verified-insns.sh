#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Usage: verified-insns.sh BOOTSTRAP-CLI
#
# The verifier's work per program ("processed N insns" of its log, the
# kernel's verified_insns) for the sessions of docs/performance.md, on the
# running kernel: each session is a bootstrap-cli run in the background,
# whose programs are found through its own descriptors (/proc/PID/fdinfo
# has prog_id and verified_insns since Linux 5.16), so programs other
# sessions load at the same time do not count.  Prints one line per
# session and program.  Needs root; the settings are constants to the
# verifier, so each session verifies its own code.
set -u
cli=${1:?usage: verified-insns.sh BOOTSTRAP-CLI}
# A cgroup v2 directory for the cgroup filter: the root of its mount.
cgroup=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)

# session LABEL OPTION...
session() {
	label=$1
	shift
	"$cli" -o /dev/null "$@" 2>/dev/null &
	pid=$!
	# The programs are loaded at once; wait until their count holds still.
	last=-1
	n=0
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		sleep 0.5
		n=$(grep -l '^verified_insns:' /proc/$pid/fdinfo/* 2>/dev/null | wc -l)
		[ "$n" -gt 0 ] && [ "$n" = "$last" ] && break
		last=$n
	done
	# Links' descriptors name a program too, without verified_insns.
	for f in $(grep -l '^verified_insns:' /proc/$pid/fdinfo/* 2>/dev/null); do
		id=$(sed -n 's/^prog_id:[[:space:]]*//p' "$f")
		insns=$(sed -n 's/^verified_insns:[[:space:]]*//p' "$f")
		name=$(bpftool prog show id "$id" 2>/dev/null |
		       sed -n 's/.* name \([^ ]*\) .*/\1/p')
		printf '%-34s %-16s %s\n' "$label" "$name" "$insns"
	done | sort -u
	kill -INT "$pid"
	wait "$pid"
}

session default
session --snapshot --snapshot
session -x -x
session --fork --fork
session "-p 1" -p 1
session --max-args=32768 --max-args=32768
session "-u 0 -n sh -c CGROUP" -u 0 -n sh -c "$cgroup"
session "all of the above" --snapshot -x --fork -p 1 --max-args=32768 \
	-u 0 -n sh -c "$cgroup"
