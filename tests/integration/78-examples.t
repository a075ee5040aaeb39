#!/bin/bash
# The appliance firmware examples of docs/examples/ (issue 13, N1), each
# run by acmelet against Pebble as its hook:
# - deploy-nginx and deploy-lighttpd with the real Debian servers on
#   loopback ports, read through the live files: after a renewal the hook
#   reloads the server, and openssl s_client sees the new certificate;
# - deploy-store: the atomic replace in a certificate store, checked with
#   strace (each temporary file fsync'd before its rename, the directory
#   after), new inodes, modes, contents, nothing left behind;
# - deploy-uhttpd: uhttpd is not in Debian. The hook's own logic (the
#   atomic copy to uhttpd's key and certificate, then its init script's
#   restart) runs for real; only /etc/init.d/uhttpd is a stand-in, which
#   restarts `openssl s_server` with those two files as uhttpd would read
#   them, so s_client can check what a restarted uhttpd would serve;
# - challenge-www: the uacme-compatible challenge hook, with BusyBox httpd
#   as the firmware's web server on Pebble's validation port; it declines
#   dns-01 (preferred here) so that http-01 is used.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

EX=$PWD/docs/examples
D=$PEBBLE_DIR/examples
mkdir -p "$D"
PIDS=()
cleanup() {
	local f
	for f in "$D/nginx/nginx.pid" "$D/lighttpd/lighttpd.pid" "$D/uhttpd/s_server.pid"; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
	done
	for f in "${PIDS[@]}"; do kill -TERM "$f" 2>/dev/null; done
	pebble_stop
}
trap cleanup EXIT
read -r PORT_NGINX PORT_LIGHTTPD PORT_UHTTPD <<<"$(pebble_free_ports_ 3)"

# served PORT NAME: serial of the certificate a TLS server on PORT sends
served() {
	openssl s_client -connect "127.0.0.1:$1" -servername "$2" </dev/null 2>/dev/null |
		openssl x509 -noout -serial 2>/dev/null
}
served_is() { [ "$(served "$1" "$2")" = "$3" ]; }
hook_line() { grep -c "$1" "$RUN_ERR"; } # the hook's output is in the log

for tool in nginx lighttpd openssl strace busybox; do
	command -v "$tool" >/dev/null || fail "$tool is installed (tests/lib/deps.sh)"
done

# ---- nginx -----------------------------------------------------------------
N=$D/nginx
S=$D/state
NAME=nginx.example.test
L=$S/certs/$NAME/live
mkdir -p "$N/tmp"
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "nginx: the first certificate is issued" || diag_file "$RUN_ERR"
cat >"$N/nginx.conf" <<NGINX_CONF
pid $N/nginx.pid;
error_log $N/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $N/tmp/body;
	proxy_temp_path $N/tmp/proxy;
	fastcgi_temp_path $N/tmp/fastcgi;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
	server {
		listen 127.0.0.1:$PORT_NGINX ssl;
		server_name $NAME;
		ssl_certificate $L/fullchain.pem;
		ssl_certificate_key $L/privkey.pem;
		return 200 "hello\n";
	}
}
NGINX_CONF
NGINX_OPTS="-p $N -c $N/nginx.conf -e $N/error.log"
# shellcheck disable=SC2086
nginx $NGINX_OPTS >"$N/start.out" 2>&1
ok "nginx starts on 127.0.0.1:$PORT_NGINX with the live files" \
	wait_for 30 served_is "$PORT_NGINX" "$NAME" "$(serial "$L/cert.pem")" ||
	{ diag_file "$N/start.out"; diag_file "$N/error.log"; }
old=$(serial "$L/cert.pem")
NGINX_OPTS=$NGINX_OPTS run_acmelet "$S" --force --hook "$EX/deploy-nginx" issue "$NAME"
is "$RUN_RC" 0 "nginx: renewal with --hook deploy-nginx exits 0" || diag_file "$RUN_ERR"
new=$(serial "$L/cert.pem")
isnt "$new" "$old" "nginx: a new certificate is live"
is "$(hook_line "deploy-nginx: nginx reloaded for the renewed certificate of $NAME")" 1 \
	"nginx: the hook ran for the renewed event"
ok "nginx: s_client sees the new certificate after the reload" \
	wait_for 60 served_is "$PORT_NGINX" "$NAME" "$new" ||
	diag "served: $(served "$PORT_NGINX" "$NAME"), live: $new"
note "nginx served $old, then $new"

