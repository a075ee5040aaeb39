#!/bin/bash
# The Buildroot br2-external tree (buildroot/): Buildroot's own linter,
# check-package -b (../shared/tools/buildroot-check-package, or
# BR_CHECK_PACKAGE), reports 0 warnings on every file of it, and does
# report the faults it is there for in broken copies (so a linter that
# checks nothing cannot pass this). The hash file pins the LICENSE as it
# is; the tree's name, Config.in and .mk agree; the package asks for
# Buildroot's bearssl, jsmn and ca-certificates; and the Makefile keeps
# -Werror unless WERROR=0, which acmelet.mk passes. The systemd unit is
# the project's (dist/acmelet.service, linked) and names the binary where
# acmelet.mk installs it. S50acmelet runs for real against Pebble, with
# Debian's start-stop-daemon and with BusyBox's (the one Buildroot's
# systems have): start, an issuance, reload (SIGHUP), stop. The build
# itself: 77-buildroot-build.t.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh

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

# ---- the init scripts ------------------------------------------------------
ok "package/acmelet/acmelet.service is a link to dist/acmelet.service" \
	test "$(readlink -f "$PKG/acmelet.service")" = "$PWD/dist/acmelet.service"
like "$(grep '^ExecStart=' "$PKG/acmelet.service")" '^ExecStart=/usr/sbin/acmelet ' \
	"the unit runs /usr/sbin/acmelet"
ok "acmelet.mk installs the binary there" \
	grep -q 'TARGET_DIR)/usr/sbin/acmelet$' "$PKG/acmelet.mk"
# shellcheck disable=SC2016 # a literal $DAEMON
like "$(grep -- '--exec' "$PKG/S50acmelet")" '"/usr/sbin/\$DAEMON"' "and S50acmelet runs that"

# S50acmelet with its three fixed paths (the binary, the pidfile,
# /etc/default) moved under $T; nothing else changed.
pebble_setup
mkdir -p "$T/sbin" "$T/default" "$T/bb"
cp "$ACMELET" "$T/sbin/acmelet"
sed "s|\"/usr/sbin/\$DAEMON\"|\"$T/sbin/\$DAEMON\"|
s|^PIDFILE=\"/var/run/|PIDFILE=\"$T/|
s|\"/etc/default/\$DAEMON\"|\"$T/default/\$DAEMON\"|g" "$PKG/S50acmelet" >"$T/S50acmelet"
is "$(diff "$PKG/S50acmelet" "$T/S50acmelet" | grep -c '^>')" 6 "the test's copy differs in 6 lines (paths)"
PID=$T/acmelet.pid
BUSYBOX=$(command -v busybox) && ln -sf "$BUSYBOX" "$T/bb/start-stop-daemon"
s50() { # FLAVOUR ACTION: output in $T/s50.out
	local sh=sh path=$PATH
	if [ "$1" = busybox ]; then
		sh="$BUSYBOX sh" path=$T/bb:$PATH
	fi
	# shellcheck disable=SC2086 # "busybox sh" is two words
	PATH=$path timeout 120 $sh "$T/S50acmelet" "$2" >"$T/s50.out" 2>&1
}
daemon_pid() { [ -s "$PID" ] && cat "$PID"; }
# shellcheck disable=SC2317 # called through wait_for
running() { [ -n "$1" ] && [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$T/sbin/acmelet" ]; }
for flavour in debian busybox; do
	if [ "$flavour" = busybox ] && [ -z "$BUSYBOX" ]; then
		fail "busybox is installed (Debian package busybox)"
		continue
	fi
	S=$T/state-$flavour
	CONF=$T/$flavour.conf
	conf_globals "$S" >"$CONF"
	printf '[cert one]\nnames = one.%s.test\n' "$flavour" >>"$CONF"
	echo "ACMELET_ARGS=\"-c $CONF --log stderr\"" >"$T/default/acmelet"
	s50 "$flavour" start
	is "$?:$(cat "$T/s50.out")" "0:Starting acmelet: OK" "$flavour: start"
	# shellcheck disable=SC2016 # evaluated at each try
	ok "$flavour: the pidfile names a running acmelet" wait_for 30 eval 'running "$(daemon_pid)"'
	ok "$flavour: acmelet run issues the configured certificate" \
		wait_for 120 test -s "$S/certs/one/live/cert.pem"
	first=$(daemon_pid)
	printf '[cert two]\nnames = two.%s.test\n' "$flavour" >>"$CONF"
	s50 "$flavour" reload
	is "$?:$(cat "$T/s50.out")" "0:Reloading acmelet: OK" "$flavour: reload"
	ok "$flavour: after SIGHUP the new section's certificate is issued" \
		wait_for 120 test -s "$S/certs/two/live/cert.pem"
	is "$(daemon_pid)" "$first" "$flavour: by the same process"
	s50 "$flavour" stop
	is "$?:$(cat "$T/s50.out")" "0:Stopping acmelet: OK" "$flavour: stop"
	ok "$flavour: the process is gone" sh -c "! test -d /proc/$first || grep -q '^[0-9]* ([^)]*) Z' /proc/$first/stat"
	ok "$flavour: the pidfile is removed" test ! -e "$PID"
	s50 "$flavour" stop
	isnt "$?" 0 "$flavour: stop when stopped fails"
	s50 "$flavour" bogus
	is "$?:$(cat "$T/s50.out")" "1:Usage: $T/S50acmelet {start|stop|restart|reload}" \
		"$flavour: an unknown action: usage, exit 1"
done

# ---- the Makefile's -Werror switch --------------------------------------------
# make -n prints the compiler's command for one object, built nowhere.
cc_line() { make -n -B --no-print-directory BUILD="$T/b" "$@" "$T/b/src/log.o" 2>&1 | grep -- ' -c src/log.c'; }
like "$(cc_line)" ' -Werror( |$)' "a plain build keeps -Werror"
unlike "$(cc_line WERROR=0)" '-Werror' "WERROR=0 drops it"
like "$(SOURCE_DATE_EPOCH=1234567890 cc_line)" ' -DACMELET_BUILD_TIME=1234567890( |$)' \
	"SOURCE_DATE_EPOCH is the build time"
done_testing
