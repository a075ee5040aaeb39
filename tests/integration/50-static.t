#!/bin/bash
# The single static binary (make static): `file` calls it statically
# linked and it has no program interpreter; it runs with no library around
# it (in an empty chroot, when root) and issues a certificate from Pebble
# there; and bad TLS situations (unknown CA, name mismatch, expired
# certificate, clock not set) give one clear error line each.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/child.sh

STATIC=build/static/acmelet
# make rebuilds only what changed; its output only on failure (it says so
# when musl-gcc is missing).
if ! out=$(make -s static 2>&1); then
	fail "make static"
	diag "$out"
	done_testing
fi
ACMELET=$PWD/$STATIC
require_acmelet

like "$(file -L "$ACMELET" 2>&1)" 'statically linked' "file: statically linked"
unlike "$(readelf -l "$ACMELET" 2>&1)" 'INTERP' "no program interpreter (ld.so)"
like "$("$ACMELET" --version 2>&1)" '^acmelet [0-9]' "--version"

export PEBBLE_WFE_NONCEREJECT=0 # exact request counts
pebble_start || { fail "Pebble started"; done_testing; }

# ---- an issuance --------------------------------------------------------
NAME=static.example.test
S=$PEBBLE_DIR/state
L=$S/certs/$NAME/live
run_acmelet "$S" -v issue "$NAME"
is "$RUN_RC" 0 "issue $NAME exits 0" || diag_file "$RUN_ERR"
pebble_root "$PEBBLE_DIR/root.pem"
is "$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" \
	"$L/cert.pem" 2>&1)" "$L/cert.pem: OK" "the certificate verifies"
is "$(san_names "$L/cert.pem")" "$NAME" "for $NAME"
is "$(openssl x509 -in "$L/cert.pem" -noout -pubkey 2>&1)" \
	"$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" "and for privkey.pem"
read -r req conn <<<"$(acme_summary "$RUN_ERR")"
ok "requests ${req:-?} <= 2N+8 = 10" test "${req:-99}" -le 10
is "$conn" 1 "over one TLS connection"

# ---- with no file around it at all: an empty chroot ---------------------
if [ "$(id -u)" -ne 0 ] || ! command -v chroot >/dev/null; then
	fail "the no-library run needs root and chroot (run make check as root)"
else
	R=$PEBBLE_DIR/root
	mkdir -p "$R"
	cp "$ACMELET" "$R/acmelet"
	cp "$CA_FILE" "$R/ca.pem"
	is "$(cd "$R" && find . -mindepth 1 | sort | tr '\n' ' ')" "./acmelet ./ca.pem " \
		"the chroot holds the binary and a CA file, nothing else"
	like "$(chroot "$R" /acmelet --version 2>&1)" '^acmelet [0-9]' \
		"--version in the empty chroot"
	ACMELET=/acmelet ACMELET_WRAP="chroot $R" RUN_CA_FILE=/ca.pem \
		run_acmelet /state issue chroot.example.test
	is "$RUN_RC" 0 "an issuance in the empty chroot exits 0" ||
		diag_file "$RUN_ERR"
	CL=$R/state/certs/chroot.example.test/live
	is "$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted \
		"$CL/chain.pem" "$CL/cert.pem" 2>&1)" "$CL/cert.pem: OK" \
		"and its certificate verifies"
fi

# ---- bad TLS situations: one clear line each ----------------------------
# A TLS server of our own (openssl s_server) with the certificates of
# tests/unit/https_bearssl_certs.sh: the handshake is all that is tested.
C=$PEBBLE_DIR/certs
sh tests/unit/https_bearssl_certs.sh "$C" >/dev/null 2>&1
SERVER_PID=""
serve() { # CERT: a TLS server on a free port; sets SPORT
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	SPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	openssl s_server -quiet -accept "127.0.0.1:$SPORT" -cert "$C/$1.pem" \
		-key "$C/$1.key" -www </dev/null >/dev/null 2>&1 &
	SERVER_PID=$!
	wait_port "$SPORT"
}
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; pebble_stop' EXIT

