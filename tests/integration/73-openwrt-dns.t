#!/bin/bash
# OpenWrt through the harness, validation_method dns against BIND 9 and
# Pebble (whose validator asks that BIND):
#   built in   credentials NSUPDATE_SERVER, NSUPDATE_SERVER_PORT and
#              NSUPDATE_KEY (acme.sh's dns_nsupdate names): acmelet's own
#              RFC 2136 updates with TSIG, a wildcard and its base name,
#              dns_wait as --dns-wait; the TXT values are gone afterwards.
#   dnsapi     option dns with no NSUPDATE_* credentials: the backend runs
#              the uacme-dnsapi-adapter as acmelet's --challenge-hook. The
#              real adapter (openwrt/packages net/uacme/files/
#              dnschalhook.sh, GPL, with acme.sh's dnsapi scripts) cannot
#              ship here: a stand-in written below with the same interface
#              (METHOD TYPE IDENT TOKEN AUTH; dns, calias, dalias, dns_wait
#              and the credentials in the environment; a directory per
#              name under UACME_CONFDIR; the TXT at dalias, or
#              _acme-challenge.calias, or _acme-challenge.IDENT) updates
#              BIND with nsupdate and records what it was given.
#   neither    one error line naming both ways, issue-failed.
#   dns-persist  validation_method dns-persist: with the NSUPDATE_*
#              credentials the backend publishes the _validation-persist
#              records (persist-record --publish) and acmelet issues with
#              dns-persist-01, a wildcard and its base name, no TXT of
#              dns-01 added; without them and without a record: one line
#              from acmelet, the backend names the persist-record command,
#              no order, issue-failed.
# The current Pebble (../shared/tools/pebble) is needed for dns-persist-01:
# without it, this FAILS.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/bind.sh
. tests/lib/openwrt.sh
require_acmelet
require_part CHALLENGE_DNS "built-in dns-01"
export PEBBLE_NEW=1
ISSUER=pebble.acmelet.test
PEBBLE_CONFIG_EXTRA="\"caaIdentities\": [\"$ISSUER\"]" dns_setup
owrt_setup

C=$PEBBLE_DIR/acme
owrt_env "ACMELET_OPTS=--dns-resolver $BIND_ADDR"

# 1. built-in RFC 2136
N=owrt.example.test
owrt_conf "$C" "config cert 'dns'
	option validation_method 'dns'
	list domains '$N'
	list domains '*.$N'
	option dns_wait '60'
	list credentials 'NSUPDATE_SERVER=127.0.0.1'
	list credentials 'NSUPDATE_SERVER_PORT=$BIND_PORT'
	list credentials 'NSUPDATE_KEY=$BIND_KEY'
	option acme_server '$ACME_URL'"
owrt_run "$C"
ow_show instance hotplug-acme nft cert-dir
is "$(ow_instance dns)" "exit 0" "RFC 2136: exits 0" || ow_show syslog
like "$(ow_lines syslog)" "dns-01 by RFC 2136 updates to 127.0.0.1:$BIND_PORT" \
	"RFC 2136: acmelet updated the server the credentials name"
like "$(ow_lines syslog)" "added TXT _acme-challenge.$N" "RFC 2136: acmelet added the TXT value"
is "$(bind_txt "_acme-challenge.$N")" "" "RFC 2136: and removed it"
is "$(ow_events)" "prepare issued" "RFC 2136: events prepare, issued"
is "$(ow_lines nft)" "" "RFC 2136: no firewall change"
ow_check_cert "RFC 2136" "$N" "(prime256v1|P-256)" "$N" "*.$N"

# 2. dnsapi through the adapter interface
A=$PEBBLE_DIR/dnschalhook.sh
cat >"$A" <<SH
#!/bin/sh
# stand-in for uacme-dnsapi-adapter's dnschalhook.sh (test only)
echo "\$* dns=\$dns calias=\$calias dalias=\$dalias dns_wait=\$dns_wait MYAPI_TOKEN=\$MYAPI_TOKEN" >>"$PEBBLE_DIR/adapter.log"
[ "\$2" = dns-01 ] || exit 1
[ -d "\$UACME_CONFDIR/\$3" ] || { echo "no \$UACME_CONFDIR/\$3" >>"$PEBBLE_DIR/adapter.log"; exit 1; }
if [ -n "\$dalias" ]; then t=\$dalias
elif [ -n "\$calias" ]; then t=_acme-challenge.\$calias
else t=_acme-challenge.\$3; fi
case \$1 in begin) op=add ;; *) op=delete ;; esac
printf 'server 127.0.0.1 $BIND_PORT\nupdate %s %s 60 TXT "%s"\nsend\n' "\$op" "\$t" "\$5" |
	$(command -v nsupdate) -k "$BIND_KEY"
