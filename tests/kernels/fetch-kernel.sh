#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# Usage: fetch-kernel.sh SERIES CACHE_DIR
#
# Prints the path of the kernel image (vmlinuz) of the newest Debian amd64
# kernel package of SERIES (5.10: Debian 11's own kernel; 6.1: Debian 12's
# own kernel; 6.12: the kernel Debian 12 offers besides it), fetched with
# `apt-get download` and kept in CACHE_DIR so that a rerun fetches
# nothing.  The newest ABI is chosen at run time from what apt knows (no
# ABI number is written down here).
#
# Where apt finds the packages: the machine's own apt sources first (Debian
# 12's security suite carries linux-6.12 too).  If they have no package of
# the series, the series' own suites are tried: Debian 11's main and
# security suites for 5.10, the release's backports suite for the others.
# Each comes from the same mirror as the machine's own entry for its main
# (or security) suite, through a private apt state in CACHE_DIR: the
# machine's apt configuration is left as it is.
#
# Exit status: 0 and the path on stdout, or 1 with the reason on stderr.
set -euo pipefail

series=${1:?usage: fetch-kernel.sh SERIES CACHE_DIR}
cache=${2:?usage: fetch-kernel.sh SERIES CACHE_DIR}
case $series in
5.10)	pattern='^linux-image-5\.10\.0-[0-9]+-amd64$' ;;
6.1)	pattern='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
6.12)	pattern='^linux-image-6\.12\.[0-9]+\+[a-z0-9.]+-amd64$' ;;
*)	echo "fetch-kernel.sh: unknown series $series (5.10, 6.1 or 6.12)" >&2; exit 1 ;;
esac
mkdir -p "$cache/debs"
cache=$(cd "$cache" && pwd)

# The newest package of the series that has a candidate version, with
# the apt options given; nothing if there is none.
newest() {
	local names
	names=$(apt-cache "$@" pkgnames "linux-image-$series" 2>/dev/null |
		grep -E "$pattern" || true)
	[ -n "$names" ] || return 0
	# shellcheck disable=SC2086
	apt-cache "$@" policy $names 2>/dev/null |
		awk '/^[^ ]/ { p = $1; sub(":$", "", p) }
		     /^  Candidate: [0-9]/ { print p }' | sort -V | tail -n 1
}

# The mirror of the machine's own entry for SUITE/main, as apt itself
# reports it (one-line and deb822 sources alike):
# " 500 URI SUITE/main amd64 Packages".
mirror_of() {
	apt-cache policy 2>/dev/null |
		awk -v s="$1/main" '$3 == s && $4 == "amd64" { print $2; exit }'
}

# private_opts NAME 'FROM TO'...: the apt options of a private apt state
# in CACHE_DIR/apt-NAME whose sources are, for each pair, suite TO from
# the mirror of the machine's own entry for suite FROM.
private_opts() {
	local dir=$cache/apt-$1 pair from to uri
	shift
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts"
	: >"$dir/sources.list"
	for pair; do
		read -r from to <<<"$pair"
		uri=$(mirror_of "$from")
		if [ -z "$uri" ]; then
			echo "fetch-kernel.sh: no apt source for the suite $from/main to derive $to from" >&2
			return 1
		fi
		echo "deb $uri $to main" >>"$dir/sources.list"
	done
	echo "fetch-kernel.sh: no linux-image-$series in the machine's apt sources; trying $(cut -d" " -f3 "$dir/sources.list" | paste -sd" ")" >&2
	echo "-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=$dir/parts -o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache"
}

# The suites that carry SERIES when the machine's own sources do not.
series_opts() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	if [ -z "$codename" ]; then
		echo "fetch-kernel.sh: /etc/os-release names no release (VERSION_CODENAME) to find its apt sources" >&2
		return 1
	fi
	case $series in
	5.10)	private_opts bullseye "$codename bullseye" \
			"$codename-security bullseye-security" ;;
	*)	private_opts backports "$codename $codename-backports" ;;
	esac
}

opts=()
pkg=$(newest)
if [ -z "$pkg" ]; then
	if extra=$(series_opts); then
		read -r -a opts <<<"$extra"
		apt-get "${opts[@]}" -q update >&2 || true
		pkg=$(newest "${opts[@]}")
	fi
fi

if [ -z "$pkg" ]; then
	# Offline: the newest image fetched before, if any.
	old=$(ls "$cache"/vmlinuz-linux-image-"$series"[.-]* 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -n "$old" ]; then
		echo "fetch-kernel.sh: apt knows no linux-image-$series package; using the one fetched before: $old" >&2
		echo "$old"
		exit 0
	fi
	echo "fetch-kernel.sh: no Debian linux-image-$series amd64 package found by apt (run apt-get update; is the machine online?)" >&2
	exit 1
fi

image=$cache/vmlinuz-$pkg
if [ ! -s "$image" ]; then
	if ! ls "$cache/debs/${pkg}"_*.deb >/dev/null 2>&1; then
		# Older images of the series go: the cache keeps one per series.
		rm -f "$cache"/debs/linux-image-"$series"[.-]*.deb \
		      "$cache"/vmlinuz-linux-image-"$series"[.-]*
		(cd "$cache/debs" &&
		 apt-get "${opts[@]}" -q -o APT::Sandbox::User=root download "$pkg" >&2) || {
			echo "fetch-kernel.sh: apt-get download $pkg failed" >&2
			exit 1
		}
	fi
	deb=$(ls "$cache/debs/${pkg}"_*.deb | head -n 1)
	# Only the image is needed: not the thousands of modules.
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards './boot/vmlinuz-*' >"$image.tmp"
	if [ ! -s "$image.tmp" ]; then
		echo "fetch-kernel.sh: $deb holds no ./boot/vmlinuz-*" >&2
		rm -f "$image.tmp"
		exit 1
	fi
	mv "$image.tmp" "$image"
fi
echo "$image"
