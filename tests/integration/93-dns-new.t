#!/bin/bash
# dns-01 and dns-account-01 against the current Pebble (its validator
# asks BIND over TCP): dns-account-01 at the account's own name
# (_<label>._acme-challenge.NAME), and dns-01 beside twelve other TXT
# values, so many that BIND's UDP answers are truncated and acmelet's
# checks read them over TCP; the other values stay. Needs the current
# Pebble (../shared/tools/pebble or PEBBLE_BIN): without it, this FAILS.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/bind.sh
require_acmelet
require_part CHALLENGE_DNS "built-in dns-01"
export PEBBLE_NEW=1
dns_setup

S=$PEBBLE_DIR/state
DNS=(--tsig-key "$BIND_KEY" --dns-server "$BIND_ADDR" --dns-resolver "$BIND_ADDR"
	--dns-wait 60)

run_acmelet "$S" -v --challenge dns-account-01 "${DNS[@]}" issue acct.example.test
is "$RUN_RC" 0 "dns-account-01: acct.example.test issued" || diag_file "$RUN_ERR"
owner=$(grep -o 'added TXT _[a-z2-7]*\._acme-challenge\.acct\.example\.test' "$RUN_ERR" | head -1)
like "$owner" 'added TXT _[a-z2-7]{16}\._acme-challenge\.acct\.example\.test$' \
	"the value went to _<16 base32 characters>._acme-challenge.acct.example.test"
acct=$(grep -rho '"[^"]*/my-account/[^"]*"' "$S" 2>/dev/null | head -1 | tr -d '"')
want=_$(python3 -c 'import base64,hashlib,sys; print(base64.b32encode(hashlib.sha256(sys.argv[1].encode()).digest()[:10]).decode().lower())' "$acct")
is "${owner#added TXT }" "$want._acme-challenge.acct.example.test" \
	"the label is base32(SHA-256(account URL)[:10]) of $acct"
is "$(bind_txt "${owner#added TXT }")" "" "and the value was removed"

others=()
for i in $(seq -w 1 12); do
	others+=("update add _acme-challenge.many.example.test 60 TXT other-$i-$(printf 'x%.0s' $(seq 1 50))")
done
bind_nsupdate "${others[@]}"
before=$(bind_txt _acme-challenge.many.example.test)
is "$(echo "$before" | wc -l)" 12 "12 other TXT values at _acme-challenge.many"
ok "their UDP answer is truncated (TC)" sh -c "dig +ignore +noedns -p $BIND_PORT @127.0.0.1 _acme-challenge.many.example.test TXT | grep -q 'flags:.* tc'"
run_acmelet "$S" --challenge dns-01 "${DNS[@]}" issue many.example.test
is "$RUN_RC" 0 "dns-01 beside them (answers over TCP): issued" || diag_file "$RUN_ERR"
is "$(bind_txt _acme-challenge.many.example.test)" "$before" "the other values are left exactly as they were"

done_testing
