#!/bin/bash
# Certificate profiles (M3) against the current Pebble (Debian's 2.4 has
# none): --profile / profile = is checked against the directory's
# meta.profiles before any account or order; shortlived gives a 6-day
# certificate, due at half its lifetime; status shows the profile.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
export PEBBLE_NEW=1 PEBBLE_WFE_NONCEREJECT=0
export PEBBLE_CONFIG_EXTRA='"profiles": {
      "classic": {"description": "The usual 90 days", "validityPeriod": 7776000},
      "shortlived": {"description": "Six days", "validityPeriod": 518400}}'
pebble_setup

NAME=short.example.test
S=$PEBBLE_DIR/state

# ---- an unknown profile: one line listing what is offered, no account, no order
run_acmelet "$PEBBLE_DIR/bad" -v --profile sixdays issue "$NAME"
is "$RUN_RC" 1 "unknown profile: exit 1"
is "$(error_count "$RUN_ERR")" 1 "unknown profile: exactly one error line" || diag_file "$RUN_ERR"
like "$(error_lines "$RUN_ERR")" "no profile 'sixdays'.*classic \\(The usual 90 days\\).*shortlived \\(Six days\\)" \
	"the line lists the profiles offered, with their descriptions"
is "$(http_lines "$RUN_ERR" | grep -c 'POST ')" 0 "no POST at all: no account, no order"
ok "no account key was made" test -z "$(find "$PEBBLE_DIR/bad" -name key.pem 2>/dev/null)"

# ---- shortlived: a 6-day certificate ------------------------------------------------
C=$PEBBLE_DIR/acmelet.conf
{
	conf_globals "$S"
	echo
	echo "[cert $NAME]"
	echo "names = $NAME"
	echo "profile = shortlived"
} >"$C"
run_conf "$C" -v renew
is "$RUN_RC" 0 "profile = shortlived: renew issues (exit 0)" || diag_file "$RUN_ERR"
L=$S/certs/$NAME/live
nb=$(epoch_of "$L/cert.pem" startdate)
na=$(epoch_of "$L/cert.pem" enddate)
life=$((na - nb))
ok "the certificate lives 6 days ($life s)" test "$life" -ge 518000 -a "$life" -le 518500
pebble_root "$PEBBLE_DIR/root.pem"
is "$(openssl verify -CAfile "$PEBBLE_DIR/root.pem" -untrusted "$L/chain.pem" "$L/cert.pem" 2>&1)" \
	"$L/cert.pem: OK" "it verifies against Pebble's root"

run_conf "$C" status
like "$(cat "$RUN_OUT")" "profile: shortlived" "status shows the profile"
run_conf "$C" status --json
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["profile"])' "$RUN_OUT")" \
	shortlived "status --json shows the profile"
jf() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0].get(sys.argv[2], ""))' "$RUN_OUT" "$1"; }
renew_at=$(jf renew_at)
ra=$(date -u -d "$renew_at" +%s 2>/dev/null || echo 0)
ws=$(date -u -d "$(jf ari_window_start)" +%s 2>/dev/null || echo 0)
we=$(date -u -d "$(jf ari_window_end)" +%s 2>/dev/null || echo 0)
ok "renewal due inside the CA's ARI window ($renew_at in $(jf ari_window_start) .. $(jf ari_window_end))" \
	test "$ws" -gt 0 -a "$ra" -ge "$ws" -a "$ra" -le "$we"
ok "...which ends before the certificate" test "$we" -le "$na"
# Without the window (RAM lost at a reboot): half the lifetime.
rm -f "$ACMELET_RUNTIME_DIR"/ari-*
run_conf "$C" status --json
renew_at=$(jf renew_at)
ra=$(date -u -d "$renew_at" +%s 2>/dev/null || echo 0)
half=$((na - life / 2))
ok "without a window: due at half the lifetime ($renew_at), not at one third" \
	test "$ra" -ge $((half - 60)) -a "$ra" -le $((half + 60))

snap=$(state_snapshot "$S")
run_conf "$C" renew
is "$RUN_RC" 3 "renew right after: nothing due (exit 3)" || diag_file "$RUN_ERR"
# the renewal time then comes from the CA's ARI window, before the end
due=$(sed -nE 's/.*renewal due ([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}) UTC.*/\1/p' "$RUN_ERR" | head -n 1)
due_s=$(date -u -d "$due UTC" +%s 2>/dev/null || echo 0)
ok "the due time ($due) is before the certificate ends" test "$due_s" -gt "$nb" -a "$due_s" -lt "$na"
is "$(state_snapshot "$S")" "$snap" "nothing was written"

run_acmelet "$S" --profile classic --force issue "$NAME"
is "$RUN_RC" 0 "--profile classic: exit 0" || diag_file "$RUN_ERR"
life=$(($(epoch_of "$L/cert.pem" enddate) - $(epoch_of "$L/cert.pem" startdate)))
ok "classic gives 90 days ($life s)" test "$life" -ge 7775000 -a "$life" -le 7777000

# ---- status shows the profile the certificate was issued with (recorded) ----------
is "$(cat "$L/profile")" classic "the live generation records its profile (the file profile)"
run_conf "$C" status
like "$(cat "$RUN_OUT")" "profile: classic \(issued with\); configured: shortlived" \
	"status: the issued profile, and the configured one that differs"
run_conf "$C" status --json
is "$(jf profile) $(jf profile_configured)" "classic shortlived" \
	"status --json: profile (issued) and profile_configured"

# ---- an unknown profile in renew: the user's to fix, not counted in the backoff ----
J=$S/certs/$NAME/state
run_conf "$C" --profile nope --force renew
is "$RUN_RC" 1 "renew --profile nope: exit 1"
is "$(jget "$J" failures) $(jget "$J" next_try)" "0 0" "not counted: no failure, no next try"
run_conf "$C" status --json
is "$(jf input_error)" True "status --json marks the last error as a setting to fix"
like "$(jget "$J" last_error)" "no profile 'nope'" "and keeps it"
run_conf "$C" status
like "$(cat "$RUN_OUT")" "not counted in the backoff" "status says it is not counted"
run_conf "$C" --force renew
is "$RUN_RC" 0 "the setting fixed: the next renew goes at once (exit 0)" || diag_file "$RUN_ERR"
is "$(jget "$J" last_error)" "" "the success clears it"
run_conf "$C" status
like "$(cat "$RUN_OUT")" "profile: shortlived" "status: issued and configured shortlived again"

# ---- an unknown profile loses nothing ------------------------------------------
snap=$(live_snapshot "$S" "$NAME")
run_acmelet "$S" --profile nope --force issue "$NAME"
expect_clean_failure "unknown profile over a live certificate" "no profile 'nope'" \
	"$snap" "$S" "$NAME"
done_testing
