#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs the build into a temporary DESTDIR and builds an out-of-tree
# consumer against it with pkg-config alone, linked both against the shared
# library and statically against libproctrace.a, then runs both; checks
# that bootstrap-cli, proctrace-timeline (beside it) and the man pages
# are installed too, and that both programs outside /usr run without
# LD_LIBRARY_PATH.
# Usage: check-install.sh BUILD-DIR CONSUMER.c PREFIX
set -eu
build=$1
consumer=$2
prefix=$3
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

# The CLIs and the man pages, and the CLIs run against the installed library.
cli=$(find "$dest" -type f -name bootstrap-cli)
[ -n "$cli" ] || { echo "bootstrap-cli was not installed" >&2; exit 1; }
timeline=$(find "$dest" -type f -name proctrace-timeline)
[ -n "$timeline" ] || { echo "proctrace-timeline was not installed" >&2; exit 1; }
[ "$(dirname "$timeline")" = "$(dirname "$cli")" ] ||
	{ echo "proctrace-timeline is not installed beside bootstrap-cli" >&2; exit 1; }
for page in man3/proctrace.3 man8/bootstrap-cli.8 man1/proctrace-timeline.1; do
	[ -n "$(find "$dest" -path "*/share/man/$page")" ] ||
		{ echo "man page $page was not installed" >&2; exit 1; }
done
# Outside /usr they find their library by themselves: a run path relative
# to themselves ($ORIGIN), never one into the build tree.  DESTDIR is such
# a prefix: run them there without LD_LIBRARY_PATH, and they must load the
# library installed next to them.
for prog in "$cli" "$timeline"; do
	name=$(basename "$prog")
	readelf -d "$prog" | grep -q 'NEEDED.*libproctrace\.so\.0' ||
		{ echo "$name does not link libproctrace.so.0" >&2; exit 1; }
	runpath=$(readelf -d "$prog" | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]/\2/p')
	if [ "$prefix" = /usr ]; then
		[ -z "$runpath" ] || { echo "$name installed in /usr has a run path: $runpath" >&2; exit 1; }
	else
		case $runpath in
		'$ORIGIN/'*) ;;
		*) echo "installed $name has run path '$runpath', not one relative to \$ORIGIN" >&2; exit 1 ;;
		esac
		loaded=$(env -u LD_LIBRARY_PATH ldd "$prog" | sed -n 's/.*libproctrace\.so\.0 => \([^ ]*\).*/\1/p')
		[ "$(readlink -f "$loaded")" = "$(readlink -f "$libdir/libproctrace.so.0")" ] ||
			{ echo "installed $name loads '$loaded', not $libdir/libproctrace.so.0" >&2; exit 1; }
		env -u LD_LIBRARY_PATH "$prog" --version | grep -qx "$name .* (libproctrace .*)" ||
			{ echo "installed $name --version failed without LD_LIBRARY_PATH" >&2; exit 1; }
	fi
	LD_LIBRARY_PATH="$libdir" "$prog" --version | grep -qx "$name .* (libproctrace .*)" ||
		{ echo "installed $name --version failed" >&2; exit 1; }
done

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
