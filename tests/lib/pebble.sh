# A private Pebble (Let's Encrypt's test CA) on loopback, to be sourced by
# integration tests, plus a helper to run acmelet against it.
#
#   pebble_start            pebble-challtestsrv (DNS: every name -> 127.0.0.1)
#                           and pebble on free loopback ports; exports
#                           ACME_URL CA_FILE HTTP_PORT TLS_PORT MGMT_PORT
#                           PEBBLE_DIR PEBBLE_LOG; stops both at exit
#   pebble_stop             stops both, removes PEBBLE_DIR (kept when a TAP
#                           test failed or KEEP_PEBBLE=1, for debugging)
#                           (and ACMELET_RUNTIME_DIR, acmelet's RAM run
#                           state, under PEBBLE_DIR)
#   pebble_root FILE        Pebble's root certificate (new on every start)
#   pebble_intermediate FILE
#
# Caller knobs, read by pebble_start: PEBBLE_VA_NOSLEEP (default 1),
# PEBBLE_WFE_NONCEREJECT and the other PEBBLE_* variables (Pebble's own
# defaults otherwise: 5% of good nonces rejected, so clients must retry
# badNonce), PEBBLE_CONFIG_EXTRA (more JSON members for the "pebble"
# object, e.g. '"domainBlocklist": ["blocked.test"]'),
# PEBBLE_START_TIMEOUT (seconds, default 20), PEBBLE_EAB_REQUIRED (true:
# newAccount needs an external account binding; the keys go in
# PEBBLE_CONFIG_EXTRA as "externalAccountMACKeys"), PEBBLE_NEW=1 (the
# current Pebble of ../shared/tools/pebble, or of the directory
# PEBBLE_BIN, for ARI and profiles: a test that sets it FAILS when that
# Pebble is missing). Debian's Pebble 2.4 honours
# "domainBlocklist" (newOrder answers 400 rejectedIdentifier) and
# "certificateValidityPeriod" (seconds); it has no ARI and no profiles.
#
# The second half runs acmelet against this Pebble: run_acmelet,
# expect_clean_failure and small readers of its output and state.
#
# Every process started here is recorded in PEBBLE_DIR/pids with the
# owner's PID; a later pebble_start stops what an owner killed with
# SIGKILL left behind, so stray Pebbles never pile up.

PEBBLE_ROOT_DIR=${TMPDIR:-/tmp}
PEBBLE_PIDS=""

pebble_reap_stale_() { # stop Pebbles whose owning test is gone
	local d owner pid comm
	# Directories kept for debugging go after an hour.
	find "$PEBBLE_ROOT_DIR" -maxdepth 1 -name 'acmelet-pebble.*' -mmin +60 \
		! -exec test -e '{}/pids' ';' -exec rm -rf '{}' + 2>/dev/null
	for d in "$PEBBLE_ROOT_DIR"/acmelet-pebble.*; do
		[ -f "$d/pids" ] && [ -f "$d/owner" ] || continue
		owner=$(cat "$d/owner")
		kill -0 "$owner" 2>/dev/null && continue
		for pid in $(cat "$d/pids"); do
			comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
			case $comm in pebble | pebble-challtes*) kill "$pid" 2>/dev/null ;; esac
		done
		rm -rf "$d"
	done
}

pebble_free_ports_() { # COUNT: distinct loopback ports free for TCP and UDP
	# Below Linux's ephemeral range (32768+), so our own outgoing
	# connections cannot take a port between this probe and the bind.
	python3 - "$1" <<'EOF'
import random, socket, sys
want, found = int(sys.argv[1]), []
while len(found) < want:
    port = random.randint(20000, 32000)
    if port in found:
        continue
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            s.bind(("127.0.0.1", port))
            s.close()
    except OSError:
        continue
    found.append(port)
print(" ".join(map(str, found)))
EOF
}

pebble_make_cert_() { # certificate for Pebble's own HTTPS listeners
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PEBBLE_DIR/key.pem" -out "$PEBBLE_DIR/cert.pem" \
		-days 3650 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		>/dev/null 2>"$PEBBLE_DIR/openssl.err"
}

