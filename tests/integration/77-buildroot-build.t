#!/bin/bash
# The Buildroot package built outside a Buildroot tree, for mipsel: BearSSL
# is built from its source (Debian's bearssl 0.6, fetched by
# tests/buildroot/fetch-bearssl.sh into build-dl/) with the cross compiler
# mipsel-linux-gnu-gcc and staged as Buildroot's bearssl package does with
# its default BR2_SHARED_LIBS (make dll; inc/*.h and build/lib* into the
# staging and target directories), jsmn.h is staged as Buildroot's jsmn
# package does, then tests/buildroot/pkg.mk runs buildroot/external.mk and
# package/acmelet/acmelet.mk themselves: their copy of the source, their
# make call with Buildroot's variables, their install commands. The
# binary's compiler lines carry TARGET_CFLAGS, SOURCE_DATE_EPOCH as the
# build time and no -Werror; it is a 32-bit little-endian MIPS program
# that loads the staged libbearssl, and under qemu-mipsel it prints its
# version and issues a certificate from Pebble (10-issue-one.t, run with
# it). What is missing (cross compiler, qemu, the source) is a failure
# naming it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/child.sh

CROSS=mipsel-linux-gnu-
QEMU=qemu-mipsel
LIBC=/usr/mipsel-linux-gnu # libc6-mipsel-cross: ld.so.1 and libc for qemu
SRC=$PWD/build-dl/bearssl_0.6+dfsg.1.orig.tar.xz
EPOCH=1700000000
missing=""
for p in "${CROSS}gcc" "${CROSS}readelf" "$QEMU"; do
	command -v "$p" >/dev/null || missing="$missing $p"
done
[ -e "$LIBC/lib/ld.so.1" ] || missing="$missing $LIBC/lib/ld.so.1"
[ -r /usr/include/jsmn.h ] || missing="$missing /usr/include/jsmn.h"
[ -r "$SRC" ] || missing="$missing $SRC (tests/buildroot/fetch-bearssl.sh)"
if [ -n "$missing" ]; then
	fail "the mipsel build needs:$missing (tests/lib/deps.sh installs them)"
	done_testing
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
B=$T/build S=$T/staging D=$T/target
mkdir -p "$B" "$S" "$D"

# ---- bearssl and jsmn, as Buildroot's packages build and stage them ------
tar -C "$B" -xJf "$SRC" || fail "unpack $SRC"
BD=$B/bearssl-0.6
TARGET_CFLAGS="-D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 -Os -g0"
# build/obj first: BearSSL's rules miss that dependency in parallel builds
# (Buildroot patches them; this only makes the directory beforehand).
mkdir -p "$BD/build/obj"
if make -j2 -C "$BD" GIT_DIR=. CC="${CROSS}gcc" AR="${CROSS}ar" LD="${CROSS}ld" \
	LDDLL="${CROSS}gcc" CFLAGS="$TARGET_CFLAGS -fPIC" LDFLAGS="" dll \
	>"$T/bearssl.log" 2>&1; then
	pass "BearSSL 0.6 built for mipsel (make dll)"
else
	fail "BearSSL 0.6 built for mipsel (make dll)"
	diag_file "$T/bearssl.log"
