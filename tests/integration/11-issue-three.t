#!/bin/bash
# Three names in one certificate, stored under the first name.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
# Exact request counts: no deliberate badNonce here (15-bad-nonce.t has them).
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

NAMES=(www.three.test three.test mail.three.test)
S=$PEBBLE_DIR/state
L=$S/certs/${NAMES[0]}/live
run_acmelet "$S" -v issue "${NAMES[@]}"
is "$RUN_RC" 0 "issue of three names exits 0" || diag_file "$RUN_ERR"

ok "stored under the first name" test -s "$L/cert.pem"
is "$(san_names "$L/cert.pem")" "$(printf '%s\n' "${NAMES[@]}" | sort)" \
	"subjectAltName holds exactly the three names"
pebble_root "$PEBBLE_DIR/root.pem"
v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" "$L/cert.pem" 2>&1)
is "$v" "$L/cert.pem: OK" "cert.pem verifies against Pebble's root"
is "$(openssl x509 -in "$L/cert.pem" -noout -pubkey 2>&1)" \
	"$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
	"the certificate's public key is privkey.pem's"

n=$(http_count "$RUN_ERR")
read -r _ sum_conn <<<"$(acme_summary "$RUN_ERR")"
ok "requests $n <= 2N+8 = 14" \
	test "$n" -gt 0 -a "$n" -le 14
is "$sum_conn" 1 "one connection for the whole issuance"

run_acmelet "$S" --name other.three.test issue three.test
is "$RUN_RC" 0 "--name picks the directory" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/other.three.test/live/cert.pem")" three.test \
	"certs/other.three.test holds three.test"
done_testing
