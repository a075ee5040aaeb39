#!/bin/bash
# Dual certificates (S10, issue 11): one [cert] section with
# key-type = ec-256 rsa-2048 keeps one live set per key type, EC in live/
# and RSA in live-rsa-2048/, issued in one run and each switched on its
# own. Each set is checked with openssl (key type, key matches the
# certificate, the chain verifies against Pebble's root); a renewal where
# only one set is due renews that one alone; a failure of one set is its
# own (the other stays, its journal clean); status and status --json list
# both; the hook runs once per set and is told which (ACMELET_KEY_TYPE,
# ACMELET_LIVE_DIR). -k ec-256,rsa-2048 on the command line does the same.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
require_acmelet
require_part KEY_RSA "RSA keys"
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup
pebble_root "$PEBBLE_DIR/root.pem" || fail "Pebble's root fetched"

H=$PEBBLE_DIR/hooks
mkdir -p "$H/calls"
cat >"$H/record" <<EOF
#!/bin/sh
n=\$(ls "$H/calls" | wc -l)
f="$H/calls/\$((n + 1))"
{
	echo "args=\$*"
	echo "event=\$ACMELET_EVENT"
	echo "name=\$ACMELET_NAME"
	echo "key_type=\$ACMELET_KEY_TYPE"
	echo "live_dir=\$ACMELET_LIVE_DIR"
	echo "pubkey=\$(openssl x509 -in "\$3/cert.pem" -noout -pubkey 2>&1 | openssl pkey -pubin -noout -text 2>&1 | head -n 1)"
} >"\$f.tmp"
mv "\$f.tmp" "\$f"
EOF
chmod +x "$H/record"
calls() { ls "$H/calls" | wc -l; }
call() { sed -n "s/^$2=//p" "$H/calls/$1"; } # N KEY

NAME=dual
S=$PEBBLE_DIR/state
C=$S/certs/$NAME
CONF=$PEBBLE_DIR/acmelet.conf
cat >"$CONF" <<EOF
$(conf_globals "$S")
[cert $NAME]
names = dual.example.test www.dual.example.test
key-type = ec-256 rsa-2048
hook = $H/record
EOF

# check_set DIR KIND [NAMES]: the four files, the key type, the pair, the
# chain, the names
check_set() {
	local d=$1 kind=$2 names=${3:-dual.example.test www.dual.example.test} f
	for f in privkey.pem cert.pem chain.pem fullchain.pem; do
		ok "$kind: $d/$f exists" test -s "$d/$f"
	done
	if [ "$kind" = ec-256 ]; then
		like "$(openssl pkey -in "$d/privkey.pem" -noout -text 2>&1)" \
			"(prime256v1|P-256)" "$kind: privkey.pem is an EC P-256 key"
	else
		like "$(openssl pkey -in "$d/privkey.pem" -noout -text 2>&1)" \
			"Private-Key: \(2048 bit" "$kind: privkey.pem is a 2048-bit RSA key"
		like "$(openssl x509 -in "$d/cert.pem" -noout -text 2>&1)" \
			"Public Key Algorithm: rsaEncryption" "$kind: the certificate has an RSA key"
	fi
	ok "$kind: privkey.pem is the key of cert.pem" pair_ok "$d"
	is "$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$d/chain.pem" "$d/cert.pem" 2>&1)" \
		"$d/cert.pem: OK" "$kind: the chain verifies against Pebble's root"
	is "$(cat "$d/cert.pem" "$d/chain.pem" | sha256sum)" "$(sha256sum <"$d/fullchain.pem")" \
		"$kind: fullchain.pem is cert.pem + chain.pem"
	is "$(san_names "$d/cert.pem" | tr '\n' ' ')" "$names " "$kind: the names"
}

# ---- one run issues both ---------------------------------------------------
run_conf "$CONF" -v renew
is "$RUN_RC" 0 "renew issues both sets: exit 0" || diag_file "$RUN_ERR"
is "$(grep -c '/order-plz -> 201' "$RUN_ERR")" 2 "two orders in the one run"
check_set "$C/live" ec-256
check_set "$C/live-rsa-2048" rsa-2048
is "$(readlink "$C/live-rsa-2048")" "rsa-2048/live" "live-rsa-2048 links to the set's own live link"
like "$(readlink "$C/rsa-2048/live")" "^gen-[0-9]+$" "the RSA set's live link names one of its generations"
like "$(readlink "$C/live")" "^gen-[0-9]+$" "live/ is switched as with one key type"
isnt "$(serial "$C/live/cert.pem")" "$(serial "$C/live-rsa-2048/cert.pem")" "two certificates"
is "$(calls)" 2 "the hook ran once per set"
is "$(call 1 args)" "issued $NAME $C/live" "hook 1: issued NAME live/"
is "$(call 1 key_type)" ec-256 "hook 1: ACMELET_KEY_TYPE=ec-256"
is "$(call 2 args)" "issued $NAME $C/live-rsa-2048" "hook 2: issued NAME live-rsa-2048/"
is "$(call 2 name)" "$NAME" "hook 2: ACMELET_NAME is the certificate's name"
is "$(call 2 key_type)" rsa-2048 "hook 2: ACMELET_KEY_TYPE=rsa-2048"
is "$(call 2 live_dir)" "$C/live-rsa-2048" "hook 2: ACMELET_LIVE_DIR is live-rsa-2048"
like "$(call 2 pubkey)" "2048 bit" "hook 2 finds the RSA certificate in its LIVE_DIR"

