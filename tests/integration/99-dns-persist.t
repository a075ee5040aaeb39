#!/bin/bash
# dns-persist-01 against a real BIND 9 and the current Pebble (its
# validator asks that BIND over TCP; caaIdentities names the CA's issuer
# domain): persist-record prints the record for this CA and account
# (making the account), --publish adds it once by RFC 2136; issuance then
# checks the record at the authoritative servers and writes nothing to
# DNS, for one name and for a wildcard with its base name. Each record
# that is not right (none, another account, no policy=wildcard for a
# wildcard, persistUntil passed) is one exact line, before any order, and
# nothing in the zone changes. --until in the past is refused before any
# CA contact. Needs the current Pebble (../shared/tools/pebble or
# PEBBLE_BIN): without it, this FAILS.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/bind.sh
require_acmelet
require_part CHALLENGE_DNS_PERSIST "built-in dns-persist-01"
export PEBBLE_NEW=1
ISSUER=pebble.acmelet.test
PEBBLE_CONFIG_EXTRA="\"caaIdentities\": [\"$ISSUER\"]" dns_setup

S=$PEBBLE_DIR/state
DNS=(--dns-resolver "$BIND_ADDR" --dns-wait 60)
PUB=(--tsig-key "$BIND_KEY" --dns-server "$BIND_ADDR" "${DNS[@]}")
P=(-v --challenge dns-persist-01 "${DNS[@]}")

# the one line of a run that stopped before any order: exit 1, exactly
# one error line saying WHAT, no newOrder request, the zone as it was
no_order() { # DESC PATTERN ZONE-BEFORE NAME
	is "$RUN_RC" 1 "$1: exits 1"
	is "$(error_count "$RUN_ERR")" 1 "$1: one error line" || diag_file "$RUN_ERR"
	like "$(error_lines "$RUN_ERR")" "$2" "$1: the line says what is wrong"
	unlike "$(http_lines "$RUN_ERR")" 'order-plz' "$1: no order was made"
	is "$(bind_txt "_validation-persist.$4")" "$3" "$1: the zone is unchanged"
	ok "$1: no certificate" test ! -e "$S/certs/$4/live"
}

# 1. persist-record with no account yet: the account is made, the record
# printed and published, and seen at the authoritative server.
run_acmelet "$S" "${PUB[@]}" persist-record --publish p.example.test
is "$RUN_RC" 0 "persist-record --publish p.example.test" || diag_file "$RUN_ERR"
acct=$(account_url "$(ls "$S"/accounts/*/account.json | head -1)")
like "$acct" '^https://127\.0\.0\.1:[0-9]+/my-account/' "it created the account ($acct)"
like "$(cat "$RUN_ERR")" 'created account' "and said so"
want="_validation-persist.p.example.test. IN TXT \"$ISSUER; accounturi=$acct\""
is "$(cat "$RUN_OUT")" "$want" "it prints the exact record"
is "$(bind_txt _validation-persist.p.example.test)" "\"$ISSUER; accounturi=$acct\"" \
	"the record is in the zone"

# 2. issuance with it: nothing is written to DNS.
run_acmelet "$S" "${P[@]}" issue p.example.test
is "$RUN_RC" 0 "dns-persist-01: p.example.test issued" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/p.example.test/live/cert.pem")" p.example.test "its certificate names it"
like "$(cat "$RUN_ERR")" 'record at _validation-persist.p.example.test is visible' \
	"the record was checked first"
unlike "$(cat "$RUN_ERR")" 'added TXT|removed TXT' "no DNS update was sent"
like "$(http_lines "$RUN_ERR")" 'POST [^ ]*/order-plz ' \
	"-v logs the newOrder request (its absence below is a fact, not a quiet log)"
is "$(bind_txt _validation-persist.p.example.test)" "\"$ISSUER; accounturi=$acct\"" \
	"the record stays for the next renewal"

# 3. a wildcard and its base name: one record with policy=wildcard.
run_acmelet "$S" "${PUB[@]}" persist-record --publish --wildcard w.example.test
is "$RUN_RC" 0 "persist-record --publish --wildcard w.example.test" || diag_file "$RUN_ERR"
is "$(cat "$RUN_OUT")" \
	"_validation-persist.w.example.test. IN TXT \"$ISSUER; accounturi=$acct; policy=wildcard\"" \
	"the record has policy=wildcard"