# ---- lighttpd --------------------------------------------------------------
H=$D/lighttpd
NAME=lighttpd.example.test
L=$S/certs/$NAME/live
mkdir -p "$H/www"
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "lighttpd: the first certificate is issued" || diag_file "$RUN_ERR"
cat >"$H/lighttpd.conf" <<LIGHTTPD_CONF
server.modules = ( "mod_openssl" )
server.document-root = "$H/www"
server.bind = "127.0.0.1"
server.port = $PORT_LIGHTTPD
server.pid-file = "$H/lighttpd.pid"
server.errorlog = "$H/error.log"
ssl.engine = "enable"
ssl.pemfile = "$L/fullchain.pem"
ssl.privkey = "$L/privkey.pem"
LIGHTTPD_CONF
lighttpd -f "$H/lighttpd.conf" >"$H/start.out" 2>&1
ok "lighttpd starts on 127.0.0.1:$PORT_LIGHTTPD with the live files" \
	wait_for 30 served_is "$PORT_LIGHTTPD" "$NAME" "$(serial "$L/cert.pem")" ||
	{ diag_file "$H/start.out"; diag_file "$H/error.log"; }
old=$(serial "$L/cert.pem")
LIGHTTPD_CONF=$H/lighttpd.conf LIGHTTPD_PIDFILE=$H/lighttpd.pid \
	run_acmelet "$S" --force --hook "$EX/deploy-lighttpd" issue "$NAME"
is "$RUN_RC" 0 "lighttpd: renewal with --hook deploy-lighttpd exits 0" || diag_file "$RUN_ERR"
new=$(serial "$L/cert.pem")
isnt "$new" "$old" "lighttpd: a new certificate is live"
is "$(hook_line "deploy-lighttpd: lighttpd (pid [0-9]*) restarted gracefully for the renewed certificate of $NAME")" 1 \
	"lighttpd: the hook ran for the renewed event"
ok "lighttpd: s_client sees the new certificate after the graceful restart" \
	wait_for 60 served_is "$PORT_LIGHTTPD" "$NAME" "$new" ||
	{ diag "served: $(served "$PORT_LIGHTTPD" "$NAME"), live: $new"; diag_file "$H/error.log"; }
note "lighttpd served $old, then $new"

# ---- deploy-store: the atomic replace ------------------------------------------
ST=$D/store
NAME=store.example.test
L=$S/certs/$NAME/live
STORE_DIR=$ST STORE_RELOAD="echo reload-command-ran" \
	ACMELET_WRAP="strace -f -qq -y -o $D/strace.txt -e trace=fsync,fdatasync,rename,renameat,renameat2" \
	run_acmelet "$S" --hook "$EX/deploy-store" issue "$NAME"
is "$RUN_RC" 0 "store: issue with --hook deploy-store exits 0" || diag_file "$RUN_ERR"
ok "store: server.crt is fullchain.pem" cmp -s "$ST/server.crt" "$L/fullchain.pem"
ok "store: server.key is privkey.pem" cmp -s "$ST/server.key" "$L/privkey.pem"
is "$(stat -c %a "$ST/server.key") $(stat -c %a "$ST/server.crt")" "600 644" "store: key 0600, certificate 0644"
is "$(hook_line reload-command-ran)" 1 "store: STORE_RELOAD ran"
# The system calls on the store, in order: per file fsync(temp), then the
# renames over the old files, then the directory's fsync.
grep -F "$ST" "$D/strace.txt" | sed -E 's/^[0-9]+ +//' |
	sed -E "s|$ST/||g; s/\\.new-[0-9]+/.new/g" |
	sed -nE 's/^(fsync|fdatasync)\([0-9]+<([^>]*)>\).*/\1 \2/p
