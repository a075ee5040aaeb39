#!/bin/bash
# Orders survive what interrupts them (issue 12, items 11 and 12), against
# tests/lib/hostile_acme.py: scripted because Pebble cannot hold a
# validation, a finalize or a download until told, nor refuse every nonce
# on cue.
# - badNonce: with every other signed request refused (a fresh nonce each
#   time) an issuance still succeeds; with every nonce refused the run
#   gives up within --timeout in one line, and keeps the order whose
#   challenges it answered: the next run resumes that same order.
# - SIGTERM while the CA validates (order pending), while it finalizes
#   (ready) and while the chain downloads (valid): the next start resumes
#   the same order, makes no new one, and the certificate goes live.
# 51-bearssl-transport.t runs this again with the BearSSL build.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/hostile.sh
require_acmelet


hostile_start resume
BG=""
NAME=r.example
S=$PEBBLE_DIR/state
J=$S/certs/$NAME/state
set_mode() { echo "$1" >"$PEBBLE_DIR/mode"; rm -f "$PEBBLE_DIR/release"; }
new_orders() { grep -c '^/new-order$' "$PEBBLE_DIR/requests" 2>/dev/null; }
journal_order() { jget "$J" order; }

# ---- badNonce --------------------------------------------------------------
set_mode badnonce
run_acmelet "$S" -v issue r.example s.example
is "$RUN_RC" 0 "every other nonce refused: the issuance still succeeds" ||
	diag_file "$RUN_ERR"
summary=$(grep -o 'acme: .*badNonce retries' "$RUN_ERR")
like "$summary" ' ([3-9]|[1-9][0-9]+) badNonce retries' "retried each time: $summary"
is "$(error_count "$RUN_ERR")" 0 "and no error line"

# Every nonce refused, once the challenges are answered: acmelet gives up
# within --timeout, in one line, and keeps the order.
set_mode hold
before=$(new_orders)
run_bg() { # ARG...: acmelet in the background, stderr to $PEBBLE_DIR/bg.err
	"$ACMELET" --server "$ACME_URL" --ca-file "$CA_FILE" -d "$S" \
		--http-port "$HTTP_PORT" --http-addr 127.0.0.1 --agree-tos \
		-e admin@acmelet.test --log stderr "$@" </dev/null \
		>"$PEBBLE_DIR/bg.out" 2>"$PEBBLE_DIR/bg.err" &
	BG=$!
}
count() { grep -c "^$1" "$PEBBLE_DIR/requests"; }
more_than() { [ "$(count "$1")" -gt "$2" ]; } # PATH N: more requests now
exited() { # PID: gone or a zombie
	! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
bg_wait() { # SECONDS: the background run's exit status in BG_RC
	wait_for "$1" exited "$BG" || { kill -9 "$BG"; echo "# acmelet killed after $1 s" >&2; }
	wait "$BG"
	BG_RC=$?
	BG=""
}
chall_before=$(count /chall/)
run_bg --timeout 3 --force issue r.example s.example
ok "the challenges are answered" wait_for 60 more_than /chall/ $((chall_before + 1))
order=$(journal_order)
echo badnonce-all >"$PEBBLE_DIR/mode"
bg_wait 60
is "$BG_RC" 1 "every nonce refused: the run gives up (exit 1)"
is "$(error_count "$PEBBLE_DIR/bg.err")" 1 "in one error line" || diag_file "$PEBBLE_DIR/bg.err"
like "$(error_lines "$PEBBLE_DIR/bg.err")" 'badNonce [0-9]+ times in a row.*fresh nonce' \
	"which says so: $(error_lines "$PEBBLE_DIR/bg.err")"
is "$(journal_order)" "$order" "the order with answered challenges is kept in the journal"

set_mode hold
run_bg -v --force issue r.example s.example
ok "the next run resumes that order" \
	wait_for 60 grep -q "resuming order $order (pending)" "$PEBBLE_DIR/bg.err"
touch "$PEBBLE_DIR/release"
bg_wait 60
is "$BG_RC" 0 "and the certificate goes live" || diag_file "$PEBBLE_DIR/bg.err"
is "$(new_orders)" "$((before + 1))" "with no second new order"
unlike "$(grep -h "^/chall/${order##*/}/" "$PEBBLE_DIR/requests" | sort | uniq -d)" '.' \
	"and none of its challenges posted twice"

# ---- SIGTERM while pending, ready, valid -----------------------------------
# sigterm MODE STATUS WHAT: start an issuance, wait until the CA holds it at
# WHAT (a request path), SIGTERM, start again: it resumes the order.
sigterm() {
	local mode=$1 status=$2 what=$3 n order
	set_mode "$mode"
	before=$(new_orders)
	n=$(count "$what")
	run_bg -v --force issue r.example s.example
	ok "$mode: the CA holds the run at $what" wait_for 60 more_than "$what" "$n"
	order=$(journal_order)
	kill -TERM "$BG"
	bg_wait 60
	is "$BG_RC" 143 "$mode: SIGTERM ends the run"
	is "$(journal_order)" "$order" "$mode: the journal keeps order $order"
	run_bg -v --force issue r.example s.example
	ok "$mode: the next start resumes it ($status)" \
		wait_for 60 grep -q "resuming order $order ($status)" "$PEBBLE_DIR/bg.err" ||
		diag_file "$PEBBLE_DIR/bg.err"
	touch "$PEBBLE_DIR/release"
	bg_wait 60
	is "$BG_RC" 0 "$mode: and the certificate goes live" || diag_file "$PEBBLE_DIR/bg.err"
	is "$(new_orders)" "$((before + 1))" "$mode: one new order in all"
	ok "$mode: key and certificate match" pair_ok "$S/certs/$NAME/live"
}
sigterm hold pending /chall/
sigterm hold-finalize ready /finalize/
sigterm hold-cert valid /cert/
done_testing
