#!/bin/bash
# Failure backoff (issue 4, S15): after the n-th consecutive failure the
# next try waits 1 min, 10 min, 100 min, then a day, a day...; the count and
# the time are in the journal (STATE/certs/NAME/state), so every run, a new
# process, honours them. A run inside the wait does nothing and writes
# nothing; acmelet retry NAME ends the wait; a success resets the count; a
# failure never touches the live certificate. Runs are driven through the
# sequence without waiting by moving next_try into the past in the journal
# between runs. (The untrusted clock and the schedule itself are proven on
# the simulated port: tests/unit/test_agent_sim.c.)
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0
PEBBLE_CONFIG_EXTRA='"domainBlocklist": ["blocked.test"]' pebble_setup

set_next_try() { # FILE T: the journal's next_try becomes T
	python3 -c 'import json,sys
j = json.load(open(sys.argv[1])); j["next_try"] = int(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps(j))' "$1" "$2"
}

NAME=bk
S=$PEBBLE_DIR/state
J=$S/certs/$NAME/state
CONF=$PEBBLE_DIR/acmelet.conf
cat >"$CONF" <<EOF
$(conf_globals "$S")
[cert $NAME]
names = backoff.example.test
EOF
run_conf "$CONF" renew
is "$RUN_RC" 0 "the certificate is issued first" || diag_file "$RUN_ERR"
snap=$(live_snapshot "$S" "$NAME")
closed=$(pebble_free_ports_ 1)
DOWN=(--server "https://127.0.0.1:$closed/dir")

# ---- 1 min, 10 min, 100 min, 1 day, 1 day ----------------------------------
n=0
for want in 60 600 6000 86400 86400; do
	n=$((n + 1))
	t0=$(date +%s)
	run_conf "$CONF" "${DOWN[@]}" --force renew
	t1=$(date +%s)
	is "$RUN_RC" 1 "failure $n: exit 1" || diag_file "$RUN_ERR"
	is "$(error_count "$RUN_ERR")" 1 "failure $n: one error line"
	is "$(jget "$J" failures)" "$n" "failure $n: the journal counts $n failures"
	nt=$(jget "$J" next_try)
	ok "failure $n: next_try is now + $want s (got now + $((nt - t1)))" \
		test "$nt" -ge $((t0 + want)) -a "$nt" -le $((t1 + want))
	like "$(jget "$J" last_error)" "127\.0\.0\.1:$closed" \
		"failure $n: the journal keeps the last error"
	is "$(live_snapshot "$S" "$NAME")" "$snap" "failure $n: the live certificate is untouched"

	# A new process inside the wait: it must not try, nor write.
	before=$(state_snapshot "$S")
	run_conf "$CONF" "${DOWN[@]}" --force -v renew
	is "$RUN_RC" 1 "inside backoff $n: nothing done, exit 1 (still failing)" || diag_file "$RUN_ERR"
	is "$(http_count "$RUN_ERR")" 0 "inside backoff $n: no HTTP request"
	like "$(cat "$RUN_ERR")" "$NAME: failed $n times?, next try" \
		"inside backoff $n: the log says when the next try is"
	is "$(state_snapshot "$S")" "$before" "inside backoff $n: nothing written"

	# The wait is over (as if time had passed before this next process).
	set_next_try "$J" $(($(date +%s) - 1))
done

# ---- status shows it; retry ends it ------------------------------------------
run_conf "$CONF" --json status
is "$RUN_RC" 0 "status --json after 5 failures: exit 0"
is "$(python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["failures"])' <"$RUN_OUT" 2>&1)" \
	5 "status --json: failures 5"
run_conf "$CONF" retry "$NAME"
is "$RUN_RC" 0 "retry $NAME: exit 0" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "$NAME: failure backoff cleared" "retry $NAME says so"
is "$(jget "$J" failures)" 0 "retry $NAME: the journal has 0 failures"
is "$(jget "$J" next_try)" 0 "retry $NAME: no next_try"
run_conf "$CONF" status
like "$(cat "$RUN_OUT")" "failures: 0" "status after retry: failures: 0"
is "$(live_snapshot "$S" "$NAME")" "$snap" "the live certificate is still the first one"

