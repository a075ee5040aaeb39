#!/bin/bash
# The Buildroot br2-external tree (buildroot/): Buildroot's own linter,
# check-package -b (../shared/tools/buildroot-check-package, or
# BR_CHECK_PACKAGE), reports 0 warnings on every file of it, and does
# report the faults it is there for in broken copies (so a linter that
# checks nothing cannot pass this). The hash file pins the LICENSE as it
# is; the tree's name, Config.in and .mk agree; the package asks for
# Buildroot's bearssl, jsmn and ca-certificates; and the Makefile keeps
# -Werror unless WERROR=0, which acmelet.mk passes. The build itself:
# 77-buildroot-build.t.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

BR=buildroot
PKG=$BR/package/acmelet
CP=${BR_CHECK_PACKAGE:-$PWD/../shared/tools/buildroot-check-package/check-package}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# ---- check-package -------------------------------------------------------
# It is a Python program of Buildroot's: the system python with Debian's
# python3-magic and python3-flake8, and shellcheck for init scripts.
# /work/shared is read-only: no byte code is written next to it.
checkpkg() { PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$CP" -b "$@" 2>&1; }
if [ ! -f "$CP" ]; then
	fail "Buildroot's check-package is at $CP (../shared/tools/buildroot-check-package, or set BR_CHECK_PACKAGE)"
elif ! /usr/bin/python3 -c 'import magic, flake8' 2>/dev/null ||
	! command -v shellcheck >/dev/null; then
	fail "check-package needs python3-magic, python3-flake8 and shellcheck (tests/lib/deps.sh installs them)"
else
	mapfile -t files < <(find "$BR" -type f -o -type l | sort)
	out=$(checkpkg "${files[@]}")
	rc=$?
	note "check-package -b ${files[*]}:"
	while IFS= read -r l; do note "$l"; done <<<"$out"
	is "$rc" 0 "check-package exits 0"
	like "$out" '(^|
)0 warnings generated' "check-package: 0 warnings on buildroot/"
	lines=$(sed -n 's/^\([0-9]*\) lines processed$/\1/p' <<<"$out")
	ok "it read the files (${lines:-no} lines processed)" test "${lines:-0}" -gt 100

	# The same files, broken the way check-package must notice.
	mkdir -p "$T/bad/package/acmelet"
	sed 's/^\tstart-stop-daemon --start/        start-stop-daemon --start/
s|^PIDFILE=.*|PIDFILE="/run/acmelet.pid"|' "$PKG/S50acmelet" \
		>"$T/bad/package/acmelet/S50acmelet"
	sed 's/^\tselect BR2_PACKAGE_JSMN/    select BR2_PACKAGE_JSMN/' \
		"$PKG/Config.in" >"$T/bad/package/acmelet/Config.in"
	sed 's/  LICENSE$/ LICENSE/' "$PKG/acmelet.hash" \
		>"$T/bad/package/acmelet/acmelet.hash"
	sed '1,5d' "$PKG/acmelet.mk" >"$T/bad/package/acmelet/acmelet.mk"
	out=$(checkpkg "$T"/bad/package/acmelet/*)
	isnt "$?" 0 "check-package fails on broken copies"
	like "$out" 'S50acmelet:[0-9]+: should be indented with tabs' "it sees a space-indented init script"
	like "$out" 'S50acmelet:[0-9]+: Incorrect PIDFILE' "a PIDFILE not /var/run/\$DAEMON.pid"
	like "$out" 'Config.in:[0-9]+: .*indent' "a Config.in indented with spaces"
	like "$out" 'acmelet.hash:[0-9]+: separation does not match' "a hash line with one space"
	like "$out" 'acmelet.mk:1: should be 80 hashes' "a .mk without its header"
fi

# ---- what the files say ----------------------------------------------------
name=$(sed -n 's/^name: *//p' "$BR/external.desc")
is "$name" ACMELET "external.desc: name ACMELET"
like "$(cat "$BR/Config.in")" "\\\$BR2_EXTERNAL_${name}_PATH/package/acmelet/Config.in" \
	"Config.in sources the package's Config.in through BR2_EXTERNAL_${name}_PATH"
like "$(cat "$BR/external.mk")" "BR2_EXTERNAL_${name}_PATH\\)/package/" \
	"external.mk includes the package .mk files through it"
for sym in BEARSSL JSMN CA_CERTIFICATES; do
	ok "Config.in selects BR2_PACKAGE_$sym" \
		grep -Eq "^[[:space:]]select BR2_PACKAGE_$sym(\$| )" "$PKG/Config.in"
done
ok "acmelet.mk builds after bearssl and jsmn (their staging headers)" \
	grep -qx 'ACMELET_DEPENDENCIES = bearssl jsmn' "$PKG/acmelet.mk"
like "$(cat "$PKG/acmelet.mk")" 'WERROR=0' "acmelet.mk passes WERROR=0"
want=$(sha256sum LICENSE | cut -d' ' -f1)
is "$(sed -n 's/^sha256  \([0-9a-f]*\)  LICENSE$/\1/p' "$PKG/acmelet.hash")" "$want" \
	"acmelet.hash pins LICENSE as it is (sha256 $want)"

# ---- the Makefile's -Werror switch --------------------------------------------
# make -n prints the compiler's command for one object, built nowhere.
cc_line() { make -n -B --no-print-directory BUILD="$T/b" "$@" "$T/b/src/log.o" 2>&1 | grep -- ' -c src/log.c'; }
like "$(cc_line)" ' -Werror( |$)' "a plain build keeps -Werror"
unlike "$(cc_line WERROR=0)" '-Werror' "WERROR=0 drops it"
like "$(SOURCE_DATE_EPOCH=1234567890 cc_line)" ' -DACMELET_BUILD_TIME=1234567890( |$)' \
	"SOURCE_DATE_EPOCH is the build time"
done_testing
