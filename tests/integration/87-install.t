#!/bin/bash
# make install (issue 13): with DESTDIR and PREFIX (and SBINDIR/MANDIR/...)
# it installs the binary, both man pages, the example configuration, the
# example hooks, the systemd unit and the BusyBox/SysV init script; find
# lists every file. man -l renders both pages, and man finds them through
# the installed MANPATH. The installed unit passes systemd-analyze verify
# (its ExecStart pointed at the DESTDIR binary, the only change) and its
# offline security analysis; the example configuration is one acmelet
# parses. The installed init script runs for real against Pebble, with
# Debian's start-stop-daemon and with BusyBox's (under busybox sh): start
# (a certificate is issued), reload (a section added to the configuration
# gets its certificate after SIGHUP), status, restart and stop.
# make install runs with -o "$ACMELET": the binary under test is installed
# as it is, never rebuilt.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

T=$PEBBLE_DIR/install
mkdir -p "$T"
# Whatever happens, no daemon started here outlives the test.
stop_daemons() {
	local f
	for f in "$T"/*.pid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
}
trap 'stop_daemons; pebble_stop' EXIT

inst() { # DESTDIR VAR=VALUE...: make install of $ACMELET
	local d=$1
	shift
	make -s --no-print-directory -o "$ACMELET" install BIN="$ACMELET" \
		DESTDIR="$d" "$@" >"$T/make.out" 2>&1
}

# ---- PREFIX=/usr -------------------------------------------------------
R=$T/root
ok "make install DESTDIR=... PREFIX=/usr" inst "$R" PREFIX=/usr || diag_file "$T/make.out"
(cd "$R" && find . -type f | sed 's|^\./||' | sort) >"$T/found"
note "installed files:"
sed 's/^/#   /' "$T/found"
{
	echo etc/init.d/acmelet
	echo usr/lib/systemd/system/acmelet.service
	echo usr/sbin/acmelet
	echo usr/share/doc/acmelet/acmelet.conf.example
	for e in docs/examples/*; do
		echo "usr/share/doc/acmelet/examples/${e##*/}"
	done
	echo usr/share/man/man5/acmelet.conf.5
	echo usr/share/man/man8/acmelet.8
} | sort >"$T/want"
is "$(cat "$T/found")" "$(cat "$T/want")" "find lists exactly the binary, both man pages, the example configuration, the examples and the units"
for f in $(cat "$T/want"); do
	ok "installed: /$f" test -s "$R/$f"
done
ok "the installed binary is the one under test" cmp -s "$ACMELET" "$R/usr/sbin/acmelet"
is "$(stat -c %a "$R/usr/sbin/acmelet" "$R/etc/init.d/acmelet" "$R/usr/share/man/man8/acmelet.8" "$R/usr/lib/systemd/system/acmelet.service" | tr '\n' ' ')" \
	"755 755 644 644 " "modes: binary and init script 0755, man page and unit 0644"
ok "the examples are installed executable" sh -c "for f in '$R'/usr/share/doc/acmelet/examples/*; do [ -x \"\$f\" ] || exit 1; done"
"$R/usr/sbin/acmelet" --version >"$T/version" 2>&1
like "$(head -n 1 "$T/version")" "^acmelet [0-9]" "the installed binary runs (--version)"

# ---- the man pages as installed ----------------------------------------
for p in man8/acmelet.8 man5/acmelet.conf.5; do
	MANWIDTH=80 man -l "$R/usr/share/man/$p" >"$T/man.out" 2>"$T/man.err"
	ok "man -l renders /usr/share/man/$p" grep -q "^SYNOPSIS\|^DESCRIPTION" "$T/man.out" || diag_file "$T/man.err"
	note "man -l $p: $(wc -l <"$T/man.out") lines, $(grep -c '^[A-Z][A-Z ]*$' "$T/man.out") sections"
