#!/bin/bash
# A processing order's Retry-After is waited for before the first poll
# (RFC 8555 §8.2). Let's Encrypt's Boulder answers finalize with
# "processing" and Retry-After: 3, chosen so that a client fetches the
# order exactly once; a poll before it is a request for nothing, and the
# 2N+8 request budget (issue 9) would not hold. Neither Pebble sends a
# Retry-After there, so this runs against tests/lib/hostile_acme.py in its
# (not hostile) retry-after mode: finalize answers processing with
# Retry-After: 1, and the order is valid 1 s later.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/hostile.sh
require_acmelet


hostile_start retry
echo retry-after >"$PEBBLE_DIR/mode"

S=$PEBBLE_DIR/state
run_acmelet "$S" -v issue a.example b.example
is "$RUN_RC" 0 "issue of two names exits 0" || diag_file "$RUN_ERR"
ok "the certificate is live" test -s "$S/certs/a.example/live/cert.pem"

# The signed requests after finalize, in order: one order poll, then the
# certificate.
after=$(sed -n '/^\/finalize\//,$p' "$PEBBLE_DIR/requests" | sed 1d |
	sed -E 's,/[0-9]+$,,' | paste -sd' ' -)
is "$after" "/order /cert" \
	"after finalize: exactly one order poll (Retry-After waited for), then the certificate"
is "$(http_count "$RUN_ERR")" 12 "2N+8 = 12 requests in all"
done_testing
