#!/bin/bash
# The tiny static binary (make static-tiny, configs/tinyconfig): the build
# prints its size; it issues a certificate from Pebble, with a P-256 and a
# P-384 key; its generic curve code verifies a P-384 CA chain (as Let's
# Encrypt's E intermediates under ISRG Root X2) and an RSA one; and the
# parts it leaves out say so: run and status give one clear error line and
# exit 2, a configured hook one warning, --log syslog goes to stderr.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh

TINY=build/static-tiny/acmelet
# make rebuilds only what changed; the size line is printed every time (and
# what is missing, such as musl-gcc, when it fails).
if ! out=$(make -s static-tiny 2>&1); then
	fail "make static-tiny"
	diag "$out"
	done_testing
fi
ACMELET=$(cd "$(dirname "$TINY")" && pwd)/$(basename "$TINY")
require_acmelet
size=$(wc -c <"$ACMELET")
like "$out" "static: $TINY $size bytes" "make static-tiny prints the size: $size bytes"
unlike "$(readelf -l "$ACMELET" 2>&1)" 'INTERP' "statically linked: no program interpreter"

export PEBBLE_WFE_NONCEREJECT=0 # exact request counts
pebble_start || { fail "Pebble started"; done_testing; }
pebble_root "$PEBBLE_DIR/root.pem"

# ---- issuance, P-256 (default) and P-384 keys ------------------------------
S=$PEBBLE_DIR/state
for kt in ec-256 ec-384; do
	NAME=$kt.tiny.example.test
	L=$S/certs/$NAME/live
	run_acmelet "$S" -v -k "$kt" issue "$NAME"
	is "$RUN_RC" 0 "issue $NAME ($kt) exits 0" || diag_file "$RUN_ERR"
	is "$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted \
		"$L/chain.pem" "$L/cert.pem" 2>&1)" "$L/cert.pem: OK" \
		"$kt: the certificate verifies"
	is "$(openssl x509 -in "$L/cert.pem" -noout -pubkey 2>&1)" \
		"$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
		"$kt: and is for privkey.pem"
	read -r req conn <<<"$(acme_summary "$RUN_ERR")"
	[ "$kt" = ec-256 ] && is "$req $conn" "10 1" \
		"$kt: 10 requests (2N+8, new account) over 1 connection"
done
like "$(openssl pkey -in "$S/certs/ec-384.tiny.example.test/live/privkey.pem" \
	-noout -text 2>&1)" 'NIST CURVE: P-384' "ec-384: the key is on P-384"

# ---- what the tiny build leaves out ------------------------------------------
# exactly one line in the file, an error line, matching ERE
one_error() { # LABEL ERE
	is "$RUN_RC" 2 "$1: exits 2 (usage)"
	is "$(grep -c . "$RUN_ERR")" 1 "$1: one line" || diag_file "$RUN_ERR"
	is "$(error_count "$RUN_ERR")" 1 "$1: at error level"
	like "$(cat "$RUN_ERR")" "$2" "$1: $(cat "$RUN_ERR")"
}
run_acmelet "$S" run
one_error "run" 'built without the daemon \(CONFIG_DAEMON\); use renew from cron'
run_acmelet "$S" status
one_error "status" 'built without status \(CONFIG_STATUS\)'

# A hook is not run: the issuance succeeds, with one warning.
MARK=$PEBBLE_DIR/hook-ran
printf '#!/bin/sh\ntouch %s\n' "$MARK" >"$PEBBLE_DIR/hook.sh"
chmod +x "$PEBBLE_DIR/hook.sh"
run_acmelet "$S" --hook "$PEBBLE_DIR/hook.sh" issue hook.tiny.example.test
is "$RUN_RC" 0 "issue with --hook exits 0" || diag_file "$RUN_ERR"
is "$(error_count "$RUN_ERR")" 0 "no error line"
like "$(grep -i warning "$RUN_ERR")" \
	'hook .*hook\.sh issued not run: this acmelet was built without hooks \(CONFIG_HOOK\)' \
	"one warning says the hook was not run"
is "$(grep -ci warning "$RUN_ERR")" 1 "exactly one warning"
ok "the hook did not run" test ! -e "$MARK"

