#!/bin/bash
# The http-01 port is taken by another program: exit 1, one error line that
# says so, and the working certificate stays.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

NAME=busy.example.test
S=$PEBBLE_DIR/state
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "first issue exits 0" || diag_file "$RUN_ERR"
snap=$(live_snapshot "$S" "$NAME")

# Another program listening on the port (it quits by itself after 120 s).
# SO_REUSEADDR because the validator's connections from the first run may
# still sit in TIME_WAIT; it does not let a second listener in.
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(5)
print("listening", flush=True)
time.sleep(120)' "$HTTP_PORT" >"$PEBBLE_DIR/busy.out" 2>&1 &
BUSY=$!
trap 'kill $BUSY 2>/dev/null; pebble_stop' EXIT
for _ in $(seq 50); do
	grep -q listening "$PEBBLE_DIR/busy.out" && break
	sleep 0.1
done
ok "port $HTTP_PORT is taken" grep -q listening "$PEBBLE_DIR/busy.out"

run_acmelet "$S" --force issue "$NAME"
expect_clean_failure "port busy" 'in use|busy' "$snap" "$S" "$NAME"
kill $BUSY 2>/dev/null
wait $BUSY 2>/dev/null
done_testing
