#!/bin/bash
# A challenge token that is not base64url ("../../acmelet-bad-token") is
# refused: one line, never used in a path, no challenge answered, nothing
# written, for the responder, --challenge-dir and --challenge-hook alike.
# Scripted CA (tests/lib/hostile_acme.py, mode badtoken): no Pebble sends
# such a token.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/hostile.sh
require_acmelet

hostile_start badtoken
echo badtoken >"$PEBBLE_DIR/mode"
C=$PEBBLE_DIR/a/b
mkdir -p "$C"
printf '#!/bin/sh\necho "$*" >>"%s/hook-calls"\n' "$PEBBLE_DIR" >"$PEBBLE_DIR/hook"
chmod +x "$PEBBLE_DIR/hook"

bad() { # DESC ARGS...
	local desc=$1
	shift
	rm -f "$PEBBLE_DIR/requests"
	run_acmelet "$PEBBLE_DIR/state" "$@" issue a.example
	is "$RUN_RC" 1 "$desc: exit 1"
	is "$(error_count "$RUN_ERR")" 1 "$desc: one error line" || diag_file "$RUN_ERR"
	like "$(error_lines "$RUN_ERR")" "a.example: the CA sent a http-01 token that is not base64url; refusing it" \
		"$desc: says the token is refused"
	unlike "$(cat "$PEBBLE_DIR/requests" 2>/dev/null)" "/chall/" "$desc: no challenge answered"
	ok "$desc: nothing written where the token points" test ! -e "$PEBBLE_DIR/acmelet-bad-token"
	is "$(ls -A "$C")" "" "$desc: nothing in the challenge directory"
}
bad "responder"
bad "--challenge-dir" --challenge-dir "$C"
bad "--challenge-hook" --challenge-hook "$PEBBLE_DIR/hook"
ok "the hook never ran" test ! -e "$PEBBLE_DIR/hook-calls"
done_testing
