#!/bin/bash
# acmelet renew (issue 4): one pass over every configured certificate.
# Missing ones are issued (exit 0); then nothing is due (exit 3, no request,
# nothing written); renew NAME restricts the pass; one unreachable CA does
# not stop the other certificates (exit 1). Pebble issues 40-second
# certificates here, so the half-lifetime rule (lifetimes under 10 days)
# makes them due after 20 s: one sleep until the due time that the
# certificates themselves give shows a real renewal. The "nothing due"
# pass must come within those 20 s: a first pass slower than 16 s (a
# machine far too loaded) is a failure that says so, never a skip.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0
PEBBLE_CONFIG_EXTRA='"certificateValidityPeriod": 40' pebble_setup

S=$PEBBLE_DIR/state
CONF=$PEBBLE_DIR/acmelet.conf
A=alpha B=beta
LA=$S/certs/$A/live LB=$S/certs/$B/live
common=$(conf_globals "$S")
cat >"$CONF" <<EOF
$common

[cert $A]
names = alpha.renew.example.test www.alpha.renew.example.test

[cert $B]
names = beta.renew.example.test
EOF

# ---- first pass: both are missing -----------------------------------------
run_conf "$CONF" renew
is "$RUN_RC" 0 "first renew issues what is missing: exit 0" || diag_file "$RUN_ERR"
is "$(error_count "$RUN_ERR")" 0 "first renew: no error line"
ok "$A is live" test -s "$LA/cert.pem"
ok "$B is live" test -s "$LB/cert.pem"
is "$(san_names "$LA/cert.pem")" \
	"$(printf '%s\n' alpha.renew.example.test www.alpha.renew.example.test)" \
	"$A has its names"
is "$(san_names "$LB/cert.pem")" beta.renew.example.test "$B has its name"
nb_a=$(epoch_of "$LA/cert.pem" startdate)
na_a=$(epoch_of "$LA/cert.pem" enddate)
nb_b=$(epoch_of "$LB/cert.pem" startdate)
ok "Pebble issued a short certificate (lifetime $((na_a - nb_a)) s)" \
	test "$((na_a - nb_a))" -ge 30 -a "$((na_a - nb_a))" -le 50
serial_a1=$(serial "$LA/cert.pem") serial_b1=$(serial "$LB/cert.pem")
gen_a1=$(readlink "$LA") gen_b1=$(readlink "$LB")

# ---- second pass: nothing is due yet (half of 40 s is 20 s) ----------------
before=$(state_snapshot "$S")
elapsed=$(($(date +%s) - nb_a))
if [ "$elapsed" -le 16 ]; then
	run_conf "$CONF" -v renew
	is "$RUN_RC" 3 "second renew ${elapsed}s after issuance: nothing due, exit 3" ||
		diag_file "$RUN_ERR"
	is "$(http_count "$RUN_ERR")" 0 "second renew: no HTTP request"
	is "$(error_count "$RUN_ERR")" 0 "second renew: no error line"
	after=$(state_snapshot "$S")
	is "$after" "$before" "second renew: nothing in the state dir was written"
	[ "$after" = "$before" ] ||
		diff <(echo "$before") <(echo "$after") | sed 's/^/#   /' >&2
	like "$(cat "$RUN_ERR")" "$A: .*nothing to do" "second renew: says $A has nothing to do"
else
	fail "the first pass ended ${elapsed}s after issuance, too close to the due time (20 s) to see the not-due state: the machine is overloaded"
fi

# A name that is not configured: a usage error, nothing done.
before=$(state_snapshot "$S")
run_conf "$CONF" renew gamma
is "$RUN_RC" 2 "renew of an unconfigured name: exit 2"
is "$(error_count "$RUN_ERR")" 1 "renew of an unconfigured name: one error line"
like "$(cat "$RUN_ERR")" "gamma" "renew of an unconfigured name: names it"
is "$(state_snapshot "$S")" "$before" "renew of an unconfigured name: nothing written"

# ---- once due: renew NAME renews that one only -----------------------------
# Due at notAfter - lifetime/2; wait until both are past it (at most ~22 s).
due=$(((na_a + nb_a) / 2 + 2))
[ "$nb_b" -gt "$nb_a" ] && due=$((due + nb_b - nb_a))
wait_s=$((due - $(date +%s)))
[ "$wait_s" -gt 0 ] && { note "sleeping ${wait_s}s until both are due"; sleep "$wait_s"; }

run_conf "$CONF" -v renew "$A"
is "$RUN_RC" 0 "renew $A when due: exit 0 (renewed)" || diag_file "$RUN_ERR"
isnt "$(serial "$LA/cert.pem")" "$serial_a1" "$A has a new certificate (new serial)"
isnt "$(readlink "$LA")" "$gen_a1" "$A: live points to a new generation"
is "$(serial "$LB/cert.pem")" "$serial_b1" "$B was not touched by renew $A"
is "$(readlink "$LB")" "$gen_b1" "$B: live still points to the same generation"
unlike "$(cat "$RUN_ERR")" "$B" "renew $A does not even look at $B"
serial_a2=$(serial "$LA/cert.pem")
pebble_root "$PEBBLE_DIR/root.pem"
v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$LA/chain.pem" "$LA/cert.pem" 2>&1)
is "$v" "$LA/cert.pem: OK" "the renewed $A verifies"
is "$(openssl x509 -in "$LA/cert.pem" -noout -pubkey 2>&1)" \
	"$(openssl pkey -in "$LA/privkey.pem" -pubout 2>&1)" \
	"the renewed $A's live key matches its certificate"

# A whole pass now renews only what is due: $B, not the fresh $A.
run_conf "$CONF" -v renew
is "$RUN_RC" 0 "renew (all) when $B is due: exit 0" || diag_file "$RUN_ERR"
isnt "$(serial "$LB/cert.pem")" "$serial_b1" "$B has a new certificate"
is "$(serial "$LA/cert.pem")" "$serial_a2" "the fresh $A was left alone"
is "$(san_names "$LB/cert.pem")" beta.renew.example.test "the renewed $B has its name"
before=$(state_snapshot "$S")
run_conf "$CONF" -v renew
is "$RUN_RC" 3 "renew right after: nothing due, exit 3" || diag_file "$RUN_ERR"
is "$(http_count "$RUN_ERR")" 0 "renew right after: no HTTP request"
is "$(state_snapshot "$S")" "$before" "renew right after: nothing written"

# ---- one unreachable CA does not stop the others ---------------------------
closed=$(pebble_free_ports_ 1)
CONF2=$PEBBLE_DIR/two.conf
cat >"$CONF2" <<EOF
$common

[cert down]
names = down.renew.example.test
server = https://127.0.0.1:$closed/dir

[cert gamma]
names = gamma.renew.example.test
EOF
run_conf "$CONF2" renew
is "$RUN_RC" 1 "renew with one unreachable CA: exit 1" || diag_file "$RUN_ERR"
ok "the certificate after the failed one was still issued" \
	test -s "$S/certs/gamma/live/cert.pem"
ok "nothing live for the unreachable one" test ! -e "$S/certs/down/live"
is "$(error_count "$RUN_ERR")" 1 "one error line, about the unreachable CA"
like "$(error_lines "$RUN_ERR")" "127\.0\.0\.1:$closed" "the error line names the CA"
done_testing