run_acmelet "$S" "${P[@]}" issue '*.w.example.test' w.example.test
is "$RUN_RC" 0 "dns-persist-01: *.w.example.test and w.example.test issued" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/*.w.example.test/live/cert.pem" | tr '\n' ' ')" \
	"*.w.example.test w.example.test " "both names in the certificate"

# 4. persistUntil in the future is accepted by the CA too.
run_acmelet "$S" "${PUB[@]}" persist-record --publish --until 2099-01-01 f.example.test
is "$RUN_RC" 0 "persist-record --until 2099-01-01 --publish" || diag_file "$RUN_ERR"
like "$(cat "$RUN_OUT")" "accounturi=$acct; persistUntil=4070908800\"\$" \
	"persistUntil is 2099-01-01T00:00:00Z in Unix seconds"
run_acmelet "$S" "${P[@]}" issue f.example.test
is "$RUN_RC" 0 "issued with a record that persists until 2099" || diag_file "$RUN_ERR"

# 5. without --publish: printed only; the zone is left alone.
run_acmelet "$S" persist-record '*.r.example.test'
is "$RUN_RC" 0 "persist-record *.r.example.test (no --publish)" || diag_file "$RUN_ERR"
like "$(cat "$RUN_OUT")" '^_validation-persist\.r\.example\.test\. IN TXT ".*; policy=wildcard"$' \
	"*.NAME prints NAME's record with policy=wildcard"
is "$(bind_txt _validation-persist.r.example.test)" "" "nothing was added"

# 6. records that are not right: one exact line each, before any order.
run_acmelet "$S" "${P[@]}" issue n.example.test
no_order "no record" "dns-persist-01: n\.example\.test: no TXT record for $ISSUER at _validation-persist\.n\.example\.test \(asked $BIND_ADDR\); publish what 'acmelet persist-record n\.example\.test' prints" "" n.example.test

other="$ISSUER; accounturi=https://127.0.0.1:1/my-account/999"
bind_nsupdate "update add _validation-persist.o.example.test 60 TXT \"$other\""
before=$(bind_txt _validation-persist.o.example.test)
run_acmelet "$S" "${P[@]}" issue o.example.test
no_order "another account" "dns-persist-01: o\.example\.test: the TXT record at _validation-persist\.o\.example\.test \($BIND_ADDR\) names another account, accounturi=https://127\.0\.0\.1:1/my-account/999, not $acct;" "$before" o.example.test

run_acmelet "$S" "${P[@]}" issue '*.p.example.test'
is "$RUN_RC" 1 "no policy=wildcard: exits 1"
is "$(error_count "$RUN_ERR")" 1 "no policy=wildcard: one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "dns-persist-01: \*\.p\.example\.test: the TXT record at _validation-persist\.p\.example\.test \($BIND_ADDR\) lacks policy=wildcard, which a wildcard needs; publish what 'acmelet persist-record --wildcard p\.example\.test' prints" \
	"no policy=wildcard: the line says so"
unlike "$(http_lines "$RUN_ERR")" 'order-plz' "no policy=wildcard: no order was made"
is "$(bind_txt _validation-persist.p.example.test)" "\"$ISSUER; accounturi=$acct\"" \
	"no policy=wildcard: the zone is unchanged"

bind_nsupdate "update add _validation-persist.x.example.test 60 TXT \"$ISSUER; accounturi=$acct; persistUntil=1000000000\""
before=$(bind_txt _validation-persist.x.example.test)
run_acmelet "$S" "${P[@]}" issue x.example.test
no_order "persistUntil passed" "dns-persist-01: x\.example\.test: the TXT record at _validation-persist\.x\.example\.test \($BIND_ADDR\) expired: persistUntil=1000000000 passed \(2001-09-09 01:46 UTC\);" "$before" x.example.test

# 7. --until in the past: refused before any CA contact.
S2=$PEBBLE_DIR/state2
run_acmelet "$S2" "${PUB[@]}" persist-record --publish --until 2001-01-01 q.example.test
is "$RUN_RC" 2 "--until in the past: exit 2"
is "$(error_count "$RUN_ERR")" 1 "--until in the past: one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" '--until 2001-01-01 00:00 UTC is in the past' \
	"--until in the past: the line says so"
ok "--until in the past: no account, no state" test ! -e "$S2"
is "$(bind_txt _validation-persist.q.example.test)" "" "--until in the past: nothing published"

run_acmelet "$S" persist-record --publish q.example.test
is "$RUN_RC" 2 "--publish without --tsig-key: exit 2"
like "$(error_lines "$RUN_ERR")" 'persist-record --publish needs --tsig-key' \
	"--publish without --tsig-key: the line says what to give"

# 8. the same from the configuration file: persist-record takes the
# first name's [cert] section (its key and servers), renew its challenge.
C=$PEBBLE_DIR/acmelet.conf
{ conf_globals "$S"; cat <<EOF
dns-resolver = $BIND_ADDR
[cert cf.example.test]
names = *.cf.example.test cf.example.test
challenge = dns-persist-01
tsig-key = $BIND_KEY
dns-server = $BIND_ADDR
EOF
} >"$C"
run_conf "$C" persist-record --publish '*.cf.example.test'
is "$RUN_RC" 0 "persist-record --publish with the [cert] section's key" || diag_file "$RUN_ERR"
is "$(bind_txt _validation-persist.cf.example.test)" \
	"\"$ISSUER; accounturi=$acct; policy=wildcard\"" "the section's record is in the zone"
run_conf "$C" renew
is "$RUN_RC" 0 "renew with challenge = dns-persist-01 in [cert cf.example.test]" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/cf.example.test/live/cert.pem" | tr '\n' ' ')" \
	"*.cf.example.test cf.example.test " "both names in the certificate"

# A wrong record is the operator's to fix: renew keeps the line as the
# last error but counts no failure, so the run after the fix goes at once.
cat >>"$C" <<EOF
[cert nr.example.test]
names = nr.example.test
challenge = dns-persist-01
EOF
J=$S/certs/nr.example.test/state
run_conf "$C" -v renew nr.example.test
is "$RUN_RC" 1 "renew without the record: exit 1"
is "$(error_count "$RUN_ERR")" 1 "renew without the record: one error line" || diag_file "$RUN_ERR"
is "$(jget "$J" failures) $(jget "$J" next_try)" "0 0" \
	"renew without the record: not counted in the backoff"
like "$(jget "$J" last_error)" 'no TXT record for .* at _validation-persist\.nr\.example\.test' \
	"renew without the record: kept as the last error"
run_conf "$C" --tsig-key "$BIND_KEY" --dns-server "$BIND_ADDR" persist-record --publish nr.example.test
is "$RUN_RC" 0 "the record published" || diag_file "$RUN_ERR"
run_conf "$C" renew nr.example.test
is "$RUN_RC" 0 "the next renew goes at once and issues" || diag_file "$RUN_ERR"

# 9. with another type to fall back on, a missing record only declines.
run_acmelet "$S" --challenge dns-persist-01,dns-01 "${PUB[@]}" issue fb.example.test
is "$RUN_RC" 0 "dns-persist-01,dns-01 without a record: issued by dns-01" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" 'added TXT _acme-challenge.fb.example.test' "dns-01 answered"
is "$(error_count "$RUN_ERR")" 0 "and no error line"

# 10. the challenge hook answers dns-persist-01 too: TYPE is
# dns-persist-01, TOKEN and AUTH are empty (the record is the operator's);
# no check before the order then, the CA looks at the published record.
HOOK=$PEBBLE_DIR/hook.sh
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$PEBBLE_DIR/hook.log" >"$HOOK"
chmod +x "$HOOK"
run_acmelet "$S" "${PUB[@]}" persist-record --publish h.example.test
is "$RUN_RC" 0 "persist-record --publish h.example.test" || diag_file "$RUN_ERR"
# a name never validated: the CA cannot reuse an authorization
run_acmelet "$S" --challenge dns-persist-01 --challenge-hook "$HOOK" issue h.example.test
is "$RUN_RC" 0 "dns-persist-01 through --challenge-hook: issued" || diag_file "$RUN_ERR"
is "$(cat "$PEBBLE_DIR/hook.log")" "$(printf 'begin dns-persist-01 h.example.test  \ndone dns-persist-01 h.example.test  ')" \
	"the hook was run begin and done, with empty TOKEN and AUTH"

# 11. a renewal after the record was deleted: one line, the live
# certificate stays as it was.
snap=$(live_snapshot "$S" p.example.test)
bind_nsupdate "update delete _validation-persist.p.example.test TXT"
run_acmelet "$S" "${P[@]}" --force issue p.example.test
expect_clean_failure "a renewal without the record" \
	"no txt record for $ISSUER at _validation-persist\.p\.example\.test" \
	"$snap" "$S" p.example.test
unlike "$(http_lines "$RUN_ERR")" 'order-plz' "a renewal without the record: no order"

# 12. under valgrind: a new account and --publish, an issuance, a check
# that fails; no memory error, no definite leak.
if command -v valgrind >/dev/null; then
	vg() { # LABEL ARG...
		VG_LOG=$PEBBLE_DIR/vg-$1.log
		shift
		ACMELET_TIMEOUT=600 ACMELET_WRAP="valgrind --error-exitcode=99
			--leak-check=full --errors-for-leak-kinds=definite
			--log-file=$VG_LOG" run_acmelet "$@"
	}
	S3=$PEBBLE_DIR/state3
	vg publish "$S3" "${PUB[@]}" persist-record --publish --wildcard vg.example.test
	is "$RUN_RC" 0 "valgrind: persist-record --publish (new account) exits 0 (99: errors)" ||
		diag_file "$VG_LOG" 40
	vg issue "$S3" "${P[@]}" issue '*.vg.example.test' vg.example.test
	is "$RUN_RC" 0 "valgrind: issuance with dns-persist-01 exits 0 (99: errors)" ||
		diag_file "$VG_LOG" 40
	vg check "$S3" "${P[@]}" issue vgn.example.test
	is "$RUN_RC" 1 "valgrind: a failed check exits 1 (99: errors)" || diag_file "$VG_LOG" 40
else
	fail "valgrind is installed (tests/lib/deps.sh)"
fi

done_testing
