#!/bin/bash
# --preferred-chain (S1) against Debian's Pebble 2.4 with two alternate
# roots: each choice keeps the chain whose topmost certificate the named
# root issued, and it verifies against that root (and not another); a name
# no chain has keeps the default chain, with a note.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_ALTERNATE_ROOTS=2
pebble_setup

NAME=chain.example.test
S=$PEBBLE_DIR/state
L=$S/certs/$NAME/live
cn_of() { # the subject CN of a certificate file
	openssl x509 -in "$1" -noout -subject -nameopt multiline |
		sed -n 's/^ *commonName *= *//p'
}
fails_with() { ! verifies "$1"; }
verifies() { # ROOT: live/cert.pem verifies with live/chain.pem up to ROOT
	openssl verify -CAfile "$1" -untrusted "$L/chain.pem" "$L/cert.pem" >/dev/null 2>&1
}
for i in 0 1 2; do
	pebble_mgmt_get_ "/roots/$i" "$PEBBLE_DIR/root$i.pem"
	pebble_mgmt_get_ "/intermediates/$i" "$PEBBLE_DIR/int$i.pem"
	CN[i]=$(cn_of "$PEBBLE_DIR/root$i.pem")
done
like "${CN[0]}|${CN[1]}|${CN[2]}" '^Pebble Root CA [0-9a-f]+\|Pebble Root CA [0-9a-f]+\|Pebble Root CA [0-9a-f]+$' \
	"three roots: ${CN[*]}"

run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "issue without a preference exits 0" || diag_file "$RUN_ERR"
ok "the default chain verifies against root 0" verifies "$PEBBLE_DIR/root0.pem"

for i in 2 1 0; do
	other=$(((i + 1) % 3))
	run_acmelet "$S" --force --preferred-chain "${CN[i]}" issue "$NAME"
	is "$RUN_RC" 0 "--preferred-chain '${CN[i]}': exit 0" || diag_file "$RUN_ERR"
	is "$(openssl x509 -in "$L/chain.pem" -noout -issuer -nameopt multiline | sed -n 's/^ *commonName *= *//p')" \
		"${CN[i]}" "the top of chain.pem is issued by ${CN[i]}"
	ok "it verifies against root $i" verifies "$PEBBLE_DIR/root$i.pem"
	ok "...and not against root $other" fails_with "$PEBBLE_DIR/root$other.pem"
	is "$(openssl x509 -in "$L/chain.pem" -noout -fingerprint -sha256)" \
		"$(openssl x509 -in "$PEBBLE_DIR/int$i.pem" -noout -fingerprint -sha256)" \
		"chain.pem is Pebble's intermediate $i"
	ok "fullchain.pem is cert.pem then chain.pem, as served" \
		cmp -s "$L/fullchain.pem" <(cat "$L/cert.pem" "$L/chain.pem")
	is "$(error_count "$RUN_ERR")" 0 "no error line"
done

run_acmelet "$S" --force --preferred-chain "No Such Root" issue "$NAME"
is "$RUN_RC" 0 "a name no chain has: exit 0" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "no chain of the CA's 3 has its top issued by 'No Such Root'; keeping the default chain" \
	"a note says the default chain is kept"
ok "the default chain is kept: it verifies against root 0" verifies "$PEBBLE_DIR/root0.pem"
is "$(error_count "$RUN_ERR")" 0 "no error line"
done_testing
