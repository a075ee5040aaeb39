#!/bin/bash
# Corrupt or truncated state found at start (issue 3), made by hand in copies
# of a good state directory: each gives one clear line naming the file, the
# documented exit status (0 recovered or nothing to do, 1 could not; never a
# crash), and the live certificate is never lost.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup
NAME=corrupt.example.test
UNREACHABLE=https://127.0.0.1:1/dir

# One line at warning or error level that names ERE (a file).
names_file() { grep -E "(warning|error): .*($1)" "$RUN_ERR" | grep -q .; }

# outcome LABEL RC: the last run exited RC (never a crash) and the live
# pair is whole.
outcome() {
	is "$RUN_RC" "$2" "$1: exits $2" || diag_file "$RUN_ERR"
	ok "$1: no crash (exit $RUN_RC < 128)" test "$RUN_RC" -lt 128
	ok "$1: the live pair is whole" pair_ok "$S/certs/$NAME/live"
}

BASE=$PEBBLE_DIR/base
run_acmelet "$BASE" issue "$NAME"
is "$RUN_RC" 0 "a good issuance to start from" || { diag_file "$RUN_ERR"; done_testing; }
run_acmelet "$BASE" --force issue "$NAME"
is "$RUN_RC" 0 "and a renewal: gen-2 live, gen-1 previous" || diag_file "$RUN_ERR"
is "$(readlink "$BASE/certs/$NAME/live")" gen-2 "live -> gen-2"
ACCT=$(cd "$BASE/accounts" && echo *)
URL=$(account_url "$BASE/accounts/$ACCT/account.json")
N=0
fresh() { # a copy of the good state in S
	N=$((N + 1))
	S=$PEBBLE_DIR/case$N
	cp -a "$BASE" "$S"
	SNAP=$(live_snapshot "$S" "$NAME")
}

# 1. The journal is garbage: warned about, nothing else is due.
fresh
echo 'garbage{"order":' >"$S/certs/$NAME/state"
run_acmelet "$S" issue "$NAME"
outcome "garbage journal" 0
ok "garbage journal: one line names the journal" names_file "/state"
is "$(live_snapshot "$S" "$NAME")" "$SNAP" "garbage journal: the live certificate is unchanged"
run_acmelet "$S" --force issue "$NAME"
outcome "garbage journal, forced issuance" 0

# 2. The journal is truncated (a pending order, cut in the middle).
fresh
printf '{"order":"https://127.0.0.1:1/my-order/x","names":"ab' >"$S/certs/$NAME/state"
run_acmelet "$S" --force issue "$NAME"
outcome "truncated journal" 0
ok "truncated journal: one line names the journal" names_file "/state"
isnt "$(live_snapshot "$S" "$NAME")" "$SNAP" "truncated journal: a new certificate is live"

# 3. The journal names an order the CA does not know: a new order.
fresh
id=$(printf '%s\n' "$NAME" | sha256sum | cut -d' ' -f1)
printf '{"order":"%s/my-order/unknown","names":"%s","gen":0,"failures":0,"next_try":0,"last_error":""}' \
	"${ACME_URL%/dir}" "$id" >"$S/certs/$NAME/state"
run_acmelet "$S" --force issue "$NAME"
outcome "unknown order in the journal" 0
ok "unknown order in the journal: one line names the order" names_file "my-order/unknown|no longer usable"

# 4. account.json truncated: the account is looked up again by its key.
fresh
head -c 10 "$BASE/accounts/$ACCT/account.json" >"$S/accounts/$ACCT/account.json"
run_acmelet "$S" --force issue "$NAME"
outcome "truncated account.json" 0
ok "truncated account.json: one line names it" names_file "account\.json"
is "$(account_url "$S/accounts/$ACCT/account.json")" "$URL" \
	"truncated account.json: the same account is found and recorded again"

