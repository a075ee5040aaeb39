#!/bin/bash
# http-01 through files that another web server serves (busybox httpd, as
# routers run): --webroot and --challenge-dir. The files are 0644 and hold
# the key authorization; they are gone after validation, and after a kill
# at the next start; nothing else in the directory is touched; a missing
# or unwritable directory is one line before any CA contact.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

S=$PEBBLE_DIR/state
W=$PEBBLE_DIR/www
C=$PEBBLE_DIR/run-acme-challenge   # OpenWrt's /var/run/acme/challenge
mkdir -p "$W" "$C"
BB=""
bb_start() { # serve W on the port Pebble validates
	busybox httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$W" </dev/null >/dev/null 2>&1 &
	BB=$!
	wait_port "$HTTP_PORT" || fail "busybox httpd listens on $HTTP_PORT"
}
bb_stop() { [ -n "$BB" ] && kill "$BB" 2>/dev/null && wait "$BB" 2>/dev/null; BB=""; }
HOLD=""
cleanup() { bb_stop; [ -n "$HOLD" ] && kill "$HOLD" 2>/dev/null; pebble_stop; }
trap cleanup EXIT
bb_start

# ---- --webroot: the directories are made, a file beside ours stays ------------
mkdir -p "$W/.well-known/acme-challenge"
echo "not ours" >"$W/.well-known/acme-challenge/keep.txt"
touch -d '2020-01-01 00:00' "$W/.well-known/acme-challenge/keep.txt"
keep_before=$(stat -c '%Y %s %a' "$W/.well-known/acme-challenge/keep.txt")
run_acmelet "$S" -v --webroot "$W" issue web.example.test
is "$RUN_RC" 0 "--webroot: issued" || diag_file "$RUN_ERR"
ok "--webroot: the live pair matches" pair_ok "$S/certs/web.example.test/live"
like "$(cat "$RUN_ERR")" "web.example.test: answering http-01 by the http-01 files" \
	"--webroot: http-01 answered by files"
unlike "$(cat "$RUN_ERR")" "responder: listening" "--webroot: no responder of our own"
is "$(ls -A "$W/.well-known/acme-challenge")" "keep.txt" \
	"--webroot: our file is gone, the other one is left"
is "$(stat -c '%Y %s %a' "$W/.well-known/acme-challenge/keep.txt")" "$keep_before" \
	"--webroot: the other file is untouched"
unlike "$(cat "$S/certs/web.example.test/state")" "chall_tokens" \
	"--webroot: the journal forgot the token"

# A webroot without .well-known: both directories are made.
W2=$PEBBLE_DIR/www2
mkdir -p "$W2"
bb_stop
W_SAVE=$W W=$W2
bb_start
run_acmelet "$S" --webroot "$W2" issue fresh.example.test
is "$RUN_RC" 0 "--webroot without .well-known: issued" || diag_file "$RUN_ERR"
ok "--webroot: .well-known/acme-challenge made" test -d "$W2/.well-known/acme-challenge"
is "$(stat -c %a "$W2/.well-known/acme-challenge")" 755 "--webroot: made 0755"
bb_stop
W=$W_SAVE
bb_start

# ---- --challenge-dir: W/.well-known/acme-challenge links to it (OpenWrt) -------
rm -rf "$W/.well-known/acme-challenge"
ln -s "$C" "$W/.well-known/acme-challenge"
echo "mine" >"$C/index.html"
run_acmelet "$S" -v --challenge-dir "$C" issue dir.example.test
is "$RUN_RC" 0 "--challenge-dir: issued" || diag_file "$RUN_ERR"
ok "--challenge-dir: the live pair matches" pair_ok "$S/certs/dir.example.test/live"
is "$(ls -A "$C")" "index.html" "--challenge-dir: only the other file is left"
is "$(cat "$C/index.html")" "mine" "--challenge-dir: the other file is untouched"

# ---- killed while the CA validates: the file is removed at the next start -------
# A listener that accepts and never answers holds Pebble's validation, so the
# file stays while we look at it.
bb_stop
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$HTTP_PORT" &
HOLD=$!
wait_port "$HTTP_PORT" || fail "the holding listener is up"
umask 077 # the file must be 0644 whatever the umask
"$ACMELET" --server "$ACME_URL" --ca-file "$CA_FILE" -d "$S" --agree-tos \
	-e admin@acmelet.test --log stderr --challenge-dir "$C" \
	issue killed.example.test </dev/null >"$PEBBLE_DIR/killed.err" 2>&1 &
A=$!
umask 022
ours() { ls "$C" | grep -v '^index\.html$'; }
have_ours() { [ -n "$(ours)" ]; }
if wait_for 60 have_ours; then pass "a challenge file appeared"; else fail "a challenge file appeared"; fi
tok=$(ours)
is "$(stat -c %a "$C/$tok" 2>&1)" 644 "the file is 0644 (umask 077)"
like "$(cat "$C/$tok" 2>&1)" "^$tok\.[A-Za-z0-9_-]{43}\$" "it holds TOKEN.THUMBPRINT"
like "$(cat "$S/certs/killed.example.test/state")" "\"chall_tokens\": *\"$tok\"" \
	"the journal recorded the token before the file was written"
kill -9 "$A"
wait "$A" 2>/dev/null
ok "after kill -9 the file is still there" test -f "$C/$tok"
# The next start removes it, even when this run fails at once (the port
# is still held, so the built-in responder cannot open).
run_acmelet "$S" issue killed.example.test
is "$RUN_RC" 1 "next start with a busy port: exit 1"
like "$(cat "$RUN_ERR")" "removed the challenge files of an interrupted run from $C" \
	"next start: says it removed the leftovers"
ok "next start: the file is gone" test ! -e "$C/$tok"
is "$(ls -A "$C")" "index.html" "next start: the other file is left"
unlike "$(cat "$S/certs/killed.example.test/state")" "chall_tokens" \
	"next start: the journal forgot the token"
kill "$HOLD"; wait "$HOLD" 2>/dev/null; HOLD=""

# ---- bad directories: one line, before any CA contact ---------------------------
bad_dir() { # DESC WANT ARGS...
	local desc=$1 want=$2
	shift 2
	run_acmelet "$PEBBLE_DIR/bad-state" -v "$@" issue bad.example.test
	is "$RUN_RC" 1 "$desc: exit 1"
	is "$(error_count "$RUN_ERR")" 1 "$desc: one error line" || diag_file "$RUN_ERR"
	like "$(error_lines "$RUN_ERR")" "$want" "$desc: says what is wrong"
	is "$(http_count "$RUN_ERR")" 0 "$desc: no CA contact"
}
bad_dir "missing --challenge-dir" "$PEBBLE_DIR/nope: --challenge-dir directory is missing" \
	--challenge-dir "$PEBBLE_DIR/nope"
bad_dir "missing --webroot" "$PEBBLE_DIR/nope: --webroot directory is missing" \
	--webroot "$PEBBLE_DIR/nope"
bad_dir "unwritable --challenge-dir" "/sys: cannot write there.*--challenge-dir" \
	--challenge-dir /sys
bad_dir "unwritable --webroot" "/sys: cannot write there.*--webroot" \
	--webroot /sys
bad_dir "both" "give --challenge-dir or --webroot, not both" \
	--challenge-dir "$C" --webroot "$W"
is "$(ls -A "$C")" "index.html" "bad runs left nothing in the challenge directory"
done_testing
