#!/bin/bash
# The responder under load during a real issuance, with Pebble's validation
# delay on (it sleeps before validating): 1,000 idle connections (each one
# reopened when the responder drops it) and 20 slowloris connections
# (tests/lib/idle_flood.py). Validation must succeed, and acmelet's open
# descriptors and memory must stay bounded: 32 connection slots, the one
# silent longest dropped for a new one (docs/performance.md has figures).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
PEBBLE_VA_NOSLEEP=0 pebble_setup   # "0": Pebble sleeps before validating
ulimit -n 4096 2>/dev/null || ulimit -n 2048

S=$PEBBLE_DIR/state
ERR=$PEBBLE_DIR/load.err
"$ACMELET" --server "$ACME_URL" --ca-file "$CA_FILE" -d "$S" --agree-tos \
	-e admin@acmelet.test --log stderr -v --http-port "$HTTP_PORT" \
	--http-addr 127.0.0.1 issue load.example.test </dev/null 2>"$ERR" &
A=$!
FLOOD=""
trap '[ -n "$FLOOD" ] && kill $FLOOD 2>/dev/null; kill $A 2>/dev/null; pebble_stop' EXIT
listening() { grep -q "responder: listening" "$ERR"; }
wait_for 60 listening || fail "acmelet's responder started"
python3 tests/lib/idle_flood.py "$HTTP_PORT" 1000 20 "$PEBBLE_DIR/flood.stats" &
FLOOD=$!

# Sample acmelet's descriptors and peak memory until it ends.
max_fds=0 hwm=0
while kill -0 "$A" 2>/dev/null; do
	n=$(ls "/proc/$A/fd" 2>/dev/null | wc -l)
	[ "$n" -gt "$max_fds" ] && max_fds=$n
	h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$A/status" 2>/dev/null)
	[ -n "$h" ] && hwm=$h
	sleep 0.1
done
wait "$A"
rc=$?
kill "$FLOOD" 2>/dev/null
wait "$FLOOD" 2>/dev/null
FLOOD=""

is "$rc" 0 "the issuance under load succeeded" || diag_file "$ERR"
ok "Pebble slept before validating" grep -q "Sleeping for" "$PEBBLE_LOG"
ok "the live pair matches" pair_ok "$S/certs/load.example.test/live"
like "$(cat "$ERR")" "responder: GET /.well-known/acme-challenge/[A-Za-z0-9_-]+ -> 200" \
	"the validator got the key authorization"
stats=$(cat "$PEBBLE_DIR/flood.stats" 2>/dev/null)
connects=$(echo "$stats" | sed -n 's/.*connects=\([0-9]*\).*/\1/p')
ok "the flood was real: at least 1000 connections ($stats)" test "${connects:-0}" -ge 1000
evicted=$(grep -c "every slot taken; dropped the connection silent" "$ERR")
ok "silent connections gave way ($evicted dropped)" test "$evicted" -gt 0
note "acmelet under load: at most $max_fds open descriptors, peak RSS $hwm kB"
ok "open descriptors stayed bounded ($max_fds <= 48)" test "$max_fds" -le 48
ok "peak memory was measured" test "$hwm" -gt 0
ok "peak memory stayed bounded ($hwm kB <= 32768)" test "$hwm" -le 32768
done_testing
