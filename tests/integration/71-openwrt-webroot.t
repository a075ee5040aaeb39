#!/bin/bash
# OpenWrt, acme-common's default method: a cert section without
# validation_method is webroot. acmelet writes the token into
# $CHALLENGE_DIR/.well-known/acme-challenge (CHALLENGE_DIR is
# /var/run/acme/challenge), and the router's web server (here busybox
# httpd on Pebble's http-01 port, serving /www) answers Pebble through the
# link that acme-common's uci-defaults makes (openwrt/packages
# net/acme-common/files/acme.uci-defaults): /www/.well-known/acme-challenge
# -> /var/run/acme/challenge/.well-known/acme-challenge. Run through the harness: acme-common's real init
# script, functions.sh and notify. Then a second run: nothing due, nothing
# announced.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/openwrt.sh
pebble_setup
owrt_setup
command -v busybox >/dev/null || { fail "busybox is installed (tests/lib/deps.sh)"; done_testing; }

C=$PEBBLE_DIR/acme
N=web.example.test

# A first run with no cert section makes the working root, so /www and
# the web server are there before the certificate's run.
owrt_conf "$C"
owrt_run "$C"
is "$OW_RC" 0 "the harness made a working root"
mkdir -p "$OW_ROOT/www/.well-known"
ln -s "$OW_ROOT/var/run/acme/challenge/.well-known/acme-challenge" \
	"$OW_ROOT/www/.well-known/acme-challenge"
busybox httpd -f -vv -p "127.0.0.1:$HTTP_PORT" -h "$OW_ROOT/www" \
	2>"$PEBBLE_DIR/httpd.log" &
HTTPD=$!
trap 'kill $HTTPD 2>/dev/null; pebble_stop' EXIT
wait_port "$HTTP_PORT" || fail "busybox httpd listens on $HTTP_PORT"

owrt_conf "$C" "config cert 'web'
	option enabled '1'
	list domains '$N'
	list domains 'www.$N'
	option acme_server '$ACME_URL'"
owrt_run "$C"
ow_show instance hotplug-acme ubus-event nft cert-dir
is "$(ow_instance web)" "exit 0" "the backend's instance exits 0" || ow_show syslog
like "$(ow_lines syslog)" "warn acme: Please set \"option validation_method webroot\"" \
	"acme-common chose webroot (its default) and said so"
like "$(cat "$OW_ROOT/var/run/emu-procd/web.json")" '"validation_method": "webroot"' \
	"the instance got validation_method=webroot"
like "$(ow_lines syslog)" "webroot http-01 through /var/run/acme/challenge/.well-known/acme-challenge" \
	"the backend had acmelet write the tokens under CHALLENGE_DIR"
like "$(ow_lines syslog)" "answering http-01 by the http-01 files" \
	"acmelet answered by files, not its own responder"
like "$(cat "$PEBBLE_DIR/httpd.log")" "url:/.well-known/acme-challenge/" \
	"Pebble's validator fetched the token from busybox httpd"
ok "acmelet made CHALLENGE_DIR/.well-known/acme-challenge" \
	test -d "$OW_ROOT/var/run/acme/challenge/.well-known/acme-challenge"
is "$(ls -A "$OW_ROOT/var/run/acme/challenge/.well-known/acme-challenge")" "" \
	"no token is left there"
is "$(ow_events)" "prepare issued" "events: prepare, issued"
like "$(ow_lines ubus-event)" '"type":"acme.issue"' "ubus event acme.issue"
is "$(ow_lines nft)" "" "webroot without listen_port: no firewall change (the web server's port is open)"
ow_check_cert webroot "$N" "(prime256v1|P-256)" "$N" "www.$N"

# Nothing due: no event, no CA contact, the links stay.
before=$(ow_lines cert-dir)
owrt_run "$C"
is "$(ow_instance web)" "exit 0" "second run exits 0"
is "$(ow_events)" "" "second run: no event (not even prepare)"
like "$(ow_lines syslog)" "$N: nothing due" "second run: nothing due"
unlike "$(ow_lines syslog)" "new certificate is live" "second run: no issuance"
is "$(ow_lines cert-dir)" "$before" "second run: CERT_DIR unchanged"
done_testing