before=$(state_snapshot "$S")
run_conf "$CONF" retry "$NAME"
is "$RUN_RC" 0 "retry with no backoff: exit 0"
is "$(state_snapshot "$S")" "$before" "retry with no backoff writes nothing"
run_conf "$CONF" retry nosuch
is "$RUN_RC" 2 "retry of an unconfigured name: exit 2"

# After retry the count starts over: the next failure waits 1 minute.
t0=$(date +%s)
run_conf "$CONF" "${DOWN[@]}" --force renew
t1=$(date +%s)
is "$(jget "$J" failures)" 1 "after retry, a failure counts 1 again"
nt=$(jget "$J" next_try)
ok "after retry, the wait is 1 minute again (now + $((nt - t1)))" \
	test "$nt" -ge $((t0 + 60)) -a "$nt" -le $((t1 + 60))

# retry without a name clears every certificate.
run_conf "$CONF" retry
is "$RUN_RC" 0 "retry (all): exit 0"
is "$(jget "$J" failures)" 0 "retry (all) cleared $NAME"

# A success resets the count: fail once, let the wait pass, succeed.
run_conf "$CONF" "${DOWN[@]}" --force renew
is "$(jget "$J" failures)" 1 "one more failure"
set_next_try "$J" $(($(date +%s) - 1))
run_conf "$CONF" --force renew
is "$RUN_RC" 0 "the CA is back: renew --force issues, exit 0" || diag_file "$RUN_ERR"
isnt "$(live_snapshot "$S" "$NAME")" "$snap" "a new certificate is live"
is "$(jget "$J" failures)" 0 "the success reset the failure count"
run_conf "$CONF" status
like "$(cat "$RUN_OUT")" "failures: 0" "status after the success: failures: 0"
unlike "$(cat "$RUN_OUT")" "last error" "status after the success: no last error"

# ---- bad input is not counted (issue 11) --------------------------------------
# A name the CA refuses (rejectedIdentifier) or an unknown profile is the
# user's to fix: kept as the last error, not counted, no wait before the
# next run (which goes to the CA again at once).
RC=$PEBBLE_DIR/rejected.conf
RJ=$S/certs/rej/state
cat >"$RC" <<EOF
$(conf_globals "$S")
[cert rej]
names = www.blocked.test
EOF
for n in 1 2; do
	run_conf "$RC" -v renew
	is "$RUN_RC" 1 "rejected name, run $n: exit 1"
	is "$(error_count "$RUN_ERR")" 1 "rejected name, run $n: one error line"
	ok "rejected name, run $n: the CA was asked (no backoff wait)" \
		test "$(http_count "$RUN_ERR")" -gt 0
	is "$(jget "$RJ" failures) $(jget "$RJ" next_try)" "0 0" \
		"rejected name, run $n: not counted (failures 0, no next try)"
	run_conf "$RC" --json status
	is "$(python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["input_error"])' <"$RUN_OUT" 2>&1)" \
		True "rejected name, run $n: status --json marks it as the user's to fix"
	like "$(jget "$RJ" last_error)" "rejectedIdentifier" "rejected name, run $n: the last error is kept"
done
# Debian's Pebble offers no profiles: --profile is refused before any order.
run_conf "$CONF" --profile shortlived --force renew
is "$RUN_RC" 1 "an unknown profile: exit 1"
is "$(jget "$J" failures) $(jget "$J" next_try)" "0 0" "an unknown profile: not counted"
like "$(jget "$J" last_error)" "no certificate profiles" "an unknown profile: the last error is kept"
run_conf "$CONF" --force renew
is "$RUN_RC" 0 "without it, renew goes at once: exit 0" || diag_file "$RUN_ERR"

# A failure before the first request (the http-01 port is taken, here by
# Pebble itself) is recorded like any other, without reading ACME state
# that was never set (valgrind: no error, exit 1 not 9).
if ! command -v valgrind >/dev/null; then
	fail "valgrind is installed (tests/lib/deps.sh installs it)"
else
	ACMELET_WRAP="valgrind -q --error-exitcode=9" \
		run_conf "$CONF" --http-port "$ACME_PORT" --force renew
	is "$RUN_RC" 1 "port taken, under valgrind: exit 1 and no memory error" ||
		diag_file "$RUN_ERR"
	like "$(error_lines "$RUN_ERR")" "in use" "port taken: the error line says so"
	is "$(jget "$J" failures)" 1 "port taken: recorded as failure 1"
fi
done_testing
