#!/bin/sh
# Installs what `make cross-check ARCH=...` needs on Debian 12, only what is
# missing: the cross compiler, BearSSL and jsmn for the target architecture
# (multiarch), and qemu-user to run the target's binaries here. As root it
# installs; otherwise it names the packages and fails. Idempotent: silent
# when nothing is missing.
# usage: tests/cross/deps.sh ARCH      (Debian arch: mipsel, s390x, ...)
set -u
arch=${1:?usage: deps.sh ARCH}
case $arch in
mipsel) triplet=mipsel-linux-gnu ;;
s390x) triplet=s390x-linux-gnu ;;
armhf) triplet=arm-linux-gnueabihf ;;
arm64) triplet=aarch64-linux-gnu ;;
mips64el) triplet=mips64el-linux-gnuabi64 ;;
ppc64el) triplet=powerpc64le-linux-gnu ;;
*) echo "deps.sh: unsupported ARCH $arch" >&2; exit 2 ;;
esac

need="gcc-$triplet libc6-dev-$arch-cross libbearssl-dev:$arch qemu-user
libjsmn-dev"

missing=""
for p in $need; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "cross/deps.sh: missing:$missing (as root: dpkg --add-architecture $arch; apt-get update; apt-get install$missing)" >&2
	exit 1
fi

echo "cross/deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	dpkg --add-architecture "$arch" || exit 1
fi
apt-get update -qq </dev/null || exit 1
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends $missing \
	</dev/null || exit 1
