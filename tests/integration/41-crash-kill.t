#!/bin/bash
# Real processes (issue 3): SIGKILL the real binary at chosen points of a
# real issuance and of a forced renewal (the moment a given line appears in
# its -v log: account created, order created, challenge posted while the CA
# validates, finalized, certificate downloaded), then run it again and check
# the outcome: a live key and certificate that belong together, a chain that
# verifies, every state file whole, no temporary file left, the recorded
# order resumed, and at most one extra order.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
# Renewals validate again (no reused authorizations), so that every kill
# point is reached in them too.
export PEBBLE_AUTHZREUSE=0
pebble_setup
pebble_root "$PEBBLE_DIR/root.pem" || { fail "Pebble's root fetched"; done_testing; }
NAME=kill.example.test
KILL_WAIT=${KILL_WAIT:-60} # seconds without a log line before giving up

# kill_until_landed RESET STATE ERE ARG...: kill_at, again (after running
# the command RESET) while the run finished before the kill reached it:
# the last points come a few milliseconds before the run ends. Sets
# KILL_TRY to the attempt that counts.
KILL_TRIES=8
kill_until_landed() {
	local reset=$1
	shift
	for KILL_TRY in $(seq "$KILL_TRIES"); do
		eval "$reset"
		kill_at "$@"
		[ "$KILL_HIT" = 1 ] && [ "$KILL_RC" = 0 ] || return 0
	done
}

# kill_at STATE ERE ARG...: run acmelet -v like run_acmelet and SIGKILL it
# as soon as a log line matches ERE. Sets KILL_HIT (1 when the line came),
# KILL_RC (137 when killed) and KILL_ERR (its log).
kill_at() {
	local state=$1 re=$2 fifo pid line
	shift 2
	RUN_N=$((RUN_N + 1))
	KILL_ERR=$PEBBLE_DIR/kill$RUN_N.err
	KILL_HIT=0
	fifo=$PEBBLE_DIR/kill$RUN_N.fifo
	: >"$KILL_ERR"
	mkfifo "$fifo" || return 1
	"$ACMELET" --server "$ACME_URL" --ca-file "$CA_FILE" -d "$state" \
		--http-port "$HTTP_PORT" --http-addr 127.0.0.1 --agree-tos \
		-e admin@acmelet.test --log stderr -v "$@" \
		</dev/null >/dev/null 2>"$fifo" &
	pid=$!
	while IFS= read -r -t "$KILL_WAIT" line; do
		printf '%s\n' "$line" >>"$KILL_ERR"
		if [ "$KILL_HIT" = 0 ] && [[ $line =~ $re ]]; then
			kill -9 "$pid" 2>/dev/null
			KILL_HIT=1
		fi
	done <"$fifo"
	kill -9 "$pid" 2>/dev/null # a hung run: read timed out
	{ wait "$pid"; } 2>/dev/null # no "Killed" notice from bash
	KILL_RC=$?
	rm -f "$fifo"
}

chain_ok() { # DIR: cert.pem verifies to Pebble's root through chain.pem
	openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$1/chain.pem" \
		"$1/cert.pem" >/dev/null 2>&1
}

bad_files() { # STATE: the state files that do not parse whole
	local f
	find "$1" -type f ! -name '*.tmp-*' | sort | while read -r f; do
		case $f in
		*/privkey.pem | */key.pem) openssl pkey -in "$f" -noout 2>/dev/null ;;
		*.pem) openssl x509 -in "$f" -noout 2>/dev/null ;;
		*.json | */state) python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" 2>/dev/null ;;
		*) true ;;
		esac || echo "$f"
	done
}

pending_order() { # STATE: the journal's unfinished order, "" when none (a
	# journal whose generation is live belongs to a finished issuance)
	python3 - "$1/certs/$NAME/state" "$(readlink "$1/certs/$NAME/live")" <<'EOF' 2>/dev/null
import json, sys
j = json.load(open(sys.argv[1]))
if j.get("order") and "gen-%d" % j.get("gen", 0) != sys.argv[2]:
    print(j["order"])
EOF
}

