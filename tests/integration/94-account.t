#!/bin/bash
# acmelet account show|update|rollover|deactivate (M6) against Debian's
# Pebble 2.4: keyChange (RFC 8555 §7.3.5) and issuing after it, a new key
# the CA refuses (one line, exit 1, the account keeps its key), a rollover
# cut before the CA's answer settled by the next run, deactivation (the old
# account is refused, the next issuance makes a new one), and deactivating
# twice (one line, exit 1); a held account lock (one line, exit 1).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
require_acmelet
require_part ACCOUNT_CMDS "account and revoke commands"
pebble_setup

S=$PEBBLE_DIR/state
NAME=acct.example.test
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "issue with a new account exits 0" || diag_file "$RUN_ERR"
ADIR=$(dirname "$(find "$S/accounts" -name key.pem)")
URL=$(account_url "$ADIR/account.json")
like "$URL" '^https://' "the account URL is recorded"

# show
run_acmelet "$S" account show
is "$RUN_RC" 0 "account show exits 0" || diag_file "$RUN_ERR"
like "$(cat "$RUN_OUT")" "account: $URL" "show: the account URL"
like "$(cat "$RUN_OUT")" "status: valid" "show: the CA's status"
like "$(cat "$RUN_OUT")" "contact: mailto:admin@acmelet.test" "show: the contact"
like "$(cat "$RUN_OUT")" "key: ec-256" "show: the key type"

# update
run_acmelet "$S" account update --email other@acmelet.test
is "$RUN_RC" 0 "account update exits 0" || diag_file "$RUN_ERR"
run_acmelet "$S" account show
like "$(cat "$RUN_OUT")" "contact: mailto:other@acmelet.test" "the CA shows the new contact"

# an account change waits for the account's lock (issue 12), and gives up
# with one line when another process keeps it
flock -o "$ADIR" sleep 120 </dev/null >/dev/null 2>&1 &
HOLDER=$!
wait_for 10 sh -c "! flock -n '$ADIR' true" || diag "flock(1) did not take $ADIR"
BEFORE=$(sha256sum "$ADIR/key.pem")
run_acmelet "$S" --lock-wait 1 account rollover
is "$RUN_RC" 1 "rollover while another process holds the account: exit 1"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "another acmelet" "...saying another acmelet works on it"
is "$(sha256sum "$ADIR/key.pem")" "$BEFORE" "...key.pem is unchanged"
ok "...and no rollover was journalled" test ! -e "$ADIR/key-next.pem"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null

# rollover to a new RSA key
OLD=$PEBBLE_DIR/old-key.pem
cp "$ADIR/key.pem" "$OLD"
run_acmelet "$S" --account-key-type rsa-2048 account rollover
is "$RUN_RC" 0 "account rollover exits 0" || diag_file "$RUN_ERR"
like "$(openssl pkey -in "$ADIR/key.pem" -noout -text 2>&1 | head -n 2)" '2048 bit' \
	"key.pem is now the new RSA key"
ok "the rollover journal (key-next.pem) is gone" test ! -e "$ADIR/key-next.pem"
is "$(account_url "$ADIR/account.json")" "$URL" "the account URL is unchanged"
run_acmelet "$S" account show
like "$(cat "$RUN_OUT")" "status: valid" "the CA takes requests signed by the new key"
like "$(cat "$RUN_OUT")" "key: rsa-2048" "show: the new key type"
run_acmelet "$S" --force -v issue "$NAME"
is "$RUN_RC" 0 "issuing after the rollover exits 0" || diag_file "$RUN_ERR"
is "$(grep -c '/sign-me-up -> 201' "$RUN_ERR")" 0 "no new account was made"

# the old key is refused by the CA: put it back as if nothing happened
S2=$PEBBLE_DIR/state-old
mkdir -p "$S2/accounts/$(basename "$ADIR")"
cp "$OLD" "$S2/accounts/$(basename "$ADIR")/key.pem"
run_acmelet "$S2" account show
is "$RUN_RC" 1 "the old key finds no account any more: exit 1"
is "$(error_count "$RUN_ERR")" 1 "...in one line" || diag_file "$RUN_ERR"

