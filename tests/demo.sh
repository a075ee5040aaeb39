#!/bin/bash
# make demo: one real issuance from a private Pebble (Let's Encrypt's test
# CA) on loopback, then a look at what acmelet stored.
cd "$(dirname "$0")/.." || exit 1
. tests/lib/pebble.sh

tests/lib/deps.sh || exit 1
echo "== building"
make -s -j2 all || exit 1

echo "== starting Pebble on loopback"
pebble_start || exit 1
echo "   CA directory: $ACME_URL"
echo "   http-01 port: $HTTP_PORT (acmelet's built-in responder)"

NAME=demo.example.test
S=$PEBBLE_DIR/state
L=$S/certs/$NAME/live
echo
echo "== acmelet -v issue $NAME"
run_acmelet "$S" -v issue "$NAME"
sed 's/^/   /' "$RUN_ERR" "$RUN_OUT"
if [ "$RUN_RC" -ne 0 ]; then
	echo "== acmelet failed (exit $RUN_RC); Pebble's log: $PEBBLE_LOG"
	KEEP_PEBBLE=1
	exit 1
fi

echo
echo "== the certificate (live/cert.pem)"
openssl x509 -in "$L/cert.pem" -noout -subject -issuer -dates \
	-ext subjectAltName | sed 's/^/   /'

echo
echo "== the chain, checked against Pebble's root"
pebble_root "$PEBBLE_DIR/root.pem"
openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" \
	"$L/cert.pem" | sed "s|$S/||; s/^/   /"
rc=${PIPESTATUS[0]}

echo
echo "== the state directory"
(cd "$S" && find . -mindepth 1 | sort | xargs stat -c '%A %6s %N') |
	sed "s/'//g; s|\./||g; s/^/   /"
echo
echo "== stopping Pebble"
exit "$rc"
