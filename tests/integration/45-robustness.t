#!/bin/bash
# Faults from the machine, not the CA (issue 12):
#   - a FIFO or a device in place of the configuration file, the journal or
#     the account key: refused at once with one line, never waited on;
#   - a configuration error with stderr not a terminal and no --log: the
#     line still reaches stderr;
#   - a hook failing on a `failed` event does not claim a certificate;
#   - a full disk, on a real small file system (a tmpfs mounted in a private
#     mount namespace, unshare -m), filled so that space runs out at every
#     point of an issuance and of a renewal: exit 1, exactly one error line
#     saying so, and the live certificate intact (or, for a first issuance,
#     none at all); the same for a read-only state directory.
cd "$(dirname "$0")/../.." || exit 1
if [ -z "${ACMELET_IN_NS:-}" ]; then
	# a private mount namespace, so the tmpfs is gone with the test
	ACMELET_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@" ||
		{ printf '1..1\nnot ok 1 - unshare -m works (root, CAP_SYS_ADMIN)\n'; exit 1; }
fi
. tests/lib/tap.sh
. tests/lib/pebble.sh
pebble_setup
NAME=robust.example.test
S=$PEBBLE_DIR/state
QUICK=20 # seconds: a run that waited on a FIFO would hit this

# ---- FIFOs and devices ------------------------------------------------------
mkfifo "$PEBBLE_DIR/conf.fifo"
ACMELET_TIMEOUT=$QUICK run_conf "$PEBBLE_DIR/conf.fifo" renew
is "$RUN_RC" 2 "a FIFO as the configuration file: exit 2, no hang"
is "$(error_count "$RUN_ERR")" 1 "FIFO configuration: one error line" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "conf.fifo: cannot read the configuration: not a regular file" \
	"FIFO configuration: the line names the file and says why"
ACMELET_TIMEOUT=$QUICK run_conf /dev/zero renew
is "$RUN_RC" 2 "a device as the configuration file: exit 2"
like "$(cat "$RUN_ERR")" "/dev/zero: cannot read the configuration: not a regular file" \
	"device configuration: the line says why"
# The one device accepted: -c /dev/null means no configuration file (the
# OpenWrt backend runs so); the command line alone then decides.
run_conf /dev/null -d "$PEBBLE_DIR/devnull" status
is "$RUN_RC" 0 "-c /dev/null: no configuration, status exits 0" || diag_file "$RUN_ERR"
is "$(error_count "$RUN_ERR")" 0 "-c /dev/null: no error line"

run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "an issuance to start from" || { diag_file "$RUN_ERR"; done_testing; }
snap=$(live_snapshot "$S" "$NAME")
rm -f "$S/certs/$NAME/state"
mkfifo "$S/certs/$NAME/state"
ACMELET_TIMEOUT=$QUICK run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "a FIFO as the journal: nothing to do, exit 0, no hang" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "state: journal unreadable: not a regular file" \
	"FIFO journal: one warning naming it"
is "$(live_snapshot "$S" "$NAME")" "$snap" "FIFO journal: the live certificate is unchanged"
rm -f "$S/certs/$NAME/state"

