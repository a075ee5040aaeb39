#!/bin/bash
# The OpenWrt acme-common backend (openwrt/acmelet/files/hook) against
# Pebble, run the way acme-common runs it: "hook get" under BusyBox ash
# (dash when BusyBox is missing) with BusyBox's applets first in PATH, a
# bare environment holding the cert section's options, and a fake
# /usr/lib/acme/notify that records what it is told, acme-common's real
# functions.sh (from ../shared/openwrt-harness) and an nft that records
# its calls. Also: the package's shell files pass sh -n and shellcheck,
# and its default /etc/acmelet.conf is read by acmelet without error.
# 71-75 run the backend under acme-common's init script instead.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
require_acmelet

FILES=$PWD/openwrt/acmelet/files
HOOK=$FILES/hook
FUNCS=${OPENWRT_HARNESS:-$PWD/../shared/openwrt-harness}/root/usr/lib/acme/functions.sh
[ -r "$FUNCS" ] || { fail "acme-common's functions.sh is at $FUNCS (set OPENWRT_HARNESS)"; done_testing; }

# ---- static checks, no Pebble needed ----------------------------------------
if command -v busybox >/dev/null; then
	SH=(busybox sh)
else
	SH=(dash)
	diag "busybox is missing (tests/lib/deps.sh installs it): using dash"
fi
for f in "$HOOK" "$FILES/acmelet.init"; do
	ok "${SH[*]} -n ${f#"$PWD"/}" "${SH[@]}" -n "$f"
	ok "dash -n ${f#"$PWD"/}" dash -n "$f"
	out=$(shellcheck -s sh "$f" 2>&1)
	is "$out" "" "shellcheck ${f#"$PWD"/} is clean"
done
out=$("$ACMELET" -c "$FILES/acmelet.conf" -d "${TMPDIR:-/tmp}/acmelet-70-none" \
	--log stderr status 2>&1)
is "$?:$out" "0:" "the default /etc/acmelet.conf is read without error and lists no certificate"

pebble_start || { fail "Pebble started"; done_testing; }
pebble_root "$PEBBLE_DIR/root.pem"
pebble_intermediate "$PEBBLE_DIR/int.pem"

T=$PEBBLE_DIR/openwrt
S=$T/state
C=$T/ssl-acme
mkdir -p "$T/bin"
cat >"$T/notify" <<EOF
#!/bin/sh
echo "\$1" >>"$T/notify.log"
EOF
chmod +x "$T/notify"
: >"$T/notify.log"
cat >"$T/bin/nft" <<EOF
#!/bin/sh
echo "\$*" >>"$T/nft.log"
case " \$* " in *" insert "*) echo "insert rule inet fw4 input tcp dport 0 counter accept # handle 7" ;; esac
EOF
chmod +x "$T/bin/nft"
# BusyBox's applets shadow coreutils, as on a router.
if command -v busybox >/dev/null; then
	for a in $(busybox --list); do ln -s "$(command -v busybox)" "$T/bin/$a"; done
fi

NAME=owrt.example.test
NAMES="$NAME www.owrt.example.test"
HOOK_N=0

# run_hook VAR=value...: "hook get" as acme-common runs it, with the
# defaults of one cert section overridden by the arguments. Sets HOOK_RC
# and HOOK_ERR (its stderr).
run_hook() {
	HOOK_N=$((HOOK_N + 1))
	HOOK_ERR=$T/hook$HOOK_N.err
	timeout -k 5 "$ACMELET_TIMEOUT" env -i PATH="$T/bin:/usr/bin:/bin" \
		CERT_DIR="$C" CHALLENGE_DIR="$T/challenge" state_dir="$T/etc-acme" \
		account_email=admin@acmelet.test main_domain="$NAME" domains="$NAMES" \
		key_type=ec256 staging=0 acme_server="$ACME_URL" \
		validation_method=standalone listen_port="$HTTP_PORT" debug=0 days= \
		ACMELET="$ACMELET" ACMELET_STATE_DIR="$S" ACMELET_CA_FILE="$CA_FILE" \
		ACMELET_OPTS="--http-addr 127.0.0.1" ACMELET_LOG=stderr \
		ACME_NOTIFY="$T/notify" ACME_FUNCTIONS="$FUNCS" ACMELET_LOCK_DIR="$T/lock" \
		ACME_DNSAPI_ADAPTER="$T/no-adapter" \
		"$@" "${SH[@]}" "$HOOK" get </dev/null >/dev/null 2>"$HOOK_ERR"
	HOOK_RC=$?
}