pebble_write_config_() {
	cat >"$PEBBLE_DIR/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$ACME_PORT",
    "managementListenAddress": "127.0.0.1:$MGMT_PORT",
    "certificate": "$PEBBLE_DIR/cert.pem",
    "privateKey": "$PEBBLE_DIR/key.pem",
    "httpPort": $HTTP_PORT,
    "tlsPort": $TLS_PORT,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": ${PEBBLE_EAB_REQUIRED:-false}${PEBBLE_CONFIG_EXTRA:+,
    $PEBBLE_CONFIG_EXTRA}
  }
}
EOF
}

pebble_launch_() { # start both servers on fresh ports; 0 once the CA answers
	local ports
	ports=$(pebble_free_ports_ 6) || return 1
	set -- $ports
	ACME_PORT=$1 MGMT_PORT=$2 HTTP_PORT=$3 TLS_PORT=$4 DNS_PORT=$5 CTS_MGMT_PORT=$6
	ACME_URL="https://127.0.0.1:$ACME_PORT/dir"
	pebble_write_config_

	local dnsflag=-dns01 extra=()
	# the current challtestsrv renamed -dns01 and serves DoH unless told
	[ "${PEBBLE_NEW:-0}" = 1 ] && dnsflag=-dnsserver extra=(-doh "")
	"$PEBBLE_CTS_EXE" "$dnsflag" "127.0.0.1:$DNS_PORT" -http01 "" -https01 "" \
		-tlsalpn01 "" -management "127.0.0.1:$CTS_MGMT_PORT" \
		-defaultIPv4 127.0.0.1 -defaultIPv6 "" "${extra[@]}" \
		</dev/null >>"$PEBBLE_DIR/challtestsrv.log" 2>&1 &
	PEBBLE_PIDS="$PEBBLE_PIDS $!"
	echo "$PEBBLE_PIDS" >"$PEBBLE_DIR/pids"
	PEBBLE_VA_NOSLEEP=${PEBBLE_VA_NOSLEEP:-1} \
		"$PEBBLE_EXE" -config "$PEBBLE_DIR/pebble-config.json" \
		-dnsserver "${PEBBLE_DNSSERVER:-127.0.0.1:$DNS_PORT}" \
		</dev/null >>"$PEBBLE_LOG" 2>&1 &
	PEBBLE_PIDS="$PEBBLE_PIDS $!"
	echo "$PEBBLE_PIDS" >"$PEBBLE_DIR/pids"
	pebble_wait_ready_
}

