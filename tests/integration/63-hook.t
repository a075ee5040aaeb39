#!/bin/bash
# The per-certificate hook (issue 4, S16, N1): run as HOOK EVENT NAME
# LIVE_DIR with ACMELET_* in the environment, after the new certificate is
# live ("issued", "renewed") and after a failure ("failed", with
# ACMELET_ERROR). A hook that fails is reported in one error line and
# changes nothing else: the certificate stays live, the run exits 0.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0
pebble_setup

H=$PEBBLE_DIR/hooks
mkdir -p "$H/calls"
# The hook writes one file per call: its arguments, environment, what it
# finds in LIVE_DIR, and any socket it inherited.
cat >"$H/record" <<EOF
#!/bin/sh
n=\$(ls "$H/calls" | wc -l)
f="$H/calls/\$((n + 1))"
{
	echo "argc=\$#"
	echo "args=\$*"
	echo "event=\$ACMELET_EVENT"
	echo "name=\$ACMELET_NAME"
	echo "names=\$ACMELET_NAMES"
	echo "live_dir=\$ACMELET_LIVE_DIR"
	echo "error=\${ACMELET_ERROR-(unset)}"
	echo "serial=\$(openssl x509 -in "\$3/cert.pem" -noout -serial 2>&1)"
	for fd in /proc/\$\$/fd/*; do
		case \$(readlink "\$fd") in socket:*) echo "socket=\$fd" ;; esac
	done
} >"\$f.tmp"
mv "\$f.tmp" "\$f"
EOF
printf '#!/bin/sh\necho "hook says no" >&2\nexit 1\n' >"$H/fails"
chmod +x "$H/record" "$H/fails"
calls() { ls "$H/calls" | wc -l; }
last() { # KEY: its value in the last call's record
	sed -n "s/^$1=//p" "$H/calls/$(calls)"
}

NAME=hooked
S=$PEBBLE_DIR/state
L=$S/certs/$NAME/live
CONF=$PEBBLE_DIR/acmelet.conf
cat >"$CONF" <<EOF
$(conf_globals "$S")
[cert $NAME]
names = hook.example.test www.hook.example.test
hook = $H/record
EOF

# ---- issued --------------------------------------------------------------------
run_conf "$CONF" renew
is "$RUN_RC" 0 "first renew issues: exit 0" || diag_file "$RUN_ERR"
is "$(calls)" 1 "the hook ran once"
is "$(last argc)" 3 "issued: three arguments"
is "$(last args)" "issued $NAME $S/certs/$NAME/live" "issued: arguments: issued NAME LIVE_DIR"
is "$(last event)" issued "issued: ACMELET_EVENT=issued"
is "$(last name)" "$NAME" "issued: ACMELET_NAME"
is "$(last names)" "hook.example.test www.hook.example.test" "issued: ACMELET_NAMES"
is "$(last live_dir)" "$S/certs/$NAME/live" "issued: ACMELET_LIVE_DIR"
is "$(last error)" "(unset)" "issued: no ACMELET_ERROR"
is "$(last serial)" "$(serial "$L/cert.pem")" \
	"issued: LIVE_DIR/cert.pem was already the new certificate when the hook ran"
is "$(last socket)" "" "issued: the hook inherited no socket"

# ---- nothing due: no hook ---------------------------------------------------------
run_conf "$CONF" renew
is "$RUN_RC" 3 "second renew: nothing due"
is "$(calls)" 1 "nothing due: the hook did not run"

# ---- renewed --------------------------------------------------------------------
old=$(serial "$L/cert.pem")
run_conf "$CONF" --force renew
is "$RUN_RC" 0 "renew --force: exit 0" || diag_file "$RUN_ERR"
is "$(calls)" 2 "renew --force: the hook ran"
is "$(last event)" renewed "renewed: ACMELET_EVENT=renewed"
is "$(last args)" "renewed $NAME $S/certs/$NAME/live" "renewed: arguments"
is "$(last serial)" "$(serial "$L/cert.pem")" "renewed: the hook saw the new certificate"
isnt "$(last serial)" "$old" "renewed: not the old one"

# ---- failed ---------------------------------------------------------------------
closed=$(pebble_free_ports_ 1)
snap=$(live_snapshot "$S" "$NAME")
run_conf "$CONF" --server "https://127.0.0.1:$closed/dir" --force renew
is "$RUN_RC" 1 "a failed renewal: exit 1"
is "$(calls)" 3 "a failed renewal: the hook ran"
is "$(last event)" failed "failed: ACMELET_EVENT=failed"
is "$(last args)" "failed $NAME $S/certs/$NAME/live" "failed: arguments"
like "$(last error)" "127\.0\.0\.1:$closed" "failed: ACMELET_ERROR says what went wrong"
is "$(last error)" "$(error_lines "$RUN_ERR" | sed 's/^acmelet: error: //')" \
	"failed: ACMELET_ERROR is the error line that was logged"
is "$(last serial)" "$(serial "$L/cert.pem")" "failed: LIVE_DIR still holds the live certificate"
is "$(live_snapshot "$S" "$NAME")" "$snap" "failed: the live certificate is untouched"

# ---- a hook that fails -----------------------------------------------------------
run_conf "$CONF" retry "$NAME"
old=$(serial "$L/cert.pem")
run_conf "$CONF" --hook "$H/fails" --force renew
is "$RUN_RC" 0 "a failing hook: the run still exits 0" || diag_file "$RUN_ERR"
isnt "$(serial "$L/cert.pem")" "$old" "a failing hook: the new certificate is live"
is "$(openssl x509 -in "$L/cert.pem" -noout -pubkey 2>&1)" \
	"$(openssl pkey -in "$L/privkey.pem" -pubout 2>&1)" \
	"a failing hook: the live key matches the live certificate"
is "$(error_count "$RUN_ERR")" 1 "a failing hook: one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "$H/fails" "a failing hook: the error line names the hook"
is "$(calls)" 3 "--hook on the command line replaced the file's hook"
run_conf "$CONF" status
is "$RUN_RC" 0 "status after a failing hook: exit 0"
like "$(cat "$RUN_OUT")" "failures: 0" "a failing hook is not a failure of the certificate"

# A hook that does not exist: reported the same way.
run_conf "$CONF" --hook "$H/no-such-hook" --force renew
is "$RUN_RC" 0 "a missing hook: the run still exits 0"
is "$(error_count "$RUN_ERR")" 1 "a missing hook: one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "no-such-hook" "a missing hook: the error line names it"
done_testing