# ---- nothing due: nothing done, nothing written ----------------------------
before=$(state_snapshot "$S")
run_conf "$CONF" -v renew
is "$RUN_RC" 3 "renew with nothing due: exit 3" || diag_file "$RUN_ERR"
is "$(http_count "$RUN_ERR")" 0 "nothing due: no request"
is "$(state_snapshot "$S")" "$before" "nothing due: nothing written"

# ---- status lists both ------------------------------------------------------
run_conf "$CONF" status
is "$RUN_RC" 0 "status: exit 0"
out=$(cat "$RUN_OUT")
like "$out" "key type: ec-256, live: $C/live" "status: the EC set and its live dir"
like "$out" "key type: rsa-2048, live: $C/live-rsa-2048" "status: the RSA set and its live dir"
is "$(grep -c 'expires: 2' "$RUN_OUT")" 2 "status: an expiry date per set"
run_conf "$CONF" --json status
is "$RUN_RC" 0 "status --json: exit 0"
jq_out() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$RUN_OUT" 2>&1; }
is "$(jq_out '[s["key_type"] for s in j[0]["sets"]]')" "['ec-256', 'rsa-2048']" "status --json: sets ec-256 and rsa-2048"
is "$(jq_out '[s["live_dir"] for s in j[0]["sets"]]')" "['$C/live', '$C/live-rsa-2048']" "status --json: each set's live dir"
is "$(jq_out '[s["has_certificate"] for s in j[0]["sets"]]')" "[True, True]" "status --json: both have a certificate"
is "$(jq_out 'j[0]["key_type"]')" ec-256 "status --json: the top level is the first set, as with one key type"

# ---- only the RSA set due: it alone is renewed -----------------------------
# The RSA set's journal says its live generation was revoked (as acmelet
# revoke records it): due at once; the EC set is not due.
ec_snap=$(live_snapshot "$S" "$NAME")
rsa_serial=$(serial "$C/live-rsa-2048/cert.pem")
gen=$(readlink "$C/rsa-2048/live"); gen=${gen#gen-}
printf '{"order":"","names":"","gen":0,"failures":0,"next_try":0,"last_error":"","revoked":%s}' "$gen" >"$C/rsa-2048/state"
run_conf "$CONF" -v renew
is "$RUN_RC" 0 "renew with the RSA set due: exit 0" || diag_file "$RUN_ERR"
is "$(grep -c '/order-plz -> 201' "$RUN_ERR")" 1 "one order: the RSA set's"
is "$(live_snapshot "$S" "$NAME")" "$ec_snap" "the EC set is untouched"
isnt "$(serial "$C/live-rsa-2048/cert.pem")" "$rsa_serial" "the RSA set has a new certificate"
check_set "$C/live-rsa-2048" rsa-2048
is "$(calls)" 3 "the hook ran once more"
is "$(call 3 args)" "renewed $NAME $C/live-rsa-2048" "hook 3: renewed NAME live-rsa-2048/"
is "$(call 3 key_type)" rsa-2048 "hook 3: ACMELET_KEY_TYPE=rsa-2048"

# ---- a failure of one set is its own ---------------------------------------
gen=$(readlink "$C/rsa-2048/live"); gen=${gen#gen-}
printf '{"order":"","names":"","gen":0,"failures":0,"next_try":0,"last_error":"","revoked":%s}' "$gen" >"$C/rsa-2048/state"
rsa_snap=$(live_snapshot "$S" "$NAME/rsa-2048")
closed=$(pebble_free_ports_ 1)
run_conf "$CONF" --server "https://127.0.0.1:$closed/dir" renew
is "$RUN_RC" 1 "the CA is away while the RSA set is due: exit 1"
is "$(error_count "$RUN_ERR")" 1 "one error line"
is "$(jget "$C/rsa-2048/state" failures)" 1 "the RSA set's journal counts the failure"
is "$(jget "$C/state" failures)" 0 "the EC set has no failure recorded"
is "$(live_snapshot "$S" "$NAME")" "$ec_snap" "the EC set is still untouched"
is "$(live_snapshot "$S" "$NAME/rsa-2048")" "$rsa_snap" "the RSA set keeps its live certificate"
is "$(call 4 event)" failed "hook 4: failed"
is "$(call 4 key_type)" rsa-2048 "hook 4: for the RSA set"
run_conf "$CONF" --json status
is "$(jq_out '[s["failures"] for s in j[0]["sets"]]')" "[0, 1]" "status --json: failures per set"
run_conf "$CONF" retry "$NAME"
is "$RUN_RC" 0 "retry: exit 0"
is "$(jget "$C/rsa-2048/state" failures)" 0 "retry cleared the RSA set's backoff"

# ---- the command line: -k ec-256,rsa-2048 -----------------------------------
S2=$PEBBLE_DIR/state2
run_acmelet "$S2" -k ec-256,rsa-2048 issue cli.dual.example.test
is "$RUN_RC" 0 "issue -k ec-256,rsa-2048: exit 0" || diag_file "$RUN_ERR"
check_set "$S2/certs/cli.dual.example.test/live" ec-256 cli.dual.example.test
check_set "$S2/certs/cli.dual.example.test/live-rsa-2048" rsa-2048 cli.dual.example.test
run_acmelet "$S2" -k ec-256,ec-256 issue cli.dual.example.test
is "$RUN_RC" 2 "-k with a type twice: usage error"
done_testing
