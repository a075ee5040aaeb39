#!/bin/bash
# acmelet run (issue 4): a real daemon against Pebble. It issues what is
# configured at once, then sleeps (no request, no write); SIGUSR1 makes it
# look again and ends a failure backoff; SIGHUP reloads the configuration
# (a new certificate gets issued; a broken file is refused and the old one
# kept); SIGTERM ends it promptly. Then, against a Pebble whose validator
# waits a few seconds, SIGTERM lands while the challenge is being validated,
# and a new `run` resumes the same order and makes the certificate live.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

# ---- the daemon: started under timeout(1) as a safety net, signalled
# directly; always stopped when the test ends ----------------------------
DAEMON_LIMIT=300
TPID="" DPID="" DLOG="" DRC=""
daemon_start() { # CONF LOG: start `acmelet -c CONF run -v` logging to LOG
	DLOG=$2
	timeout -s KILL "$DAEMON_LIMIT" "$ACMELET" -c "$1" --log stderr -v run \
		</dev/null >"$DLOG.out" 2>"$DLOG" &
	TPID=$!
	DPID=""
	wait_for 30 daemon_found_
}
daemon_found_() { # sets DPID once timeout(1) has started acmelet
	DPID=$(pgrep -P "$TPID" 2>/dev/null | head -n 1)
	[ -n "$DPID" ]
}
daemon_alive() { [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; }
daemon_gone_() { ! daemon_alive; }
daemon_wait_exit() { # SECONDS: 0 when it ended in time; DRC its status
	wait_for "$1" daemon_gone_ || return 1
	wait "$TPID" 2>/dev/null
	DRC=$?
	return 0
}
daemon_kill() { # the test's own cleanup
	[ -n "$TPID" ] || return 0
	kill -KILL "$DPID" "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
	TPID="" DPID=""
}
trap 'daemon_kill; pebble_stop' EXIT

# wait_log FILE ERE [COUNT [SECONDS]]: until FILE has COUNT (1) lines
# matching ERE, at most SECONDS (60); 1 on timeout. Every wait here is for
# an event; the deadlines only bound a failure, so they are generous (a
# loaded 2-core machine must pass).
wait_log() { wait_for "${4:-60}" log_has_ "$1" "$2" "${3:-1}"; }
log_has_() { [ "$(count_log "$1" "$2")" -ge "$3" ]; }
count_log() { grep -cE "$2" "$1" 2>/dev/null; }
wait_json() { wait_for "$4" json_is_ "$1" "$2" "$3"; } # FILE KEY VALUE SECONDS
json_is_() { [ "$(jget "$1" "$2")" = "$3" ]; }
verify() { # CERT_DIR: openssl's verdict on live/cert.pem with its chain
	openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$1/chain.pem" \
		"$1/cert.pem" 2>&1
}

H=$PEBBLE_DIR/hooks
mkdir -p "$H"
# The hook notes the event and the signal mask it was started with.
cat >"$H/record" <<EOF
#!/bin/sh
echo "\$1 \$2 sigblk=\$(sed -n 's/^SigBlk:[[:space:]]*//p' /proc/\$\$/status)" >>"$H/calls"
EOF
chmod +x "$H/record"

S=$PEBBLE_DIR/state
CONF=$PEBBLE_DIR/acmelet.conf
common="$(conf_globals "$S")
hook = $H/record"
cat >"$CONF" <<EOF
$common
[cert d1]
names = d1.daemon.example.test
EOF
pebble_root "$PEBBLE_DIR/root.pem"

# ---- it issues at once, then sleeps --------------------------------------------
LOG=$PEBBLE_DIR/daemon1.log
daemon_start "$CONF" "$LOG"
ok "the daemon started" daemon_alive
ok "it issues d1 promptly" wait_log "$LOG" "d1: new certificate is live" 1 60 ||
	diag_file "$LOG"
like "$(cat "$LOG")" "running: 1 certificate" "it logged what it runs"
is "$(verify "$S/certs/d1/live")" "$S/certs/d1/live/cert.pem: OK" "d1 verifies"
wait_log "$H/calls" "issued d1" 1 60
like "$(cat "$H/calls" 2>/dev/null)" "issued d1" "the hook ran for d1"
like "$(grep 'issued d1' "$H/calls" 2>/dev/null)" "sigblk=0+$" \
	"the hook starts with no signal blocked"

n_http=$(http_count "$LOG")
before=$(state_snapshot "$S")
sleep 3
ok "after issuing it sleeps: still running" daemon_alive
is "$(http_count "$LOG")" "$n_http" "no request while it sleeps (3 s)"
is "$(state_snapshot "$S")" "$before" "nothing written while it sleeps"

# ---- SIGUSR1: look again now -------------------------------------------------------
good_re='d1: certificate good until .* nothing to do'
k=$(count_log "$LOG" "$good_re")
kill -USR1 "$DPID"
ok "SIGUSR1: it looked at d1 again" wait_log "$LOG" "$good_re" $((k + 1)) 60 ||
	diag_file "$LOG"
ok "SIGUSR1: still running" daemon_alive
is "$(http_count "$LOG")" "$n_http" "SIGUSR1 on a certificate not due: no request"
is "$(state_snapshot "$S")" "$before" "SIGUSR1 on a certificate not due: nothing written"

# ---- SIGHUP: a new configuration with two more certificates ----------------------
closed=$(pebble_free_ports_ 1)
cat >"$CONF" <<EOF
$common
[cert d1]
names = d1.daemon.example.test
[cert bad]
names = bad.daemon.example.test
server = https://127.0.0.1:$closed/dir
[cert d2]
names = d2.daemon.example.test
EOF
d1_serial=$(serial "$S/certs/d1/live/cert.pem")
kill -HUP "$DPID"
ok "SIGHUP: configuration reloaded" \
	wait_log "$LOG" "configuration reloaded: 3 certificates" 1 60 || diag_file "$LOG"
ok "SIGHUP: the new d2 is issued" wait_log "$LOG" "d2: new certificate is live" 1 60 ||
	diag_file "$LOG"
is "$(verify "$S/certs/d2/live")" "$S/certs/d2/live/cert.pem: OK" "d2 verifies"
ok "SIGHUP: the unreachable one failed once" wait_json "$S/certs/bad/state" failures 1 60
is "$(serial "$S/certs/d1/live/cert.pem")" "$d1_serial" "d1 was not issued again"
ok "after a failure: still running" daemon_alive

# ---- SIGUSR1 ends the backoff: bad is tried again at once, not in 1 min ------------
bad_re="error: .*127\\.0\\.0\\.1:$closed"
k=$(count_log "$LOG" "$bad_re")
next1=$(jget "$S/certs/bad/state" next_try)
kill -USR1 "$DPID"
ok "SIGUSR1: bad's backoff cleared" wait_log "$LOG" "bad: failure backoff cleared" 1 60 ||
	diag_file "$LOG"
ok "SIGUSR1: bad was tried again at once" \
	wait_log "$LOG" "$bad_re" $((k + 1)) 60
ok "SIGUSR1: that was before its minute of backoff was over" \
	test "$(date +%s)" -lt "$next1"
ok "SIGUSR1: bad's count started over (failures 1 again)" \
	wait_json "$S/certs/bad/state" failures 1 60
ok "SIGUSR1: still running" daemon_alive

# ---- SIGHUP with a broken file: the running configuration stays --------------------
cp "$CONF" "$PEBBLE_DIR/good.conf"
printf '%s\n[cert d3]\nnames = d3.daemon.example.test\nbogus-key = 1\n' "$common" >"$CONF"
kill -HUP "$DPID"
ok "SIGHUP with a broken file: the reload is refused" \
	wait_log "$LOG" "reload failed; keeping the running configuration" 1 60 ||
	diag_file "$LOG"
like "$(cat "$LOG")" "$CONF:[0-9]+: unknown key 'bogus-key'" \
	"SIGHUP with a broken file: the error names FILE:LINE"
ok "SIGHUP with a broken file: still running" daemon_alive
k=$(count_log "$LOG" 'd2: certificate good until')
kill -USR1 "$DPID"
ok "the old configuration is still in force (d2 looked at)" \
	wait_log "$LOG" 'd2: certificate good until' $((k + 1)) 60
ok "nothing was done for d3" test ! -e "$S/certs/d3"

# ---- SIGTERM while it sleeps ----------------------------------------------------------
kill -TERM "$DPID"
t0=$SECONDS
if daemon_wait_exit 30; then
	pass "SIGTERM: it ended (after $((SECONDS - t0)) s)"
else
	fail "SIGTERM: it ended within 30 s"
	daemon_kill
fi
is "$DRC" 0 "SIGTERM while sleeping: exit 0"
like "$(tail -n 1 "$LOG")" "stopping" "SIGTERM: its last line says it stops"
is "$(error_lines "$LOG" | grep -vcE "127\.0\.0\.1:$closed|bogus-key|reload failed")" 0 \
	"the only error lines are bad's failures and the refused reload" ||
	error_lines "$LOG" | sed 's/^/#   /' >&2
cp "$PEBBLE_DIR/good.conf" "$CONF"
TPID="" DPID=""

# ---- SIGTERM during validation, then resume --------------------------------------------
# A Pebble whose validator waits 0-7 s (per perspective, three of them)
# before fetching the token. Kill right after the challenge POST, and only
# when no perspective fetches in the second after it (the restart must be
# serving the token by then) and one waits 2 s or more (so the order is
# surely still pending at the kill); otherwise let that one finish and try
# another certificate.
pebble_stop
PEBBLE_VA_NOSLEEP=0 PEBBLE_VA_SLEEPTIME=8 pebble_start ||
	{ fail "second Pebble started"; done_testing; }
trap 'daemon_kill; pebble_stop' EXIT
pebble_root "$PEBBLE_DIR/root.pem"
S=$PEBBLE_DIR/state
resumed=""
for try in 1 2 3 4 5 6; do
	C=$PEBBLE_DIR/t$try.conf
	cat >"$C" <<EOF
$(conf_globals "$S")
[cert t$try]
names = t$try.resume.example.test
EOF
	sleeps0=$(count_log "$PEBBLE_LOG" 'Sleeping for')
	LOG=$PEBBLE_DIR/resume$try-a.log
	daemon_start "$C" "$LOG"
	if ! wait_log "$LOG" 'http: POST [^ ]*/chalZ/' 1 60 ||
		! wait_log "$PEBBLE_LOG" 'Sleeping for' $((sleeps0 + 3)) 30; then
		fail "try $try: the daemon answered the challenge"
		diag_file "$LOG"
		daemon_kill
		break
	fi
	waits=$(grep 'Sleeping for' "$PEBBLE_LOG" | tail -n +$((sleeps0 + 1)) |
		sed -nE 's/.*Sleeping for ([0-9]+)s.*/\1/p' | tr '\n' ' ')
	if [[ " $waits " == *" 1 "* ]] || ! [[ $waits =~ [2-9] ]]; then
		note "try $try: validator waits $waits: not a safe moment, next try"
		wait_log "$LOG" "t$try: new certificate is live" 1 60
		kill -TERM "$DPID"
		daemon_wait_exit 5 || daemon_kill
		continue
	fi
	kill -TERM "$DPID"
	t0=$SECONDS
	note "try $try: SIGTERM during validation (validator waits $waits)"
	if daemon_wait_exit 30; then
		pass "SIGTERM during validation: it ended (after $((SECONDS - t0)) s)"
	else
		fail "SIGTERM during validation: it ended within 30 s"
		daemon_kill
	fi
	like "$DRC" '^(0|143)$' "SIGTERM during validation: exit 0 or by the signal ($DRC)"
	ok "nothing live yet after the kill" test ! -e "$S/certs/t$try/live"
	order=$(jget "$S/certs/t$try/state" order)
	like "$order" '^https://127\.0\.0\.1:[0-9]+/' "the journal holds the order"

	LOG2=$PEBBLE_DIR/resume$try-b.log
	daemon_start "$C" "$LOG2"
	wait_log "$LOG2" "t$try: new certificate is live|error: " 1 60
	like "$(cat "$LOG2")" "t$try: resuming order $order" "it resumed the same order"
	is "$(grep -c 'POST [^ ]*/order-plz ' "$LOG2")" 0 "the restart made no new order"
	# Pebble 2.4 shows a challenge under validation as "pending", so the
	# resumed run POSTs it again and Pebble starts a second validation;
	# its late fetches must still find the token after the order is ready.
	ok "the restarted daemon makes t$try live" \
		grep -q "t$try: new certificate is live" "$LOG2" || diag_file "$LOG2" 6
	is "$(verify "$S/certs/t$try/live" 2>&1 | tail -n 1)" \
		"$S/certs/t$try/live/cert.pem: OK" "the resumed certificate verifies"
	is "$(san_names "$S/certs/t$try/live/cert.pem")" \
		"t$try.resume.example.test" "the resumed certificate has its name"
	is "$(openssl x509 -in "$S/certs/t$try/live/cert.pem" -noout -pubkey 2>&1 | tail -n 1)" \
		"$(openssl pkey -in "$S/certs/t$try/live/privkey.pem" -pubout 2>&1 | tail -n 1)" \
		"the resumed certificate's key is the live key"
	ok "the restarted daemon did not make a second order either way" \
		test "$(grep -c 'POST [^ ]*/order-plz ' "$LOG2")" -eq 0
	kill -TERM "$DPID"
	daemon_wait_exit 5 || daemon_kill
	resumed=$try
	break
done
[ -n "$resumed" ] || fail "a safe moment for SIGTERM during validation came in 6 tries"
done_testing