# a new key the CA refuses: another account's key (409)
S3=$PEBBLE_DIR/state-other
run_acmelet "$S3" issue other.example.test
is "$RUN_RC" 0 "a second account" || diag_file "$RUN_ERR"
OTHER=$(find "$S3/accounts" -name key.pem)
BEFORE=$(sha256sum "$ADIR/key.pem")
run_acmelet "$S" account rollover --new-key "$OTHER"
is "$RUN_RC" 1 "rollover to another account's key: exit 1"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "refused the new key" "...saying the CA refused the key"
is "$(sha256sum "$ADIR/key.pem")" "$BEFORE" "key.pem is unchanged"
ok "no rollover journal is left" test ! -e "$ADIR/key-next.pem"
run_acmelet "$S" account show
like "$(cat "$RUN_OUT")" "status: valid" "the account still works with its key"

# a rollover cut before the CA answered: the journal names the new key and
# the CA still has the old one; the next run settles it
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ADIR/key-next.pem" 2>/dev/null
chmod 600 "$ADIR/key-next.pem"
run_acmelet "$S" account show
is "$RUN_RC" 0 "a pending rollover the CA never saw: show exits 0" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "had not reached the CA" "...saying the account keeps its key"
ok "...and the journal is gone" test ! -e "$ADIR/key-next.pem"
is "$(sha256sum "$ADIR/key.pem")" "$BEFORE" "...key.pem is unchanged"

# a rollover the CA took but whose answer was lost: key.pem is still the
# old key, the CA has key-next.pem
cp "$ADIR/key.pem" "$PEBBLE_DIR/k1.pem"
run_acmelet "$S" account rollover
is "$RUN_RC" 0 "another rollover" || diag_file "$RUN_ERR"
NEWK=$(sha256sum <"$ADIR/key.pem")
cp -p "$ADIR/key.pem" "$ADIR/key-next.pem"
cp -p "$PEBBLE_DIR/k1.pem" "$ADIR/key.pem"
run_acmelet "$S" account show
is "$RUN_RC" 0 "a rollover the CA took but never confirmed: show exits 0" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "had reached the CA" "...saying the account now uses the new key"
is "$(sha256sum <"$ADIR/key.pem")" "$NEWK" "...key.pem is the new key"
ok "...the journal is gone" test ! -e "$ADIR/key-next.pem"
like "$(cat "$RUN_OUT")" "status: valid" "...and the account works"

# deactivate
run_acmelet "$S" account deactivate
is "$RUN_RC" 2 "deactivate without --yes: exit 2"
run_acmelet "$S" account deactivate --yes
is "$RUN_RC" 0 "account deactivate --yes exits 0" || diag_file "$RUN_ERR"
is "$(jget "$ADIR/account.json" deactivated)" True "account.json records it"
cp "$ADIR/key.pem" "$PEBBLE_DIR/deactivated-key.pem"
run_acmelet "$S" account deactivate --yes
is "$RUN_RC" 1 "deactivating again: exit 1"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "already deactivated" "...saying it is deactivated already"

# the CA refuses the deactivated account's key
S4=$PEBBLE_DIR/state-dead
mkdir -p "$S4/accounts/$(basename "$ADIR")"
cp "$PEBBLE_DIR/deactivated-key.pem" "$S4/accounts/$(basename "$ADIR")/key.pem"
run_acmelet "$S4" issue dead.example.test
is "$RUN_RC" 1 "the deactivated key is refused by the CA: exit 1"
like "$(error_lines "$RUN_ERR")" "deactivated" "...the line says why"

# the CA says so too when only it knows (account.json lost its mark)
printf '{"url": "%s"}' "$URL" >"$S4/accounts/$(basename "$ADIR")/account.json"
run_acmelet "$S4" account deactivate --yes
is "$RUN_RC" 1 "deactivating an account the CA deactivated: exit 1"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "already deactivated" "...saying so"

# a new account works after deactivation
run_acmelet "$S" -v --force issue "$NAME"
is "$RUN_RC" 0 "issue after deactivation exits 0" || diag_file "$RUN_ERR"
is "$(grep -c '/sign-me-up -> 201' "$RUN_ERR")" 1 "...with a new account"
isnt "$(account_url "$ADIR/account.json")" "$URL" "...at a new URL"
is "$(jget "$ADIR/account.json" deactivated)" "" "...not marked deactivated"
run_acmelet "$S" account show
like "$(cat "$RUN_OUT")" "status: valid" "the new account is valid"
done_testing