fi
mkdir -p "$S/usr/include" "$S/usr/lib" "$D/usr/lib"
cp -dpfr "$BD"/inc/*.h "$S/usr/include/" && cp -dpfr "$BD"/build/lib* "$S/usr/lib/" &&
	cp -dpfr "$BD"/build/lib* "$D/usr/lib/"
like "$(${CROSS}readelf -h "$S/usr/lib/libbearssl.so" 2>&1)" 'Machine: +MIPS' \
	"the staged libbearssl.so is MIPS code"
install -D -m 0644 /usr/include/jsmn.h "$S/usr/include/jsmn.h"

# ---- acmelet, through external.mk and acmelet.mk -------------------------
if SOURCE_DATE_EPOCH=$EPOCH make -f tests/buildroot/pkg.mk \
	BR2_EXTERNAL_ACMELET_PATH="$PWD/buildroot" BUILD_DIR="$B" \
	STAGING_DIR="$S" TARGET_DIR="$D" TARGET_CROSS="$CROSS" \
	TARGET_CFLAGS="$TARGET_CFLAGS" acmelet >"$T/acmelet.log" 2>&1; then
	pass "acmelet.mk built and installed acmelet"
else
	fail "acmelet.mk built and installed acmelet"
	diag_file "$T/acmelet.log"
fi
BIN=$D/usr/sbin/acmelet
is "$(stat -c %a "$BIN" 2>&1)" 755 "/usr/sbin/acmelet installed, mode 0755"
is "$(stat -c %a "$D/etc/init.d/S50acmelet" 2>&1)" 755 "/etc/init.d/S50acmelet installed, mode 0755"
is "$(stat -c %a "$D/usr/lib/systemd/system/acmelet.service" 2>&1)" 644 \
	"/usr/lib/systemd/system/acmelet.service installed, mode 0644"
ok "the unit is dist/acmelet.service" \
	cmp -s dist/acmelet.service "$D/usr/lib/systemd/system/acmelet.service"
is "$(stat -c %a "$D/etc/acmelet" 2>&1)" 700 "the state directory /etc/acmelet, mode 0700"
cc=$(grep -- ' -c src/cli.c' "$T/acmelet.log")
like "$cc" "^${CROSS}gcc .*-Os -g0 -I$S/usr/include .*-std=c11" \
	"compiled by TARGET_CC with TARGET_CFLAGS, then the Makefile's own flags"
like "$cc" " -DACMELET_BUILD_TIME=$EPOCH( |$)" "the build time is SOURCE_DATE_EPOCH"
unlike "$(grep -- ' -c src/' "$T/acmelet.log")" '-Werror' "no -Werror (WERROR=0)"
# The make dependencies (-MMD) list the headers found outside the system
# directories: the staged ones, not the host's /usr/include copies.
deps=$(cat "$B"/acmelet-*/build-buildroot/src/*.d "$B"/acmelet-*/build-buildroot/src/http/*.d 2>&1)
like "$deps" "$S/usr/include/bearssl\.h" "compiled with the staged bearssl.h"
like "$deps" "$S/usr/include/jsmn\.h" "and the staged jsmn.h"
like "$cc" 'HTTP_BEARSSL' "with the BearSSL transport (configs/staticconfig)"

# The copy of the source has the developer's build/ (make check built it
# first): host objects that acmelet.mk must not take for its own.
if [ -d build ]; then
	ok "the copied source has the host's build/, left alone" \
		test -d "$(echo "$B"/acmelet-*/build)"
fi
h=$(${CROSS}readelf -h "$BIN" 2>&1)
like "$h" 'Class: +ELF32' "acmelet is a 32-bit ELF"
like "$h" 'Data: +2.s complement, little endian' "little endian"
like "$h" 'Machine: +MIPS' "MIPS"
like "$(${CROSS}readelf -d "$BIN" 2>&1)" 'NEEDED.*\[libbearssl\.so' \
	"linked against the staged libbearssl.so"

# ---- under qemu ------------------------------------------------------------
# qemu-user takes ld.so.1 and libc from LIBC, libbearssl from the target
# directory, as the device would from /usr/lib.
export QEMU_LD_PREFIX=$LIBC
out=$(QEMU_SET_ENV=LD_LIBRARY_PATH=$D/usr/lib,LD_DEBUG=libs \
	timeout 120 "$QEMU" "$BIN" --version 2>&1)
rc=$?
is "$rc" 0 "qemu-mipsel acmelet --version exits 0"
ver=$(grep -v '^ *[0-9]*:' <<<"$out")
while IFS= read -r l; do note "$l"; done <<<"$ver"
like "$ver" '^acmelet [0-9]+\.[0-9]+' "it prints its version"
like "$ver" 'HTTP_BEARSSL' "and its parts"
like "$out" "calling init: $D/usr/lib/libbearssl\\.so" \
	"it runs with the BearSSL built here (ld.so: $D/usr/lib/libbearssl.so)"

export QEMU_SET_ENV=LD_LIBRARY_PATH=$D/usr/lib
run_child "mipsel under qemu" env ACMELET="$BIN" ACMELET_WRAP="$QEMU" \
	ACMELET_TIMEOUT=300 bash tests/integration/10-issue-one.t
done_testing
