#!/bin/bash
# make bench: the figures of docs/performance.md, measured here.
#
# For the libcurl build (build/acmelet), the static build (make static) and
# the tinyconfig static build (make static-tiny): the stripped size, and
# for RUNS issuances of one name each with a new account against a local
# Pebble (PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0 so that requests
# can be counted exactly): peak RSS, wall and CPU time (/usr/bin/time -v),
# and requests and TLS connections (acmelet -v: "acme: N requests, M
# connections"). Medians of the runs; the RSS is the largest seen; CPU
# time (user + system, from time(1)) has a resolution of 10 ms. Then
# where the static binary's bytes go (a link map).
#
# usage: tests/bench/bench.sh        RUNS=5 by default
set -u
cd "$(dirname "$0")/../.." || exit 1
RUNS=${RUNS:-5}

tests/lib/deps.sh || exit 1
if [ ! -x /usr/bin/time ]; then
	[ "$(id -u)" -eq 0 ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time </dev/null || exit 1
fi
make -s -j2 all >/dev/null || exit 1
make -s static >/dev/null || exit 1
make -s static-tiny >/dev/null || exit 1

. tests/lib/tap.sh # pebble.sh reports through it
. tests/lib/pebble.sh
export PEBBLE_WFE_NONCEREJECT=0 PEBBLE_VA_NOSLEEP=1
pebble_start >/dev/null || { echo "bench: Pebble did not start" >&2; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure LABEL BINARY: one line of the table
measure() {
	local label=$1 bin=$2 size i tf t0 t1 walls="" cpus="" rss=0 r req="" conn=""
	local fails=0
	local stripped=$PEBBLE_DIR/stripped
	strip -o "$stripped" "$bin" 2>/dev/null || cp "$bin" "$stripped"
	size=$(wc -c <"$stripped")
	for i in $(seq "$RUNS"); do
		tf=$PEBBLE_DIR/time.$label.$i
		t0=$(date +%s%N)
		ACMELET=$PWD/$bin ACMELET_WRAP="/usr/bin/time -v -o $tf" \
			run_acmelet "$PEBBLE_DIR/state.$label.$i" -v issue "b$i.$label.bench.test"
		t1=$(date +%s%N)
		if [ "$RUN_RC" -ne 0 ]; then
			fails=$((fails + 1))
			sed 's/^/#   /' "$RUN_ERR" | tail -n 5 >&2
			continue
		fi
		# time(1) gives the wall clock in 10 ms steps: measured around
		# the run instead (timeout and time themselves add ~2 ms).
		walls="$walls $(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')"
		cpus="$cpus $(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$tf")"
		r=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
		[ "$r" -gt "$rss" ] && rss=$r
		read -r req conn <<<"$(acme_summary "$RUN_ERR")"
	done
	printf '%-22s %9d %8.1f %9d %8.3f %8.3f %8s %11s %5s\n' "$label" "$size" \
		"$(awk -v s="$size" 'BEGIN { print s / 1024 }')" "$rss" \
		"$(tr ' ' '\n' <<<"$walls" | grep . | median)" \
		"$(tr ' ' '\n' <<<"$cpus" | grep . | median)" "${req:--}" "${conn:--}" \
		"$fails"
}

echo "acmelet bench: $RUNS issuances of 1 name (new account each) per build, local Pebble"
echo "$(uname -m), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
printf '%-22s %9s %8s %9s %8s %8s %8s %11s %5s\n' build "size(B)" "KiB" \
	"RSS(KiB)" "wall(s)" "CPU(s)" requests connections fails
measure libcurl build/acmelet
measure static build/static/acmelet
measure static-tiny build/static-tiny/acmelet
echo "budgets: static <= 256 KiB, tiny <= 160 KiB, RSS <= 1024 KiB (static),"
echo "         requests 2N+8 = 10 for N=1 over 1 connection"

# Where the static binary's bytes go: relink its objects with a map,
# without link-time optimisation (make static's objects carry their -Oz
# code too), so that each of our files keeps its own size; the shipped
# binary, optimised across files, is a little smaller (docs/performance.md).
map=$PEBBLE_DIR/static.map
musl-gcc -static -no-pie -fno-lto -Wl,--gc-sections -Wl,-z,noseparate-code \
	-Wl,-z,norelro -Wl,-T,src/static.ld \
	-Wl,-Map,"$map" -o "$PEBBLE_DIR/static.mapped" build/static/src/main.o \
	build/static/libacmelet.a build/static/src/fortify_shims.o \
	"$(cc -print-file-name=libbearssl.a)" || exit 1
echo "static build, code and constants by origin (link map without LTO; before strip):"
python3 - "$map" <<'EOF'
import re, sys
origin = {"acmelet": 0, "BearSSL": 0, "musl libc": 0, "gcc runtime": 0}
files = {}
sec = None
for line in open(sys.argv[1]):
    m = re.match(r'^ (\.(?:text|rodata|data)\S*)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+))?\s*$', line)
    if m and m.group(2) is None:
        sec = m.group(1)
        continue
    if not m:
        m2 = re.match(r'^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)\s*$', line)
        if not (m2 and sec):
            sec = None
            continue
        size, obj = int(m2.group(2), 16), m2.group(3)
        sec = None
    else:
        size, obj = int(m.group(3), 16), m.group(4)
    if 'libbearssl' in obj:
        o = "BearSSL"
    elif 'musl' in obj:
        o = "musl libc"
    elif 'libgcc' in obj or 'crt' in obj:
        o = "gcc runtime"
    else:
        o = "acmelet"
        name = re.sub(r'.*\((.*)\)', r'\1', obj)
        files[name] = files.get(name, 0) + size
    origin[o] += size
for o, s in sorted(origin.items(), key=lambda x: -x[1]):
    print("  %-12s %7d bytes  %6.1f KiB" % (o, s, s / 1024))
print("  acmelet by file (largest first):")
print("   " + ", ".join("%s %.1f" % (f.replace('.o', ''), s / 1024)
                        for f, s in sorted(files.items(), key=lambda x: -x[1])) + " KiB")
EOF