pebble_wait_ready_() { # bounded wait for the directory and the DNS server
	local deadline=$((SECONDS + ${PEBBLE_START_TIMEOUT:-20})) pid
	while [ "$SECONDS" -lt "$deadline" ]; do
		for pid in $PEBBLE_PIDS; do
			kill -0 "$pid" 2>/dev/null || return 1 # died: port taken?
		done
		if curl -fsS --max-time 2 --cacert "$CA_FILE" -o /dev/null \
			"$ACME_URL" 2>/dev/null &&
			curl -sS --max-time 2 -o /dev/null \
				"http://127.0.0.1:$CTS_MGMT_PORT/" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Which Pebble: Debian's (PATH), or with PEBBLE_NEW=1 the current one.
pebble_pick_() {
	PEBBLE_EXE=pebble PEBBLE_CTS_EXE=pebble-challtestsrv
	[ "${PEBBLE_NEW:-0}" = 1 ] || return 0
	local dir=${PEBBLE_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/../shared/tools/pebble}
	PEBBLE_EXE=$dir/pebble PEBBLE_CTS_EXE=$dir/pebble-challtestsrv
	[ -x "$PEBBLE_EXE" ] && [ -x "$PEBBLE_CTS_EXE" ] && return 0
	echo "pebble_start: the current Pebble (ARI, profiles) is not at $dir;" \
		"set PEBBLE_BIN=DIR to a directory with pebble and pebble-challtestsrv" >&2
	return 1
}

pebble_start() {
	pebble_pick_ || return 1
	pebble_reap_stale_
	PEBBLE_DIR=$(mktemp -d "$PEBBLE_ROOT_DIR/acmelet-pebble.XXXXXX") || return 1
	echo "$$" >"$PEBBLE_DIR/owner"
	PEBBLE_LOG=$PEBBLE_DIR/pebble.log
	CA_FILE=$PEBBLE_DIR/cert.pem
	# acmelet's RAM run state (ARI windows) stays with this test
	export ACMELET_RUNTIME_DIR=$PEBBLE_DIR/run
	trap pebble_stop EXIT
	trap 'exit 130' INT TERM HUP
	if ! pebble_make_cert_; then
		echo "pebble_start: openssl could not make Pebble's certificate:" \
			"$(cat "$PEBBLE_DIR/openssl.err")" >&2
		return 1
	fi
	# A port another process grabbed after the probe makes Pebble exit
	# at once: start over on other ports rather than fail the test.
	for _ in 1 2 3; do
		if pebble_launch_; then
			export ACME_URL CA_FILE HTTP_PORT TLS_PORT MGMT_PORT \
				PEBBLE_DIR PEBBLE_LOG
			return 0
		fi
		pebble_kill_
	done
	echo "pebble_start: Pebble did not answer at $ACME_URL within" \
		"${PEBBLE_START_TIMEOUT:-20}s (3 tries); its log:" >&2
	tail -n 15 "$PEBBLE_LOG" "$PEBBLE_DIR/challtestsrv.log" >&2
	return 1
}

pebble_kill_() { # TERM, a bounded wait, then KILL
	local pid n=0 alive
	[ -n "$PEBBLE_PIDS" ] || return 0
	kill $PEBBLE_PIDS 2>/dev/null
	while [ "$n" -lt 30 ]; do
		alive=""
		for pid in $PEBBLE_PIDS; do
			kill -0 "$pid" 2>/dev/null && alive="$alive $pid"
		done
		[ -z "$alive" ] && break
		sleep 0.1
		n=$((n + 1))
	done
	[ -n "$alive" ] && kill -9 $alive 2>/dev/null
	wait $PEBBLE_PIDS 2>/dev/null
	PEBBLE_PIDS=""
	[ -n "${PEBBLE_DIR:-}" ] && rm -f "$PEBBLE_DIR/pids"
	return 0
}

pebble_stop() {
	pebble_kill_
	[ -n "${PEBBLE_DIR:-}" ] && [ -d "$PEBBLE_DIR" ] || return 0
	if [ "${KEEP_PEBBLE:-0}" = 1 ] || [ "${TAP_FAILED:-0}" -gt 0 ]; then
		echo "# kept for debugging: $PEBBLE_DIR" >&2
	else
		rm -rf "$PEBBLE_DIR"
	fi
	return 0
}

pebble_mgmt_get_() { # PATH FILE
	curl -fsS --max-time 10 --cacert "$CA_FILE" -o "$2" \
		"https://127.0.0.1:$MGMT_PORT$1"
}

pebble_root() { pebble_mgmt_get_ /roots/0 "$1"; }
pebble_intermediate() { pebble_mgmt_get_ /intermediates/0 "$1"; }

# ---- acmelet against this Pebble ------------------------------------------

ACMELET=${ACMELET:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/acmelet}
ACMELET_TIMEOUT=${ACMELET_TIMEOUT:-120}
RUN_N=0

# run_acmelet STATE_DIR ARG...: runs "$ACMELET" with the options that point
# it at this Pebble, then ARG..., bounded by ACMELET_TIMEOUT seconds. Sets
# RUN_RC, and RUN_OUT / RUN_ERR to files holding stdout / stderr.
# Per call (VAR=value run_acmelet ...): RUN_SERVER replaces ACME_URL;
# RUN_CA_FILE replaces CA_FILE, and set but empty omits --ca-file;
# ACMELET_WRAP (e.g. "valgrind -q") goes in front of the command.
run_acmelet() {
	local state=$1 ca
	shift
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$PEBBLE_DIR/run$RUN_N.out
	RUN_ERR=$PEBBLE_DIR/run$RUN_N.err
	ca=(--ca-file "${RUN_CA_FILE-$CA_FILE}")
	[ -n "${RUN_CA_FILE-$CA_FILE}" ] || ca=()
	timeout -k 5 "$ACMELET_TIMEOUT" ${ACMELET_WRAP:-} "$ACMELET" \
		--server "${RUN_SERVER:-$ACME_URL}" "${ca[@]}" -d "$state" \
		--http-port "$HTTP_PORT" --http-addr 127.0.0.1 \
		--agree-tos -e admin@acmelet.test --log stderr \
		"$@" </dev/null >"$RUN_OUT" 2>"$RUN_ERR"
	RUN_RC=$?
	[ "$RUN_RC" -eq 124 ] && echo "# acmelet timed out after ${ACMELET_TIMEOUT}s" >&2
	return 0
}

# live_snapshot STATE NAME: one line per live file (content hash) plus the
# live link's target, to show a failed run left the certificate alone.
live_snapshot() {
	local live=$1/certs/$2/live
	printf 'live -> %s\n' "$(readlink "$live")"
	(cd "$live" 2>/dev/null && sha256sum privkey.pem cert.pem chain.pem fullchain.pem 2>&1)
}

# state_snapshot STATE: every path under STATE with inode, size, mode and
# mtime; equal snapshots mean nothing was written (E2).
state_snapshot() {
	find "$1" -printf '%p %i %s %m %T@ %l\n' | sort
}

# account_url FILE: the "url" member of an account.json
account_url() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$1" 2>/dev/null
}

