# OpenWrt's acme-common driving the acmelet backend (openwrt/acmelet/files/
# hook) against Pebble, through ../shared/openwrt-harness (see its README):
# acme-common's real init script, functions.sh and notify, a real uci, and
# emulated procd, ubus, logger and nft. Sourced after tap.sh and pebble.sh
# (and bind.sh for DNS), once Pebble runs.
#
#   owrt_setup            copies the harness (read-only where it lives) to
#                         $PEBBLE_DIR/harness; a missing harness FAILS the
#                         test with a line saying so
#   owrt_conf FILE SECTION...  /etc/config/acme with the global section and
#                         the given "config cert" sections (each a string of
#                         uci lines), pointed at this Pebble
#   owrt_env LINE...      the instance environment's test knobs (--env)
#   owrt_run CONF [ACTION]  one run of the init script (renew by default) in
#                         a new working root, or in OW_ROOT when set; sets
#                         OW_RC, OW_ROOT (the root) and OW_REPORT (a file)
#   owrt_run_bg CONF      the same in the background (OW_BG is its PID);
#                         owrt_wait_bg collects it
#   ow_lines KIND         the report's lines of KIND, without the KIND
#   ow_show KIND...       those lines as diag lines (the test output shows
#                         certificate files, events and nft calls)
#   ow_events             the events the hotplug scripts saw, "A B C"
#   ow_instance NAME      "exit N" or "timeout" of procd instance NAME
#   ow_cert NAME EXT      the file $CERT_DIR/NAME.EXT in the working root
#
# ACMELET (the build under test) becomes the router's /usr/bin/acmelet
# (HARNESS_ACMELET), so 51-bearssl-transport.t runs these with its build.

OW_HARNESS_SRC=${OPENWRT_HARNESS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/openwrt-harness}
OW_HOOK=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/openwrt/acmelet/files/hook
OW_ROOT=""
OW_N=0

owrt_setup() {
	if [ ! -x "$OW_HARNESS_SRC/run" ]; then
		fail "the OpenWrt harness is at $OW_HARNESS_SRC (set OPENWRT_HARNESS)"
		done_testing
	fi
	cp -R "$OW_HARNESS_SRC" "$PEBBLE_DIR/harness" || {
		fail "copied the OpenWrt harness"
		done_testing
	}
	chmod -R u+w "$PEBBLE_DIR/harness"
	# working roots: removed with PEBBLE_DIR (a short path: the harness
	# writes it into #! lines)
	OW_TMP=$PEBBLE_DIR/w
	mkdir -p "$OW_TMP"
	OW_ENV=$PEBBLE_DIR/harness-env
	owrt_env
}

owrt_env() {
	{
		echo "ACMELET_CA_FILE=$CA_FILE"
		echo "ACMELET_LOG=stderr"
		echo "ACMELET_OPTS=--http-addr 127.0.0.1 --tls-addr 127.0.0.1"
		printf '%s\n' "$@"
	} >"$OW_ENV"
}

owrt_conf() {
	local f=$1
	shift
	{
		printf "config acme\n\toption account_email 'admin@acmelet.test'\n\toption debug '1'\n\n"
		printf '%s\n\n' "$@"
	} >"$f"
}

owrt_run() {
	local conf=$1 action=${2:-renew}
	OW_N=$((OW_N + 1))
	OW_REPORT=$PEBBLE_DIR/owrt$OW_N.report
	local root=()
	[ -z "$OW_ROOT" ] || root=(--root "$OW_ROOT")
	TMPDIR=$OW_TMP HARNESS_ACMELET=$ACMELET HARNESS_WAIT=120 \
		"$PEBBLE_DIR/harness/run" --hook "$OW_HOOK" --config "$conf" \
		--env "$OW_ENV" "${root[@]}" "$action" >"$OW_REPORT" 2>"$OW_REPORT.err"
	OW_RC=$?
	OW_ROOT=$(sed -n '1s/^root //p' "$OW_REPORT")
	[ "$OW_RC" = 0 ] || { diag "harness exit $OW_RC"; diag_file "$OW_REPORT.err"; }
}

owrt_run_bg() {
	owrt_run "$@" &
	OW_BG=$!
}

# owrt_wait_bg: the background run's report (its OW_* are in that
# subshell: read them back from the newest report).
owrt_wait_bg() {
	wait "$OW_BG"
	OW_N=$((OW_N + 1))
	OW_REPORT=$PEBBLE_DIR/owrt$OW_N.report
	OW_RC=0
	[ -n "$OW_ROOT" ] || OW_ROOT=$(sed -n '1s/^root //p' "$OW_REPORT")
}

ow_lines() { sed -n "s/^$1 //p" "$OW_REPORT"; }

ow_show() {
	local k
	for k in "$@"; do
		ow_lines "$k" | sed "s/^/$k /" | while IFS= read -r l; do diag "$l"; done
	done
}

ow_events() { ow_lines hotplug-acme | sed 's/^ACTION=\([^ ]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//'; }

ow_instance() { ow_lines instance | sed -n "s/^$1 //p"; }

ow_cert() { echo "$OW_ROOT/etc/ssl/acme/$1.$2"; }

# ow_check_cert LABEL NAME KEYPATTERN NAMES...: the five links of NAME in
# $CERT_DIR, the certificate verifying against Pebble's root with the
# chain, for NAMES, with a key of KEYPATTERN (openssl pkey -text).
ow_check_cert() {
	local label=$1 n=$2 kp=$3 f v
	shift 3
	for f in key crt chain.crt fullchain.crt combined.crt; do
		ok "$label: $n.$f is a link to a non-empty file" \
			test -L "$(ow_cert "$n" "$f")" -a -s "$(ow_cert "$n" "$f")"
	done
	[ -s "$PEBBLE_DIR/root.pem" ] || pebble_root "$PEBBLE_DIR/root.pem"
	v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" \
		-untrusted "$(ow_cert "$n" chain.crt)" "$(ow_cert "$n" crt)" 2>&1)
	is "$v" "$(ow_cert "$n" crt): OK" "$label: $n.crt verifies against Pebble's root"
	is "$(san_names "$(ow_cert "$n" crt)" | sort | tr '\n' ' ')" \
		"$(printf '%s\n' "$@" | sort | tr '\n' ' ')" "$label: for $*"
	is "$(openssl x509 -in "$(ow_cert "$n" crt)" -noout -pubkey 2>&1)" \
		"$(openssl pkey -in "$(ow_cert "$n" key)" -pubout 2>&1)" \
		"$label: $n.key is the certificate's key"
	like "$(openssl pkey -in "$(ow_cert "$n" key)" -noout -text 2>&1)" "$kp" \
		"$label: the key is $kp"
	is "$(stat -L -c %a "$(ow_cert "$n" key)")" 600 "$label: $n.key is 0600"
}
