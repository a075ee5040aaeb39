#!/bin/bash
# make bench-names (and the second half of make bench): one certificate for
# N names, N = 1, 10 and 100 (BENCH_NAMES), on both transports: the
# libcurl build (build/acmelet) and the built-in BearSSL transport in two
# configurations: build-bearssl/acmelet from configs/staticconfig (the
# 256 KiB router build: EC_SMALL's generic curve code), and
# build-bench-openwrt/acmelet from the OpenWrt package's
# openwrt/acmelet/files/acmelet.config (EC_FAST's dedicated P-256 code),
# both linked dynamically here.
#
# Against a local Pebble 2.4 with no validation delay (PEBBLE_VA_NOSLEEP=1)
# and no deliberate badNonce (PEBBLE_WFE_NONCEREJECT=0), so that requests
# can be counted exactly; pebble-challtestsrv answers every name with
# 127.0.0.1 (tests/lib/pebble.sh), so Pebble's validator reaches
# acmelet's responder for any name. Each run is a new account and a new
# order, the whole issuance: directory, nonce, account, order, N
# authorizations, N challenges, order poll, finalize, order poll,
# certificate.
#
# Per build and N, over RUNS runs (default 5): the median wall time
# (measured around the process), the range, requests and connections
# (acmelet -v: "acme: N requests, M connections"), peak RSS (largest
# seen, /usr/bin/time -v), the CPU time of acmelet (median) and Pebble's
# CPU time during the run (median, from /proc), and the load average
# before each row. Figures are printed, never judged here: budgets are in
# docs/performance.md, and no test asserts a time.
#
# usage: tests/bench/names.sh        RUNS=5 BENCH_NAMES="1 10 100"
set -u
cd "$(dirname "$0")/../.." || exit 1
RUNS=${RUNS:-5}
BENCH_NAMES=${BENCH_NAMES:-1 10 100}

tests/lib/deps.sh || exit 1
if [ ! -x /usr/bin/time ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time </dev/null || exit 1
fi
make -s -j2 all >/dev/null || exit 1
make -s -j2 BUILD=build-bearssl CONFIG=configs/staticconfig all >/dev/null || exit 1
make -s -j2 BUILD=build-bench-openwrt CONFIG=openwrt/acmelet/files/acmelet.config \
	all >/dev/null || exit 1

. tests/lib/tap.sh # pebble.sh reports through it
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0 PEBBLE_VA_NOSLEEP=1
pebble_start >/dev/null || { echo "bench: Pebble did not start" >&2; exit 1; }
# The Pebble of this run (its CPU time is read from /proc).
PEBBLE_PID=""
for pid in $(cat "$PEBBLE_DIR/pids"); do
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pebble ] && PEBBLE_PID=$pid
done
[ -n "$PEBBLE_PID" ] || { echo "bench: Pebble's process not found" >&2; exit 1; }
TICK=$(getconf CLK_TCK)

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure LABEL BINARY N: one line of the table
measure() {
	local label=$1 bin=$2 n=$3 i k tf t0 t1 c0 c1 names
	local walls="" cpus="" pcpus="" rss=0 r req="" conn="" fails=0
	local load
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	for i in $(seq "$RUNS"); do
		names=()
		for k in $(seq "$n"); do
			names+=("n$k.r$i.$label.bench.test")
		done
		tf=$PEBBLE_DIR/time.$label.$n.$i
		c0=$(cpu_ticks "$PEBBLE_PID")
		t0=$(date +%s%N)
		ACMELET=$PWD/$bin ACMELET_WRAP="/usr/bin/time -v -o $tf" \
			run_acmelet "$PEBBLE_DIR/state.$label.$n.$i" -v issue "${names[@]}"
		t1=$(date +%s%N)
		c1=$(cpu_ticks "$PEBBLE_PID")
		if [ "$RUN_RC" -ne 0 ]; then
			fails=$((fails + 1))
			sed 's/^/#   /' "$RUN_ERR" | tail -n 5 >&2
			continue
		fi
		walls="$walls $(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')"
		cpus="$cpus $(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$tf")"
		pcpus="$pcpus $(awk -v a="$c0" -v b="$c1" -v t="$TICK" 'BEGIN { print (b - a) / t }')"
		r=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
		[ "$r" -gt "$rss" ] && rss=$r
		read -r req conn <<<"$(acme_summary "$RUN_ERR")"
		rm -rf "$PEBBLE_DIR/state.$label.$n.$i"
	done
	local w
	w=$(tr ' ' '\n' <<<"$walls" | grep .)
	[ -n "$w" ] || w=0 # every run failed: see the fails column
	printf '%-12s %4d %8s %15s %9s %11s %8s %9s %10s %5s  %s\n' "$label" "$n" \
		"$(median <<<"$w" | xargs printf '%.3f')" \
		"$(sort -g <<<"$w" | sed -n '1p;$p' | xargs printf '%.3f\n' | paste -sd- -)" \
		"${req:--}" "${conn:--}" "$rss" \
		"$(tr ' ' '\n' <<<"$cpus" | grep . | median)" \
		"$(tr ' ' '\n' <<<"$pcpus" | grep . | median)" "$fails" "$load"
}

echo "acmelet bench: one certificate for N names, $RUNS runs each (new account each), local Pebble 2.4"
echo "$(uname -m), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-12s %4s %8s %15s %9s %11s %8s %9s %10s %5s  %s\n' build N "wall(s)" \
	"range(s)" requests connections "RSS(KiB)" "CPU(s)" "Pebble(s)" fails \
	"load average before"
for n in $BENCH_NAMES; do
	measure libcurl build/acmelet "$n"
	measure bearssl build-bearssl/acmelet "$n"
	measure bearssl-owrt build-bench-openwrt/acmelet "$n"
done
echo "budgets (issue 9): 10 names <= 0.25 s, 100 names <= 0.6 s, requests 2N+8"
echo "                   (10, 28, 208) over 1 connection, on both transports"
