#!/bin/bash
# A second issue of the same names reuses the stored certificate without a
# single request or write (S6, E2); --force reissues.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

NAMES=(reuse.example.test www.reuse.example.test)
S=$PEBBLE_DIR/state
L=$S/certs/${NAMES[0]}/live
serial() { openssl x509 -in "$L/cert.pem" -noout -serial 2>&1; }

run_acmelet "$S" issue "${NAMES[@]}"
is "$RUN_RC" 0 "first issue exits 0" || diag_file "$RUN_ERR"
serial1=$(serial)
gen1=$(readlink "$L")
cp "$L/cert.pem" "$PEBBLE_DIR/cert1.pem"
before=$(state_snapshot "$S")

run_acmelet "$S" -v issue "${NAMES[@]}"
is "$RUN_RC" 0 "second issue without --force exits 0" || diag_file "$RUN_ERR"
is "$(http_count "$RUN_ERR")" 0 "no HTTP request"
ok "cert.pem unchanged" cmp -s "$L/cert.pem" "$PEBBLE_DIR/cert1.pem"
is "$(readlink "$L")" "$gen1" "live still points to the same generation"
after=$(state_snapshot "$S")
is "$after" "$before" "nothing in the state directory was written"
[ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | sed 's/^/#   /' >&2

run_acmelet "$S" -v --name "${NAMES[0]}" issue "${NAMES[1]}" "${NAMES[0]}"
is "$RUN_RC" 0 "the same names in another order: exits 0" || diag_file "$RUN_ERR"
is "$(http_count "$RUN_ERR")" 0 "the same names in another order: no HTTP request"

run_acmelet "$S" -v --force issue "${NAMES[@]}"
is "$RUN_RC" 0 "issue --force exits 0" || diag_file "$RUN_ERR"
ok "--force talked to the CA" test "$(http_count "$RUN_ERR")" -gt 0
isnt "$(serial)" "$serial1" "--force gave a new certificate (new serial)"
isnt "$(readlink "$L")" "$gen1" "live points to a new generation"
is "$(san_names "$L/cert.pem")" "$(printf '%s\n' "${NAMES[@]}" | sort)" \
	"the new certificate has the same names"
pebble_root "$PEBBLE_DIR/root.pem"
v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" "$L/cert.pem" 2>&1)
is "$v" "$L/cert.pem: OK" "the new certificate verifies"
is "$(openssl x509 -in "$L/cert.pem" -noout -pubkey 2>&1)" \
	"$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
	"the new live key matches the new certificate"
done_testing
