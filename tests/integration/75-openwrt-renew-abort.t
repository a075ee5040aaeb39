#!/bin/bash
# OpenWrt through the harness, one standalone section:
#   a renewal   "renewed", acme.renew on ubus, the links show the new one;
#   an abort    SIGTERM to the backend only, as procd sends it for
#               "service acme abort", while acmelet waits for the CA (Pebble
#               stopped with SIGSTOP, so the moment is not a race): acmelet
#               is stopped too, the firewall rule is deleted, renew-failed,
#               and nothing is lost (the old certificate stays linked, the
#               next run renews);
#   sysupgrade  what sysupgrade keeps of the package's keep.d entry (the
#               same find over /lib/upgrade/keep.d/* as base-files'
#               sysupgrade, then tar) restored into a new root: the
#               backend finds its certificate and account there (nothing
#               due, no new account) and links it again.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/openwrt.sh
pebble_setup
owrt_setup

C=$PEBBLE_DIR/acme
N=renew.example.test
owrt_conf "$C" "config cert 'renew'
	option validation_method 'standalone'
	option listen_port '$HTTP_PORT'
	list domains '$N'
	option acme_server '$ACME_URL'"
owrt_run "$C"
is "$(ow_instance renew)" "exit 0" "first run: issued" || ow_show syslog
is "$(ow_events)" "prepare issued" "first run: prepare, issued"
serial1=$(serial "$(ow_cert "$N" crt)")

# 1. A renewal (forced: Pebble's certificates are years from renewal).
owrt_env "ACMELET_OPTS=--http-addr 127.0.0.1 --force"
owrt_run "$C"
ow_show instance hotplug-acme ubus-event nft cert-dir
is "$(ow_instance renew)" "exit 0" "renewal: exits 0" || ow_show syslog
is "$(ow_events)" "prepare renewed" "renewal: events prepare, renewed"
like "$(ow_lines ubus-event)" '"type":"acme.renew"' "renewal: ubus event acme.renew"
serial2=$(serial "$(ow_cert "$N" crt)")
like "$serial1 $serial2" "^serial=[0-9A-F]+ serial=[0-9A-F]+\$" "renewal: both certificates are there"
isnt "$serial2" "$serial1" "renewal: the links show the new certificate"
ow_check_cert renewal "$N" "(prime256v1|P-256)" "$N"

# 2. An abort in the middle of a renewal.
PEBBLE_PID=${PEBBLE_PIDS##* }
owrt_env "ACMELET_OPTS=--http-addr 127.0.0.1 --force --timeout 110"
links_before=$(for f in "$OW_ROOT"/etc/ssl/acme/*; do
	printf '%s %s %s\n' "${f##*/}" "$(readlink "$f")" "$(sha256sum <"$f")"; done)
kill -STOP "$PEBBLE_PID"
owrt_run_bg "$C"
# acmelet is the backend's child whose command line names acmelet (also
# when ACMELET is a wrapper, e.g. qemu-user's)
rule_in() { grep -q insert "$OW_ROOT/var/log/nft.log" 2>/dev/null; }
acmelet_up() {
	HOOK_PID=$(pgrep -f "$OW_ROOT/usr/lib/acme/hook get") && [ -n "$HOOK_PID" ] &&
		ACM_PID=$(pgrep -P "$HOOK_PID" -f acmelet) && [ -n "$ACM_PID" ]
}
ok "the rule is added and acmelet runs (waiting for the stopped CA)" \
	wait_for 100 eval 'rule_in && acmelet_up'
diag "the backend is pid ${HOOK_PID:-none}, its acmelet pid ${ACM_PID:-none}"
kill -TERM "${HOOK_PID:-0}"
owrt_wait_bg
kill -CONT "$PEBBLE_PID"
ow_show instance hotplug-acme nft
is "$(ow_instance renew)" "exit 1" "abort: the backend exits 1"
like "$(ow_lines syslog)" "$N: aborted by a signal" "abort: the backend says it was aborted"
ok "abort: no acmelet is left running" sh -c "! kill -0 ${ACM_PID:-0}"
is "$(ow_lines nft)" "-a -e insert rule inet fw4 input tcp dport $HTTP_PORT counter accept comment \"ACME $N\"
delete rule inet fw4 input handle 4242" "abort: the firewall rule was deleted"
is "$(ow_events)" "prepare renew-failed" "abort: events prepare, renew-failed"
is "$(for f in "$OW_ROOT"/etc/ssl/acme/*; do
	printf '%s %s %s\n' "${f##*/}" "$(readlink "$f")" "$(sha256sum <"$f")"; done)" \
	"$links_before" "abort: the links and what they show are unchanged"