bad_tls() { # LABEL ERE: the last run failed with exactly one line matching ERE
	is "$RUN_RC" 1 "$1: exits 1"
	is "$(error_count "$RUN_ERR")" 1 "$1: one error line" || diag_file "$RUN_ERR"
	like "$(error_lines "$RUN_ERR")" "$2" "$1: $(error_lines "$RUN_ERR" | head -n 1)"
}

RUN_CA_FILE="" run_acmelet "$PEBBLE_DIR/s1" issue bad.example.test
bad_tls "unknown CA (no --ca-file)" 'not trusted; pass --ca-file'

ok "a server with a certificate for other.example only" serve other
RUN_SERVER="https://127.0.0.1:$SPORT/dir" RUN_CA_FILE="$C/ca.pem" \
	run_acmelet "$PEBBLE_DIR/s2" issue bad.example.test
bad_tls "name mismatch (127.0.0.1)" 'not valid for 127\.0\.0\.1 \(name mismatch\)'
RUN_SERVER="https://localhost:$SPORT/dir" RUN_CA_FILE="$C/ca.pem" \
	run_acmelet "$PEBBLE_DIR/s3" issue bad.example.test
bad_tls "name mismatch (localhost)" 'not valid for localhost \(name mismatch\)'

ok "a server whose certificate expired in 2021" serve expired
RUN_SERVER="https://localhost:$SPORT/dir" RUN_CA_FILE="$C/ca.pem" \
	run_acmelet "$PEBBLE_DIR/s4" issue bad.example.test
bad_tls "expired certificate" 'certificate for localhost has expired'

# Not a failure: an RSA server certificate and chain (ECDHE_RSA), which the
# Pebble and test certificates (all ECDSA) never show. s_server answers
# with HTML, so the run stops at the directory, after a good handshake.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/rsaca.key" \
	-out "$C/rsaca.pem" -days 30 -subj "/CN=acmelet RSA test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$C/rsa.key" -out "$C/rsa.csr" \
	-subj /CN=localhost >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$C/rsa.ext"
openssl x509 -req -in "$C/rsa.csr" -CA "$C/rsaca.pem" -CAkey "$C/rsaca.key" \
	-set_serial 7 -days 30 -extfile "$C/rsa.ext" -out "$C/rsa.pem" >/dev/null 2>&1
ok "a server with an RSA certificate" serve rsa
RUN_SERVER="https://127.0.0.1:$SPORT/dir" RUN_CA_FILE="$C/rsaca.pem" \
	run_acmelet "$PEBBLE_DIR/s6" -v issue bad.example.test
like "$(cat "$RUN_ERR")" 'GET https://127\.0\.0\.1:[0-9]+/dir -> 200' \
	"RSA chain: the handshake succeeds (the HTML answer then fails as JSON)"

# The clock: a real binary's clock cannot be set back, so the binary is
# built in the future instead (the port trusts the clock from the build
# time on). The agent stops before any TLS; test_http_bearssl checks the
# transport's own AL_ECLOCK.
if out=$(make -s static STATIC_DIR=build/static-future BUILD_TIME=4102444800 2>&1); then
	ACMELET=$PWD/build/static-future/acmelet run_acmelet "$PEBBLE_DIR/s5" issue bad.example.test
	bad_tls "clock before the build time (2100)" 'system clock is not set'
else
	fail "make static with a build time in 2100"
	diag "$out"
fi
# The static binary passes the integration tests of the issuance, its
# failures, the command line, renewal, status, hooks and the daemon (the
# crash and tiny tests have their own binaries; valgrind does not see
# into musl's static malloc).
want=0
CHILDREN_RAN=0
for t in tests/integration/1*.t tests/integration/2*.t tests/integration/6*.t; do
	want=$((want + 1))
	ACMELET=$PWD/$STATIC run_child "${t##*/} (static binary)" "$t"
done
is "$CHILDREN_RAN" "$want" "every child of the static binary ran ($want)"
done_testing
