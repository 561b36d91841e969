#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Soak test: a fork/exec storm on every core for SECONDS (default 60, or
# $SOAK_SECONDS) while bootstrap-cli writes every event of the machine to a
# file as JSON.  Samples the CLI's resident memory and open descriptors
# every few seconds.  Passes if the CLI's exit summary reports no loss and
# counts exactly the records in the file, its memory stays flat, and its
# descriptor count never changes.
#
# Usage: soak.sh BOOTSTRAP_CLI [SECONDS]
# Exit status: 0 passed, 1 failed, 2 bad usage, 77 skipped (no BPF here).
# Not in the default test run: `meson test -C build --suite soak`.

set -u

CLI=${1:-}
SECONDS_TOTAL=${2:-${SOAK_SECONDS:-60}}
# Resident memory may move by what first-time code paths touch, a few pages;
# any per-event allocation left behind would grow it by megabytes over the
# hundred thousand events of a soak, and is caught.
RSS_BOUND_KB=${SOAK_RSS_BOUND_KB:-128}

if [ -z "$CLI" ] || [ ! -x "$CLI" ] ||
   ! [ "$SECONDS_TOTAL" -ge 5 ] 2>/dev/null; then
	echo "usage: $0 BOOTSTRAP_CLI [SECONDS >= 5]" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the soak test needs root to load BPF"
	exit 77
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "SKIP: the kernel has no BTF (/sys/kernel/btf/vmlinux)"
	exit 77
fi

# Sample about a dozen times, at most every 5 s.
INTERVAL=$((SECONDS_TOTAL / 12))
[ "$INTERVAL" -lt 1 ] && INTERVAL=1
[ "$INTERVAL" -gt 5 ] && INTERVAL=5

WORK=$(mktemp -d "${TMPDIR:-/tmp}/proctrace-soak.XXXXXX") || exit 1
OUT=$WORK/events.jsonl
ERR=$WORK/cli.stderr
CLI_PID=
WORKERS=()

cleanup() {
	touch "$WORK/stop"
	for pid in "${WORKERS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	[ -n "$CLI_PID" ] && kill -KILL "$CLI_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

"$CLI" --json >"$OUT" 2>"$ERR" &
CLI_PID=$!

# Tracing once the first event reaches the file (anything on the machine).
for _ in $(seq 1 300); do
	[ -s "$OUT" ] && break
	kill -0 "$CLI_PID" 2>/dev/null || fail "bootstrap-cli exited: $(cat "$ERR")"
	/bin/true
	sleep 0.1
done
[ -s "$OUT" ] || fail "bootstrap-cli reported no event within 30 s"

cores=$(nproc)
for _ in $(seq 1 "$cores"); do
	# Every iteration forks and executes /bin/true: an exec and an exit.
	(while [ ! -e "$WORK/stop" ]; do /bin/true; done) &
	WORKERS+=($!)
done

rss_samples=()
fd_samples=()
start=$(date +%s)
while :; do
	sleep "$INTERVAL"
	kill -0 "$CLI_PID" 2>/dev/null || fail "bootstrap-cli died: $(cat "$ERR")"
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$CLI_PID/status")
	fds=$(ls "/proc/$CLI_PID/fd" | wc -l)
	rss_samples+=("$rss")
	fd_samples+=("$fds")
	echo "t=$(($(date +%s) - start))s VmRSS=${rss}kB fds=$fds records=$(wc -l <"$OUT")"
	[ $(($(date +%s) - start)) -ge "$SECONDS_TOTAL" ] && break
done

touch "$WORK/stop"
for pid in "${WORKERS[@]}"; do
	wait "$pid"
done
WORKERS=()
# Let the last events arrive (the CLI delivers within 50 ms by default).
sleep 1
kill -INT "$CLI_PID"
wait "$CLI_PID"
status=$?
CLI_PID=

summary=$(grep '^bootstrap-cli: summary: ' "$ERR")
records=$(grep -c '' "$OUT")
lost_records=$(grep -c '^{"type":"lost"' "$OUT")
events=$((records - lost_records))
storm_execs=$(grep -c '^{"type":"exec".*"filename":"/bin/true"' "$OUT")
rss_min=$(printf '%s\n' "${rss_samples[@]}" | sort -n | head -1)
rss_max=$(printf '%s\n' "${rss_samples[@]}" | sort -n | tail -1)
fd_distinct=$(printf '%s\n' "${fd_samples[@]}" | sort -u | wc -l)

echo "soak: ${SECONDS_TOTAL} s on $cores cores, $events events written ($storm_execs execs of the storm), $lost_records lost records"
echo "soak: VmRSS samples (kB): ${rss_samples[*]}"
echo "soak: fd samples: ${fd_samples[*]}"
echo "soak: ${summary:-no summary line}"
grep -v '^bootstrap-cli: summary: ' "$ERR" | sed 's/^/soak: cli stderr: /'

[ "$status" = 0 ] || fail "bootstrap-cli exited with status $status after SIGINT"
[[ $summary =~ ^bootstrap-cli:\ summary:\ delivered=([0-9]+)\ lost=([0-9]+)\ \(ring_full=([0-9]+)\ other=([0-9]+)\ malformed=([0-9]+)\)$ ]] ||
	fail "no summary line of the form 'bootstrap-cli: summary: delivered=D lost=L (ring_full=A other=B malformed=C)'"
delivered=${BASH_REMATCH[1]}
lost=${BASH_REMATCH[2]}
[ "$lost" = 0 ] || fail "$lost events lost"
[ "$lost_records" = 0 ] || fail "$lost_records lost records in the output"
[ "$delivered" = "$events" ] || fail "summary says $delivered delivered, the file has $events records"
[ "$storm_execs" -gt 0 ] || fail "no exec of the storm was reported"
[ $((rss_max - rss_min)) -le "$RSS_BOUND_KB" ] ||
	fail "VmRSS moved by $((rss_max - rss_min)) kB (bound $RSS_BOUND_KB kB)"
[ "$fd_distinct" = 1 ] || fail "the number of open descriptors changed"
echo "PASS: soak of ${SECONDS_TOTAL} s: $events events, 0 lost, VmRSS ${rss_min}-${rss_max} kB, ${fd_samples[0]} fds throughout"
