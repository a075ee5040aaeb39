#!/bin/bash
# A CA whose TLS certificate is not trusted (no --ca-file, so the system
# store; or another CA file): exit 1, one error line about the certificate,
# and the working certificate stays.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

NAME=trust.example.test
S=$PEBBLE_DIR/state
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "first issue exits 0" || diag_file "$RUN_ERR"
snap=$(live_snapshot "$S" "$NAME")

RUN_CA_FILE="" run_acmelet "$S" --force issue "$NAME"
expect_clean_failure "no --ca-file" 'trust|certificate|verif' "$snap" "$S" "$NAME"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$PEBBLE_DIR/other.key" -out "$PEBBLE_DIR/other.pem" -days 30 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	>/dev/null 2>&1
RUN_CA_FILE="$PEBBLE_DIR/other.pem" run_acmelet "$S" --force issue "$NAME"
expect_clean_failure "another CA file" 'trust|certificate|verif' "$snap" "$S" "$NAME"
done_testing
