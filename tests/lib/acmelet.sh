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
#   build_has OPTION        0 when $ACMELET was built with Kconfig OPTION
#                           (its --version lists them)
#   require_part OPTION WHAT  the one allowed skip: when the build lacks
#                           OPTION on purpose, skip the whole file naming
#                           it; a build that has it goes on, so a broken
#                           part fails instead of skipping
#   wait_for SECONDS CMD... 0 once CMD succeeds (tried every 0.1 s), 1
#                           when SECONDS passed first: waits for an event,
#                           never for a fixed time

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

build_has() {
	"$ACMELET" --version 2>/dev/null | grep -q "^built with:.* $1\( \|\$\)"
}

require_part() {
	build_has "$1" ||
		skip_all "this build has no $2 (Kconfig $1 is off)"
}

wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}
