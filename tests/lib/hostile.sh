# shellcheck shell=bash
# The scripted CA, tests/lib/hostile_acme.py, for what neither Pebble can
# do (a hostile or unusual CA; each test says why it needs it). Source
# after tap.sh and pebble.sh (pebble_free_ports_, wait_for).
#
# hostile_start TAG: a new directory PEBBLE_DIR (acmelet-TAG.XXXXXX), the
# server started there (SERVER, HTTP_PORT), ACME_URL and CA_FILE set. At
# exit the server stops, and so does a test's own child whose pid is in
# BG; the directory is removed unless a test failed.
hostile_start() {
	python3 -c 'import cryptography' 2>/dev/null ||
		{ fail "python3-cryptography is installed (tests/lib/deps.sh)"; done_testing; }
	PEBBLE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/acmelet-$1.XXXXXX")
	HTTP_PORT=$(pebble_free_ports_ 1)
	python3 tests/lib/hostile_acme.py "$PEBBLE_DIR" "$HTTP_PORT" \
		>"$PEBBLE_DIR/server.log" 2>&1 &
	SERVER=$!
	trap hostile_cleanup_ EXIT
	wait_for 30 test -s "$PEBBLE_DIR/port" ||
		{ fail "hostile_acme.py listens"; diag_file "$PEBBLE_DIR/server.log"; done_testing; }
	ACME_URL=https://127.0.0.1:$(cat "$PEBBLE_DIR/port")/dir
	CA_FILE=$PEBBLE_DIR/ca.pem
}

hostile_cleanup_() {
	[ -n "${BG:-}" ] && kill "$BG" 2>/dev/null
	kill "$SERVER" 2>/dev/null
	wait 2>/dev/null
	if [ "${TAP_FAILED:-0}" -gt 0 ]; then
		echo "# kept for debugging: $PEBBLE_DIR" >&2
	else
		rm -rf "$PEBBLE_DIR"
	fi
}
