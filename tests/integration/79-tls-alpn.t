#!/bin/bash
# tls-alpn-01 (C4, RFC 8737; RFC 8738 for IP addresses) against Pebble's
# tlsPort: Pebble's validator connects with ALPN acme-tls/1 and the SNI
# name (the reverse-DNS name for an IP) and checks the acmeIdentifier
# extension. A name, an IPv4 and an IPv6 address, and a name and an IP in
# one certificate, while the http-01 port is taken by another program, so
# http-01 cannot be what passed. Bad input: the TLS port in use. A build
# without the part (Kconfig CHALLENGE_TLSALPN off) gets its one line
# instead.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

S=$PEBBLE_DIR/state
TLS=(--challenge tls-alpn-01 --tls-port "$TLS_PORT" --tls-addr 127.0.0.1)

# A build without it (configs/staticconfig, tinyconfig) says so in one
# line, before any contact with the CA.
if ! build_has CHALLENGE_TLSALPN; then
	run_acmelet "$S" -v "${TLS[@]}" issue lacks.example.test
	isnt "$RUN_RC" 0 "a build without tls-alpn-01: the issue fails"
	is "$(error_count "$RUN_ERR")" 1 "with exactly one error line" ||
		diag_file "$RUN_ERR"
	like "$(error_lines "$RUN_ERR")" "built without it \\(CONFIG_CHALLENGE_TLSALPN\\)" \
		"which names the Kconfig option"
	is "$(http_count "$RUN_ERR")" 0 "before any contact with the CA"
	done_testing
fi

# A program on a port, until the test ends (it quits by itself after
# 300 s). SO_REUSEADDR because connections of an earlier run may still sit
# in TIME_WAIT; it does not let a second listener in.
hold_port() { # PORT NAME
	python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(5)
print("listening", flush=True)
time.sleep(300)' "$1" >"$PEBBLE_DIR/$2.out" 2>&1 &
	HELD="$HELD $!"
	wait_for 20 grep -q listening "$PEBBLE_DIR/$2.out"
}
HELD=""
trap 'kill $HELD 2>/dev/null; pebble_stop' EXIT

ok "the http-01 port $HTTP_PORT is taken by another program" \
	hold_port "$HTTP_PORT" http

san_ips() { # CERT: the certificate's IP addresses, one per line
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *IP Address://p' | sort
}

# A name.
N=alpn.example.test
run_acmelet "$S" -v "${TLS[@]}" issue "$N"
is "$RUN_RC" 0 "issue $N by tls-alpn-01 exits 0" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/$N/live/cert.pem")" "$N" "its certificate names $N"
ok "the validator was sent the validation certificate for $N" \
	grep -q "tls-alpn-01: sent the validation certificate for $N" "$RUN_ERR"
ok "and the http-01 responder was not opened" \
	bash -c "! grep -qi 'responder' '$RUN_ERR'"
ok "acmelet left nothing listening" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$TLS_PORT) 2>/dev/null"

# An IP address (RFC 8738: SNI 1.0.0.127.in-addr.arpa).
run_acmelet "$S" -v "${TLS[@]}" issue 127.0.0.1
is "$RUN_RC" 0 "issue 127.0.0.1 by tls-alpn-01 exits 0" || diag_file "$RUN_ERR"
is "$(san_ips "$S/certs/127.0.0.1/live/cert.pem")" "127.0.0.1" \
	"its certificate names the IP address"
ok "the validator asked by the reverse-DNS name" \
	grep -q "tls-alpn-01: sent the validation certificate for 1.0.0.127.in-addr.arpa" "$RUN_ERR"

# An IPv6 address (SNI: 32 nibbles under ip6.arpa), the server on ::1.
run_acmelet "$S" -v --challenge tls-alpn-01 --tls-port "$TLS_PORT" \
	--tls-addr ::1 issue ::1
is "$RUN_RC" 0 "issue ::1 by tls-alpn-01 exits 0" || diag_file "$RUN_ERR"
is "$(san_ips "$S/certs/::1/live/cert.pem" 2>/dev/null || true)" "0:0:0:0:0:0:0:1" \
	"its certificate names ::1"
ok "the validator asked by the ip6.arpa name" \
	grep -q "tls-alpn-01: sent the validation certificate for 1\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.ip6\.arpa" "$RUN_ERR"

# Both in one certificate.
run_acmelet "$S" "${TLS[@]}" --name mix issue mix.example.test 127.0.0.1
is "$RUN_RC" 0 "a name and an IP in one certificate" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/mix/live/cert.pem"; san_ips "$S/certs/mix/live/cert.pem")" \
	"$(printf 'mix.example.test\n127.0.0.1')" "it names both"

# Bad input: the TLS port in use.
snap=$(live_snapshot "$S" "$N")
ok "port $TLS_PORT is taken by another program" hold_port "$TLS_PORT" tls
run_acmelet "$S" -v "${TLS[@]}" --force issue "$N"
expect_clean_failure "tls port busy" "tls-alpn-01: port $TLS_PORT on 127.0.0.1 is in use.*--tls-port" \
	"$snap" "$S" "$N"
is "$(http_count "$RUN_ERR")" 0 "found before any contact with the CA"
done_testing
