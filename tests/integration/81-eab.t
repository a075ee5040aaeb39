#!/bin/bash
# External account binding (M4, RFC 8555 §7.3.4) against Debian's Pebble
# 2.4 configured to require it: no binding, a wrong HMAC key and half a
# binding are each one line and exit 1; the right key (inline or @FILE)
# makes the account, signed HS256, and the certificate verifies.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
KID=kid-acmelet
KEY=$(python3 -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))')
WRONG=$(python3 -c 'import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))')
export PEBBLE_EAB_REQUIRED=true
export PEBBLE_CONFIG_EXTRA="\"externalAccountMACKeys\": {\"$KID\": \"$KEY\"}"
pebble_setup

NAME=eab.example.test
lc() { tr '[:upper:]' '[:lower:]' <"$1"; }
one_line() { # LABEL ERE: the last run failed with exit 1 and one error line
	is "$RUN_RC" 1 "$1: exits 1"
	is "$(error_count "$RUN_ERR")" 1 "$1: exactly one error line" ||
		diag_file "$RUN_ERR"
	like "$(error_lines "$RUN_ERR" | tr '[:upper:]' '[:lower:]')" "$2" \
		"$1: the line says what to do ($2)"
}

# ---- no binding: one line naming what to set, nothing written ----------------
S=$PEBBLE_DIR/none
run_acmelet "$S" issue "$NAME"
one_line "no binding" "eab-kid.*eab-hmac-key"
ok "no binding: no account key was made" test -z "$(find "$S" -name key.pem 2>/dev/null)"

# ---- half a binding ---------------------------------------------------------------
run_acmelet "$S" --eab-kid "$KID" issue "$NAME"
one_line "only --eab-kid" "both --eab-kid and --eab-hmac-key"

run_acmelet "$S" --eab-kid "$KID" --eab-hmac-key 'not base64!' issue "$NAME"
one_line "a key that is not base64url" "base64url"

# ---- a wrong key: the CA refuses, one line ------------------------------------------
run_acmelet "$S" --eab-kid "$KID" --eab-hmac-key "$WRONG" issue "$NAME"
one_line "wrong HMAC key" "external account binding.*$KID"
ok "wrong HMAC key: no certificate" test ! -e "$S/certs/$NAME/live"

# ---- the right key, from a file -------------------------------------------------------
printf '%s\n' "$KEY" >"$PEBBLE_DIR/eab.key"
run_acmelet "$S" -v --eab-kid "$KID" --eab-hmac-key "@$PEBBLE_DIR/eab.key" issue "$NAME"
is "$RUN_RC" 0 "the right key from @FILE: issue exits 0 (after the failures)" ||
	diag_file "$RUN_ERR"
like "$(grep -i 'account' "$RUN_ERR")" "created account" "a new account was created"
pebble_root "$PEBBLE_DIR/root.pem"
L=$S/certs/$NAME/live
is "$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" "$L/cert.pem" 2>&1)" \
	"$L/cert.pem: OK" "the certificate verifies against Pebble's root"

# ---- the right key inline, in the configuration file ------------------------------------
S2=$PEBBLE_DIR/conf
{
	conf_globals "$S2"
	echo "eab-kid = $KID"
	echo "eab-hmac-key = $KEY"
	echo
	echo "[cert $NAME]"
	echo "names = $NAME"
} >"$PEBBLE_DIR/eab.conf"
run_conf "$PEBBLE_DIR/eab.conf" renew
is "$RUN_RC" 0 "eab-kid = and eab-hmac-key = in the file: renew issues (exit 0)" ||
	diag_file "$RUN_ERR"
ok "live/cert.pem exists" test -s "$S2/certs/$NAME/live/cert.pem"
# A stored account is used as it is: no binding is sent again.
run_conf "$PEBBLE_DIR/eab.conf" --force renew
is "$RUN_RC" 0 "a stored account needs no binding again (forced renewal exits 0)" ||
	diag_file "$RUN_ERR"
done_testing
