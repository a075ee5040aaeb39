#!/bin/bash
# A name the CA refuses by policy (Pebble's domainBlocklist): exit 1, one
# error line naming it, and the working certificate stays.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
PEBBLE_CONFIG_EXTRA='"domainBlocklist": ["blocked.test"]'
pebble_setup

NAME=fine.example.test
BAD=www.blocked.test
S=$PEBBLE_DIR/state
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "first issue exits 0" || diag_file "$RUN_ERR"
snap=$(live_snapshot "$S" "$NAME")

run_acmelet "$S" --force issue "$NAME" "$BAD"
expect_clean_failure "adding $BAD" "rejected|www\.blocked\.test" "$snap" "$S" "$NAME"

run_acmelet "$S" issue "$BAD"
is "$RUN_RC" 1 "$BAD alone: exits 1"
is "$(error_count "$RUN_ERR")" 1 "$BAD alone: exactly one error line"
ok "$BAD alone: no certificate appears" test ! -e "$S/certs/$BAD/live"
done_testing
