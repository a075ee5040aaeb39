#!/bin/bash
# A power cut at every storage step of an account key rollover never loses
# the account (M6): tests/crash/crash_rollover runs `account rollover` on
# the simulated port against a real Pebble, cuts the power after each step,
# reboots the flash two ways, settles the account as the next run does and
# checks the CA still knows key.pem as the same account. Its TAP is passed
# through.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
require_acmelet
require_part ACCOUNT_CMDS "account and revoke commands"
CRASH_ROLLOVER=${CRASH_ROLLOVER:-$(dirname "$ACMELET")/tests/crash_rollover}
if [ ! -x "$CRASH_ROLLOVER" ]; then
	printf '1..1\nnot ok 1 - %s is built (make unit)\n' "$CRASH_ROLLOVER"
	exit 1
fi
pebble_start || { fail "Pebble started"; done_testing; }
timeout -k 5 "${CRASH_TIMEOUT:-600}" ${CRASH_WRAP:-} "$CRASH_ROLLOVER"
rc=$?
[ "$rc" -eq 124 ] && echo "# crash_rollover timed out" >&2
[ "$rc" -eq 0 ] || TAP_FAILED=1 # keeps PEBBLE_DIR for debugging
exit "$rc"
