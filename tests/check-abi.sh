#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The library's ABI must stay compatible with the last release's, stored in
# tests/abi/ (see docs/abi.md): abidiff may report nothing but the changes
# tests/abi/libproctrace.abignore accepts (members appended to the public
# structures, new functions), and new symbols must be in a version node the
# release did not have.
#
# Usage:
#   check-abi.sh LIBRARY.so HEADERS-DIR BASELINE.abi SUPPRESSIONS.abignore
#   check-abi.sh --dump LIBRARY.so HEADERS-DIR > BASELINE.abi
# --dump writes the ABI of LIBRARY.so as the baseline is made, with the same
# flags.  $ABIDW and $ABIDIFF name the tools (default: from $PATH).
set -eu
ABIDW=${ABIDW:-abidw}
ABIDIFF=${ABIDIFF:-abidiff}

# Only the types the public headers define count (--headers-dir,
# --drop-private-types); paths, source locations, the architecture name and
# DT_NEEDED are left out so that the file depends on the ABI alone, not on
# where or on which LP64 machine it was built.  Hash type ids keep a
# regenerated file's diff small.
dump() {
	"$ABIDW" --headers-dir "$2" --drop-private-types --drop-undefined-syms \
		--no-corpus-path --no-comp-dir-path --no-show-locs \
		--no-elf-needed --no-architecture --type-id-style hash \
		"$1"
}

# Only DWARF describes types: without it abidw sees bare symbols, and a
# moved field would pass unnoticed.
need_debug_info() {
	if ! readelf -S --wide "$1" | grep -q '\.debug_info'; then
		echo "$1 has no debug info: the ABI check needs DWARF;" \
			"build with -g (buildtype debugoptimized, the default, or -Ddebug=true)" >&2
		exit 1
	fi
}

# "name@version" of every exported function and variable in an abixml file.
symbols() {
	grep "<elf-symbol .*is-defined='yes'" "$1" |
		sed "s/.*<elf-symbol name='\([^']*\)'\( version='\([^']*\)'\)\{0,1\}.*/\1@\3/" | sort -u
}

