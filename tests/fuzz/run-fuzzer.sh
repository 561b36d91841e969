#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Builds the format fuzz target (format-fuzz.c with bootstrap-cli's
# format.c) with clang's libFuzzer, AddressSanitizer and UndefinedBehavior-
# Sanitizer, and fuzzes it for a bounded time, starting from the seed
# corpus make-corpus.py writes for the target's current input layout.  Needs only Debian's clang and libclang-rt-14-dev.
#
# Usage: tests/fuzz/run-fuzzer.sh SECONDS [LIBFUZZER-OPTION...]
#   e.g. tests/fuzz/run-fuzzer.sh 60
#        tests/fuzz/run-fuzzer.sh 600 -jobs=2 -workers=2
# Environment: CLANG (default clang), FUZZ_BUILD_DIR (default build-fuzz
# in the source tree).
#
# Exit status: 0 if no input crashed the target in the time given; 1 if
# one did (the input is kept under FUZZ_BUILD_DIR/artifacts/ and the
# command that replays it is printed); 2 for bad usage or a failed build.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ $# -lt 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: $0 SECONDS [LIBFUZZER-OPTION...]" >&2
	exit 2
fi
seconds=$1
shift

clang=${CLANG:-clang}
out=${FUZZ_BUILD_DIR:-$top/build-fuzz}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if ! command -v "$clang" >/dev/null; then
	echo "run-fuzzer: $clang not found: apt-get install clang libclang-rt-14-dev" >&2
	exit 2
fi

# Debug info and -O1 as libFuzzer recommends; every UBSan finding fatal so
# that it counts as a crash.  The checkers are the oracle, not the target:
# they get the sanitizers but no coverage feedback, so that libFuzzer
# steers by the paths it finds in format.c rather than in the checkers.
flags=(-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all -std=gnu11
	-Wall -Wextra -Wno-unused-parameter
	-I"$top/include" -I"$top/examples/bootstrap-cli" -I"$top/examples/common" -I"$top/bpf")
# The output code under test, the same list as fuzz-replay's in
# tests/fuzz/meson.build (a file missing here fails the build, loudly).
target_src=("$top/examples/bootstrap-cli/format.c" "$top/lib/signal_name.c"
	"$top/examples/bootstrap-cli/fields.c"
	"$top/examples/bootstrap-cli/errnames.c"
	"$top/examples/common/strescape.c")
echo "run-fuzzer: building $out/format-fuzzer with $clang"
build() {
	local f
	for f in output-check json-check json-get utf8-check; do
		"$clang" "${flags[@]}" -fsanitize=address,undefined \
			-c "$here/$f.c" -o "$out/$f.o" || return 1
	done
	"$clang" "${flags[@]}" -fsanitize=fuzzer,address,undefined \
		"$here/format-fuzz.c" "${target_src[@]}" \
		"$out/output-check.o" "$out/json-check.o" "$out/json-get.o" \
		"$out/utf8-check.o" -o "$out/format-fuzzer"
	# The replay program, only to ask the target for its input layout.
	"$clang" "${flags[@]}" -fsanitize=address,undefined \
		"$here/replay.c" "$here/format-fuzz.c" "${target_src[@]}" \
		"$out/output-check.o" "$out/json-check.o" "$out/json-get.o" \
		"$out/utf8-check.o" -o "$out/fuzz-replay"
}
if ! build; then
	echo "run-fuzzer: build failed (libFuzzer comes with libclang-rt-14-dev)" >&2
	exit 2
fi

# Fuzz a copy: new inputs found in this run must not change the tree.
rm -rf "$out/corpus" "$out/artifacts"
mkdir -p "$out/artifacts"
python3 "$here/make-corpus.py" "$out/fuzz-replay" "$out/corpus"

echo "run-fuzzer: fuzzing for $seconds s from $(ls "$out/corpus" | wc -l) seeds"
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1} \
	"$out/format-fuzzer" \
	-max_total_time="$seconds" \
	-timeout=10 \
	-rss_limit_mb=2048 \
	-dict="$here/format.dict" \
	-artifact_prefix="$out/artifacts/" \
	-print_final_stats=1 \
	"$@" \
	"$out/corpus" || status=$?

crashes=$(find "$out/artifacts" -type f | sort)
if [ "$status" -ne 0 ] || [ -n "$crashes" ]; then
	echo "run-fuzzer: FAIL: the target crashed (libFuzzer exit status $status)" >&2
	for f in $crashes; do
		echo "run-fuzzer: input kept in $f; replay it with:" >&2
		echo "    $out/format-fuzzer $f" >&2
	done
	exit 1
fi
echo "run-fuzzer: no crash in $seconds s; corpus now $(ls "$out/corpus" | wc -l) inputs"