notified() { tr '\n' ' ' <"$T/notify.log" | sed 's/ $//'; }

# check_links LABEL KEYCURVE: the five files of acme-common in $C for
# $NAME, each a link to a file that is what its name says.
check_links() {
	local label=$1 f v
	for f in key crt chain.crt fullchain.crt combined.crt; do
		ok "$label: $NAME.$f is a link to a non-empty file" \
			test -L "$C/$NAME.$f" -a -s "$C/$NAME.$f"
	done
	v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" \
		-untrusted "$C/$NAME.chain.crt" "$C/$NAME.crt" 2>&1)
	is "$v" "$C/$NAME.crt: OK" "$label: .crt verifies against Pebble's root with .chain.crt"
	v=$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" \
		-untrusted "$C/$NAME.fullchain.crt" "$C/$NAME.fullchain.crt" 2>&1)
	is "$v" "$C/$NAME.fullchain.crt: OK" "$label: .fullchain.crt verifies against Pebble's root"
	is "$(openssl x509 -in "$C/$NAME.chain.crt" -noout -fingerprint -sha256 2>&1)" \
		"$(openssl x509 -in "$PEBBLE_DIR/int.pem" -noout -fingerprint -sha256)" \
		"$label: .chain.crt is Pebble's intermediate"
	ok "$label: .fullchain.crt is .crt followed by .chain.crt" \
		cmp -s "$C/$NAME.fullchain.crt" <(cat "$C/$NAME.crt" "$C/$NAME.chain.crt")
	ok "$label: .combined.crt is .fullchain.crt followed by .key" \
		cmp -s "$C/$NAME.combined.crt" <(cat "$C/$NAME.fullchain.crt" "$C/$NAME.key")
	is "$(san_names "$C/$NAME.crt")" "$(printf '%s\n' $NAMES | sort)" \
		"$label: the certificate is for every name of domains"
	is "$(openssl x509 -in "$C/$NAME.crt" -noout -pubkey 2>&1)" \
		"$(openssl pkey -in "$C/$NAME.key" -pubout 2>&1)" \
		"$label: .key is the certificate's key"
	like "$(openssl pkey -in "$C/$NAME.key" -noout -text 2>&1)" "$2" \
		"$label: .key is an EC $2 key"
	is "$(stat -L -c %a "$C/$NAME.key") $(stat -L -c %a "$C/$NAME.combined.crt")" \
		"600 600" "$label: .key and .combined.crt are private (0600)"
}

# 1. First run: a certificate, the links, "issued".
run_hook
is "$HOOK_RC" 0 "first run exits 0" || diag_file "$HOOK_ERR"
is "$(notified)" "prepare issued" "notify was told: prepare, issued"
is "$(tr '\n' ' ' <"$T/nft.log")" "-a -e insert rule inet fw4 input tcp dport $HTTP_PORT counter accept comment \"ACME $NAME\" delete rule inet fw4 input handle 7 " \
	"the port was opened with add_nft_rule and closed with del_nft_rule"
check_links "first run" "(prime256v1|P-256)"
is "$(readlink "$C/$NAME.crt")" "$S/certs/$NAME/live/cert.pem" \
	".crt points through acmelet's live link"
serial1=$(openssl x509 -in "$C/$NAME.crt" -noout -serial 2>&1)

