#!/bin/bash
# A CA that cannot be reached: exit 1, one error line about connecting, and
# the working certificate stays.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

NAME=down.example.test
S=$PEBBLE_DIR/state
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "first issue exits 0" || diag_file "$RUN_ERR"
snap=$(live_snapshot "$S" "$NAME")

closed=$(pebble_free_ports_ 1)
RUN_SERVER="https://127.0.0.1:$closed/dir" run_acmelet "$S" --force issue "$NAME"
expect_clean_failure "closed port $closed" 'connect' "$snap" "$S" "$NAME"

RUN_SERVER="https://127.0.0.1:$closed/dir" run_acmelet "$PEBBLE_DIR/fresh" issue "$NAME"
is "$RUN_RC" 1 "closed port, empty state: exits 1"
ok "closed port, empty state: no certificate appears" \
	test ! -e "$PEBBLE_DIR/fresh/certs/$NAME/live"
done_testing