SH
chmod +x "$A"
owrt_env "ACMELET_OPTS=--dns-resolver $BIND_ADDR" "ACME_DNSAPI_ADAPTER=$A"
N=cname.example.test
owrt_conf "$C" "config cert 'api'
	option validation_method 'dns'
	option dns 'dns_myapi'
	option dalias 'x.dele.example.test'
	option dns_wait '1'
	list domains '$N'
	list credentials 'MYAPI_TOKEN=secret1'
	option acme_server '$ACME_URL'"
owrt_run "$C"
ow_show instance hotplug-acme nft
while read -r l; do diag "adapter: $l"; done <"$PEBBLE_DIR/adapter.log"
is "$(ow_instance api)" "exit 0" "dnsapi: exits 0" || ow_show syslog
like "$(ow_lines syslog)" "dns-01 through dns_myapi \(uacme-dnsapi-adapter\)" "dnsapi: through the adapter"
like "$(head -1 "$PEBBLE_DIR/adapter.log")" \
	"^begin dns-01 $N [^ ]+ [^ ]+ dns=dns_myapi calias= dalias=x.dele.example.test dns_wait=1 MYAPI_TOKEN=secret1\$" \
	"dnsapi: the adapter got begin with dns, dalias, dns_wait and the credentials"
like "$(sed -n 2p "$PEBBLE_DIR/adapter.log")" "^done dns-01 $N " "dnsapi: then done"
is "$(bind_txt x.dele.example.test)" "" "dnsapi: the value at dalias was removed"
is "$(ow_events)" "prepare issued" "dnsapi: events prepare, issued"
ow_check_cert dnsapi "$N" "(prime256v1|P-256)" "$N"

# 3. dns with neither way
N=none.example.test
owrt_env "ACMELET_OPTS=--dns-resolver $BIND_ADDR" "ACME_DNSAPI_ADAPTER=$PEBBLE_DIR/missing"
owrt_conf "$C" "config cert 'none'
	option validation_method 'dns'
	option dns 'dns_cf'
	list domains '$N'
	option acme_server '$ACME_URL'"
owrt_run "$C"
is "$(ow_instance none)" "exit 1" "no adapter, no NSUPDATE_*: exits 1"
like "$(ow_lines syslog)" "error: $N: dns dns_cf needs .*missing: install the uacme-dnsapi-adapter package" \
	"the line says what to install, or which credentials to give"
is "$(ow_events)" "issue-failed" "events: issue-failed (no prepare: acmelet was not run)"

# 4. dns-persist, records published by the backend
N=persist.example.test
if build_has CHALLENGE_DNS_PERSIST; then
	owrt_env "ACMELET_OPTS=--dns-resolver $BIND_ADDR"
	owrt_conf "$C" "config cert 'persist'
	option validation_method 'dns-persist'
	list domains '$N'
	list domains '*.$N'
	option dns_wait '60'
	list credentials 'NSUPDATE_SERVER=127.0.0.1'
	list credentials 'NSUPDATE_SERVER_PORT=$BIND_PORT'
	list credentials 'NSUPDATE_KEY=$BIND_KEY'
	option acme_server '$ACME_URL'"
	owrt_run "$C"
	ow_show instance hotplug-acme nft
	is "$(ow_instance persist)" "exit 0" "dns-persist: exits 0" || ow_show syslog
	rec=$(bind_txt "_validation-persist.$N")
	diag "_validation-persist.$N TXT $rec"
	like "$rec" "^\"$ISSUER; accounturi=https://127.0.0.1:[0-9]+/my-account/[^;]+; policy=wildcard\"\$" \
		"dns-persist: the backend published the record for this CA and account, policy=wildcard"
	like "$(ow_lines syslog)" "record at _validation-persist.$N is visible" \
		"dns-persist: acmelet checked the record before the order"
	unlike "$(ow_lines syslog)" "added TXT _acme-challenge" "dns-persist: no dns-01 TXT was added"
	is "$(ow_events)" "prepare issued" "dns-persist: events prepare, issued"
	ow_check_cert dns-persist "$N" "(prime256v1|P-256)" "$N" "*.$N"

	# 5. dns-persist, no credentials, no record: nothing ordered
	N=nopersist.example.test
	owrt_conf "$C" "config cert 'nopersist'
	option validation_method 'dns-persist'
	list domains '$N'
	option acme_server '$ACME_URL'"
	owrt_run "$C"
	ow_show instance hotplug-acme
	is "$(ow_instance nopersist)" "exit 1" "dns-persist without a record: exits 1"
	like "$(ow_lines syslog)" "acmelet: error: .*_validation-persist.$N" "acmelet said the record is missing"
	like "$(ow_lines syslog)" "error: $N: publish the records that .*persist-record $N\" prints" \
		"the backend named the persist-record command"
	unlike "$(ow_lines syslog)" "order-plz" "no order was made"
	is "$(ow_events)" "prepare issue-failed" "events: prepare, issue-failed"
else
	skip "this build has no dns-persist-01 (Kconfig CHALLENGE_DNS_PERSIST is off)"
fi
done_testing
