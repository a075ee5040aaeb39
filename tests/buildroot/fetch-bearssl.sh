#!/bin/sh
# Brings BearSSL's source into DIR for tests/integration/77-buildroot-build.t,
# which builds it for mipsel the way Buildroot's bearssl package does.
# The source is Debian's (bearssl 0.6+dfsg.1: the upstream 0.6 release
# less T0Comp.exe, a prebuilt .NET program the build does not run),
# fetched with apt-get source from the Debian archive, whose signed index
# vouches for it, and pinned here by its SHA-256 as well. apt works on a
# private state under DIR: the system's sources and lists stay as they
# are. Silent when DIR already holds the right tarball.
# usage: tests/buildroot/fetch-bearssl.sh [DIR]   (default: build-dl)
set -u
cd "$(dirname "$0")/../.." || exit 1
dir=${1:-build-dl}
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
tarball=bearssl_0.6+dfsg.1.orig.tar.xz
sha256=102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004

have() { echo "$sha256  $dir/$tarball" | sha256sum -c --status 2>/dev/null; }
have && exit 0

mkdir -p "$dir" || exit 1
apt=$(mktemp -d "$dir/apt.XXXXXX") || exit 1
trap 'rm -rf "$apt"' EXIT
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" &&
	: >"$apt/sources.list" || exit 1
cat >"$apt/parts/debian-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
set -- -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts" \
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" \
	-o APT::Sandbox::User="$(id -un)"
echo "fetch-bearssl: apt-get source bearssl=0.6+dfsg.1-3 into $dir"
if ! apt-get "$@" -qq update </dev/null ||
	! (cd "$apt" && apt-get "$@" -qq source --download-only \
		bearssl=0.6+dfsg.1-3 </dev/null >/dev/null) ||
	! mv "$apt/$tarball" "$dir/$tarball"; then
	echo "fetch-bearssl: could not fetch Debian's bearssl source" >&2
	exit 1
fi
have || {
	echo "fetch-bearssl: $dir/$tarball: SHA-256 is not $sha256" >&2
	exit 1
}
