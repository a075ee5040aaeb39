#!/bin/bash
# Concurrent runs on one state directory (issue 12): the certificate lock
# makes them take turns. Each case is repeated CONC_REPEAT (20) times:
#   - `--force issue` twice at once, on the same state (both issue, in turn);
#   - `issue` and `renew` at once (one issues, the other finds it good);
#   - `run` (the daemon) and `renew` at once, into an empty state dir;
#   - two first `issue` runs into an empty state directory.
# After every round: the live link points at an existing generation, its
# key belongs to its certificate, every run ended as documented (0, or 3
# for a renew with nothing due), and no run said "new certificate is live"
# without a live certificate. The account works afterwards: the next
# round issues with it, and each empty-directory round ends with one more
# forced issuance. Then a run facing a held lock (flock(1) on the
# certificate directory) gives up after --lock-wait with one line naming
# the holder's pid, and changes nothing.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
command -v flock >/dev/null || { printf '1..1\nnot ok 1 - flock(1) (util-linux) is installed\n'; exit 1; }
pebble_setup
N=${CONC_REPEAT:-20}
NAME=conc.example.test

BG_PIDS=() BG_FILES=() BG_RCS=()
trap 'for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; pebble_stop' EXIT

# bg STATE ARG...: run_acmelet's command line, in the background.
bg() {
	local state=$1 f
	shift
	RUN_N=$((RUN_N + 1))
	f=$PEBBLE_DIR/bg$RUN_N
	timeout -k 5 "$ACMELET_TIMEOUT" "$ACMELET" --server "$ACME_URL" \
		--ca-file "$CA_FILE" -d "$state" --http-port "$HTTP_PORT" \
		--http-addr 127.0.0.1 --agree-tos -e admin@acmelet.test \
		--log stderr "$@" </dev/null >"$f.out" 2>"$f.err" &
	BG_PIDS+=($!)
	BG_FILES+=("$f")
}

# bg_conf CONF ARG...: acmelet -c CONF ARG..., in the background.
bg_conf() {
	local conf=$1 f
	shift
	RUN_N=$((RUN_N + 1))
	f=$PEBBLE_DIR/bg$RUN_N
	timeout -k 5 "$ACMELET_TIMEOUT" "$ACMELET" -c "$conf" --log stderr "$@" \
		</dev/null >"$f.out" 2>"$f.err" &
	BG_PIDS+=($!)
	BG_FILES+=("$f")
}

bg_wait() { # every background run; BG_RCS gets their exit statuses
	local p
	BG_RCS=()
	for p in "${BG_PIDS[@]}"; do
		wait "$p"
		BG_RCS+=($?)
	done
	BG_PIDS=()
}

# round_check LABEL STATE ALLOWED_RCS: what must hold after every round;
# appends a reason to BAD for each thing that does not.
round_check() {
	local label=$1 state=$2 allowed=$3 i rc f live target said=0
	live=$state/certs/$NAME/live
	target=$(readlink "$live")
	case $target in
	gen-[0-9]*) [ -d "$state/certs/$NAME/$target" ] ||
		BAD+=("$label: live -> $target, which does not exist") ;;
	*) BAD+=("$label: live -> '$target', not a generation") ;;
	esac
	pair_ok "$live" || BAD+=("$label: the live key is not the certificate's")
	for i in "${!BG_FILES[@]}"; do
		f=${BG_FILES[$i]} rc=${BG_RCS[$i]}
		case " $allowed " in
		*" $rc "*) ;;
		*) BAD+=("$label: a run exited $rc: $(tr '\n' ' ' <"$f.err")") ;;
		esac
		grep -q "new certificate is live" "$f.err" && said=$((said + 1))
	done
	[ "$said" -gt 0 ] || BAD+=("$label: no run issued")
	BG_FILES=()
	return 0
}

report() { # LABEL: one TAP line for the case, the reasons as diagnostics
	diag "$1: $SECONDS s since the start"
	is "${#BAD[@]}" 0 "$1: $N rounds, every live pair intact and every run ended as documented"
	local b
	for b in "${BAD[@]:0:10}"; do diag "$b"; done
}

account_works() { # LABEL STATE: a forced issuance with the stored account
	run_acmelet "$2" --force issue "$NAME"
	[ "$RUN_RC" = 0 ] || BAD+=("$1: the account does not work: $(tr '\n' ' ' <"$RUN_ERR")")
	pair_ok "$2/certs/$NAME/live" || BAD+=("$1: forced issuance: live pair broken")
}

# ---- issue + issue, both --force, on the same state ----------------------
S=$PEBBLE_DIR/s-force
run_acmelet "$S" issue "$NAME"
is "$RUN_RC" 0 "first issuance for the shared state" || diag_file "$RUN_ERR"
BAD=()
for r in $(seq "$N"); do
	bg "$S" --force issue "$NAME"
	bg "$S" --force issue "$NAME"
	bg_wait
	round_check "force round $r" "$S" "0"
done
report "issue --force + issue --force"
gens=$(find "$S/certs/$NAME" -maxdepth 1 -name 'gen-*' | wc -l)
ok "issue --force pairs: old generations were removed ($gens left, at most 2)" test "$gens" -le 2

