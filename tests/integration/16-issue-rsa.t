#!/bin/bash
# An RSA-2048 certificate key (S10) against a real Pebble: the key is RSA
# 2048 bits and private, the certificate carries it, the chain verifies,
# and the account key stays P-256. Only 2048: 4096-bit generation takes
# seconds.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
require_acmelet
require_part KEY_RSA "RSA keys"
pebble_setup

NAME=rsa.example.test
S=$PEBBLE_DIR/state
L=$S/certs/$NAME/live
run_acmelet "$S" -k rsa-2048 issue "$NAME"
is "$RUN_RC" 0 "issue -k rsa-2048 $NAME exits 0" || diag_file "$RUN_ERR"

text=$(openssl pkey -in "$L/privkey.pem" -noout -text 2>&1)
like "$text" "Private-Key: \(2048 bit" "privkey.pem is a 2048-bit key"
like "$text" "publicExponent: 65537" "with the public exponent 65537"
ok "openssl pkey -check accepts privkey.pem" \
	openssl pkey -in "$L/privkey.pem" -check -noout
like "$(openssl x509 -in "$L/cert.pem" -noout -text 2>&1)" \
	"Public Key Algorithm: rsaEncryption" "the certificate has an RSA key"
is "$(stat -L -c %a "$L/privkey.pem")" 600 "privkey.pem has mode 0600"
is "$(openssl x509 -in "$L/cert.pem" -noout -pubkey 2>&1)" \
	"$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
	"the certificate's public key is privkey.pem's"

pebble_root "$PEBBLE_DIR/root.pem"
v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" "$L/cert.pem" 2>&1)
is "$v" "$L/cert.pem: OK" "cert.pem verifies against Pebble's root with chain.pem"
is "$(san_names "$L/cert.pem")" "$NAME" "subjectAltName is exactly $NAME"

shopt -s nullglob; acct=("$S"/accounts/*/); shopt -u nullglob
like "$(openssl pkey -in "${acct[0]}key.pem" -noout -text 2>&1)" \
	"(prime256v1|P-256)" "the account key stays EC P-256"

# A second run finds the RSA key and certificate live and good.
run_acmelet "$S" issue "$NAME" -k rsa-2048
is "$RUN_RC" 0 "a second run exits 0" || diag_file "$RUN_ERR"
done_testing
