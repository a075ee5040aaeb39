#!/bin/bash
# A misbehaving CA (issue 12): tests/lib/hostile_acme.py on loopback. It is
# scripted because no Pebble can misbehave so (endless trailers and 100
# Continue, a dripping answer, http:// URLs, broken chains, escape codes,
# no Replay-Nonce). A certificate is issued on its good path first; after
# every hostile case the run exits 1 with one error line that says why,
# the live certificate is unchanged, and no control character reaches the
# log, the journal, status or the hook's ACMELET_ERROR. Peak memory of
# each run is measured (/usr/bin/time) and bounded: before issue 12 the
# libcurl build grew without bound under endless trailers.
# 51-bearssl-transport.t runs this again with the BearSSL build.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/hostile.sh
require_acmelet

[ -x /usr/bin/time ] ||
	{ fail "/usr/bin/time is installed (Debian: time; tests/lib/deps.sh)"; done_testing; }

hostile_start hostile
MAX_RSS_KB=65536 # 64 MiB: 13 MiB (libcurl) and 3 MiB (BearSSL) are normal

NAME=a.example
S=$PEBBLE_DIR/state
HOOK=$PEBBLE_DIR/hook
printf '#!/bin/sh\nprintf %%s "$ACMELET_ERROR" >"%s/hook-error"\n' \
	"$PEBBLE_DIR" >"$HOOK"
chmod +x "$HOOK"
CONF=$PEBBLE_DIR/acmelet.conf
{
	echo "server = $ACME_URL"
	echo "ca-file = $CA_FILE"
	echo "state-dir = $S"
	echo "[cert $NAME]"
	echo "names = a.example b.example"
} >"$CONF"
hooks=()
build_has HOOK && hooks=(--hook "$HOOK")

# No control character, ESC or byte above 0x7e in FILE (newlines and tabs
# aside): escaped text shows as \xNN.
no_controls() { ! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f-\xff]' "$1"; }

# [TIMEOUT=S] hostile MODE ERE: one --force issue against MODE (--timeout
# S, 3 by default), which must fail cleanly.
hostile() {
	local mode=$1 re=$2 rss
	echo "$mode" >"$PEBBLE_DIR/mode"
	rm -f "$PEBBLE_DIR/hook-error"
	ACMELET_WRAP="/usr/bin/time -f %M -o $PEBBLE_DIR/rss" \
		run_acmelet "$S" --timeout "${TIMEOUT:-3}" "${hooks[@]}" \
		--force issue a.example b.example
	expect_clean_failure "$mode" "$re" "$snap" "$S" "$NAME"
	ok "$mode: no raw control character in the log" no_controls "$RUN_ERR" ||
		diag_file "$RUN_ERR"
	rss=$(tail -n 1 "$PEBBLE_DIR/rss")
	ok "$mode: peak memory ${rss} KiB is bounded (< $MAX_RSS_KB KiB)" \
		test "${rss:-999999999}" -lt "$MAX_RSS_KB"
	echo "$mode $rss" >>"$PEBBLE_DIR/rss-all"
}

echo good >"$PEBBLE_DIR/mode"
ACMELET_WRAP="/usr/bin/time -f %M -o $PEBBLE_DIR/rss" \
	run_acmelet "$S" issue a.example b.example
is "$RUN_RC" 0 "the good path issues a certificate" || diag_file "$RUN_ERR"
echo "good-path $(tail -n 1 "$PEBBLE_DIR/rss")" >"$PEBBLE_DIR/rss-all"
ok "its key and certificate match" pair_ok "$S/certs/$NAME/live"
snap=$(live_snapshot "$S" "$NAME")

# A long --timeout: the header budget must stop this, not the deadline.
TIMEOUT=20 hostile trailers 'more than 8192 bytes|head.* larger'
hostile continue 'interim|more than 8192 bytes'
hostile drip 'in time|within 3 s'
hostile http-dir 'neworder url that is not plain https'
hostile http-location 'url that is not plain https \(http://'
hostile badpem 'refusing the certificate chain.*pem block 2'
hostile expired 'refusing the certificate chain.*expired'
hostile future 'refusing the certificate chain.*not valid before'
hostile badsig 'refusing the certificate chain.*certificate 1 is not signed by certificate 2'
hostile escape-url 'finalize url that is not plain https.*\\x1b\[31mal\\x0aize\\x07'
hostile no-nonce 'no replay-nonce'

# Problem details with a forged line and terminal escapes: shown and stored
# escaped everywhere.
hostile escape-detail 'order refused: .*no\\x0aacmelet: a.example: new certificate is live until 2099-01-01\\x1b\[2j'
unlike "$(cat "$RUN_ERR")" $'\n''acmelet: a.example: new certificate is live' \
	"escape-detail: no forged \"new certificate is live\" line"
err=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_error"])' \
	"$S/certs/$NAME/state" 2>&1)
like "$err" 'no\\x0aacmelet: .*\\x1b\[2J\\x1b\]0;owned\\x07\\x0d\\xc2\\x9b31m' \
	"escape-detail: the journal's last error holds the escaped text"
ok "escape-detail: and no control character" \
	python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["last_error"]; sys.exit(any(ord(c)<32 or ord(c)>126 for c in e))' \
	"$S/certs/$NAME/state"
if build_has STATUS; then
	run_conf "$CONF" status
	like "$(cat "$RUN_OUT")" 'last error: .*\\x1b\[2J' "escape-detail: status shows it escaped" ||
		diag_file "$RUN_OUT"
	ok "escape-detail: status prints no control character" no_controls "$RUN_OUT"
else
	skip "status: this build has no STATUS (Kconfig STATUS is off)"
	skip "status: this build has no STATUS (Kconfig STATUS is off)"
fi
if build_has HOOK; then
	like "$(cat "$PEBBLE_DIR/hook-error" 2>&1)" 'no\\x0aacmelet: .*\\x1b\[2J' \
		"escape-detail: the hook's ACMELET_ERROR is escaped"
	ok "escape-detail: ACMELET_ERROR holds no control character" \
		no_controls "$PEBBLE_DIR/hook-error"
else
	skip "hook: this build has no HOOK (Kconfig HOOK is off)"
	skip "hook: this build has no HOOK (Kconfig HOOK is off)"
fi

echo good >"$PEBBLE_DIR/mode"
run_acmelet "$S" --force issue a.example b.example
is "$RUN_RC" 0 "after every hostile case the good path still issues" || diag_file "$RUN_ERR"
isnt "$(live_snapshot "$S" "$NAME")" "$snap" "and only then does the live certificate change"
ok "its key and certificate match" pair_ok "$S/certs/$NAME/live"
diag "peak memory (KiB) of the good path and each hostile case: $(tr '\n' ' ' <"$PEBBLE_DIR/rss-all")"
done_testing
