#!/bin/bash
# One name against a real Pebble: a valid chain, a P-256 key that matches the
# certificate and is private, and the request budget of DESIGN.md (2N+8 over
# one connection).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
# Exact request counts: no deliberate badNonce here (15-bad-nonce.t has them).
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

NAME=one.example.test
S=$PEBBLE_DIR/state
L=$S/certs/$NAME/live
run_acmelet "$S" -v issue "$NAME"
is "$RUN_RC" 0 "issue $NAME exits 0" || diag_file "$RUN_ERR"

ok "live is a symlink" test -L "$L"
for f in privkey.pem cert.pem chain.pem fullchain.pem; do
	ok "live/$f is a non-empty file" test -s "$L/$f"
done

pebble_root "$PEBBLE_DIR/root.pem"
pebble_intermediate "$PEBBLE_DIR/int.pem"
v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" "$L/cert.pem" 2>&1)
is "$v" "$L/cert.pem: OK" "cert.pem verifies against Pebble's root with chain.pem"
is "$(openssl x509 -in "$L/chain.pem" -noout -fingerprint -sha256 2>&1)" \
	"$(openssl x509 -in "$PEBBLE_DIR/int.pem" -noout -fingerprint -sha256)" \
	"chain.pem is Pebble's intermediate"
is "$(san_names "$L/cert.pem")" "$NAME" "subjectAltName is exactly $NAME"

like "$(openssl pkey -in "$L/privkey.pem" -noout -text 2>&1)" \
	"(prime256v1|P-256)" "privkey.pem is an EC P-256 key"
is "$(stat -L -c %a "$L/privkey.pem")" 600 "privkey.pem has mode 0600"
is "$(openssl x509 -in "$L/cert.pem" -noout -pubkey 2>&1)" \
	"$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
	"the certificate's public key is privkey.pem's"
ok "fullchain.pem is cert.pem followed by chain.pem" \
	cmp -s "$L/fullchain.pem" <(cat "$L/cert.pem" "$L/chain.pem")

shopt -s nullglob; acct=("$S"/accounts/*/); shopt -u nullglob
is "${#acct[@]}" 1 "one account directory"
ok "account key.pem exists" test -s "${acct[0]}key.pem"
is "$(stat -L -c %a "${acct[0]}key.pem" 2>&1)" 600 "account key.pem has mode 0600"
like "$(account_url "${acct[0]}account.json")" '^https://127\.0\.0\.1:[0-9]+/' \
	"account.json holds the account URL"
isnt "$(openssl pkey -in "${acct[0]}key.pem" -pubout 2>&1)" \
	"$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
	"the account key is not the certificate key"

# Budget: 2N+8 requests over one connection (DESIGN.md).
n=$(http_count "$RUN_ERR")
read -r sum_req sum_conn <<<"$(acme_summary "$RUN_ERR")"
ok "-v logged http: lines ($n)" test "$n" -gt 0
is "$sum_req" "$n" "the acme: summary counts every logged request"
ok "requests $n <= 2N+8 = 10" \
	test "$n" -gt 0 -a "$n" -le 10
is "$sum_conn" 1 "one connection for the whole issuance"
[ "$TAP_FAILED" -eq 0 ] || { http_lines "$RUN_ERR" | sed 's/^/#   /' >&2; }
done_testing