# No syslog: --log syslog writes to stderr.
out=$("$ACMELET" --log syslog -d "$S" status 2>&1 >/dev/null)
like "$out" '^acmelet: error: .*CONFIG_STATUS' "--log syslog: the line goes to stderr"

# ---- TLS with the generic curve code (EC_SMALL) -----------------------------
# openssl s_server with chains of our own; it answers with HTML, so a run
# stops at the directory, after a good handshake.
C=$PEBBLE_DIR/certs
mkdir -p "$C"
SERVER_PID=""
serve() { # CERT [CHAIN]: a TLS server on a free port; sets SPORT
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	SPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	openssl s_server -quiet -accept "127.0.0.1:$SPORT" -cert "$C/$1.pem" \
		-key "$C/$1.key" ${2:+-cert_chain "$C/$2.pem"} -www \
		</dev/null >/dev/null 2>&1 &
	SERVER_PID=$!
	wait_port "$SPORT"
}
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; pebble_stop' EXIT
handshake_ok() { # LABEL CA
	RUN_SERVER="https://127.0.0.1:$SPORT/dir" RUN_CA_FILE="$C/$2.pem" \
		run_acmelet "$PEBBLE_DIR/s-$2" -v issue tls.tiny.example.test
	like "$(cat "$RUN_ERR")" 'GET https://127\.0\.0\.1:[0-9]+/dir -> 200' \
		"$1: the handshake succeeds" || diag_file "$RUN_ERR"
}
mkkey() { # NAME ALG OPT
	openssl genpkey -algorithm "$2" -pkeyopt "$3" -out "$C/$1.key" 2>/dev/null
}
casign() { # NAME ISSUER EXTFILE DIGEST: certificate for NAME.key from ISSUER
	openssl req -new -key "$C/$1.key" -subj "/CN=acmelet tiny $1" \
		-out "$C/$1.csr" 2>/dev/null &&
		openssl x509 -req -in "$C/$1.csr" -CA "$C/$2.pem" -CAkey "$C/$2.key" \
			-set_serial "$RANDOM" -days 30 -"$4" -extfile "$C/$3" \
			-out "$C/$1.pem" 2>/dev/null
}
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' >"$C/ca.ext"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$C/leaf.ext"

# Like ISRG Root X2 -> E intermediate -> leaf: P-384 CAs, ecdsa-with-SHA384.
mkkey root384 EC ec_paramgen_curve:P-384
openssl req -x509 -new -key "$C/root384.key" -sha384 -days 30 \
	-subj "/CN=acmelet tiny P-384 root" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign" -out "$C/root384.pem" 2>/dev/null
mkkey int384 EC ec_paramgen_curve:P-384
casign int384 root384 ca.ext sha384
mkkey leaf256 EC ec_paramgen_curve:P-256
casign leaf256 int384 leaf.ext sha384
like "$(openssl x509 -in "$C/int384.pem" -noout -text 2>&1)" \
	'Signature Algorithm: ecdsa-with-SHA384' "the P-384 chain is made"
ok "a server with a P-256 certificate under a P-384 chain" serve leaf256 int384
handshake_ok "P-384 chain (ecdsa-with-SHA384)" root384

# An RSA chain (ECDHE_RSA, the key exchange still on the NIST curves).
mkkey rsaca RSA rsa_keygen_bits:2048
openssl req -x509 -new -key "$C/rsaca.key" -days 30 -subj "/CN=acmelet tiny RSA CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign" -out "$C/rsaca.pem" 2>/dev/null
mkkey rsa RSA rsa_keygen_bits:2048
casign rsa rsaca leaf.ext sha256
ok "a server with an RSA certificate" serve rsa
handshake_ok "RSA chain" rsaca

# And the check is real: the wrong CA fails the handshake.
RUN_SERVER="https://127.0.0.1:$SPORT/dir" RUN_CA_FILE="$C/root384.pem" \
	run_acmelet "$PEBBLE_DIR/s-wrong" issue tls.tiny.example.test
is "$RUN_RC:$(error_count "$RUN_ERR")" "1:1" "RSA server, P-384 CA file: one error, exit 1"
like "$(error_lines "$RUN_ERR")" 'not trusted' "the error says the chain is not trusted"
done_testing