# 2. Second run: nothing due, no request, no write, nothing announced.
before=$(state_snapshot "$S"; state_snapshot "$C")
run_hook debug=1
is "$HOOK_RC" 0 "second run exits 0" || diag_file "$HOOK_ERR"
is "$(http_count "$HOOK_ERR")" 0 "second run: acmelet made no HTTP request (debug=1 logs each)"
like "$(cat "$HOOK_ERR")" "nothing due" "second run: logs that nothing was due"
is "$(notified)" "prepare issued" "second run: notify was not called again (no prepare, no renewed)"
after=$(state_snapshot "$S"; state_snapshot "$C")
is "$after" "$before" "second run: nothing under the state or CERT_DIR was written"
[ "$after" = "$before" ] || diff <(echo "$before") <(echo "$after") | sed 's/^/#   /' >&2

# 3. A renewal (forced through ACMELET_OPTS): "renewed", links follow.
run_hook ACMELET_OPTS="--http-addr 127.0.0.1 --force"
is "$HOOK_RC" 0 "forced renewal exits 0" || diag_file "$HOOK_ERR"
is "$(notified)" "prepare issued prepare renewed" "notify was told: prepare, renewed"
isnt "$(openssl x509 -in "$C/$NAME.crt" -noout -serial 2>&1)" "$serial1" \
	"the links now show the new certificate"
check_links "renewal" "(prime256v1|P-256)"

# 4. Another key type in the cert section: a new certificate at once.
run_hook key_type=ec384
is "$HOOK_RC" 0 "key_type ec384 exits 0" || diag_file "$HOOK_ERR"
is "$(notified)" "prepare issued prepare renewed prepare issued" "new settings: notify was told prepare, issued"
check_links "ec384" "(secp384r1|P-384)"

# 5. dns with neither NSUPDATE_* credentials nor the dnsapi adapter for
# the same certificate: refused, renew-failed, links untouched.
links=$(for f in "$C"/*; do printf '%s -> %s %s\n' "$f" "$(readlink "$f")" \
	"$(sha256sum <"$f")"; done)
run_hook validation_method=dns dns=dns_cf
is "$HOOK_RC" 1 "validation_method dns exits 1"
like "$(cat "$HOOK_ERR")" "error: .*dns dns_cf needs .*no-adapter: install the uacme-dnsapi-adapter package" \
	"validation_method dns: the error says what is missing"
is "$(notified)" "prepare issued prepare renewed prepare issued renew-failed" \
	"dns for an issued certificate: notify was told renew-failed"
is "$(for f in "$C"/*; do printf '%s -> %s %s\n' "$f" "$(readlink "$f")" \
	"$(sha256sum <"$f")"; done)" "$links" "the links and what they show are unchanged"

# 6. dns for a new certificate: issue-failed, nothing made, no CA contact.
: >"$T/notify.log"
run_hook validation_method=dns main_domain=dns.example.test domains=dns.example.test debug=1
is "$HOOK_RC" 1 "dns for a new certificate exits 1"
like "$(cat "$HOOK_ERR")" "dns.example.test: validation_method dns needs either credentials NSUPDATE_SERVER and NSUPDATE_KEY" \
	"the error names the certificate and the method"
is "$(notified)" "issue-failed" "dns for a new certificate: notify was told issue-failed"
ok "nothing was made for dns.example.test" \
	test ! -e "$S/certs/dns.example.test" -a ! -e "$C/dns.example.test.crt"
is "$(http_count "$HOOK_ERR")" 0 "acmelet was not run"

# 7. Other things acmelet cannot do fail the same way, each with its reason.
for c in "validation_method=bogus|unknown validation_method" \
	"key_type=rsa1024|unknown key_type" "domains=*.w.example.test|wildcard names need validation_method dns" \
	"acme_server=buypass|not an https:// directory URL" "listen_port=http|not a port number"; do
	: >"$T/notify.log"
	run_hook main_domain=new.example.test domains=new.example.test "${c%%|*}"
	is "$HOOK_RC:$(notified)" "1:issue-failed" "${c%%|*}: exits 1, issue-failed"
	like "$(cat "$HOOK_ERR")" "error: .*${c#*|}" "${c%%|*}: the error says why (${c#*|})"
done
done_testing
