#!/bin/bash
# --challenge-hook, uacme's hook interface: Debian's own uacme.sh (which
# nobody here wrote) answers http-01 unchanged through busybox httpd; a
# recording hook shows the five arguments and the environment; http-01 and
# dns-01 (a wildcard, through pebble-challtestsrv's DNS) in one
# certificate; a hook that declines, one that fails every type and one that
# hangs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
UACME_SH=/usr/share/uacme/uacme.sh
[ -x "$UACME_SH" ] || { fail "$UACME_SH is there (Debian package uacme, tests/lib/deps.sh)"; done_testing; }
pebble_setup

S=$PEBBLE_DIR/state
W=$PEBBLE_DIR/www
C=$PEBBLE_DIR/challenge
H=$PEBBLE_DIR/hooks
mkdir -p "$W/.well-known" "$C" "$H/calls"
ln -s "$C" "$W/.well-known/acme-challenge"
busybox httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$W" </dev/null >/dev/null 2>&1 &
BB=$!
trap 'kill $BB 2>/dev/null; pebble_stop' EXIT
wait_port "$HTTP_PORT" || fail "busybox httpd listens on $HTTP_PORT"

# ---- uacme.sh, unchanged, writing to UACME_CHALLENGE_PATH -----------------------
UACME_CHALLENGE_PATH=$C run_acmelet "$S" -v --challenge-hook "$UACME_SH" issue uacme.example.test
is "$RUN_RC" 0 "uacme.sh: issued" || diag_file "$RUN_ERR"
ok "uacme.sh: the live pair matches" pair_ok "$S/certs/uacme.example.test/live"
like "$(cat "$RUN_ERR")" "uacme.example.test: answering http-01 by the challenge hook" \
	"uacme.sh answered http-01"
is "$(ls -A "$C")" "" "uacme.sh's done removed its file"

# With --challenge-dir the hook gets UACME_CHALLENGE_PATH from acmelet.
run_acmelet "$S" --challenge-dir "$C" --challenge-hook "$UACME_SH" issue dir.example.test
is "$RUN_RC" 0 "uacme.sh with --challenge-dir: issued" || diag_file "$RUN_ERR"
is "$(ls -A "$C")" "" "uacme.sh with --challenge-dir: nothing left"

# uacme.sh declines everything but http-01 (exit 1): the next type is tried.
UACME_CHALLENGE_PATH=$C run_acmelet "$S" -v --challenge tls-alpn-01,http-01 \
	--challenge-hook "$UACME_SH" issue decline.example.test
is "$RUN_RC" 0 "tls-alpn-01 declined, http-01 used: issued" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "challenge hook $UACME_SH declined tls-alpn-01 \(exit status 1\)" \
	"the decline is logged"
like "$(cat "$RUN_ERR")" "decline.example.test: answering http-01 by the challenge hook" \
	"then http-01"

# ---- a recording hook: http-01 and dns-01 (wildcard) in one certificate ------------
export CTS_MGMT_PORT H C
cat >"$H/record" <<'EOF'
#!/bin/bash
n=$(($(ls "$H/calls" | wc -l) + 1))
{
	echo "argc=$#"
	echo "args=$*"
	env | grep -E '^(UACME|ACMELET)_' | sort
} >"$H/calls/$n"
case "$1 $2" in
"begin http-01") printf %s "$5" >"$C/$4" ;;
"done http-01"|"failed http-01") rm -f "$C/$4" ;;
"begin dns-01")
	curl -fsS -d "{\"host\":\"_acme-challenge.$3.\",\"value\":\"$5\"}" \
		"http://127.0.0.1:$CTS_MGMT_PORT/set-txt" ;;
"done dns-01"|"failed dns-01")
	curl -fsS -d "{\"host\":\"_acme-challenge.$3.\"}" \
		"http://127.0.0.1:$CTS_MGMT_PORT/clear-txt" ;;
*) exit 1 ;;
esac
echo "hook output for $1 $2"
EOF
chmod +x "$H/record"
run_acmelet "$S" -v --challenge http-01,dns-01 --challenge-hook "$H/record" \
	issue mix.example.test '*.mix.example.test'
is "$RUN_RC" 0 "mix: issued" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/mix.example.test/live/cert.pem" | tr '\n' ' ')" \
	"*.mix.example.test mix.example.test " "mix: both names in the certificate"
