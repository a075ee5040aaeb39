#!/bin/bash
# make cross-check ARCH=mipsel|s390x: the BearSSL-transport build
# (configs/staticconfig) made by Debian's cross compiler, its unit tests
# run under qemu-user, then issuances against a local Pebble by the target
# binary under qemu (tests/integration/10 and 11 with ACMELET_WRAP).
# mipsel is 32-bit little-endian, s390x 64-bit big-endian: byte order and
# 32-bit bugs show here. qemu-user finds the target's loader and libraries
# through multiarch (/lib/ld.so.1 -> /lib/mipsel-linux-gnu/...), and its
# sockets are the host's, so loopback reaches Pebble.
# usage: tests/cross/run.sh ARCH      (as make cross-check ARCH=... runs it)
set -u
cd "$(dirname "$0")/../.." || exit 1
arch=${1:?usage: tests/cross/run.sh ARCH}
case $arch in
mipsel) triplet=mipsel-linux-gnu qemu=qemu-mipsel ;;
s390x) triplet=s390x-linux-gnu qemu=qemu-s390x ;;
*) echo "cross-check: ARCH must be mipsel or s390x" >&2; exit 2 ;;
esac

tests/cross/deps.sh "$arch" || exit 1
tests/lib/deps.sh || exit 1 # pebble, openssl, python3 for the tests

# The Makefile asks 32-bit glibc for 64-bit off_t and time_t (found here:
# readdir() failed with EOVERFLOW under qemu, dates after 2038 wrapped).
# make does not track flags: a cross build always starts clean.
B=build/cross-$arch
rm -rf "$B"
make -j2 BUILD="$B" CONFIG=configs/staticconfig CC="$triplet-gcc" \
	AR="$triplet-ar" all unit || exit 1
file -L "$B/acmelet" 2>/dev/null || true
"$qemu" "$B/acmelet" --version || exit 1

shopt -s nullglob
units=("$B"/tests/test_*)
rc=0
echo "cross-check $arch: unit tests under $qemu"
prove --exec "$qemu" "${units[@]}" || rc=1
echo "cross-check $arch: issuance against Pebble under $qemu"
ACMELET=$PWD/$B/acmelet ACMELET_WRAP=$qemu ACMELET_TIMEOUT=300 \
	prove tests/integration/10-issue-one.t tests/integration/11-issue-three.t ||
	rc=1
[ "$rc" -eq 0 ] && echo "cross-check $arch: PASS" || echo "cross-check $arch: FAIL"
exit "$rc"
