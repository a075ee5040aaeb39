#!/bin/sh
# Installs the Debian 12 packages that building and testing acmelet need,
# only those missing. As root it installs them; otherwise it names them and
# fails. Silent when nothing is missing.

PACKAGES="build-essential make libbearssl-dev libcurl4-openssl-dev libjsmn-dev
pebble openssl ca-certificates curl perl valgrind clang libclang-rt-dev
python3 procps strace busybox shellcheck musl-tools file python3-cryptography time
bind9 bind9-utils bind9-dnsutils uacme
mandoc man-db systemd nginx lighttpd lighttpd-mod-openssl
python3-magic python3-flake8 gcc-mipsel-linux-gnu libc6-dev-mipsel-cross
qemu-user"
# libclang-rt-dev: clang's sanitizer runtimes, only a Recommends of clang.
# musl-tools: make static (musl-gcc); file: 50-static.t asks it.
# bind9 (named, tsig-keygen), bind9-dnsutils (dig, nsupdate): the DNS
# tests' authoritative server and their checks; uacme: its nsupdate.sh,
# and its uacme.sh, the real hook 91-challenge-hook.t runs.
# mandoc (lint) and man-db (man -l): the man pages, 86-man.t and
# 87-install.t; systemd: systemd-analyze verify of dist/acmelet.service;
# nginx, lighttpd (+ its mod_openssl): the real servers the deploy hooks of docs/examples/
# reload in 78-examples.t.
# python3-magic, python3-flake8 (and shellcheck): Buildroot's check-package
# (76-buildroot.t); the mipsel cross compiler, its libc and qemu-user:
# 77-buildroot-build.t, which also needs BearSSL's source (fetched below).

# Only the native (or arch: all) package counts: make cross-check adds
# foreign ones (libbearssl-dev:mipsel), which dpkg-query lists too.
native=$(dpkg --print-architecture)
missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "$p" 2>/dev/null |
		grep -qE "^installed ($native|all)\$" || missing="$missing $p"
done
# Debian's bearssl source into build-dl/, once (77-buildroot-build.t fails,
# saying so, without it).
"$(dirname "$0")/../buildroot/fetch-bearssl.sh" ||
	echo "deps.sh: no BearSSL source: 77-buildroot-build.t will fail" >&2
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing Debian packages:$missing (as root: apt-get install$missing)" >&2
	exit 1
fi

echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null || exit 1
# The packages' own daemons (nginx and lighttpd both on port 80, named)
# must not start: tests run their own on loopback ports. Docker's Debian
# images deny it already (policy-rc.d); elsewhere, for this install only.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d &&
		chmod 755 /usr/sbin/policy-rc.d &&
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends $missing </dev/null || exit 1
