#!/bin/bash
# The configuration file (issue 4): each hand-made file has one bad line;
# acmelet -c FILE renew exits 2 with exactly one error line that names
# FILE:LINE, and writes nothing. A good file works, and options on the
# command line beat the file's (shown by an issuance against Pebble that
# only succeeds with the command line's --http-port).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

C=$PEBBLE_DIR/conf
mkdir -p "$C"
BADSTATE=$PEBBLE_DIR/never-written

# A valid start for every bad file: comments and blank lines count as lines.
PRE="# acmelet test configuration
state-dir = $BADSTATE
server = https://127.0.0.1:1/dir

"
# Line numbers in the files below: the preamble is lines 1-4.

# bad CASE LINE ERE: write $C/CASE.conf from stdin, run renew with it,
# expect exit 2, one stderr line, an error line naming FILE:LINE: and
# matching ERE, and nothing written.
bad() {
	local f=$C/$1.conf line=$2 re=$3
	cat >"$f"
	rm -rf "$BADSTATE"
	run_conf "$f" renew
	is "$RUN_RC" 2 "$1: renew exits 2"
	is "$(wc -l <"$RUN_ERR")" 1 "$1: exactly one line on stderr" ||
		diag_file "$RUN_ERR"
	is "$(error_count "$RUN_ERR")" 1 "$1: it is an error line"
	like "$(cat "$RUN_ERR")" "(^|[ ])$f:$line: " \
		"$1: the error names $(basename "$f"):$line"
	like "$(tr '[:upper:]' '[:lower:]' <"$RUN_ERR")" "$re" \
		"$1: the message explains ($re)"
	ok "$1: nothing written" test ! -e "$BADSTATE"
	ok "$1: nothing on stdout" test ! -s "$RUN_OUT"
	rm -rf "$BADSTATE"
}

bad unknown-key 6 "unknown key.*colour" <<EOF
${PRE}[cert a]
colour = blue
names = a.example.test
EOF

bad http-port-range 6 "99999" <<EOF
${PRE}# the responder's port
http-port = 99999
[cert a]
names = a.example.test
EOF

bad http-port-text 7 "80x" <<EOF
${PRE}[cert a]
names = a.example.test
http-port = 80x
EOF

bad key-type-dsa 7 "dsa" <<EOF
${PRE}[cert a]
names = a.example.test
key-type = dsa
EOF

bad agree-tos-maybe 5 "maybe" <<EOF
${PRE}agree-tos = maybe
[cert a]
names = a.example.test
EOF

bad timeout-zero 8 "'0'|timeout" <<EOF
${PRE}[cert a]
names = a.example.test

timeout = 0
EOF

bad names-outside-section 5 "names.*section|section.*names" <<EOF
${PRE}names = a.example.test
[cert a]
names = a.example.test
EOF

bad bad-name-in-names 6 "bad_name" <<EOF
${PRE}[cert a]
names = a.example.test bad_name!
EOF

# A section without names: the line to name is the section's header.
bad section-without-names 5 "names" <<EOF
${PRE}[cert a]
key-type = ec-256
[cert b]
names = b.example.test
EOF

bad last-section-without-names 7 "names" <<EOF
${PRE}[cert a]
names = a.example.test
[cert b]
EOF

