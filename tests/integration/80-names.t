#!/bin/bash
# Names are normalised (lower case, no trailing dot, no duplicates) and
# checked before any CA contact; `issue NAME` uses the [cert NAME] section
# of the configuration file, and a contradiction with the command line is
# one line, exit 2.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup

S=$PEBBLE_DIR/state
# ---- normalised: one directory, one SAN per name --------------------------------
run_acmelet "$S" issue UPPER.Example.TEST. upper.example.test Www.Upper.Example.Test
is "$RUN_RC" 0 "issue with upper case, a trailing dot and a duplicate exits 0" ||
	diag_file "$RUN_ERR"
L=$S/certs/upper.example.test/live
ok "the certificate lives under the lower-case name" test -s "$L/cert.pem"
is "$(ls "$S/certs")" "upper.example.test" "no directory for another spelling"
is "$(san_names "$L/cert.pem" | tr '\n' ' ')" "upper.example.test www.upper.example.test " \
	"each name once, in lower case, without the dot"
run_acmelet "$S" -v issue upper.example.test www.upper.example.test
is "$RUN_RC" 0 "the same names in another spelling: exit 0"
like "$(cat "$RUN_ERR")" "nothing to do" "...and the stored certificate covers them"
is "$(http_count "$RUN_ERR")" 0 "...with no CA contact"

# ---- names no CA would accept: one line, exit 2, no CA contact ---------------------
long=$(printf 'a%.0s' $(seq 64))
i=0
for bad in a..b.test "$long.test" "x.*.test" "*x.test" "under_score.test" \
	"a.-lead.test" "trail-.test" "1.2.3.04" "2001:DB8:0::1" "1.2.3" \
	"$(printf 'abcdefghi.%.0s' $(seq 26))test"; do
	i=$((i + 1))
	N=$PEBBLE_DIR/bad$i
	run_acmelet "$N" -v issue ok.example.test "$bad"
	is "$RUN_RC" 2 "'${bad:0:40}': exit 2"
	is "$(wc -l <"$RUN_ERR")" 1 "'${bad:0:40}': one line" || diag_file "$RUN_ERR"
	like "$(cat "$RUN_ERR")" "not a name a CA would accept" "'${bad:0:40}': the line says why"
	ok "'${bad:0:40}': no state was made (no CA contact)" test ! -e "$N"
done
like "$(cat "$PEBBLE_DIR/run$((RUN_N - 2)).err")" "write the IP address as 2001:db8::1" \
	"a non-canonical IPv6 literal: the line gives the canonical form"

# ---- issue NAME uses the [cert NAME] section ------------------------------------------
SEC=sec.example.test
HOOKLOG=$PEBBLE_DIR/hook.log
printf '#!/bin/sh\necho "$1 $2" >>"%s"\n' "$HOOKLOG" >"$PEBBLE_DIR/hook.sh"
chmod +x "$PEBBLE_DIR/hook.sh"
C=$PEBBLE_DIR/acmelet.conf
{
	conf_globals "$S"
	echo
	echo "[cert $SEC]"
	echo "names = $SEC www.$SEC"
	echo "key-type = rsa-2048"
	echo "hook = $PEBBLE_DIR/hook.sh"
} >"$C"
run_conf "$C" issue "www.$SEC" "$SEC" --name "$SEC"
is "$RUN_RC" 0 "issue with the section's names exits 0" || diag_file "$RUN_ERR"
like "$(openssl pkey -in "$S/certs/$SEC/live/privkey.pem" -noout -text 2>&1 | head -n 1)" \
	"2048 bit" "the section's key-type = rsa-2048 was used"
is "$(cat "$HOOKLOG" 2>/dev/null)" "issued $SEC" "the section's hook ran"

run_conf "$C" issue "$SEC" "www.$SEC"
is "$RUN_RC" 0 "issue NAME (the section's name first): exit 0, nothing to do" ||
	diag_file "$RUN_ERR"
run_conf "$C" -k rsa-2048 issue "$SEC" "www.$SEC"
is "$RUN_RC" 0 "-k agreeing with the section is no contradiction" || diag_file "$RUN_ERR"

run_conf "$C" --hook "$PEBBLE_DIR/hook.sh" issue "$SEC" "www.$SEC"
is "$RUN_RC" 0 "--hook with the section's own hook is no contradiction" || diag_file "$RUN_ERR"

snap=$(live_snapshot "$S" "$SEC")
run_conf "$C" --hook /bin/true --force issue "$SEC" "www.$SEC"
is "$RUN_RC" 2 "--hook /bin/true against the section's hook: exit 2"
like "$(cat "$RUN_ERR")" "--hook /bin/true contradicts hook = in \\[cert $SEC\\]" "...one line naming both" ||
	diag_file "$RUN_ERR"
run_conf "$C" -k ec-384 --force issue "$SEC" "www.$SEC"
is "$RUN_RC" 2 "-k ec-384 against key-type = rsa-2048: exit 2"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "--key-type ec-384 contradicts key-type" "...naming both"
run_conf "$C" --force issue "$SEC" other.example.test
is "$RUN_RC" 2 "other names than the section's: exit 2"
is "$(error_count "$RUN_ERR")" 1 "...one error line" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "lists other names" "...saying so"
is "$(live_snapshot "$S" "$SEC")" "$snap" "the live certificate is unchanged"

run_conf "$C" renew
is "$RUN_RC" 3 "the next renew finds nothing due: it keeps the RSA key" ||
	diag_file "$RUN_ERR"
is "$(live_snapshot "$S" "$SEC")" "$snap" "...and the same certificate"
done_testing