done
ok "man -l acmelet.8 shows the OPTIONS, EXIT STATUS and CHALLENGE HOOK sections" \
	sh -c "MANWIDTH=80 man -l '$R/usr/share/man/man8/acmelet.8' 2>/dev/null | grep -c '^OPTIONS\$\|^EXIT STATUS\$\|^CHALLENGE HOOK\$' | grep -qx 3"
ok "man finds acmelet.conf(5) through the installed MANPATH" \
	sh -c "MANPATH='$R/usr/share/man' MANWIDTH=80 man 5 acmelet.conf 2>/dev/null | grep -q '^KEYS'"

# ---- the systemd unit -------------------------------------------------------
U=$R/usr/lib/systemd/system/acmelet.service
if command -v systemd-analyze >/dev/null; then
	# verify insists that ExecStart exists on this system and that man
	# finds the Documentation= pages: the binary is under DESTDIR, and
	# MANPATH is the installed one. Nothing else of the unit changes.
	mkdir -p "$T/unit"
	sed "s|^ExecStart=/usr/sbin/acmelet|ExecStart=$R/usr/sbin/acmelet|" "$U" >"$T/unit/acmelet.service"
	MANPATH=$R/usr/share/man systemd-analyze verify "$T/unit/acmelet.service" >"$T/verify" 2>&1
	rc=$?
	is "$rc:$(cat "$T/verify")" "0:" "systemd-analyze verify acmelet.service: exit 0, nothing to say"
	systemd-analyze security --offline=true "$T/unit/acmelet.service" >"$T/security" 2>&1
	score=$(sed -n 's/.*Overall exposure level for acmelet.service: \([0-9.]*\) .*/\1/p' "$T/security")
	note "systemd-analyze security --offline=true: exposure $score (0 best, 10 worst)"
	ok "exposure level below 3.0 (systemd calls <= 4.9 OK)" awk -v s="$score" 'BEGIN { exit !(s != "" && s < 3.0) }' ||
		diag_file "$T/security" 40
else
	fail "systemd-analyze is installed (Debian package systemd)"
fi
key() { sed -n "s/^$1=//p" "$U" | tr '\n' ' ' | sed 's/ $//'; }
is "$(key ExecStart)" "/usr/sbin/acmelet -c /etc/acmelet.conf --log syslog run" "ExecStart runs acmelet run"
is "$(key ExecReload)" '/bin/kill -HUP $MAINPID' "ExecReload sends SIGHUP"
like "$(key After)" "time-sync.target" "After= time-sync.target"
like "$(key After)" "network-online.target" "After= network-online.target"
like "$(key Wants)" "network-online.target" "Wants= network-online.target"
is "$(key NoNewPrivileges)" yes "NoNewPrivileges=yes"
is "$(key ProtectSystem)" strict "ProtectSystem=strict"
is "$(key ReadWritePaths)" "/etc/acmelet -/var/www/.well-known/acme-challenge" "writable: only the state and challenge directories"
is "$(key CapabilityBoundingSet)" CAP_NET_BIND_SERVICE "capability bounding set: CAP_NET_BIND_SERVICE only"
is "$(key AmbientCapabilities)" CAP_NET_BIND_SERVICE "ambient capabilities: CAP_NET_BIND_SERVICE only"

# What ProtectSystem=strict leaves writable is enough: an issuance (and
# its renewal) writes only under the state directory and the run directory
# (RuntimeDirectory=, ACMELET_RUNTIME_DIR). Every path a writing system
# call names is collected with strace.
WS=$T/wstate
conf_globals "$WS" >"$T/w.conf"
printf '[cert w]\nnames = w.example.test\n' >>"$T/w.conf"
for run in 1 2; do
	ACMELET_WRAP="strace -f -qq -o $T/wtrace.$run -e trace=open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,symlink,symlinkat,link,linkat,rmdir,truncate,chmod,fchmodat,chown,fchownat,utimensat" \
		run_conf "$T/w.conf" $([ "$run" = 2 ] && echo --force) renew
	is "$RUN_RC" 0 "an issuance under strace, run $run, exits 0" || diag_file "$RUN_ERR"
