#!/bin/bash
# ARI end to end (RFC 9773, M1): `acmelet renew` asks the CA's renewalInfo
# for the live certificate and follows its suggestedWindow; a renewal's
# newOrder names the certificate it replaces; a renewalInfo that fails
# leaves the one-third rule in charge.
#
# Debian's Pebble 2.4 has no ARI, so tests/lib/ari_proxy.py stands in front
# of it: it forwards everything unchanged (Host included, so Pebble's URLs
# and JWS "url" checks name the proxy), adds renewalInfo to the directory,
# answers renewal-info from a control file and logs every newOrder payload.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
# Exact request counts: no deliberate badNonce here.
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

NAME=ari.example.test
S=$PEBBLE_DIR/state
L=$S/certs/$NAME/live
P=$PEBBLE_DIR/proxy
mkdir -p "$P"
PROXY_PID=""

proxy_stop() {
	[ -n "$PROXY_PID" ] || return 0
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=""
}
trap 'proxy_stop; pebble_stop' EXIT

control() { # MODE [RETRY_AFTER]: what /renewal-info answers from now on
	printf '{"mode": "%s", "retry_after": "%s"}\n' "$1" "${2:-}" \
		>"$P/control.tmp" && mv "$P/control.tmp" "$P/control.json"
}

control future 3600
python3 tests/lib/ari_proxy.py --upstream "$ACME_URL" \
	--cert "$PEBBLE_DIR/cert.pem" --key "$PEBBLE_DIR/key.pem" \
	--ca-file "$CA_FILE" --control "$P/control.json" --log "$P/requests.log" \
	--orders "$P/orders.log" --port-file "$P/port" --owner $$ \
	--max-seconds 600 </dev/null >"$P/proxy.out" 2>&1 &
PROXY_PID=$!
for _ in $(seq 100); do # at most 10 s
	[ -s "$P/port" ] || ! kill -0 "$PROXY_PID" 2>/dev/null && break
	sleep 0.1
done
if ! [ -s "$P/port" ]; then
	fail "the ARI proxy started"
	diag_file "$P/proxy.out"
	done_testing
fi
PPORT=$(cat "$P/port")
PROXY=https://127.0.0.1:$PPORT
touch "$P/requests.log" "$P/orders.log"

cat >"$P/acmelet.conf" <<EOF
# 66-ari.t: everything through the ARI proxy
server = $PROXY/dir
ca-file = $CA_FILE
state-dir = $S
http-port = $HTTP_PORT
http-addr = 127.0.0.1
agree-tos = yes
email = admin@acmelet.test
log = stderr

[cert $NAME]
names = $NAME
EOF

# renew_conf: `acmelet -c CONF -v renew`, bounded; RUN_RC, RUN_OUT, RUN_ERR.
# MARK_REQ / MARK_ORD: where the proxy's logs stood before the run.
renew_conf() {
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$PEBBLE_DIR/run$RUN_N.out
	RUN_ERR=$PEBBLE_DIR/run$RUN_N.err
	MARK_REQ=$(wc -l <"$P/requests.log")
	MARK_ORD=$(wc -l <"$P/orders.log")
	timeout -k 5 "$ACMELET_TIMEOUT" "$ACMELET" -c "$P/acmelet.conf" -v \
		renew </dev/null >"$RUN_OUT" 2>"$RUN_ERR"
	RUN_RC=$?
	[ "$RUN_RC" -eq 124 ] && diag "acmelet timed out after ${ACMELET_TIMEOUT}s"
	return 0
}

# Lines the proxy logged during the last run.
new_requests() { tail -n "+$((MARK_REQ + 1))" "$P/requests.log"; }
new_orders() { tail -n "+$((MARK_ORD + 1))" "$P/orders.log"; }

# "<status> <id>" of each GET /renewal-info/<id> of the last run.
ri_requests() {
	new_requests | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["path"].startswith("/renewal-info"):
        print(r["status"], r["method"], r["path"])'
}

# The newOrder payloads of the last run, one compact JSON per line.
order_payloads() {
	new_orders | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(o.get("status"), json.dumps(o.get("payload", o), sort_keys=True))'
}

