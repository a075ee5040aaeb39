#!/bin/bash
# acmelet revoke CERT [--reason N] (RFC 8555 §7.6) against Debian's Pebble
# 2.4: by the account key, by the certificate's own key when there is no
# account, each checked with Pebble's management interface
# (/cert-status-by-serial/); a revoked live certificate is due, so the
# next renew replaces it; revoking a certificate this account did not
# issue is one line, exit 1, and changes nothing.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
require_acmelet
require_part ACCOUNT_CMDS "account and revoke commands"
pebble_setup

# cert_status CERT [FIELD]: "Valid" or "Revoked" (or FIELD, e.g. Reason)
# as Pebble's management interface says
cert_status() {
	local s
	s=$(openssl x509 -in "$1" -noout -serial | cut -d= -f2)
	curl -fsS --max-time 10 --cacert "$CA_FILE" \
		"https://127.0.0.1:$MGMT_PORT/cert-status-by-serial/$s" |
		python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1]))' "${2:-Status}"
}

S=$PEBBLE_DIR/state
NAME=revoke.example.test
CONF=$PEBBLE_DIR/acmelet.conf
{
	conf_globals "$S"
	printf '\n[cert %s]\nnames = %s\n' "$NAME" "$NAME"
} >"$CONF"
run_conf "$CONF" renew
is "$RUN_RC" 0 "issue from the configuration exits 0" || diag_file "$RUN_ERR"
L=$S/certs/$NAME/live
cp "$L/cert.pem" "$PEBBLE_DIR/first.pem"
is "$(cert_status "$L/cert.pem")" Valid "Pebble: the certificate is valid"

# a certificate another account issued: refused, nothing changes
S2=$PEBBLE_DIR/state-other
run_acmelet "$S2" issue other.example.test
is "$RUN_RC" 0 "a second account issues its own certificate" || diag_file "$RUN_ERR"
SNAP=$(live_snapshot "$S2" other.example.test)
run_acmelet "$S" revoke "$S2/certs/other.example.test/live/cert.pem"
is "$RUN_RC" 1 "revoking a certificate this account did not issue: exit 1"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "did not issue" "...saying this account did not issue it"
is "$(cert_status "$S2/certs/other.example.test/live/cert.pem")" Valid "...and it stays valid"
is "$(live_snapshot "$S2" other.example.test)" "$SNAP" "...its files are unchanged"

# by the account key, with a reason
run_conf "$CONF" revoke "$NAME" --reason 4
is "$RUN_RC" 0 "revoke NAME --reason 4 exits 0" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "the next renew replaces it" "...saying the next renew replaces it"
is "$(cert_status "$L/cert.pem")" Revoked "Pebble: the certificate is revoked"
is "$(cert_status "$L/cert.pem" Reason)" 4 "Pebble: with reason 4"
run_conf "$CONF" revoke "$NAME"
is "$RUN_RC" 0 "revoking it again exits 0" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "revoked already" "...saying it was revoked already"
run_conf "$CONF" status
like "$(cat "$RUN_OUT")" "next: renew now" "status: a revoked certificate is renewed now"
run_conf "$CONF" renew
is "$RUN_RC" 0 "the next renew exits 0 (issued)" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "was revoked; issuing" "...saying why"
isnt "$(serial "$L/cert.pem")" "$(serial "$PEBBLE_DIR/first.pem")" "...a new certificate is live"
is "$(cert_status "$L/cert.pem")" Valid "Pebble: the new one is valid"
ok "the pair matches" pair_ok "$L"
run_conf "$CONF" renew
is "$RUN_RC" 3 "then renew has nothing to do (exit 3)" || diag_file "$RUN_ERR"

# by the certificate's own key, when the account is gone
mv "$S/accounts" "$PEBBLE_DIR/accounts-away"
run_conf "$CONF" revoke "$NAME"
is "$RUN_RC" 0 "revoke without an account exits 0" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "certificate's own key" "...signed with the certificate's key"
is "$(cert_status "$L/cert.pem")" Revoked "Pebble: revoked by the certificate key"
ok "no account was made for it" test ! -e "$S/accounts"

# nothing to sign with: no account, no key beside the file
mkdir -p "$PEBBLE_DIR/lone"
cp "$S2/certs/other.example.test/live/cert.pem" "$PEBBLE_DIR/lone/c.pem"
run_conf "$CONF" revoke "$PEBBLE_DIR/lone/c.pem"
is "$RUN_RC" 1 "no account and no key: exit 1"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
run_conf "$CONF" revoke no-such.example.test
is "$RUN_RC" 1 "an unknown certificate: exit 1"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
run_conf "$CONF" revoke "$NAME" --reason 7
is "$RUN_RC" 2 "--reason 7 (unused in RFC 5280): exit 2"
done_testing
