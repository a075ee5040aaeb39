#!/bin/bash
# Pebble rejecting twice its usual share of good nonces (RFC 8555 §6.5
# badNonce): the issuance still succeeds, each rejection costs exactly one
# retry, and the retries stay on the same connection. Not more than 10%: a
# client may fairly give up after a few rejections in a row (4 in a row
# here: 1 in 10^4 per request).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=10
pebble_setup

NAMES=(nonce.example.test www.nonce.example.test)
S=$PEBBLE_DIR/state
L=$S/certs/${NAMES[0]}/live
run_acmelet "$S" -v issue "${NAMES[@]}"
is "$RUN_RC" 0 "issue with 10% of nonces rejected exits 0" || diag_file "$RUN_ERR"
pebble_root "$PEBBLE_DIR/root.pem"
v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" "$L/cert.pem" 2>&1)
is "$v" "$L/cert.pem: OK" "cert.pem verifies against Pebble's root"

n=$(http_count "$RUN_ERR")
rejected=$(grep -cE 'http: POST [^ ]+ -> 400 ' "$RUN_ERR")
note "$rejected nonces rejected"
read -r _ sum_conn <<<"$(acme_summary "$RUN_ERR")"
ok "requests $n <= 2N+8 = 12, plus one retry per badNonce ($rejected)" \
	test "$n" -gt 0 -a "$n" -le $((12 + rejected))
is "$sum_conn" 1 "retries kept the one connection"
done_testing
