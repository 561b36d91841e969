#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The library must export exactly the symbols its version script lists:
# nothing private leaks out, and nothing listed is missing.
# Usage: check-symbols.sh LIBRARY.so VERSION-SCRIPT
set -eu
lib=$1
map=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Defined dynamic symbols, without the version-node names (type A).
nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u > "$tmp/exported"
# Every "name;" line inside a global: section of the map.
sed -e 's,/\*.*\*/,,' -e 's,#.*,,' "$map" |
	awk '/global:/ { g = 1; next } /local:/ || /^[ \t]*}/ { g = 0 } g && /;/ { gsub(/[ \t;]/, ""); if ($0 != "") print }' |
	sort -u > "$tmp/listed"

if ! diff -u "$tmp/listed" "$tmp/exported"; then
	echo "exported symbols (+) differ from $map (-)" >&2
	exit 1
fi
if grep -v '^proctrace_' "$tmp/exported"; then
	echo "symbols above lack the proctrace_ prefix" >&2
	exit 1
fi
echo "$(wc -l < "$tmp/exported") symbols exported, all listed in the version script"