if [ "${1:-}" = --dump ]; then
	[ $# -eq 3 ] || { echo "usage: $0 --dump LIBRARY.so HEADERS-DIR" >&2; exit 2; }
	need_debug_info "$2"
	dump "$2" "$3"
	exit 0
fi
[ $# -eq 4 ] || { echo "usage: $0 LIBRARY.so HEADERS-DIR BASELINE.abi SUPPRESSIONS" >&2; exit 2; }
lib=$1 headers=$2 baseline=$3 suppr=$4
# One stream, so that each FAIL line follows the report it explains.
exec 2>&1

# The baseline was made on LP64 (x86_64); on a 32-bit ABI every size and
# offset differs, so there is nothing to compare with.  ELF class at byte 4:
# 2 means 64-bit.
if [ "$(od -An -tu1 -j4 -N1 "$lib" | tr -d ' ')" != 2 ]; then
	echo "SKIP: $lib is not a 64-bit ELF; the baseline is LP64" >&2
	exit 77
fi
need_debug_info "$lib"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dump "$lib" "$headers" > "$tmp/current.abi"
# HEADERS-DIR decides which types are public.  Check that it worked: the
# event structure is described, the opaque handle is not.
if ! grep -q "<class-decl name='proctrace_event' size-in-bits=" "$tmp/current.abi" ||
   grep -q "<class-decl name='proctrace' size-in-bits=" "$tmp/current.abi"; then
	echo "FAIL: unexpected ABI dump of $lib (private types in, or public ones out);" \
		"is $headers the directory of proctrace.h?" >&2
	exit 1
fi
fail=0

# 1. Types and functions.  abidiff exits non-zero for any change that the
#    suppressions do not cover; its report says what changed.
if ! "$ABIDIFF" --suppressions "$suppr" "$baseline" "$tmp/current.abi" > "$tmp/report" 2>&1; then
	echo "=== abidiff $(basename "$baseline") <current>, accepted changes suppressed:"
	cat "$tmp/report"
	echo "FAIL: the ABI changed incompatibly since the baseline" \
		"(see docs/abi.md for what is allowed)" >&2
	fail=1
fi

# 1b. The released part of each growable structure, unchanged.  libabigail
#    (2.2) applies "has_data_member_inserted_at = end" even when members
#    that already existed also moved or changed type, so check them
#    without it: cut each such structure in the current ABI back to its
#    released size (drop members at or past it) and compare again with
#    only the other suppressions (added functions).
awk '/^\[/ { t = ($0 == "[suppress_type]") } t && $1 == "name" { print $3 }' "$suppr" > "$tmp/growable"
awk '/^\[/ { t = ($0 == "[suppress_type]") } !t' "$suppr" > "$tmp/added-only.abignore"
# Released size in bits of every structure, "name size".
sed -n "s/.*<class-decl name='\([^']*\)' size-in-bits='\([0-9]*\)'.*/\1 \2/p" "$baseline" |
	sort -u > "$tmp/old-sizes"
awk -v q="'" '
	FNR == NR && FILENAME ~ /growable$/ { grow[$1] = 1; next }
	FILENAME ~ /old-sizes$/ { if ($1 in grow) size[$1] = $2; next }
	function attr(line, a,   s) {
		s = line
		if (!sub(".*" a "=" q, "", s)) return ""
		sub(q ".*", "", s)
		return s
	}
	/<class-decl / {
		n = attr($0, "name")
		if ((n in size) && $0 !~ /is-declaration-only/) {
			cut = size[n]
			sub("size-in-bits=" q "[0-9]*" q, "size-in-bits=" q cut q)
		}
	}
	/<\/class-decl>/ { cut = ""; print; next }
	cut != "" && /<data-member / && attr($0, "layout-offset-in-bits") + 0 >= cut + 0 { skip = 1 }
	skip { if (/<\/data-member>/) skip = 0; next }
	{ print }' "$tmp/growable" "$tmp/old-sizes" "$tmp/current.abi" > "$tmp/released-part.abi"
if ! "$ABIDIFF" --suppressions "$tmp/added-only.abignore" "$baseline" "$tmp/released-part.abi" > "$tmp/report-prefix" 2>&1; then
	echo "=== abidiff $(basename "$baseline") <current, with" \
		"$(tr '\n' ' ' < "$tmp/growable")cut back to their released size>:"
	cat "$tmp/report-prefix"
	echo "FAIL: the released ABI changed: a function, or a released member" \
		"of a structure moved, changed type or went away (docs/abi.md)" >&2
	fail=1
fi

# 2. Symbol versions.  Every released name@version must still be there,
#    and a new symbol must not join a node the release already had: an
#    application linked against the new library would otherwise load the
#    old one without a version error and fail on the missing symbol.
symbols "$baseline" > "$tmp/old"
symbols "$tmp/current.abi" > "$tmp/new"
if [ ! -s "$tmp/old" ] || [ ! -s "$tmp/new" ]; then
	echo "FAIL: no versioned symbols found in $baseline or in $lib" >&2
	exit 1
fi
missing=$(comm -23 "$tmp/old" "$tmp/new")
if [ -n "$missing" ]; then
	echo "FAIL: released symbols missing (removed or moved to another version node):" >&2
	echo "$missing" >&2
	fail=1
fi
sed 's/.*@//' "$tmp/old" | sort -u > "$tmp/old-nodes"
comm -13 "$tmp/old" "$tmp/new" > "$tmp/added"
while IFS=@ read -r name node; do
	if [ -z "$node" ]; then
		echo "FAIL: new symbol $name has no version node (lib/libproctrace.map)" >&2
		fail=1
	elif grep -qxF "$node" "$tmp/old-nodes"; then
		echo "FAIL: new symbol $name added to $node, which was already released;" \
			"put it in a new node" >&2
		fail=1
	fi
done < "$tmp/added"

# 3. Each version node inherits the one released before it, as the version
#    script must say ("PROCTRACE_0.2 { ... } PROCTRACE_0.1;").
readelf -V --wide "$lib" | awk '
	/^Version definition/ { d = 1; next }
	/^Version needs/ { d = 0 }
	d && /Name:/ && !/BASE/ { if (n) print n, p; n = $NF; p = "-" }
	d && /Parent 1:/ { p = $NF }
	END { if (n) print n, p }' | sort -V > "$tmp/nodes"
prev=
while read -r node parent; do
	if [ -n "$prev" ] && [ "$parent" != "$prev" ]; then
		echo "FAIL: version node $node must inherit $prev (} $prev;), not '$parent'" >&2
		fail=1
	fi
	prev=$node
done < "$tmp/nodes"

[ "$fail" -eq 0 ] || exit 1
echo "ABI compatible with $(basename "$baseline"): $(wc -l < "$tmp/old") released symbols kept, $(wc -l < "$tmp/added") added"
sed 's/^/  added: /' "$tmp/added"
cat "$tmp/report"