# ari_id CERT: RFC 9773 §4.1 from openssl's view of CERT, independent of
# acmelet: base64url(AKI keyIdentifier) "." base64url(serial's DER content
# bytes), a 00 kept in front of a serial whose top bit is set.
ari_id() {
	local aki serial
	aki=$(openssl x509 -in "$1" -noout -ext authorityKeyIdentifier |
		sed -n 's/^ *\(keyid:\)\{0,1\}\([0-9A-Fa-f][0-9A-Fa-f]\(:[0-9A-Fa-f][0-9A-Fa-f]\)*\) *$/\2/p' |
		head -n 1 | tr -d ':')
	serial=$(openssl x509 -in "$1" -noout -serial | sed 's/^serial=//')
	[ -n "$aki" ] && [ -n "$serial" ] || return 1
	[ $((${#serial} % 2)) -eq 1 ] && serial=0$serial
	case $serial in [89A-Fa-f]*) serial=00$serial ;; esac
	python3 -c '
import base64, sys
b = lambda h: base64.urlsafe_b64encode(bytes.fromhex(h)).decode().rstrip("=")
print(b(sys.argv[1]) + "." + b(sys.argv[2]))' "$aki" "$serial"
}

# asked ID: the last run's renewal-info requests include one for ID.
asked() { ri_requests | grep -q "/renewal-info/$1\$"; }

acct_json() { # the one account.json
	shopt -s nullglob
	local a=("$S"/accounts/*/account.json)
	shopt -u nullglob
	echo "${a[0]:-$S/accounts/none/account.json}"
}

json_member() { # FILE KEY
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' \
		"$1" "$2" 2>/dev/null
}

# ---- 1. first issuance through the proxy -----------------------------------
renew_conf
is "$RUN_RC" 0 "renew issues $NAME through the ARI proxy (exit 0)" ||
	{ diag_file "$RUN_ERR"; diag_file "$P/proxy.out"; }
ok "live/cert.pem exists" test -s "$L/cert.pem"
A=$(acct_json)
is "$(json_member "$A" renewalInfo)" "$PROXY/renewal-info" \
	"account.json records the directory's renewalInfo"
like "$(account_url "$A")" "^$PROXY/" \
	"the account URL Pebble made names the proxy (Host was kept)"
others=$(http_lines "$RUN_ERR" | grep -v " $PROXY/")
is "$others" "" "every request acmelet made went to the proxy"
is "$(new_requests | grep -c '"method": "POST"')" "$(http_lines "$RUN_ERR" | grep -c 'http: POST ')" \
	"the proxy forwarded every POST (JWS url checks passed through it)"
read -r _ conns <<<"$(acme_summary "$RUN_ERR")"
is "$conns" 1 "one kept-alive connection to the proxy for the whole issuance"
ords=$(order_payloads)
is "$(wc -l <<<"$ords")" 1 "one newOrder"
unlike "$ords" '"replaces"' "a first issuance's newOrder has no replaces"
like "$ords" "^201 .*\"value\": \"$NAME\"" "Pebble created that order (201)"

ID1=$(ari_id "$L/cert.pem")
is "$(ri_requests | grep -v "/renewal-info/$ID1\$")" "" \
	"no renewal-info request for a certificate that is not there"
ok "renewalInfo asked right after issuance (M1)" asked "$ID1"
# Pebble 2.4's serials seem to stay below 2^63, so the leading-00 case is
# left to tests/unit/test_ari.c (RFC 9773's own example has it).
note "serial $(openssl x509 -in "$L/cert.pem" -noout -serial)"
like "$ID1" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "openssl gives the ARI id $ID1"

# ---- 2. a window far in the future: nothing to do ---------------------------
# The ask right after issuance got Retry-After: 3600; it is kept in RAM
# (ACMELET_RUNTIME_DIR), so the next cron run does not ask again (M1).
control future 3600
snap=$(state_snapshot "$S")
T0=$(date +%s)
renew_conf
is "$RUN_RC" 3 "within the CA's Retry-After: nothing to do (exit 3)" ||
	diag_file "$RUN_ERR"
is "$(ri_requests)" "" "no renewal-info request before the CA's Retry-After ends"
like "$(grep -i 'nothing to do' "$RUN_ERR")" "renewal due 20[0-9]{2}-" \
	"the due date comes from the pick kept in RAM"
ok "the run state is in the RAM directory, not the state directory" \
	test -n "$(ls "$ACMELET_RUNTIME_DIR"/ari-* 2>/dev/null)"
# A reboot loses the RAM run state: the next run asks once more.
forget() { rm -f "$ACMELET_RUNTIME_DIR"/ari-*; }
forget
renew_conf
is "$RUN_RC" 3 "future window: renew has nothing to do (exit 3)" ||
	diag_file "$RUN_ERR"
is "$(ri_requests)" "200 GET /renewal-info/$ID1" \
	"exactly one GET /renewal-info/<RFC 9773 id of the live certificate>"
is "$(order_payloads)" "" "no newOrder"
is "$(state_snapshot "$S")" "$snap" "nothing in the state directory was written"
is "$(error_count "$RUN_ERR")" 0 "no error line" || diag_file "$RUN_ERR"
like "$(grep -i 'nothing to do' "$RUN_ERR")" "renewal due 20[0-9]{2}-" \
	"the log says nothing to do and when"
# The due date logged is in the CA's window (300..301 days ahead), where
# one third of the lifetime would give another date.
due=$(sed -nE 's/.*renewal due ([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}) UTC.*/\1/p' \
	"$RUN_ERR" | head -n 1)
due_s=$(date -u -d "$due UTC" +%s 2>/dev/null || echo 0)
ok "the renewal due ($due) is in the CA's window, 300 to 301 days ahead" \
	test "$due_s" -ge $((T0 + 300 * 86400 - 60)) -a \
	"$due_s" -le $(($(date +%s) + 301 * 86400 + 60))

# ---- 3. a window in the past: renew now, naming what it replaces ------------
control past 60
forget # as if the CA's Retry-After had passed
old_serial=$(openssl x509 -in "$L/cert.pem" -noout -serial)
renew_conf
is "$RUN_RC" 0 "past window: renew renews (exit 0)" || diag_file "$RUN_ERR"
is "$(ri_requests | grep "/renewal-info/$ID1\$")" "200 GET /renewal-info/$ID1" \
	"exactly one GET /renewal-info/<id of the certificate being replaced>"
ords=$(order_payloads)
is "$(wc -l <<<"$ords")" 1 "one newOrder"
rep=$(new_orders | python3 -c '
import json, sys
print(" ".join(str(json.loads(l).get("payload", {}).get("replaces")) for l in sys.stdin))')
is "$rep" "$ID1" "the newOrder payload has replaces = the RFC 9773 id"
like "$ords" "^201 " "Pebble accepted the order with replaces (201)"
isnt "$(openssl x509 -in "$L/cert.pem" -noout -serial)" "$old_serial" \
	"live/cert.pem is a new certificate"
is "$(san_names "$L/cert.pem")" "$NAME" "for the same name"
ID2=$(ari_id "$L/cert.pem")
isnt "$ID2" "$ID1" "the new certificate has its own ARI id"
is "$(ri_requests | grep -v -e "/renewal-info/$ID1\$" -e "/renewal-info/$ID2\$")" "" \
	"no renewal-info request for any other id"
ok "renewalInfo asked right after the renewal (M1)" asked "$ID2"

# ---- 4. a renewalInfo that fails: the one-third rule decides ----------------
for mode in status500 garbage nowindow; do
	control "$mode"
	forget
	snap=$(state_snapshot "$S")
	renew_conf
	is "$RUN_RC" 3 "$mode: a fresh certificate is not due (exit 3)" ||
		diag_file "$RUN_ERR"
	want=200
	[ "$mode" = status500 ] && want=500
	is "$(ri_requests)" "$want GET /renewal-info/$ID2" \
		"$mode: exactly one GET /renewal-info/<id>"
	is "$(order_payloads)" "" "$mode: no newOrder"
	is "$(state_snapshot "$S")" "$snap" "$mode: nothing was written"
	errs=$(error_lines "$RUN_ERR")
	ok "$mode: at most one error line ($(wc -l <<<"$errs"))" \
		test "$(error_count "$RUN_ERR")" -le 1
	if [ -n "$errs" ]; then
		like "$errs" "$PROXY/renewal-info/$ID2" "$mode: the error line names the URL"
	else
		pass "$mode: no error line"
	fi
	like "$(grep -i 'nothing to do' "$RUN_ERR")" "renewal due" \
		"$mode: the log says nothing to do"
done

proxy_stop
is "$(grep -c Traceback "$P/proxy.out")" 0 "the proxy raised no exception" ||
	diag_file "$P/proxy.out"
done_testing
