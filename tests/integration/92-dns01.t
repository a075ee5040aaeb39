#!/bin/bash
# dns-01 built in (RFC 2136 + TSIG) against a real BIND 9 and Pebble,
# whose validator asks that BIND: one name, a wildcard with its base name,
# a CNAME-delegated _acme-challenge, other TXT values left in place (so
# many that the answers come truncated over UDP and are read over TCP),
# and one clean line for each bad input: CNAME loop, wrong TSIG key,
# REFUSED zone, unreachable server, world-readable key, a record never
# visible. Our values are gone after each run.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/bind.sh
require_acmelet
require_part CHALLENGE_DNS "built-in dns-01"
dns_setup

S=$PEBBLE_DIR/state
DNS=(--challenge dns-01 --tsig-key "$BIND_KEY" --dns-server "$BIND_ADDR"
	--dns-resolver "$BIND_ADDR" --dns-wait 60)

# the one line of a failed run: exit 1, exactly one error line with WORDS
one_line() { # DESC PATTERN
	is "$RUN_RC" 1 "$1: exits 1"
	is "$(grep -c 'error' "$RUN_ERR")" 1 "$1: one error line" || diag_file "$RUN_ERR"
	like "$(grep error "$RUN_ERR")" "$2" "$1: the line says $2"
}

run_acmelet "$S" -v "${DNS[@]}" issue one.example.test
is "$RUN_RC" 0 "dns-01: one.example.test issued" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/one.example.test/live/cert.pem")" one.example.test \
	"its certificate names it"
like "$(cat "$RUN_ERR")" 'added TXT _acme-challenge.one.example.test' "the TXT value was added"
is "$(bind_txt _acme-challenge.one.example.test)" "" "and removed after validation"

run_acmelet "$S" "${DNS[@]}" issue '*.wild.example.test' wild.example.test
is "$RUN_RC" 0 "a wildcard and its base name: issued" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/*.wild.example.test/live/cert.pem" | sort | tr '\n' ' ')" \
	"*.wild.example.test wild.example.test " "both names in the certificate"
is "$(bind_txt _acme-challenge.wild.example.test)" "" "both values removed"

# Another value at the name stays (Debian's Pebble asks over UDP only:
# 93-dns-new.t has the answers too long for UDP).
bind_nsupdate "update add _acme-challenge.two.example.test 60 TXT other-value"
before=$(bind_txt _acme-challenge.two.example.test)
is "$before" '"other-value"' "another TXT value at _acme-challenge.two"
run_acmelet "$S" "${DNS[@]}" issue two.example.test
is "$RUN_RC" 0 "two.example.test issued beside the other value" || diag_file "$RUN_ERR"
is "$(bind_txt _acme-challenge.two.example.test)" "$before" "the other values are left exactly as they were"

run_acmelet "$S" -v "${DNS[@]}" issue cname.example.test
is "$RUN_RC" 0 "a CNAME-delegated _acme-challenge: issued" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" 'CNAME; the TXT value goes to x.dele.example.test' "the value went to the CNAME's target"
is "$(bind_txt x.dele.example.test)" "" "and was removed there"

run_acmelet "$S" "${DNS[@]}" issue loop1.example.test
one_line "a CNAME loop" 'CNAME loop at _acme-challenge'

tsig-keygen -a hmac-sha256 acme-key. >"$PEBBLE_DIR/wrong.key"
chmod 600 "$PEBBLE_DIR/wrong.key"
run_acmelet "$S" "${DNS[@]}" --tsig-key "$PEBBLE_DIR/wrong.key" issue bad.example.test
one_line "a wrong TSIG secret" "refused TSIG key acme-key .BADSIG."
tsig-keygen -a hmac-sha256 other-key. >"$PEBBLE_DIR/other.key"
chmod 600 "$PEBBLE_DIR/other.key"
run_acmelet "$S" "${DNS[@]}" --tsig-key "$PEBBLE_DIR/other.key" issue bad.example.test
one_line "an unknown TSIG key" "refused TSIG key other-key .BADKEY."

run_acmelet "$S" "${DNS[@]}" issue a.locked.test
one_line "a zone without updates" "at $BIND_ADDR: REFUSED"

dead=$(pebble_free_ports_ 1)
run_acmelet "$S" "${DNS[@]}" --dns-server "127.0.0.1:$dead" issue c.example.test
one_line "an unreachable DNS server" "at 127.0.0.1:$dead: unreachable"

cp "$BIND_KEY" "$PEBBLE_DIR/open.key"
chmod 644 "$PEBBLE_DIR/open.key"
run_acmelet "$S" "${DNS[@]}" --tsig-key "$PEBBLE_DIR/open.key" issue d.example.test
one_line "a world-readable key" "readable by every user"

# A second "authoritative" server that never answers: the record never
# becomes visible there; the line names it, and the value is removed.
run_acmelet "$S" --challenge dns-01 --tsig-key "$BIND_KEY" --dns-server "$BIND_ADDR" \
	--dns-resolver "$BIND_ADDR,127.0.0.1:$dead" --dns-wait 3 issue e.example.test
one_line "a record never visible" "server 127.0.0.1:$dead still unreachable"
is "$(bind_txt _acme-challenge.e.example.test)" "" "its value was removed all the same"

# A kill while the value waits to be seen: the journal holds it, and
# the next start removes it before it issues.
K=k.example.test
"$ACMELET" --server "$ACME_URL" --ca-file "$CA_FILE" -d "$S" \
	--agree-tos -e admin@acmelet.test --log stderr --challenge dns-01 \
	--tsig-key "$BIND_KEY" --dns-server "$BIND_ADDR" \
	--dns-resolver "$BIND_ADDR,127.0.0.1:$dead" --dns-wait 100 issue "$K" \
	</dev/null >"$PEBBLE_DIR/kill.out" 2>"$PEBBLE_DIR/kill.err" &
pid=$! # acmelet itself, so that SIGKILL reaches it (not a wrapper)
has_txt() { [ -n "$(bind_txt "_acme-challenge.$K")" ]; }
ok "the value is added while the run waits for it to be seen" wait_for 60 has_txt
kill -9 "$pid"
wait "$pid" 2>/dev/null
is "$?" 137 "acmelet was killed (SIGKILL) while it waited"
isnt "$(bind_txt "_acme-challenge.$K")" "" "killed: the value is still in the zone"
like "$(cat "$S/certs/$K/state")" '"dns_txt":"example.test _acme-challenge.k.example.test ' \
	"and in the journal"
run_acmelet "$S" "${DNS[@]}" issue "$K"
is "$RUN_RC" 0 "the next start issues $K" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "removing TXT _acme-challenge.$K .* of an interrupted run" \
	"after removing the value the killed run left"
is "$(bind_txt "_acme-challenge.$K")" "" "no value of ours is left"
unlike "$(cat "$S/certs/$K/state")" 'dns_txt' "the journal forgot it"

done_testing
