#!/bin/bash
# IP address identifiers (RFC 8738, M5) end to end with http-01: IPv4,
# IPv6, and an address beside a name in one certificate, answered by the
# built-in responder (Pebble's validator connects to the address itself),
# and IPv4 through files served by busybox httpd. 51-bearssl-transport.t
# runs this again with the BearSSL transport.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

S=$PEBBLE_DIR/state
ips() { # CERT: its iPAddress SANs, one per line
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *IP Address://p' | sort
}

run_acmelet "$S" -v issue 127.0.0.1
is "$RUN_RC" 0 "IPv4: issued" || diag_file "$RUN_ERR"
ok "IPv4: the live pair matches" pair_ok "$S/certs/127.0.0.1/live"
is "$(ips "$S/certs/127.0.0.1/live/cert.pem")" "127.0.0.1" "IPv4: the certificate names 127.0.0.1"
like "$(cat "$RUN_ERR")" "responder: GET /.well-known/acme-challenge/" \
	"IPv4: the validator fetched from our responder"

run_acmelet "$S" -v --http-addr ::1 issue ::1
is "$RUN_RC" 0 "IPv6: issued" || diag_file "$RUN_ERR"
ok "IPv6: the live pair matches" pair_ok "$S/certs/::1/live"
is "$(ips "$S/certs/::1/live/cert.pem")" "0:0:0:0:0:0:0:1" "IPv6: the certificate names ::1"
like "$(cat "$RUN_ERR")" "responder: listening on ::1" "IPv6: the responder listened on ::1"

run_acmelet "$S" --name both issue both.example.test 127.0.0.1
is "$RUN_RC" 0 "a name and an address: issued" || diag_file "$RUN_ERR"
is "$(ips "$S/certs/both/live/cert.pem")" "127.0.0.1" "both: the address"
is "$(san_names "$S/certs/both/live/cert.pem")" "both.example.test" "both: the name"

# IPv4 through files another web server serves.
W=$PEBBLE_DIR/www
mkdir -p "$W"
busybox httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$W" </dev/null >/dev/null 2>&1 &
BB=$!
trap 'kill $BB 2>/dev/null; pebble_stop' EXIT
wait_port "$HTTP_PORT" || fail "busybox httpd listens on $HTTP_PORT"
run_acmelet "$S" --force --webroot "$W" issue 127.0.0.1
is "$RUN_RC" 0 "IPv4 by --webroot: issued" || diag_file "$RUN_ERR"
is "$(ls -A "$W/.well-known/acme-challenge")" "" "IPv4 by --webroot: nothing left"
done_testing
