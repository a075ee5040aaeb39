#!/bin/bash
# S13: many certificates due together are tried in small runs, not all at
# once. Eight certificates, none issued yet, a CA that refuses connections:
# the daemon's first pass tries five (one failure recorded in each of their
# journals) and leaves three for a later pass, spread over the next minutes.
# No Pebble: nothing here gets as far as a CA.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
require_acmelet

T=$(mktemp -d) || exit 1
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT
PORT=$(pebble_free_ports_ 1)
{
	echo "server = https://127.0.0.1:1/dir"
	echo "state-dir = $T/state"
	echo "agree-tos = yes"
	echo "http-addr = 127.0.0.1"
	echo "http-port = $PORT"
	for i in 1 2 3 4 5 6 7 8; do
		printf '[cert c%d]\nnames = c%d.test\n' "$i" "$i"
	done
} >"$T/acmelet.conf"

"$ACMELET" -c "$T/acmelet.conf" --log stderr -v run </dev/null 2>"$T/log" &
PID=$!
tried() { grep -l '"failures":1' "$T"/state/certs/*/state 2>/dev/null | wc -l; }
# The end of the first pass is an event the daemon logs with -v.
ok "the first pass ends" wait_for 60 grep -q 'pass done; sleeping' "$T/log" ||
	diag_file "$T/log"
is "$(tried)" 5 "the first pass tried 5 of the 8 due certificates"
is "$(grep -c 'error: .*cannot connect' "$T/log")" 5 "five connection failures logged"
ok "the daemon is still running (sleeping until the next batch)" kill -0 "$PID"
kill -TERM "$PID"
wait "$PID"
is "$?" 0 "SIGTERM while it sleeps: exit 0"
PID=
like "$(cat "$T/log")" "stopping" "it said it stops"
done_testing
