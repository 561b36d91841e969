#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs the build into a temporary DESTDIR and builds an out-of-tree
# consumer against it with pkg-config alone, linked both against the shared
# library and statically against libproctrace.a, then runs both; checks
# that bootstrap-cli and the man pages are installed too.
# Usage: check-install.sh BUILD-DIR CONSUMER.c
set -eu
build=$1
consumer=$2
cc=${CC:-cc}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet

pc=$(find "$dest" -name proctrace.pc)
[ -n "$pc" ] || { echo "proctrace.pc was not installed" >&2; exit 1; }
header=$(find "$dest" -path '*/include/proctrace/proctrace.h')
[ -n "$header" ] || { echo "proctrace/proctrace.h was not installed" >&2; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
for f in libproctrace.so libproctrace.so.0 libproctrace.a; do
	[ -e "$libdir/$f" ] || { echo "$f missing from $libdir" >&2; exit 1; }
done
soname=$(readelf -d "$libdir/libproctrace.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libproctrace.so.0 ] || { echo "soname is '$soname'" >&2; exit 1; }

# The CLI and the man pages, and the CLI runs against the installed library.
cli=$(find "$dest" -type f -name bootstrap-cli)
[ -n "$cli" ] || { echo "bootstrap-cli was not installed" >&2; exit 1; }
for page in man3/proctrace.3 man8/bootstrap-cli.8; do
	[ -n "$(find "$dest" -path "*/share/man/$page")" ] ||
		{ echo "man page $page was not installed" >&2; exit 1; }
done
if readelf -d "$cli" | grep -Eq 'R(UN)?PATH'; then
	echo "installed bootstrap-cli keeps a build-tree RPATH" >&2
	exit 1
fi
LD_LIBRARY_PATH="$libdir" "$cli" --version | grep -qx "bootstrap-cli .* (libproctrace .*)" ||
	{ echo "installed bootstrap-cli --version failed" >&2; exit 1; }

# pkg-config finds the installed copy; the sysroot maps its paths into $dest.
export PKG_CONFIG_PATH="$(dirname "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$dest"
echo "pkg-config: $(pkg-config --cflags --libs proctrace)"

"$cc" -Wall -Werror -o "$dest/consumer" "$consumer" $(pkg-config --cflags --libs proctrace)
LD_LIBRARY_PATH="$libdir" "$dest/consumer"

# Static: libproctrace.a plus what Requires.private/Libs.private name.
static_libs=$(pkg-config --static --libs proctrace | sed 's/-lproctrace/-l:libproctrace.a/')
"$cc" -Wall -Werror -o "$dest/consumer-static" "$consumer" \
	$(pkg-config --cflags proctrace) $static_libs
if readelf -d "$dest/consumer-static" | grep -q 'libproctrace'; then
	echo "consumer-static still links libproctrace dynamically" >&2
	exit 1
fi
"$dest/consumer-static"
echo "install test passed"
