# Helpers that several integration tests share, sourced by pebble.sh (so
# tap.sh must come first, as it already does for pebble.sh).
#
#   pebble_setup            require_acmelet, then pebble_start; a Pebble
#                           that does not start is one failed test and the
#                           end of the script. VAR=value pebble_setup passes
#                           PEBBLE_* knobs as it does for pebble_start.
#   conf_globals STATE      the global lines of a configuration file that
#                           points acmelet at this Pebble with STATE as its
#                           state directory
#   run_conf FILE ARG...    acmelet -c FILE --log stderr ARG..., like
#                           run_acmelet but with nothing else from the
#                           command line
#   serial CERT             openssl's "serial=..." line of CERT
#   epoch_of CERT startdate|enddate
#                           that date of CERT as Unix time, from openssl
#   pair_ok DIR             DIR/privkey.pem is the key of DIR/cert.pem
#   jget FILE KEY           a member of a JSON object file, "" when absent
#   wait_port PORT          0 once 127.0.0.1:PORT accepts connections,
#                           1 after 5 s
#   run_child DESC CMD...   one TAP line for a whole TAP-producing program
#                           (another test run with another binary)

pebble_setup() {
	require_acmelet
	pebble_start || { fail "Pebble started"; done_testing; }
}

conf_globals() {
	cat <<EOF
server = $ACME_URL
ca-file = $CA_FILE
state-dir = $1
agree-tos = yes
email = admin@acmelet.test
http-port = $HTTP_PORT
http-addr = 127.0.0.1
EOF
}

# Sets RUN_RC, RUN_OUT and RUN_ERR as run_acmelet does; ACMELET_WRAP and
# ACMELET_TIMEOUT apply too.
run_conf() {
	local f=$1
	shift
	RUN_N=$((RUN_N + 1))
	RUN_OUT=$PEBBLE_DIR/run$RUN_N.out
	RUN_ERR=$PEBBLE_DIR/run$RUN_N.err
	timeout -k 5 "$ACMELET_TIMEOUT" ${ACMELET_WRAP:-} "$ACMELET" -c "$f" \
		--log stderr "$@" </dev/null >"$RUN_OUT" 2>"$RUN_ERR"
	RUN_RC=$?
}

serial() { openssl x509 -in "$1" -noout -serial 2>&1; }

epoch_of() {
	date -u -d "$(openssl x509 -in "$1" -noout "-$2" | cut -d= -f2)" +%s
}

pair_ok() {
	local a b
	a=$(openssl pkey -in "$1/privkey.pem" -pubout 2>/dev/null) || return 1
	b=$(openssl x509 -in "$1/cert.pem" -noout -pubkey 2>/dev/null) || return 1
	[ -n "$a" ] && [ "$a" = "$b" ]
}

jget() {
	python3 -c 'import json,sys
try:
    print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))
except Exception as e:
    print("unreadable: %s" % e)' "$1" "$2"
}

wait_port() {
	local _
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

run_child() {
	local desc=$1 log rc
	shift
	log=$(mktemp)
	"$@" >"$log" 2>&1
	rc=$?
	if grep -q '^1\.\.0 # SKIP' "$log"; then
		skip "$desc: $(sed -n 's/^1\.\.0 # SKIP //p' "$log")"
	elif [ "$rc" -eq 0 ] && grep -q '^1\.\.[1-9]' "$log" &&
		! grep '^not ok' "$log" | grep -qv '# TODO'; then
		pass "$desc ($(grep -c '^ok' "$log") ok)"
	else
		fail "$desc (exit $rc)"
		grep -E '^not ok|^#' "$log" | grep -v '# TODO' | head -n 30 | sed 's/^/    /' >&2
	fi
	rm -f "$log"
}
