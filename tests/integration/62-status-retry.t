#!/bin/bash
# acmelet status and status --json (issue 4, S16): per certificate its
# names, expiry (checked against openssl's notAfter of live/cert.pem), next
# action and when (one third of the lifetime left, computed here from
# openssl's dates), failures and the last error; status writes nothing;
# after a failure it shows failures 1 and the error; retry clears it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

# jq_out EXPR: EXPR (Python, over j = the parsed stdout of the last run)
jq_out() {
	python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$RUN_OUT" "$1" 2>&1
}
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

S=$PEBBLE_DIR/state
CONF=$PEBBLE_DIR/acmelet.conf
L=$S/certs/web/live
cat >"$CONF" <<EOF
$(conf_globals "$S")
[cert web]
names = web.status.example.test www.status.example.test
[cert later]
names = later.status.example.test
EOF

# ---- before anything: status of an empty state dir writes nothing ----------
run_conf "$CONF" --json status
is "$RUN_RC" 0 "status --json on an empty state: exit 0" || diag_file "$RUN_ERR"
ok "status --json on an empty state: did not create the state dir" test ! -e "$S"
is "$(jq_out '[c["name"] for c in j]')" "['web', 'later']" \
	"status --json lists both certificates in file order"
is "$(jq_out 'j[0]["has_certificate"], j[0]["next_action"], j[0]["failures"]')" \
	"(False, 'issue', 0)" "a missing certificate: no certificate, next action issue, 0 failures"

run_conf "$CONF" renew web
is "$RUN_RC" 0 "renew web issues it" || diag_file "$RUN_ERR"
nb=$(epoch_of "$L/cert.pem" startdate)
na=$(epoch_of "$L/cert.pem" enddate)
due=$((na - (na - nb) / 3))

# ---- status --json ---------------------------------------------------------
before=$(state_snapshot "$S")
run_conf "$CONF" --json status
is "$RUN_RC" 0 "status --json: exit 0" || diag_file "$RUN_ERR"
is "$(jq_out 'type(j).__name__, len(j)')" "('list', 2)" "status --json is a JSON list of 2"
is "$(jq_out 'j[0]["names"]')" \
	"['web.status.example.test', 'www.status.example.test']" "web: names"
is "$(jq_out 'j[0]["has_certificate"]')" True "web: has a certificate"
is "$(jq_out 'j[0]["not_after"]')" "$(iso "$na")" "web: not_after is openssl's notAfter"
is "$(jq_out 'j[0]["next_action"]')" renew "web: next action renew"
at=$(jq_out 'j[0]["next_at"]')
ok "web: next_at $at is when a third of the lifetime is left ($(iso "$due") +- 1 s)" \
	test "$at" = "$(iso "$due")" -o "$at" = "$(iso $((due - 1)))" -o "$at" = "$(iso $((due + 1)))"
is "$(jq_out 'j[0]["failures"], j[0]["last_error"]')" "(0, '')" "web: 0 failures, no last error"
is "$(jq_out 'j[1]["name"], j[1]["has_certificate"], j[1]["next_action"], j[1]["next_at"]')" \
	"('later', False, 'issue', 'now')" "later: no certificate, to issue now"
is "$(state_snapshot "$S")" "$before" "status --json wrote nothing"

run_conf "$CONF" --json status later
is "$(jq_out '[c["name"] for c in j]')" "['later']" "status --json NAME shows only NAME"
run_conf "$CONF" status nosuch
is "$RUN_RC" 2 "status of an unconfigured name: exit 2"

# ---- status (text) ---------------------------------------------------------
run_conf "$CONF" status web
is "$RUN_RC" 0 "status web: exit 0"
out=$(cat "$RUN_OUT")
like "$out" "web.status.example.test www.status.example.test" "status: names"
like "$out" "$(iso "$na")" "status: the expiry date"
like "$out" "renew" "status: next action renew"
like "$out" "failures: 0" "status: failures: 0"
is "$(state_snapshot "$S")" "$before" "status wrote nothing"

# ---- after a failure ---------------------------------------------------------
closed=$(pebble_free_ports_ 1)
t0=$(date +%s)
run_conf "$CONF" --server "https://127.0.0.1:$closed/d\"ir" --force renew web
t1=$(date +%s)
is "$RUN_RC" 1 "a failed renewal: exit 1"
before=$(state_snapshot "$S")
run_conf "$CONF" --json status web
is "$RUN_RC" 0 "status --json after a failure: exit 0"
is "$(jq_out 'j[0]["failures"]')" 1 "after a failure: failures 1"
like "$(jq_out 'j[0]["last_error"]')" "127\.0\.0\.1:$closed" \
	"after a failure: last_error names the CA (a quote in it is escaped: JSON parsed)"
# A forced attempt failed, but the live certificate is not due: what comes
# next is still its renewal, not a retry.
is "$(jq_out 'j[0]["next_action"]')" renew "after a failed forced renewal: next action still renew"
is "$(jq_out 'j[0]["not_after"]')" "$(iso "$na")" "after a failure: still the same certificate"
run_conf "$CONF" status web
like "$(cat "$RUN_OUT")" "failures: 1" "status text after a failure: failures: 1"
like "$(cat "$RUN_OUT")" "last error: .*127\.0\.0\.1:$closed" "status text after a failure: the last error"
is "$(state_snapshot "$S")" "$before" "status after a failure wrote nothing"

# A missing certificate that failed: next is a retry, a minute later.
t0=$(date +%s)
run_conf "$CONF" --server "https://127.0.0.1:$closed/dir" renew later
t1=$(date +%s)
is "$RUN_RC" 1 "a failed first issuance: exit 1"
run_conf "$CONF" --json status later
is "$(jq_out 'j[0]["next_action"], j[0]["failures"]')" "('retry', 1)" \
	"after a failed first issuance: next action retry, failures 1"
at=$(jq_out 'j[0]["next_at"]')
ok "after a failed first issuance: next_at $at is a minute later" \
	test "$at" \> "$(iso $((t0 + 59)))" -a "$at" \< "$(iso $((t1 + 61)))"
run_conf "$CONF" status later
like "$(cat "$RUN_OUT")" "next: retry $at" "status text: next: retry $at"

# ---- retry clears ------------------------------------------------------------
run_conf "$CONF" retry web
is "$RUN_RC" 0 "retry web: exit 0"
run_conf "$CONF" --json status web
is "$(jq_out 'j[0]["failures"]')" 0 "after retry: failures 0"
is "$(jq_out 'j[0]["next_action"]')" renew "after retry: next action renew"
run_conf "$CONF" retry
is "$RUN_RC" 0 "retry (all): exit 0"
run_conf "$CONF" --json status later
is "$(jq_out 'j[0]["next_action"], j[0]["failures"], j[0]["next_at"]')" \
	"('issue', 0, 'now')" "after retry: later is to be issued now, failures 0"
done_testing