bad header-unclosed 7 "section|\\[cert" <<EOF
${PRE}[cert a]
names = a.example.test
[cert b
names = b.example.test
EOF

bad header-not-cert 5 "section|\\[cert" <<EOF
${PRE}[certificate a]
names = a.example.test
EOF

bad header-trailing-junk 5 "section|\\[cert" <<EOF
${PRE}[cert a] extra
names = a.example.test
EOF

bad header-path-name 5 "name" <<EOF
${PRE}[cert ../escape]
names = a.example.test
EOF

bad duplicate-section 8 "twice|duplicate|again" <<EOF
${PRE}[cert a]
names = a.example.test

[cert a]
names = www.a.example.test
EOF

bad garbage-line 7 "key = value|=" <<EOF
${PRE}[cert a]
names = a.example.test
this line has no equals sign
EOF

bad empty-server 7 "server|empty|value" <<EOF
${PRE}[cert a]
names = a.example.test
server =
EOF

bad name-key 6 "unknown key.*name" <<EOF
${PRE}[cert a]
name = b
names = a.example.test
EOF

# A file that is not there, named with -c: a usage error, not defaults.
run_conf "$C/missing.conf" renew
is "$RUN_RC" 2 "missing -c file: exits 2"
is "$(error_count "$RUN_ERR")" 1 "missing -c file: one error line"
like "$(cat "$RUN_ERR")" "$C/missing.conf" "missing -c file: names the file"

# ---- a good file -----------------------------------------------------------
GOOD=$C/good.conf
GS=$PEBBLE_DIR/good-state
cat >"$GOOD" <<EOF
# global settings, then two certificates
; another comment style
	state-dir	=	$GS
server=$ACME_URL
ca-file = $CA_FILE
email = admin@acmelet.test
agree-tos = yes
http-addr = 127.0.0.1
http-port = $HTTP_PORT
timeout = 20
key-type = ec-256

[cert one]
names = one.conf.example.test, www.one.conf.example.test
[cert two]
names = two.conf.example.test
key-type = ec-384
EOF
run_conf "$GOOD" status
is "$RUN_RC" 0 "good file: status exits 0" || diag_file "$RUN_ERR"
is "$(error_count "$RUN_ERR")" 0 "good file: no error line"
like "$(cat "$RUN_OUT")" "one.conf.example.test www.one.conf.example.test" \
	"good file: status lists the names of [cert one]"
like "$(cat "$RUN_OUT")" "two.conf.example.test" \
	"good file: status lists [cert two]"
run_conf "$GOOD" renew
is "$RUN_RC" 0 "good file: renew issues and exits 0" || diag_file "$RUN_ERR"
is "$(san_names "$GS/certs/one/live/cert.pem")" \
	"$(printf '%s\n' one.conf.example.test www.one.conf.example.test)" \
	"good file: [cert one] has its two names (comma and blank separated)"
like "$(openssl x509 -in "$GS/certs/two/live/cert.pem" -noout -text 2>&1)" \
	"(secp384r1|P-384)" "good file: [cert two] got its own key-type ec-384"
like "$(openssl x509 -in "$GS/certs/one/live/cert.pem" -noout -text 2>&1)" \
	"(prime256v1|P-256)" "good file: [cert one] got the global key-type ec-256"

# The same file with CRLF line ends (edited on Windows) means the same.
sed 's/$/\r/' "$GOOD" >"$C/crlf.conf"
run_conf "$C/crlf.conf" renew
is "$RUN_RC" 3 "CRLF file: read the same, nothing due (exit 3)" ||
	diag_file "$RUN_ERR"

# ---- the command line wins -------------------------------------------------
# The file's http-port (global and in the section) is not where Pebble
# validates: only the command line's --http-port can make this issue.
WRONG1=$(pebble_free_ports_ 1)
WRONG2=$(pebble_free_ports_ 1)
FILE_STATE=$PEBBLE_DIR/file-state
CLI_STATE=$PEBBLE_DIR/cli-state
OV=$C/override.conf
cat >"$OV" <<EOF
server = $ACME_URL
ca-file = $CA_FILE
state-dir = $FILE_STATE
email = admin@acmelet.test
agree-tos = yes
http-addr = 127.0.0.1
http-port = $WRONG1

[cert over]
names = over.conf.example.test
http-port = $WRONG2
EOF
run_conf "$OV" renew
is "$RUN_RC" 1 "the file's own http-port ($WRONG2) is used: validation fails, exit 1"
ok "the file's state-dir is used without -d" test -d "$FILE_STATE/certs/over"

run_conf "$OV" --http-port "$HTTP_PORT" -d "$CLI_STATE" renew
is "$RUN_RC" 0 "--http-port $HTTP_PORT and -d on the command line beat the file: exit 0" ||
	diag_file "$RUN_ERR"
ok "the certificate is in the command line's state dir" \
	test -s "$CLI_STATE/certs/over/live/cert.pem"
ok "nothing live in the file's state dir" \
	test ! -e "$FILE_STATE/certs/over/live"
pebble_root "$PEBBLE_DIR/root.pem"
v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" \
	-untrusted "$CLI_STATE/certs/over/live/chain.pem" \
	"$CLI_STATE/certs/over/live/cert.pem" 2>&1)
is "$v" "$CLI_STATE/certs/over/live/cert.pem: OK" "that certificate verifies"

# A bad value on the command line is still a usage error with a file.
run_conf "$OV" --http-port 99999 renew
is "$RUN_RC" 2 "--http-port 99999 with a good file: exits 2"
done_testing
