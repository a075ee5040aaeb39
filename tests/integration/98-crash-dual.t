#!/bin/bash
# The power-cut proof for dual certificates (S10, issue 11): crash_run
# --dual issues and renews a certificate with two key types (ec-256 in
# live/, ec-384 in live-ec-384/; EC both, as RSA key generation at every
# cut would take ten minutes: 97 issues EC + RSA) against a real Pebble on the
# simulated port, cuts the power after every storage step of both sets,
# reboots the flash two ways, runs again, and checks per set: no set lost,
# each set's key of its own type (never mixed), each complete and
# verifying, renewed, nothing pending, no temporary file, at most one
# extra order. Its TAP is passed through.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
CRASH_RUN=${CRASH_RUN:-build/tests/crash_run}
if [ ! -x "$CRASH_RUN" ]; then
	printf '1..1\nnot ok 1 - %s is built (make unit)\n' "$CRASH_RUN"
	exit 1
fi
pebble_start || { fail "Pebble started"; done_testing; }
pebble_root "$PEBBLE_DIR/root.pem" || { fail "Pebble's root fetched"; done_testing; }

ROOT_FILE=$PEBBLE_DIR/root.pem timeout -k 5 "${CRASH_TIMEOUT:-2400}" \
	${CRASH_WRAP:-} "$CRASH_RUN" --dual dual.crash.example.test
rc=$?
[ "$rc" -eq 124 ] && echo "# crash_run timed out" >&2
[ "$rc" -eq 0 ] || TAP_FAILED=1 # keeps PEBBLE_DIR for debugging
exit "$rc"