# san_names CERT: the certificate's DNS names, sorted, one per line
san_names() {
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *DNS://p' | sort
}

# Lines logged at error level: "error: ..." or "PROG: error: ..." or
# "[error] ..." (case-insensitive "err"/"error").
ERR_LINE_RE='^([^ ]+:? )?(\[(err|error)\]|(err|error):)'

error_lines() { grep -iE "$ERR_LINE_RE" "$1"; }
error_count() { grep -ciE "$ERR_LINE_RE" "$1"; }

# -v logs one "http: METHOD URL -> STATUS (N bytes)" line per request.
http_lines() { grep -E 'http: (GET|HEAD|POST|PUT|DELETE) [^ ]+ -> ' "$1"; }
http_count() { grep -cE 'http: (GET|HEAD|POST|PUT|DELETE) [^ ]+ -> ' "$1"; }

# "acme: N requests, M connections" -> "N M" (empty when absent)
acme_summary() {
	sed -nE 's/.*acme: ([0-9]+) requests?, ([0-9]+) connections?.*/\1 \2/p' "$1" | tail -n 1
}

require_acmelet() { # a missing binary is a failure, never a silent skip
	[ -x "$ACMELET" ] && return 0
	printf '1..1\nnot ok 1 - %s is built (run make)\n' "$ACMELET"
	exit 1
}

# expect_clean_failure LABEL ERE SNAPSHOT STATE NAME: the last run failed as
# a script can act on: exit 1, exactly one error-level line and it matches
# ERE (case-insensitive), and live_snapshot STATE NAME still equals
# SNAPSHOT. Needs tap.sh.
expect_clean_failure() {
	local label=$1 re=$2 snap=$3 errs
	is "$RUN_RC" 1 "$label: exits 1"
	errs=$(error_lines "$RUN_ERR")
	is "$(error_count "$RUN_ERR")" 1 "$label: exactly one error line" ||
		diag_file "$RUN_ERR"
	like "$(tr '[:upper:]' '[:lower:]' <<<"$errs")" "$re" "$label: the error line explains ($re)"
	is "$(live_snapshot "$4" "$5")" "$snap" "$label: the live certificate is unchanged"
}

# Setup and configuration-file helpers shared by several tests.
. "$(dirname "${BASH_SOURCE[0]}")/acmelet.sh"
