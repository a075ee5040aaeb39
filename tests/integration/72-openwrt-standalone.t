#!/bin/bash
# OpenWrt through the harness (acme-common's real init script, functions.sh
# and notify; nft emulated and recorded), one section per run:
#   standalone  acmelet's responder on listen_port; the port opened with
#               acme-common's add_nft_rule and closed with del_nft_rule
#   alpn        tls-alpn-01 on listen_port
#   RSA         key_type rsa2048 (standalone)
#   cert_profile unknown to the CA: refused before any order, issue-failed,
#               the rule removed again
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/openwrt.sh
pebble_setup
owrt_setup

C=$PEBBLE_DIR/acme

# nft_ok PORT MAIN: one insert for PORT with acme-common's comment, then
# the delete of the handle the emulator gave (4242), nothing else.
nft_ok() {
	is "$(ow_lines nft)" "-a -e insert rule inet fw4 input tcp dport $1 counter accept comment \"ACME $2\"
delete rule inet fw4 input handle 4242" "$2: nft: the rule for port $1 added, then deleted"
}

# 1. standalone
N=std.example.test
owrt_conf "$C" "config cert 'std'
	option validation_method 'standalone'
	option listen_port '$HTTP_PORT'
	list domains '$N'
	option acme_server '$ACME_URL'"
owrt_run "$C"
ow_show instance hotplug-acme ubus-event nft cert-dir
is "$(ow_instance std)" "exit 0" "standalone: exits 0" || ow_show syslog
like "$(ow_lines syslog)" "standalone http-01 on port $HTTP_PORT" "standalone: acmelet's responder on listen_port"
nft_ok "$HTTP_PORT" "$N"
is "$(ow_events)" "prepare issued" "standalone: events prepare, issued"
ow_check_cert standalone "$N" "(prime256v1|P-256)" "$N"

# 2. alpn
N=alpn.example.test
if build_has CHALLENGE_TLSALPN; then
	owrt_conf "$C" "config cert 'alpn'
	option validation_method 'alpn'
	option listen_port '$TLS_PORT'
	list domains '$N'
	option acme_server '$ACME_URL'"
	owrt_run "$C"
	ow_show instance hotplug-acme nft cert-dir
	is "$(ow_instance alpn)" "exit 0" "alpn: exits 0" || ow_show syslog
	like "$(ow_lines syslog)" "tls-alpn-01 on port $TLS_PORT" "alpn: tls-alpn-01 on listen_port"
	like "$(ow_lines syslog)" "$N: answering tls-alpn-01" "alpn: acmelet answered tls-alpn-01"
	nft_ok "$TLS_PORT" "$N"
	is "$(ow_events)" "prepare issued" "alpn: events prepare, issued"
	ow_check_cert alpn "$N" "(prime256v1|P-256)" "$N"
else
	skip "this build has no tls-alpn-01 (Kconfig CHALLENGE_TLSALPN is off)"
fi

# 3. RSA
N=rsa.example.test
if build_has KEY_RSA; then
	owrt_conf "$C" "config cert 'rsa'
	option validation_method 'standalone'
	option listen_port '$HTTP_PORT'
	option key_type 'rsa2048'
	list domains '$N'
	option acme_server '$ACME_URL'"
	owrt_run "$C"
	ow_show instance hotplug-acme nft cert-dir
	is "$(ow_instance rsa)" "exit 0" "rsa2048: exits 0" || ow_show syslog
	nft_ok "$HTTP_PORT" "$N"
	is "$(ow_events)" "prepare issued" "rsa2048: events prepare, issued"
	ow_check_cert rsa2048 "$N" "Private-Key: \(2048 bit" "$N"
else
	skip "this build has no RSA keys (Kconfig KEY_RSA is off)"
fi

# 4. A profile the CA does not offer (Debian's Pebble offers none): one
# line, issue-failed, and the firewall closed again.
N=prof.example.test
owrt_conf "$C" "config cert 'prof'
	option validation_method 'standalone'
	option listen_port '$HTTP_PORT'
	option cert_profile 'shortlived'
	list domains '$N'
	option acme_server '$ACME_URL'"
owrt_run "$C"
ow_show instance hotplug-acme nft
is "$(ow_instance prof)" "exit 1" "cert_profile unknown to the CA: exits 1"
like "$(ow_lines syslog)" "acmelet: error: .*shortlived" "acmelet said the profile is not offered (--profile was passed)"
is "$(ow_events)" "prepare issue-failed" "unknown profile: events prepare, issue-failed"
nft_ok "$HTTP_PORT" "$N"
ok "nothing linked for $N" test ! -e "$(ow_cert "$N" crt)"
done_testing
