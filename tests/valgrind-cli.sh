#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bootstrap-cli --json --fork under valgrind's memcheck for a short live
# workload: it traces until a marker child is seen, then known children
# fork, exec with hostile arguments and exit or are killed, then it gets
# SIGINT.  Fails on any memcheck error (invalid access,
# use of uninitialised memory, leak, bad free) and if the children's
# events are missing, so a run that traced nothing cannot pass.
#
# Usage: valgrind-cli.sh BOOTSTRAP_CLI PT_CHILD SUPPRESSIONS
# Exit status: 0 passed, 1 failed, 77 skipped (BPF cannot run here).
set -uo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 BOOTSTRAP_CLI PT_CHILD SUPPRESSIONS" >&2
	exit 1
fi
cli=$1 child=$2 supp=$3

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || skip "bootstrap-cli needs root (or CAP_BPF+CAP_PERFMON)"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
command -v valgrind >/dev/null || fail "valgrind not found: apt-get install valgrind"

tmp=$(mktemp -d)
vg_pid=
cleanup() {
	[ -n "$vg_pid" ] && kill -KILL "$vg_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# A distinct exit status for memcheck errors (bootstrap-cli itself uses
# 0, 1 and 2).  Leaks of every kind but "still reachable" count as errors.
valgrind --error-exitcode=99 --leak-check=full \
	--show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible \
	--track-origins=yes --suppressions="$supp" \
	--log-file="$tmp/valgrind.log" \
	"$cli" --json --fork >"$tmp/out.json" 2>"$tmp/err" &
vg_pid=$!

show_logs() {
	echo "--- bootstrap-cli stderr:" >&2
	cat "$tmp/err" >&2
	echo "--- valgrind log:" >&2
	cat "$tmp/valgrind.log" >&2
}

# Prints "EXIT_CODE/SIGNAL" of PID's exit event, or "exec" if only its exec
# event came, or nothing, looking at complete output lines after line
# FROM; fails if any such line is not a JSON object.
events_of() {
	python3 - "$tmp/out.json" "$1" "$2" <<'PY'
import json, sys
path, start, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = open(path, "rb").read().split(b"\n")[start:-1]
seen = {}
for i, raw in enumerate(lines, start + 1):
    try:
        e = json.loads(raw)
    except ValueError as err:
        sys.exit("line %d of the output is not JSON (%s): %r" % (i, err, raw))
    if e.get("pid") == pid and e.get("type") in ("exec", "exit"):
        seen.setdefault(e["type"], e)
if "exit" in seen and "exec" in seen:
    print("%s/%s" % (seen["exit"].get("exit_code"), seen["exit"].get("signal")))
elif "exec" in seen:
    print("exec")
PY
}

# Events of the machine's other processes come too: only the children's
# own pids are looked for.  Deadlines only bound a failing run; under
# valgrind the start alone takes several seconds.
deadline=$((SECONDS + 180))
while :; do
	"$child" 0 0 &
	marker=$!
	wait "$marker"
	sleep 0.5
	got=$(events_of 0 "$marker") || { show_logs; fail "bad output"; }
	[ -n "$got" ] && break
	if ! kill -0 "$vg_pid" 2>/dev/null; then
		wait "$vg_pid"
		status=$?
		# Root and BTF were checked above: what remains to prevent the
		# run is the kernel refusing to load BPF programs (EPERM).
		# Anything else, valgrind's own errors included, is a failure.
		refused="bootstrap-cli: cannot start tracing: Operation not permitted"
		if grep -qxF "$refused" "$tmp/err"; then
			skip "loading BPF programs is not permitted here ($refused)"
		fi
		show_logs
		fail "bootstrap-cli ended (status $status) before tracing started"
	fi
	[ "$SECONDS" -lt "$deadline" ] || { show_logs; fail "no event for the marker child in 180 s"; }
done

# The workload: children with known exit codes and hostile arguments, and
# one killed by SIGTERM.  Only output after this point is searched, so an
# earlier process that had one of their pids cannot stand in for them.
start=$(grep -c '' "$tmp/out.json")
want=("3/0" "0/0" "7/0" "0/15")
pids=()
for code in 3 0 7; do
	"$child" "$code" 20 $'\e[31m' $'two\nlines' $'\xff\xfe' &
	pids+=($!)
done
"$child" 0 60000 &
pids+=($!)
# Killed only once its exec was reported, so that the event is its own.
deadline=$((SECONDS + 60))
until [ "$(events_of "$start" "${pids[3]}")" = exec ]; do
	[ "$SECONDS" -lt "$deadline" ] || { show_logs; fail "no exec event of child ${pids[3]}"; }
	sleep 0.2
done
kill -TERM "${pids[3]}"
wait "${pids[@]}"

for i in "${!pids[@]}"; do
	while :; do
		got=$(events_of "$start" "${pids[$i]}") || { show_logs; fail "bad output"; }
		[ -n "$got" ] && [ "$got" != exec ] && break
		[ "$SECONDS" -lt "$deadline" ] || { show_logs; fail "exec and exit events of child ${pids[$i]} missing"; }
		sleep 0.2
	done
	[ "$got" = "${want[$i]}" ] ||
		{ show_logs; fail "child ${pids[$i]}: exit_code/signal $got, expected ${want[$i]}"; }
done

kill -INT "$vg_pid"
wait "$vg_pid"
status=$?
vg_pid=
if [ "$status" -eq 99 ]; then
	show_logs
	fail "memcheck found errors (log above)"
fi
if [ "$status" -ne 0 ]; then
	show_logs
	fail "bootstrap-cli exited $status after SIGINT, expected 0"
fi
# Belt and braces: the summary itself must say no error.
grep -q "ERROR SUMMARY: 0 errors" "$tmp/valgrind.log" ||
	{ show_logs; fail "valgrind's summary reports errors"; }
echo "valgrind: no memcheck error; $(grep -c . "$tmp/out.json") events, including exec and exit of ${pids[*]}"
