#!/bin/bash
# An account key without its account.json (a crash between the two writes):
# acmelet finds the existing account with the same key instead of creating
# a second one.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

NAME=acct.example.test
S=$PEBBLE_DIR/state
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "first issue exits 0" || diag_file "$RUN_ERR"
shopt -s nullglob; acct=("$S"/accounts/*/); shopt -u nullglob
is "${#acct[@]}" 1 "one account directory"
A=${acct[0]:-$S/accounts/none/}
url1=$(account_url "$A/account.json")
like "$url1" '^https://' "account.json holds the account URL"
key1=$(sha256sum <"$A/key.pem")

rm -f "$A/account.json"
run_acmelet "$S" -v --force issue "$NAME"
is "$RUN_RC" 0 "issue --force without account.json exits 0" || diag_file "$RUN_ERR"
ok "the log says it found the existing account" grep -qiw existing "$RUN_ERR"

new_account=$(curl -fsS --cacert "$CA_FILE" "$ACME_URL" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["newAccount"])')
is "$(grep -cE "http: POST $new_account -> 201 " "$RUN_ERR")" 0 \
	"Pebble created no account (no 201 from newAccount)"
ok "newAccount answered 200 (account exists)" \
	grep -qE "http: POST $new_account -> 200 " "$RUN_ERR"
is "$(account_url "$A/account.json")" "$url1" "account.json again holds the same URL"
is "$(sha256sum <"$A/key.pem")" "$key1" "the account key was kept"
shopt -s nullglob; acct=("$S"/accounts/*/); shopt -u nullglob
is "${#acct[@]}" 1 "still one account directory"
ok "the certificate was reissued with that account" \
	test -s "$S/certs/$NAME/live/cert.pem"
done_testing
