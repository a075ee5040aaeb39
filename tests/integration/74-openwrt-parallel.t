#!/bin/bash
# OpenWrt through the harness: procd starts one backend per cert section,
# all at once. Two standalone sections on the same listen_port take turns
# on the backend's port lock instead of one failing "port in use": both
# succeed, each opens and closes its own firewall rule. To see both wait
# (not a race), the test holds that lock itself until both say they wait.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/openwrt.sh
pebble_setup
owrt_setup

C=$PEBBLE_DIR/acme
A=one.example.test B=two.example.test
owrt_conf "$C" "config cert 'one'
	option validation_method 'standalone'
	option listen_port '$HTTP_PORT'
	list domains '$A'
	option acme_server '$ACME_URL'" "config cert 'two'
	option validation_method 'standalone'
	option listen_port '$HTTP_PORT'
	list domains '$B'
	option acme_server '$ACME_URL'"
owrt_conf "$PEBBLE_DIR/empty"
owrt_run "$PEBBLE_DIR/empty"
LOCK=$OW_ROOT/var/lock/acmelet-port-$HTTP_PORT
exec 8>"$LOCK"
flock 8
( exec 8>&-; owrt_run "$C" ) &
BG=$!
waiting() { [ "$(grep -c "port $HTTP_PORT is in use by another section's acmelet: waiting for it" \
	"$OW_ROOT/var/log/messages")" = 2 ]; }
ok "both sections wait for the port while it is taken" wait_for 100 waiting
is "$(cat "$OW_ROOT/var/log/nft.log")" "" "neither opened the firewall while waiting"
exec 8>&-
wait "$BG"
OW_N=$((OW_N + 1))
OW_REPORT=$PEBBLE_DIR/owrt$OW_N.report
ow_show instance hotplug-acme nft cert-dir
is "$(ow_instance one)" "exit 0" "section one exits 0" || ow_show syslog
is "$(ow_instance two)" "exit 0" "section two exits 0" || ow_show syslog
is "$(ow_lines instance | wc -l)" 2 "procd ran two instances"
unlike "$(ow_lines syslog | grep -v 'waiting for it')" "(address|port) .*in use" \
	"acmelet never found the port in use"
ow_check_cert one "$A" "(prime256v1|P-256)" "$A"
ow_check_cert two "$B" "(prime256v1|P-256)" "$B"
is "$(ow_lines hotplug-acme | sort | tr '\n' ' ')" \
	"ACTION=issued main_domain=$A ACTION=issued main_domain=$B ACTION=prepare main_domain=$A ACTION=prepare main_domain=$B " \
	"events: prepare and issued for each"
is "$(ow_lines nft | grep -c '^-a -e insert rule inet fw4 input tcp dport '"$HTTP_PORT"' ')" 2 "nft: two inserts"
is "$(ow_lines nft | grep -c '^delete rule inet fw4 input handle 4242$')" 2 "nft: two deletes"
like "$(ow_lines nft | tr '\n' ' ')" "^-a -e insert .*ACME ($A|$B)\" delete .* -a -e insert .*ACME ($A|$B)\" delete " \
	"nft: each rule is deleted before the other section adds its own (they took turns)"
done_testing