s/^rename(at2?)?\(.*"(\.[^"]*)".*"([^"]*)".*/rename \2 \3/p' >"$D/calls"
note "store system calls: $(tr '\n' ';' <"$D/calls")"
is "$(tr '\n' ';' <"$D/calls")" \
	"fsync .server.key.new;fsync .server.crt.new;rename .server.key.new server.key;rename .server.crt.new server.crt;fsync $ST;" \
	"store: each temporary file is fsync'd, then renamed over the old one, then the directory is fsync'd" ||
	diag_file "$D/strace.txt" 40
ino=$(stat -c %i "$ST/server.crt")
STORE_DIR=$ST run_acmelet "$S" --force --hook "$EX/deploy-store" issue "$NAME"
is "$RUN_RC" 0 "store: renewal exits 0" || diag_file "$RUN_ERR"
ok "store: the renewed certificate is in the store" cmp -s "$ST/server.crt" "$L/fullchain.pem"
isnt "$(stat -c %i "$ST/server.crt")" "$ino" "store: replaced by a rename (a new inode), not rewritten in place"
is "$(cd "$ST" && ls -A | tr '\n' ' ')" "server.crt server.key " "store: nothing else left in the store"
# The same under BusyBox's sh and applets only (cp, mv, sync, ...), as on
# a firmware without coreutils.
BB=$D/busybox-bin
mkdir -p "$BB" "$D/store-bb"
for a in sh cp mv rm chmod mkdir sync cat dirname basename echo; do
	ln -sf "$(command -v busybox)" "$BB/$a"
done
STRACE=$(command -v strace)
PATH=$BB STORE_DIR=$D/store-bb "$STRACE" -f -qq -y -o "$D/strace-bb.txt" \
	-e trace=fsync,fdatasync,rename,renameat,renameat2 \
	"$BB/sh" "$EX/deploy-store" renewed "$NAME" "$L" >"$D/bb.out" 2>&1
is "$?" 0 "store under BusyBox: exits 0" || diag_file "$D/bb.out"
ok "store under BusyBox: server.crt is fullchain.pem" cmp -s "$D/store-bb/server.crt" "$L/fullchain.pem"
ok "store under BusyBox: server.key is privkey.pem" cmp -s "$D/store-bb/server.key" "$L/privkey.pem"
grep -F "$D/store-bb" "$D/strace-bb.txt" | sed -E 's/^[0-9]+ +//' |
	sed -E "s|$D/store-bb/||g; s/\\.new-[0-9]+/.new/g" |
	sed -nE 's/^(fsync|fdatasync)\([0-9]+<([^>]*)>\).*/\1 \2/p
s/^rename(at2?)?\(.*"(\.[^"]*)".*"([^"]*)".*/rename \2 \3/p' >"$D/calls-bb"
is "$(tr '\n' ';' <"$D/calls-bb")" \
	"fsync .server.key.new;fsync .server.crt.new;rename .server.key.new server.key;rename .server.crt.new server.crt;fsync $D/store-bb;" \
	"store under BusyBox: fsync, rename, directory fsync in the same order" || diag_file "$D/strace-bb.txt" 40
ok "shellcheck -s sh docs/examples/*" shellcheck -s sh "$EX"/*

# Dual certificates (-k ec-256,rsa-2048): the hook runs once per set; the
# store gets the first type's set, or the one STORE_KEY_TYPE names.
if build_has KEY_RSA; then
	DN=dual.example.test
	STORE_DIR=$D/store-ec run_acmelet "$S" -k ec-256,rsa-2048 --hook "$EX/deploy-store" issue "$DN"
	is "$RUN_RC" 0 "store, dual: issue of an ec-256 and an rsa-2048 set exits 0" || diag_file "$RUN_ERR"
	ok "store, dual: the store holds the ec-256 set (live/)" cmp -s "$D/store-ec/server.crt" "$S/certs/$DN/live/fullchain.pem"
	like "$(openssl x509 -in "$D/store-ec/server.crt" -noout -text | grep 'Public Key Algorithm')" "id-ecPublicKey" \
		"store, dual: an EC certificate"
	STORE_DIR=$D/store-rsa STORE_KEY_TYPE=rsa-2048 run_acmelet "$S" -k ec-256,rsa-2048 --force --hook "$EX/deploy-store" issue "$DN"
	is "$RUN_RC" 0 "store, dual: renewal with STORE_KEY_TYPE=rsa-2048 exits 0" || diag_file "$RUN_ERR"
	ok "store, dual: the store holds the rsa-2048 set (live-rsa-2048/)" \
		cmp -s "$D/store-rsa/server.crt" "$S/certs/$DN/live-rsa-2048/fullchain.pem"
	like "$(openssl x509 -in "$D/store-rsa/server.crt" -noout -text | grep 'Public Key Algorithm')" "rsaEncryption" \
		"store, dual: an RSA certificate"
else
	skip "this build has no RSA keys (Kconfig KEY_RSA is off): no dual-certificate case" 6
fi

before=$(sha256sum "$ST/server.crt")
STORE_DIR=$ST "$EX/deploy-store" failed "$NAME" "$L" >/dev/null 2>&1
is "$?:$(sha256sum "$ST/server.crt")" "0:$before" "store: the failed event changes nothing"

# ---- deploy-uhttpd (a stand-in for uhttpd's init script only) ----------------
U=$D/uhttpd
NAME=uhttpd.example.test
L=$S/certs/$NAME/live
mkdir -p "$U/etc"
# What OpenWrt's first boot has: a self-signed pair (px5g in real life).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj /CN=OpenWrt -keyout "$U/etc/uhttpd.key" -out "$U/etc/uhttpd.crt" 2>/dev/null
# The stand-in for /etc/init.d/uhttpd: a TLS server that reads the key and
# certificate only when it starts, as uhttpd does.
cat >"$U/init-uhttpd" <<INIT
#!/bin/sh
# stand-in for OpenWrt's /etc/init.d/uhttpd (uhttpd is not in Debian)
echo "\$1" >>"$U/calls"
case \$1 in
stop | restart)
	[ -f "$U/s_server.pid" ] && kill "\$(cat "$U/s_server.pid")" 2>/dev/null
	rm -f "$U/s_server.pid"
	;;
esac
case \$1 in
start | restart)
	openssl s_server -quiet -www -accept 127.0.0.1:$PORT_UHTTPD \\
		-cert "$U/etc/uhttpd.crt" -key "$U/etc/uhttpd.key" </dev/null >>"$U/s_server.log" 2>&1 &
	echo \$! >"$U/s_server.pid"
	;;
esac
INIT
chmod +x "$U/init-uhttpd"
"$U/init-uhttpd" start
self=$(serial "$U/etc/uhttpd.crt")
ok "uhttpd stand-in serves the first-boot self-signed certificate" \
	wait_for 30 served_is "$PORT_UHTTPD" "$NAME" "$self"
export UHTTPD_CERT=$U/etc/uhttpd.crt UHTTPD_KEY=$U/etc/uhttpd.key UHTTPD_INIT=$U/init-uhttpd
run_acmelet "$S" --hook "$EX/deploy-uhttpd" issue "$NAME"
is "$RUN_RC" 0 "uhttpd: issue with --hook deploy-uhttpd exits 0" || diag_file "$RUN_ERR"
ok "uhttpd: /etc/uhttpd.crt is the issued fullchain" cmp -s "$U/etc/uhttpd.crt" "$L/fullchain.pem"
ok "uhttpd: /etc/uhttpd.key is its key" cmp -s "$U/etc/uhttpd.key" "$L/privkey.pem"
is "$(stat -c %a "$U/etc/uhttpd.key")" 600 "uhttpd: the key is 0600"
is "$(tr '\n' ' ' <"$U/calls")" "start restart " "uhttpd: the hook restarted uhttpd once"
is "$(hook_line "deploy-uhttpd: uhttpd restarted with the issued certificate of $NAME")" 1 \
	"uhttpd: the hook ran for the issued event"
first=$(serial "$L/cert.pem")
ok "uhttpd: s_client sees the issued certificate after the restart" \
	wait_for 60 served_is "$PORT_UHTTPD" "$NAME" "$first"
run_acmelet "$S" --force --hook "$EX/deploy-uhttpd" issue "$NAME"
is "$RUN_RC" 0 "uhttpd: renewal exits 0" || diag_file "$RUN_ERR"
second=$(serial "$L/cert.pem")
isnt "$second" "$first" "uhttpd: a new certificate is live"
ok "uhttpd: s_client sees the renewed certificate after the restart" \
	wait_for 60 served_is "$PORT_UHTTPD" "$NAME" "$second"
is "$(cd "$U/etc" && ls -A | tr '\n' ' ')" "uhttpd.crt uhttpd.key " "uhttpd: no temporary file left"
unset UHTTPD_CERT UHTTPD_KEY UHTTPD_INIT

# ---- challenge-www ---------------------------------------------------------
W=$D/www
NAME=www.example.test
mkdir -p "$W"
busybox httpd -f -vv -p "127.0.0.1:$HTTP_PORT" -h "$W" 2>"$D/httpd.log" &
PIDS+=($!)
ok "busybox httpd serves $W on Pebble's validation port $HTTP_PORT" wait_port "$HTTP_PORT"
WWW_DIR=$W run_acmelet "$S" --challenge-hook "$EX/challenge-www" --challenge dns-01,http-01 issue "$NAME"
is "$RUN_RC" 0 "www: issue with --challenge-hook challenge-www exits 0" || diag_file "$RUN_ERR"
ok "www: the certificate is live" pair_ok "$S/certs/$NAME/live"
like "$(grep -c "declined dns-01" "$RUN_ERR")" "^[1-9]" "www: the hook declined dns-01, so http-01 was used"
like "$(grep -c 'url:/.well-known/acme-challenge/' "$D/httpd.log")" "^[1-9]" \
	"www: the validator fetched the token from busybox httpd" || diag_file "$D/httpd.log"
is "$(ls -A "$W/.well-known/acme-challenge" | tr '\n' ' ')" "" "www: the token files are removed after validation"
"$EX/challenge-www" begin http-01 "$NAME" "../x" "auth" >/dev/null 2>&1
is "$?" 1 "www: a token with a slash is refused"
ok "www: and nothing was written outside" test ! -e "$W/.well-known/x"
done_testing
