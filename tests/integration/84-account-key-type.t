#!/bin/bash
# --account-key-type (S10) chooses the key of a new account; the
# certificate key is never the account key, even when both have one type.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

for t in ec-384 rsa-2048; do
	S=$PEBBLE_DIR/state-$t
	NAME=$t.example.test
	run_acmelet "$S" --account-key-type "$t" -k "$t" issue "$NAME"
	is "$RUN_RC" 0 "$t account and certificate: issue exits 0" || diag_file "$RUN_ERR"
	like "$(grep 'created account' "$RUN_ERR")" "\\($t key\\)" "the log names the account key type"
	A=$(find "$S/accounts" -name key.pem)
	L=$S/certs/$NAME/live
	case $t in
	ec-384) want='384 bit' ;;
	rsa-2048) want='2048 bit' ;;
	esac
	like "$(openssl pkey -in "$A" -noout -text 2>&1 | head -n 3)" "$want" "the account key is $t"
	like "$(openssl pkey -in "$L/privkey.pem" -noout -text 2>&1 | head -n 3)" "$want" \
		"the certificate key is $t"
	isnt "$(openssl pkey -in "$A" -pubout 2>&1)" "$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
		"$t: the certificate key is not the account key"
	ok "$t: the account key does not sign the certificate's key" \
		test "$(openssl pkey -in "$A" -pubout 2>&1)" != "$(openssl x509 -in "$L/cert.pem" -noout -pubkey 2>&1)"
	run_acmelet "$S" --account-key-type "$t" -k "$t" --force issue "$NAME"
	is "$RUN_RC" 0 "$t: a forced renewal with the stored account exits 0" || diag_file "$RUN_ERR"
	isnt "$(openssl pkey -in "$A" -pubout 2>&1)" "$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
		"$t: the renewed certificate's key is not the account key either"
done
run_acmelet "$PEBBLE_DIR/x" --account-key-type ed25519 issue x.example.test
is "$RUN_RC" 2 "an unknown account key type: exit 2"
like "$(cat "$RUN_ERR")" "unknown key type 'ed25519'" "...saying which types exist"
done_testing