is "$(serial "$(ow_cert "$N" crt)")" "$serial2" "abort: the certificate in use is the one before"

owrt_env "ACMELET_OPTS=--http-addr 127.0.0.1 --force"
owrt_run "$C"
is "$(ow_instance renew)" "exit 0" "after the abort: the next run succeeds" || ow_show syslog
is "$(ow_events)" "prepare renewed" "after the abort: renewed"
serial3=$(serial "$(ow_cert "$N" crt)")
like "$serial3" "^serial=[0-9A-F]+\$" "after the abort: a certificate is linked"
isnt "$serial3" "$serial2" "after the abort: a new certificate"
ow_check_cert "after the abort" "$N" "(prime256v1|P-256)" "$N"

# 3. sysupgrade. base-files' /sbin/sysupgrade (read in openwrt/openwrt and
# in coolsnowwolf/lede, whose base-files the harness has): "sysupgrade -l"
# and the backup list come from add_conffiles = list_static_conffiles,
# i.e. find $(sed -ne '/^[[:space:]]*$/d; /^#/d; p' /etc/sysupgrade.conf
# /lib/upgrade/keep.d/*) \( -type f -o -type l \), plus the changed
# opkg conffiles; do_save_conffiles archives them with tar czf ... -T list
# and they are unpacked into the new firmware's root. The same find runs
# here over the package's keep.d file (paths relative to the root).
KEEP=openwrt/acmelet/files/acmelet.keep
KEEPF=$PWD/$KEEP
like "$(cat openwrt/acmelet/Makefile)" "acmelet.keep \\\$\(1\)/lib/upgrade/keep.d/acmelet" \
	"the package installs $KEEP as /lib/upgrade/keep.d/acmelet"
(cd "$OW_ROOT" && find $(sed -ne '/^[[:space:]]*$/d; /^#/d; s#^/#./#p' "$KEEPF") \
	\( -type f -o -type l \)) >"$PEBBLE_DIR/keep.list"
diag "sysupgrade would keep $(wc -l <"$PEBBLE_DIR/keep.list") files and links, e.g.:"
grep -E '/(live|privkey.pem|account.*|[^/]*\.combined\.pem)$' "$PEBBLE_DIR/keep.list" | head -8 |
	while read -r l; do diag "  $l"; done
tar -C "$OW_ROOT" -czf "$PEBBLE_DIR/sysupgrade.tgz" -T "$PEBBLE_DIR/keep.list"
OLD=$OW_ROOT
OW_ROOT=""
owrt_env
owrt_conf "$PEBBLE_DIR/empty"
owrt_run "$PEBBLE_DIR/empty"
ok "the new root has no state and no links yet" \
	test ! -e "$OW_ROOT/etc/acmelet" -a ! -e "$(ow_cert "$N" crt)"
tar -C "$OW_ROOT" -xzf "$PEBBLE_DIR/sysupgrade.tgz"
owrt_run "$C"
ow_show instance hotplug-acme cert-dir
is "$(ow_instance renew)" "exit 0" "after sysupgrade: exits 0" || ow_show syslog
like "$(ow_lines syslog)" "$N: nothing due" "after sysupgrade: the kept certificate is found, nothing due"
unlike "$(ow_lines syslog)" "created account|new certificate is live" \
	"after sysupgrade: no new account, no new certificate"
is "$(ow_events)" "" "after sysupgrade: no event"
is "$(serial "$(ow_cert "$N" crt)")" "$serial3" "after sysupgrade: the same certificate is linked again"
ow_check_cert "after sysupgrade" "$N" "(prime256v1|P-256)" "$N"
done_testing
