#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The man pages render without a single groff warning, each names the
# project's version in its title line (.TH ... "libproctrace VERSION"), and
# proctrace(3) names every function the version script exports, so that a
# new symbol cannot ship undocumented.
# Usage: check-man.sh VERSION VERSION-SCRIPT PAGE...
set -eu
version=$1
map=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
for page in "$@"; do
	LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2> "$tmp/warnings" || status=1
	if [ -s "$tmp/warnings" ]; then
		echo "$page: groff warnings:" >&2
		cat "$tmp/warnings" >&2
		status=1
	fi
	if ! grep '^\.TH ' "$page" | grep -qF " \"libproctrace $version\" "; then
		echo "$page: its .TH line does not say \"libproctrace $version\":" >&2
		grep '^\.TH' "$page" >&2 || echo "(no .TH line)" >&2
		status=1
	fi
	case $page in
	*/proctrace.3) api_page=$page ;;
	esac
done
if [ -z "${api_page:-}" ]; then
	echo "proctrace.3 is not among the pages given" >&2
	exit 1
fi

# The NAME section: from ".SH NAME" to the next ".SH".
awk '/^\.SH NAME/ { n = 1; next } /^\.SH/ { n = 0 } n' "$api_page" |
	tr -c 'a-z_\n' '\n' | grep '^proctrace_' | sort -u > "$tmp/named"
sed -e 's,/\*.*\*/,,' "$map" |
	awk '/global:/ { g = 1; next } /local:/ || /^[ \t]*}/ { g = 0 } g && /;/ { gsub(/[ \t;]/, ""); if ($0 != "") print }' |
	sort -u > "$tmp/exported"
if ! diff -u "$tmp/exported" "$tmp/named"; then
	echo "the NAME section of $api_page (+) differs from the exported symbols (-)" >&2
	status=1
fi
[ $status = 0 ] && echo "$# pages clean; $(wc -l < "$tmp/named") functions documented"
exit $status