done
cat "$T"/wtrace.* | grep -vE '^[0-9]+ +(open|openat)\(.*O_RDONLY' |
	grep -E '^[0-9]+ +[a-z0-9]+\(' | grep -oE '"/[^"]*"' | tr -d '"' | sort -u >"$T/written"
note "paths written: $(wc -l <"$T/written") (e.g. $(head -n 1 "$T/written"))"
ok "paths were written at all (the trace works)" grep -q "^$WS/certs/w/" "$T/written"
is "$(grep -vE "^($WS|$ACMELET_RUNTIME_DIR)(/|\$)" "$T/written")" "" \
	"nothing is written outside the state and run directories (the unit's ReadWritePaths and RuntimeDirectory)"

# NoNewPrivileges and CapabilityBoundingSet=CAP_NET_BIND_SERVICE, as the
# unit sets them, applied by setpriv(1): an issuance needs nothing more.
if command -v setpriv >/dev/null; then
	ACMELET_WRAP="setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,+net_bind_service" \
		run_conf "$T/w.conf" --force renew
	is "$RUN_RC" 0 "an issuance with no_new_privs and only CAP_NET_BIND_SERVICE exits 0" || diag_file "$RUN_ERR"
	setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,+net_bind_service \
		grep "^CapEff" /proc/self/status >"$T/caps" 2>&1
	is "$(cat "$T/caps")" "$(printf 'CapEff:\t0000000000000400')" "setpriv leaves exactly CAP_NET_BIND_SERVICE (bit 10)"
else
	fail "setpriv is installed (Debian package util-linux)"
fi

# ---- other directories --------------------------------------------------
R2=$T/root2
ok "make install with PREFIX=/opt/a SBINDIR MANDIR DOCDIR INITDIR SYSTEMDUNITDIR" \
	inst "$R2" PREFIX=/opt/a SBINDIR=/opt/a/bin MANDIR=/opt/a/man DOCDIR=/opt/a/doc \
	INITDIR=/opt/a/init SYSTEMDUNITDIR=/opt/a/units
(cd "$R2" && find . -type f ! -path './opt/a/doc/examples/*' | sed 's|^\./||' | sort | tr '\n' ' ') >"$T/found2"
is "$(cat "$T/found2")" "opt/a/bin/acmelet opt/a/doc/acmelet.conf.example opt/a/init/acmelet opt/a/man/man5/acmelet.conf.5 opt/a/man/man8/acmelet.8 opt/a/units/acmelet.service " \
	"every directory variable is honoured"
like "$(grep '^ExecStart=' "$R2/opt/a/units/acmelet.service")" "^ExecStart=/opt/a/bin/acmelet " "the unit names the binary at SBINDIR"
like "$(grep '^DAEMON=' "$R2/opt/a/init/acmelet")" "/opt/a/bin/acmelet" "the init script names the binary at SBINDIR"
R3=$T/root3
ok "make install with the default PREFIX" inst "$R3"
ok "default PREFIX is /usr/local: /usr/local/sbin/acmelet, /usr/local/share/man/man8/acmelet.8" \
	test -x "$R3/usr/local/sbin/acmelet" -a -f "$R3/usr/local/share/man/man8/acmelet.8"

# ---- the example configuration --------------------------------------------
X=$R/usr/share/doc/acmelet/acmelet.conf.example
"$ACMELET" -c "$X" -d "$T/xstate" --log stderr status >"$T/x.out" 2>"$T/x.err"
is "$?" 0 "acmelet parses the example configuration (status exits 0)" || diag_file "$T/x.err"
is "$(grep -c '^  names:' "$T/x.out")" 3 "status lists its three certificates"
is "$(cat "$T/x.err")" "" "nothing on stderr"

# ---- the init script, for real ---------------------------------------------
I=$R/etc/init.d/acmelet
if command -v shellcheck >/dev/null; then
	ok "shellcheck -s sh dist/acmelet.init" shellcheck -s sh dist/acmelet.init
else
	fail "shellcheck is installed (Debian package shellcheck)"
