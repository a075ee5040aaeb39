#!/bin/bash
# The exhaustive power-cut proof (issue 3): tests/crash/crash_run issues and
# renews against a real Pebble on the simulated port, cuts the power after
# every storage step, reboots the flash two ways, runs again and checks the
# invariants. Its TAP is passed through.
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

# CRASH_WRAP (e.g. "valgrind -q --error-exitcode=9") goes in front.
ROOT_FILE=$PEBBLE_DIR/root.pem timeout -k 5 "${CRASH_TIMEOUT:-1200}" \
	${CRASH_WRAP:-} "$CRASH_RUN" crash.example.test www.crash.example.test
rc=$?
[ "$rc" -eq 124 ] && echo "# crash_run timed out" >&2
[ "$rc" -eq 0 ] || TAP_FAILED=1 # keeps PEBBLE_DIR for debugging
exit "$rc"