# ---- issue + renew, on the same state ---------------------------------------
C=$PEBBLE_DIR/renew.conf
S=$PEBBLE_DIR/s-renew
{ conf_globals "$S"; printf '[cert %s]\nnames = %s\n' "$NAME" "$NAME"; } >"$C"
BAD=()
for r in $(seq "$N"); do
	rm -rf "$S/certs" # the account stays: renewals of a known account
	bg "$S" issue "$NAME"
	bg_conf "$C" renew
	bg_wait
	round_check "issue+renew round $r" "$S" "0 3"
done
report "issue + renew"

# ---- run (daemon) + renew, into an empty state dir -------------------------
S=$PEBBLE_DIR/s-run
C=$PEBBLE_DIR/run.conf
{ conf_globals "$S"; printf '[cert %s]\nnames = %s\n' "$NAME" "$NAME"; } >"$C"
BAD=()
for r in $(seq "$N"); do
	rm -rf "$S"
	bg_conf "$C" run
	dpid=${BG_PIDS[0]} dfile=${BG_FILES[0]}
	BG_PIDS=()
	bg_conf "$C" renew
	bg_wait
	rrc=${BG_RCS[0]} rfile=${BG_FILES[1]}
	# the daemon's first pass is over once it said issued or good
	for _ in $(seq 600); do
		grep -qE "new certificate is live|nothing to do" "$dfile.err" && break
		sleep 0.1
	done
	kill -TERM "$dpid" 2>/dev/null
	wait "$dpid"
	BG_FILES=("$rfile" "$dfile") BG_RCS=("$rrc" 0)
	grep -qE "new certificate is live|nothing to do" "$dfile.err" ||
		BAD+=("run+renew round $r: the daemon's pass did not end: $(tr '\n' ' ' <"$dfile.err")")
	grep -q "error" "$dfile.err" &&
		BAD+=("run+renew round $r: the daemon logged an error: $(grep error "$dfile.err")")
	round_check "run+renew round $r" "$S" "0 3"
	[ "$r" = "$N" ] && account_works "run+renew" "$S"
done
report "run + renew"

# ---- two first runs into an empty state directory --------------------------
S=$PEBBLE_DIR/s-first
BAD=()
for r in $(seq "$N"); do
	rm -rf "$S"
	bg "$S" issue "$NAME"
	bg "$S" issue "$NAME"
	bg_wait
	round_check "first-runs round $r" "$S" "0"
	keys=$(find "$S/accounts" -name key.pem | wc -l)
	[ "$keys" = 1 ] || BAD+=("first-runs round $r: $keys account keys")
	account_works "first-runs round $r" "$S"
done
report "two first runs into an empty state directory"

# hold_lock DIR: flock(1) holds DIR's lock (its pid in holder) until
# release_lock; -o so that only flock itself holds it, not its sleep.
hold_lock() {
	flock -o "$1" sleep 120 </dev/null >/dev/null 2>&1 &
	holder=$!
	for _ in $(seq 100); do
		grep -qE "FLOCK +ADVISORY +WRITE +$holder " /proc/locks && return 0
		sleep 0.1
	done
	fail "flock(1) took the lock of $1"
}
release_lock() {
	local child
	child=$(pgrep -P "$holder")
	kill "$holder" $child 2>/dev/null
	wait "$holder" 2>/dev/null
}

# ---- a lock that stays held --------------------------------------------------
S=$PEBBLE_DIR/s-force
before=$(state_snapshot "$S")
hold_lock "$S/certs/$NAME"
run_acmelet "$S" --lock-wait 1 --force issue "$NAME"
is "$RUN_RC" 1 "lock held by another process: exits 1"
is "$(error_count "$RUN_ERR")" 1 "lock held: exactly one error line" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "another acmelet \\(pid $holder\\) is working on $NAME" \
	"lock held: the line names the holder's pid and the certificate"
is "$(state_snapshot "$S")" "$before" "lock held: nothing in the state directory changed"
release_lock
run_acmelet "$S" --lock-wait 1 --force issue "$NAME"
is "$RUN_RC" 0 "lock released: the next run issues" || diag_file "$RUN_ERR"

# ---- the account's lock: a first run waits for it before making a key -----
S=$PEBBLE_DIR/s-acct
CA_ID=$(sed -E 's|^https://||; s|[^A-Za-z0-9.-]+|_|g; s|_+$||' <<<"$ACME_URL")
mkdir -p "$S/accounts/$CA_ID"
hold_lock "$S/accounts/$CA_ID"
run_acmelet "$S" --lock-wait 1 issue "$NAME"
is "$RUN_RC" 1 "account lock held: a first run exits 1"
is "$(error_count "$RUN_ERR")" 1 "account lock held: exactly one error line" || diag_file "$RUN_ERR"
like "$(cat "$RUN_ERR")" "another acmelet \\(pid $holder\\) is working on the account at $CA_ID" \
	"account lock held: the line names the holder and the account"
ok "account lock held: no account key was made" test ! -e "$S/accounts/$CA_ID/key.pem"
ok "account lock held: no live certificate appeared" test ! -e "$S/certs/$NAME/live"
release_lock
run_acmelet "$S" --lock-wait 1 issue "$NAME"
is "$RUN_RC" 0 "account lock released: the first run issues" || diag_file "$RUN_ERR"
done_testing
