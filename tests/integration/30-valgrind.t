#!/bin/bash
# One issuance, one run with nothing to do and one failing run under
# valgrind: no memory error and no definite leak (libcurl and OpenSSL may
# keep still-reachable blocks; those do not count).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
command -v valgrind >/dev/null || { fail "valgrind is installed"; done_testing; }
pebble_setup

ACMELET_TIMEOUT=600
NAME=vg.example.test
S=$PEBBLE_DIR/state
vg() { # LABEL ARG...: run under valgrind, its report in $PEBBLE_DIR/vg-LABEL.log
	local log=$PEBBLE_DIR/vg-$1.log
	shift
	ACMELET_WRAP="valgrind --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite --log-file=$log" run_acmelet "$@"
	VG_LOG=$log
}
vg_clean() { # LABEL
	ok "$1: valgrind reports no errors" grep -q 'ERROR SUMMARY: 0 errors' "$VG_LOG" ||
		diag_file "$VG_LOG" 40
}

vg issue "$S" issue "$NAME"
is "$RUN_RC" 0 "issuance under valgrind exits 0 (99: valgrind found errors)" ||
	diag_file "$RUN_ERR"
vg_clean issuance
ok "issuance: a certificate was stored" test -s "$S/certs/$NAME/live/cert.pem"

vg noop "$S" issue "$NAME"
is "$RUN_RC" 0 "nothing to do under valgrind exits 0"
vg_clean "nothing to do"

closed=$(pebble_free_ports_ 1)
RUN_SERVER="https://127.0.0.1:$closed/dir" vg fail "$S" --force issue "$NAME"
is "$RUN_RC" 1 "a failing run under valgrind exits 1 (99: valgrind found errors)"
vg_clean "failing run"
done_testing