call() { grep -l "^args=$1 $2 " "$H"/calls/* | head -n 1; }
field() { sed -n "s/^$2=//p" "$1"; }
hb=$(call begin http-01); db=$(call begin dns-01)
ok "mix: begin http-01 ran" test -n "$hb"
ok "mix: begin dns-01 ran (the wildcard)" test -n "$db"
ok "mix: done http-01 ran" test -n "$(call done http-01)"
ok "mix: done dns-01 ran" test -n "$(call done dns-01)"
is "$(field "$hb" argc)" 5 "exactly five arguments"
set -- $(field "$hb" args)
is "$3" mix.example.test "http-01: IDENT is the name"
like "$5" "^$4\.[A-Za-z0-9_-]{43}\$" "http-01: AUTH is TOKEN.THUMBPRINT"
thumb=${5#*.}
is "$(field "$hb" UACME_AUTH)" "$5" "UACME_AUTH"
is "$(field "$hb" ACMELET_AUTH)" "$5" "ACMELET_AUTH"
is "$(field "$hb" UACME_TOKEN)" "$4" "UACME_TOKEN"
is "$(field "$hb" UACME_IDENT)" mix.example.test "UACME_IDENT"
is "$(field "$hb" UACME_METHOD) $(field "$hb" UACME_TYPE)" "begin http-01" "UACME_METHOD, UACME_TYPE"
is "$(field "$hb" UACME_CONFDIR)" "$S" "UACME_CONFDIR is the state directory"
is "$(field "$hb" ACMELET_NAME)" mix.example.test "ACMELET_NAME"
set -- $(field "$db" args)
is "$3" mix.example.test "dns-01 for the wildcard: IDENT without *."
want=$(printf %s "$4.$thumb" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
is "$5" "$want" "dns-01: AUTH is base64url(SHA-256(key authorization))"
like "$(cat "$RUN_ERR")" "challenge hook $H/record begin http-01 mix.example.test: hook output for begin http-01" \
	"the hook's output is in the log"
is "$(ls -A "$C")" "" "mix: nothing left in the challenge directory"

# ---- a hook that declines every type: one line, no challenge answered -----------
printf '#!/bin/sh\nexit 3\n' >"$H/no"
chmod +x "$H/no"
run_acmelet "$PEBBLE_DIR/no-state" -v --challenge-hook "$H/no" issue no.example.test
is "$RUN_RC" 1 "declining hook: exit 1"
is "$(error_count "$RUN_ERR")" 1 "declining hook: one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "no.example.test: every configured challenge type was declined" \
	"declining hook: says so"
unlike "$(http_lines "$RUN_ERR")" "chalZ" "declining hook: no challenge was answered"

# ---- a hook that hangs: killed with what it started, one line -----------------------
# A sleep of its own: 51 runs this file beside the plain run, whose hook
# sleeps too, and pgrep sees every process of the machine.
NAP=3217$$
printf '#!/bin/sh\nsleep %s\n' "$NAP" >"$H/hang"
chmod +x "$H/hang"
run_acmelet "$PEBBLE_DIR/hang-state" --hook-timeout 2 --challenge-hook "$H/hang" issue hang.example.test
is "$RUN_RC" 1 "hanging hook: exit 1"
is "$(error_count "$RUN_ERR")" 1 "hanging hook: one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "challenge hook $H/hang begin http-01 hang.example.test took more than 2 s and was killed" \
	"hanging hook: says so"
no_sleep() { ! pgrep -f "^sleep $NAP\$" >/dev/null; }
ok "hanging hook: its sleep was killed too" no_sleep

# ---- a CA offering none of the configured types: one line before any answer ----------
run_acmelet "$PEBBLE_DIR/none-state" -v --challenge dns-01 --challenge-hook "$H/record" issue 127.0.0.1
is "$RUN_RC" 1 "dns-01 for an IP: exit 1"
is "$(error_count "$RUN_ERR")" 1 "dns-01 for an IP: one error line" || diag_file "$RUN_ERR"
# (Pebble lists the challenges in a random order)
like "$(error_lines "$RUN_ERR")" "127.0.0.1: the CA offers (http-01, tls-alpn-01|tls-alpn-01, http-01); configured: dns-01" \
	"dns-01 for an IP: names what was offered and configured"
unlike "$(http_lines "$RUN_ERR")" "chalZ" "dns-01 for an IP: no challenge was answered"
done_testing