fi
BB=$T/busybox-bin
mkdir -p "$BB"
BUSYBOX=$(command -v busybox) && ln -sf "$BUSYBOX" "$BB/start-stop-daemon"

initd() { # FLAVOUR ACTION: the installed init script, output in $T/initd.out
	local sh=sh path=$PATH
	if [ "$1" = busybox ]; then
		sh="$BUSYBOX sh"
		path=$BB:$PATH
	fi
	PATH=$path DAEMON=$ACMELET CONFIG=$CONF PIDFILE=$PID \
		OPTIONS="--log stderr" DEFAULTS=/nonexistent \
		timeout 120 $sh "$I" "$2" >"$T/initd.out" 2>&1
}
daemon_pid() { [ -s "$PID" ] && cat "$PID"; }
# gone PID: the process has ended. A zombie counts: start-stop-daemon
# leaves the daemon to init, which reaps it (this sandbox's PID 1 does
# not, so the dead daemon stays a zombie here).
gone() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
is_acmelet() { # PID: a live process running $ACMELET
	[ -n "$1" ] && [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$ACMELET")" ]
}

for flavour in debian busybox; do
	if [ "$flavour" = busybox ] && [ -z "$BUSYBOX" ]; then
		fail "busybox is installed (Debian package busybox)"
		continue
	fi
	S=$T/state-$flavour
	CONF=$T/$flavour.conf
	PID=$T/$flavour.pid
	conf_globals "$S" >"$CONF"
	printf '[cert one]\nnames = one.%s.test\n' "$flavour" >>"$CONF"
	initd "$flavour" start
	is "$?" 0 "$flavour: start exits 0"
	ok "$flavour: the pidfile names a running acmelet" wait_for 30 eval 'is_acmelet "$(daemon_pid)"'
	ok "$flavour: the daemon issues the configured certificate" \
		wait_for 120 test -s "$S/certs/one/live/cert.pem"
	ok "$flavour: live/cert.pem is for one.$flavour.test" \
		sh -c "openssl x509 -in '$S/certs/one/live/cert.pem' -noout -ext subjectAltName | grep -q 'DNS:one.$flavour.test'"
	first=$(daemon_pid)
	initd "$flavour" start
	like "$(cat "$T/initd.out")" "already running" "$flavour: a second start says it is already running"
	is "$(daemon_pid)" "$first" "$flavour: and starts nothing"
	initd "$flavour" status
	is "$?:$(cat "$T/initd.out")" "0:acmelet: running (pid $first)" "$flavour: status: running"

	printf '[cert two]\nnames = two.%s.test\n' "$flavour" >>"$CONF"
	initd "$flavour" reload
	is "$?" 0 "$flavour: reload exits 0"
	ok "$flavour: after reload (SIGHUP) the new section's certificate is issued" \
		wait_for 120 test -s "$S/certs/two/live/cert.pem"
	is "$(daemon_pid)" "$first" "$flavour: reload kept the same process"

	initd "$flavour" restart
	is "$?" 0 "$flavour: restart exits 0"
	ok "$flavour: restart: a new process" sh -c "[ -n '$(daemon_pid)' ] && [ '$(daemon_pid)' != '$first' ]"
	ok "$flavour: restart: the old one is gone" gone "$first"
	second=$(daemon_pid)
	ok "$flavour: the new process is acmelet" wait_for 30 is_acmelet "$second"

	initd "$flavour" stop
	is "$?" 0 "$flavour: stop exits 0"
	ok "$flavour: stop: the process is gone" gone "$second"
	ok "$flavour: stop: the pidfile is removed" test ! -e "$PID"
	initd "$flavour" status
	is "$?" 3 "$flavour: status after stop exits 3 (not running)"
	initd "$flavour" reload
	isnt "$?" 0 "$flavour: reload of a stopped service fails"
	initd "$flavour" stop
	is "$?:$(cat "$T/initd.out")" "0:acmelet: not running" "$flavour: stop when stopped: exit 0, not running"
	initd "$flavour" bogus
	is "$?" 2 "$flavour: an unknown action is a usage error"
done
done_testing