# 5. The account key is truncated: nothing safe to do but say so.
fresh
head -c 40 "$BASE/accounts/$ACCT/key.pem" >"$S/accounts/$ACCT/key.pem"
run_acmelet "$S" --force issue "$NAME"
outcome "truncated account key" 1
ok "truncated account key: one line names it" names_file "key\.pem"
is "$(error_count "$RUN_ERR")" 1 "truncated account key: exactly one error line"
is "$(live_snapshot "$S" "$NAME")" "$SNAP" "truncated account key: the live certificate is unchanged"

# 6. Leftovers of interrupted writes and an orphan generation: removed at
# the next start, the live pair untouched.
fresh
C=$S/certs/$NAME
echo partial >"$C/state.tmp-123"
ln -s gen-9 "$C/live.tmp-77"
echo partial >"$C/gen-2/cert.pem.tmp-123"
mkdir "$C/gen-9" && echo partial >"$C/gen-9/privkey.pem.tmp-5"
echo partial >"$S/accounts/$ACCT/key.pem.tmp-55"
run_acmelet "$S" issue "$NAME"
outcome "leftovers" 0
is "$(live_snapshot "$S" "$NAME")" "$SNAP" "leftovers: the live certificate is unchanged"
is "$(find "$C" -name '*.tmp-*')" "" "leftovers: no temporary file left under certs/"
ok "leftovers: the orphan generation gen-9 is removed" test ! -e "$C/gen-9"
ok "leftovers: the previous generation gen-1 is kept" pair_ok "$C/gen-1"
ok "leftovers: no temporary file left under accounts/" test -z "$(find "$S/accounts" -name '*.tmp-*')"

# 7. The journal's pending generation holds an empty key: a new key.
fresh
mkdir "$S/certs/$NAME/gen-3"
: >"$S/certs/$NAME/gen-3/privkey.pem"
printf '{"order":"","names":"","gen":3,"failures":0,"next_try":0,"last_error":""}' \
	>"$S/certs/$NAME/state"
run_acmelet "$S" --force issue "$NAME"
outcome "empty pending key" 0
isnt "$(live_snapshot "$S" "$NAME")" "$SNAP" "empty pending key: a new certificate is live"
ok "empty pending key: one line names it" names_file "gen-3|privkey\.pem"

# 8. A garbage live cert.pem: a run that cannot reach the CA keeps every
# generation as it was; one that can issues a new certificate.
fresh
echo garbage >"$S/certs/$NAME/gen-2/cert.pem"
SNAP=$(live_snapshot "$S" "$NAME")
RUN_SERVER=$UNREACHABLE run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 1 "garbage live cert, CA unreachable: exits 1"
ok "garbage live cert, CA unreachable: no crash" test "$RUN_RC" -lt 128
ok "garbage live cert: one line names the live certificate" names_file "live certificate"
is "$(live_snapshot "$S" "$NAME")" "$SNAP" "garbage live cert, CA unreachable: live is unchanged"
ok "garbage live cert, CA unreachable: the previous generation is kept" \
	pair_ok "$S/certs/$NAME/gen-1"
run_acmelet "$S" issue "$NAME"
outcome "garbage live cert, CA reachable" 0
isnt "$(readlink "$S/certs/$NAME/live")" gen-2 "garbage live cert: a new generation is live"

# 9. A truncated live privkey.pem: the pair no longer matches, so the
# certificate must be replaced rather than kept.
fresh
head -c 50 "$BASE/certs/$NAME/gen-2/privkey.pem" >"$S/certs/$NAME/gen-2/privkey.pem"
run_acmelet "$S" issue "$NAME"
ok "truncated live key: no crash" test "$RUN_RC" -lt 128
ok "truncated live key: a whole pair is live again" pair_ok "$S/certs/$NAME/live"
ok "truncated live key: one line names it" names_file "privkey\.pem"

# 10. live points at a generation that is gone: a new certificate.
fresh
rm -f "$S/certs/$NAME/live" && ln -s gen-7 "$S/certs/$NAME/live"
run_acmelet "$S" issue "$NAME"
outcome "dangling live link" 0
done_testing
