# A private BIND 9 (Debian's named) on a loopback port, authoritative for
# the test zones, with a TSIG key that may update TXT records: what the
# DNS tests' acmelet writes to and Pebble's validator reads from.
#
#   bind_start     starts named; exports BIND_PORT BIND_DIR BIND_KEY (the
#                  key file, mode 0600) BIND_KEY_NAME BIND_ADDR
#                  (127.0.0.1:PORT); stops it at exit (bind_stop)
#   bind_txt NAME  the TXT values at NAME as dig prints them, sorted
#   bind_nsupdate CMDS...  nsupdate with the key (test setup only)
#
# Zones: example.test (A 127.0.0.1 for every name, updates of TXT by the
# key), dele.test (another zone, for a CNAME to point at),
# locked.test (no updates: REFUSED). Fixed records (a CNAME target in the
# zone itself: an authoritative-only BIND does not chase CNAMEs into
# another zone, so Pebble would not see the value there):
#   _acme-challenge.cname.example.test CNAME x.dele.example.test
#   _acme-challenge.loop1.example.test CNAME _acme-challenge.loop2.example.test
#   _acme-challenge.loop2.example.test CNAME _acme-challenge.loop1.example.test
# A test that needs named and finds none FAILS with a line saying so.

BIND_PID=""

# pebble_free_ports_ (pebble.sh) finds BIND's port, as it finds Pebble's;
# the DNS tests source pebble.sh anyway, dns_setup needs it.
declare -F pebble_free_ports_ >/dev/null || . tests/lib/pebble.sh

bind_write_zone_() { # ZONE FILE EXTRA-RECORDS
	cat >"$2" <<Z
\$TTL 60
@ SOA ns1.$1. hostmaster.$1. 1 3600 600 86400 60
@ NS ns1.$1.
ns1 A 127.0.0.1
@ A 127.0.0.1
* A 127.0.0.1
$3
Z
}

bind_write_conf_() {
	local d=$BIND_DIR
	tsig-keygen -a hmac-sha256 acme-key. >"$d/acme.key" || return 1
	chmod 600 "$d/acme.key"
	bind_write_zone_ example.test "$d/example.test.db" \
"_acme-challenge.cname CNAME x.dele.example.test.
_acme-challenge.loop1 CNAME _acme-challenge.loop2.example.test.
_acme-challenge.loop2 CNAME _acme-challenge.loop1.example.test."
	bind_write_zone_ dele.test "$d/dele.test.db" ""
	bind_write_zone_ locked.test "$d/locked.test.db" ""
	cat >"$d/named.conf" <<C
options {
	directory "$d";
	pid-file "$d/named.pid";
	session-keyfile "$d/session.key";
	listen-on port $BIND_PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	notify no;
	dnssec-validation no;
};
include "$d/acme.key";
zone "example.test" { type primary; file "$d/example.test.db";
	update-policy { grant acme-key. subdomain example.test. TXT; }; };
zone "dele.test" { type primary; file "$d/dele.test.db";
	update-policy { grant acme-key. subdomain dele.test. TXT; }; };
zone "locked.test" { type primary; file "$d/locked.test.db"; };
C
}

bind_start() {
	local n
	if ! command -v named >/dev/null || ! command -v tsig-keygen >/dev/null ||
		! command -v dig >/dev/null; then
		echo "bind_start: named, tsig-keygen or dig missing (Debian: apt-get install bind9 bind9-utils bind9-dnsutils)" >&2
		return 1
	fi
	BIND_DIR=$(mktemp -d "${TMPDIR:-/tmp}/acmelet-bind.XXXXXX") || return 1
	chmod 755 "$BIND_DIR"
	for n in 1 2 3; do
		BIND_PORT=$(pebble_free_ports_ 1) || return 1
		bind_write_conf_ || return 1
		# -g: foreground, log to stderr; as root it stays root (no -u)
		named -g -c "$BIND_DIR/named.conf" </dev/null >"$BIND_DIR/named.log" 2>&1 &
		BIND_PID=$!
		trap bind_stop EXIT
		if bind_wait_ready_; then
			BIND_ADDR=127.0.0.1:$BIND_PORT BIND_KEY=$BIND_DIR/acme.key
			BIND_KEY_NAME=acme-key.
			export BIND_PORT BIND_DIR BIND_KEY BIND_KEY_NAME BIND_ADDR
			return 0
		fi
		bind_stop_named_
	done
	echo "bind_start: named did not answer on 127.0.0.1:$BIND_PORT; its log:" >&2
	tail -n 15 "$BIND_DIR/named.log" >&2
	return 1
}

bind_wait_ready_() {
	local deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ]; do
		kill -0 "$BIND_PID" 2>/dev/null || return 1
		dig +short +time=1 +tries=1 -p "$BIND_PORT" @127.0.0.1 \
			example.test SOA 2>/dev/null | grep -q ns1 && return 0
		sleep 0.2
	done
	return 1
}

bind_stop_named_() {
	[ -n "$BIND_PID" ] || return 0
	kill "$BIND_PID" 2>/dev/null
	local n=0
	while kill -0 "$BIND_PID" 2>/dev/null && [ "$n" -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -9 "$BIND_PID" 2>/dev/null
	wait "$BIND_PID" 2>/dev/null
	BIND_PID=""
}

bind_stop() {
	bind_stop_named_
	[ -n "$BIND_DIR" ] && [ -z "${KEEP_BIND:-}" ] && rm -rf "$BIND_DIR"
	# pebble.sh's EXIT trap, when it was set too
	if declare -F pebble_stop >/dev/null; then pebble_stop; fi
}

bind_txt() {
	dig +short +tcp -p "$BIND_PORT" @127.0.0.1 "$1" TXT | sort
}

bind_nsupdate() {
	{ echo "server 127.0.0.1 $BIND_PORT"; printf '%s\n' "$@"; echo send; } |
		nsupdate -k "$BIND_KEY"
}

# dns_setup: BIND, then Pebble with its validator asking that BIND; one
# failed test and the end of the script when either does not start.
dns_setup() {
	require_acmelet
	bind_start || { fail "BIND started"; done_testing; }
	PEBBLE_DNSSERVER=$BIND_ADDR pebble_start || { fail "Pebble started"; done_testing; }
	trap bind_stop EXIT # pebble_start took the EXIT trap; bind_stop calls pebble_stop
}