KEY=$(echo "$S"/accounts/*/key.pem)
mv "$KEY" "$KEY.real"
mkfifo "$KEY"
ACMELET_TIMEOUT=$QUICK run_acmelet "$S" --force issue "$NAME"
expect_clean_failure "a FIFO as the account key" \
	"key.pem: cannot read the account key: not a regular file" "$snap" "$S" "$NAME"
rm -f "$KEY"
mv "$KEY.real" "$KEY"

# ---- configuration errors without a terminal --------------------------------
printf 'no-such-key = 1\n' >"$PEBBLE_DIR/bad.conf"
timeout 20 "$ACMELET" -c "$PEBBLE_DIR/bad.conf" renew </dev/null \
	>"$PEBBLE_DIR/bad.out" 2>"$PEBBLE_DIR/bad.err"
is "$?" 2 "a configuration error, stderr a file, no --log: exit 2"
like "$(cat "$PEBBLE_DIR/bad.err")" "bad.conf:1: .*no-such-key" \
	"the error reaches stderr all the same"

# ---- a hook failing on `failed` ---------------------------------------------
printf '#!/bin/sh\nexit 3\n' >"$PEBBLE_DIR/hook.sh"
chmod +x "$PEBBLE_DIR/hook.sh"
RUN_SERVER=https://127.0.0.1:1/dir run_acmelet "$PEBBLE_DIR/nostate" \
	--hook "$PEBBLE_DIR/hook.sh" issue "$NAME"
is "$RUN_RC" 1 "unreachable CA with a failing hook: exit 1"
like "$(cat "$RUN_ERR")" "hook .* failed failed \\(exit status 3\\)" "the hook's failure is logged"
unlike "$(cat "$RUN_ERR")" "in place" "and does not claim a certificate is in place"

# ---- a full disk ------------------------------------------------------------
M=$PEBBLE_DIR/small
mkdir -p "$M"
if ! mount -t tmpfs -o size=512k,mode=0700 tmpfs "$M"; then
	fail "a tmpfs can be mounted in the private namespace"
	done_testing
fi
pages() { df --output="$1" -B4096 "$M" | tail -n 1 | tr -d ' '; }
# fill N: a ballast file leaves exactly N free pages (tmpfs counts pages)
fill() {
	rm -f "$M/ballast"
	head -c $((($(pages size) - $(pages used) - $1) * 4096)) /dev/zero >"$M/ballast"
}

# full_case LABEL RENEWAL: for N = 0, 1, ... free pages until a run
# succeeds, check each failure. RENEWAL=1 starts from an issued state.
full_case() {
	local label=$1 renewal=$2 n bad=() lines="" snap errs succeeded=0
	for n in $(seq 0 20); do
		rm -rf "$M/s" "$M/ballast"
		if [ "$renewal" = 1 ]; then
			cp -a "$S" "$M/s"
			snap=$(live_snapshot "$M/s" "$NAME")
		fi
		fill "$n"
		if [ "$renewal" = 1 ]; then
			run_acmelet "$M/s" --force issue "$NAME"
		else
			run_acmelet "$M/s" issue "$NAME"
		fi
		rm -f "$M/ballast"
		if [ "$RUN_RC" = 0 ]; then
			pair_ok "$M/s/certs/$NAME/live" || bad+=("$n free pages: success without a good live pair")
			succeeded=1
			break
		fi
		errs=$(error_lines "$RUN_ERR")
		[ "$RUN_RC" = 1 ] || bad+=("$n free pages: exit $RUN_RC")
		[ "$(error_count "$RUN_ERR")" = 1 ] || bad+=("$n free pages: $(error_count "$RUN_ERR") error lines: $errs")
		grep -q "no space left" <<<"$errs" || bad+=("$n free pages: the line does not say so: $errs")
		if [ "$renewal" = 1 ]; then
			[ "$(live_snapshot "$M/s" "$NAME")" = "$snap" ] || bad+=("$n free pages: the live certificate changed")
		else
			[ ! -e "$M/s/certs/$NAME/live" ] || bad+=("$n free pages: a live link after a failed first issuance")
		fi
		lines+="$(sed -E 's|.*/small/s/||; s|: cannot.*||' <<<"$errs")"$'\n'
	done
	is "${#bad[@]}" 0 "$label: every failure is one line saying the disk is full, live intact"
	for b in "${bad[@]:0:10}"; do diag "$b"; done
	ok "$label: a run succeeds once there is room" test "$succeeded" = 1
	local points
	points=$(sort -u <<<"$lines" | grep -c .)
	ok "$label: space ran out at $points different files (at least 3)" test "$points" -ge 3
	diag "$label: out of space at: $(sort -u <<<"$lines" | grep . | tr '\n' ' ')"
}
full_case "disk full during a first issuance" 0
full_case "disk full during a renewal" 1

# ---- a read-only state directory --------------------------------------------
rm -rf "$M/s"
cp -a "$S" "$M/s"
snap=$(live_snapshot "$M/s" "$NAME")
mount -o remount,ro "$M" || fail "remount the tmpfs read-only"
run_acmelet "$M/s" issue "$NAME"
is "$RUN_RC" 0 "read-only, nothing to do: exit 0" || diag_file "$RUN_ERR"
run_acmelet "$M/s" --force issue "$NAME"
expect_clean_failure "read-only state directory, --force" "read-only" "$snap" "$M/s" "$NAME"
umount "$M"
done_testing