orders_in() { grep -cE 'http: POST [^ ]*/order-plz -> 201' "$@" | awk -F: '{s+=$NF} END {print s+0}'; }
accounts_in() { grep -cE 'http: POST [^ ]*/sign-me-up -> 201' "$@" | awk -F: '{s+=$NF} END {print s+0}'; }

# check_kill LABEL STATE RERUN_ARGS...: after kill_at, check the state the
# kill left, run again to completion and check the outcome.
check_kill() {
	local label=$1 state=$2 live=$2/certs/$NAME/live order
	shift 2
	is "$KILL_HIT" 1 "$label: the point was reached" || diag_file "$KILL_ERR"
	# A run that finished before the kill landed tested no crash point.
	is "$KILL_RC" 137 "$label: killed there by SIGKILL (attempt $KILL_TRY of $KILL_TRIES)"
	is "$(bad_files "$state")" "" "$label: every state file parses after the kill"
	if [ -e "$live" ]; then
		ok "$label: the live pair matches after the kill" pair_ok "$live"
	else
		pass "$label: no live pair yet after the kill"
	fi
	order=$(pending_order "$state")
	run_acmelet "$state" -v "$@"
	is "$RUN_RC" 0 "$label: the next run succeeds" || diag_file "$RUN_ERR"
	ok "$label: the live pair matches" pair_ok "$live"
	ok "$label: the chain verifies against Pebble's root" chain_ok "$live"
	is "$(san_names "$live/cert.pem")" "$NAME" "$label: the certificate is for $NAME"
	is "$(bad_files "$state")" "" "$label: every state file parses"
	is "$(find "$state" -name '*.tmp-*')" "" \
		"$label: no temporary file left"
	ok "$label: at most one extra order ($(orders_in "$KILL_ERR" "$RUN_ERR") in all)" \
		test "$(orders_in "$KILL_ERR" "$RUN_ERR")" -le 2
	ok "$label: at most one account created" \
		test "$(accounts_in "$KILL_ERR" "$RUN_ERR")" -le 1
	if [ -n "$order" ] && grep -q "order $order is no longer usable" "$RUN_ERR"; then
		# Killed while the CA validated: its fetches failed, so the
		# order is invalid and one new order is right.
		pass "$label: the recorded order became invalid (validation lost the responder)"
		ok "$label: one new order replaces it" test "$(orders_in "$RUN_ERR")" -le 1
	elif [ -n "$order" ]; then
		like "$(grep 'resuming order' "$RUN_ERR")" "resuming order $order" \
			"$label: the recorded order is resumed"
		is "$(orders_in "$RUN_ERR")" 0 "$label: no new order"
	else
		pass "$label: no order was pending at the kill"
	fi
}

POINTS=(
	'account created|created account '
	'order created|POST [^ ]*/order-plz -> 201'
	'challenge posted, CA validating|POST [^ ]*/chalZ/[^ ]* -> 200'
	'validator fetched the token|responder: GET /\.well-known/acme-challenge/'
	'finalized|POST [^ ]*/finalize-order/[^ ]* -> 200'
	'certificate downloaded|POST [^ ]*/certZ/[^ ]* -> 200'
)
n=0
for p in "${POINTS[@]}"; do
	n=$((n + 1))
	S=$PEBBLE_DIR/issue$n
	kill_until_landed 'rm -rf $S' "$S" "${p#*|}" issue "$NAME"
	check_kill "issuance, killed when ${p%%|*}" "$S" issue "$NAME"
done

# Forced renewals of a good certificate: the live pair stays the old one
# or becomes the new one, never anything in between.
S=$PEBBLE_DIR/renew
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "renewal: first issuance" || diag_file "$RUN_ERR"
for p in "${POINTS[@]:1}"; do
	kill_until_landed 'old=$(live_snapshot "$S" "$NAME")' \
		"$S" "${p#*|}" --force issue "$NAME"
	now=$(live_snapshot "$S" "$NAME")
	if [ "$now" = "$old" ]; then
		pass "renewal, killed when ${p%%|*}: the live pair is the old one"
	else
		ok "renewal, killed when ${p%%|*}: the live pair is a new, whole one" \
			pair_ok "$S/certs/$NAME/live"
	fi
	check_kill "renewal, killed when ${p%%|*}" "$S" --force issue "$NAME"
done
done_testing
