# shellcheck shell=bash
# Running the libFuzzer harnesses of tests/fuzz/, to be sourced by run.sh
# (make fuzz) and fuzz.t (make check).
#
#   fuzz_names              the harnesses: NAME for each tests/fuzz/fuzz_NAME.c
#   fuzz_one NAME SECONDS CORPUS ARTIFACTS
#       replays tests/fuzz/regress/NAME/* one by one, then fuzzes for
#       SECONDS from seeds/NAME and regress/NAME, writing what it adds to
#       the corpus directory CORPUS (first, so the committed seeds are
#       never written) and a crashing input to ARTIFACTS. Returns 0, or 1
#       after a crash (leak, timeout, sanitizer report, failed check),
#       2 when the harness is not built. Sets FUZZ_RUNS, FUZZ_COV,
#       FUZZ_NREG (regression inputs), FUZZ_LOG, and after a failure FUZZ_WHY and FUZZ_INPUT (the input
#       that fails: run "$FUZZ_BUILD/fuzz/fuzz_NAME $FUZZ_INPUT" again).
#
# FUZZ_BUILD is the build directory of the harnesses (default build-fuzz,
# made by: make BUILD=build-fuzz CONFIG=configs/staticconfig CC=clang
# FUZZ=1 fuzz-build). Per harness, NAME.dict is a libFuzzer dictionary and
# NAME.options holds more libFuzzer flags (-max_len=...).

FUZZ_DIR=tests/fuzz
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}

fuzz_names() {
	local f
	for f in "$FUZZ_DIR"/fuzz_*.c; do
		f=${f##*/fuzz_}
		echo "${f%.c}"
	done
}

fuzz_one() {
	local name=$1 secs=$2 corpus=$3 art=$4 bin rc f
	local -a flags=() dirs=() inputs=()
	bin=$FUZZ_BUILD/fuzz/fuzz_$name
	FUZZ_RUNS=0 FUZZ_COV=0 FUZZ_WHY="" FUZZ_INPUT="" FUZZ_NREG=0
	FUZZ_LOG=$art/$name.log
	mkdir -p "$corpus" "$art" || return 2
	if [ ! -x "$bin" ]; then
		FUZZ_WHY="$bin is not built (make BUILD=$FUZZ_BUILD CONFIG=configs/staticconfig CC=clang FUZZ=1 fuzz-build)"
		return 2
	fi
	[ -r "$FUZZ_DIR/$name.dict" ] && flags+=("-dict=$FUZZ_DIR/$name.dict")
	[ -r "$FUZZ_DIR/$name.options" ] && read -ra inputs <"$FUZZ_DIR/$name.options" &&
		flags+=("${inputs[@]}")
	# Every input that ever crashed, replayed first, one at a time.
	inputs=()
	for f in "$FUZZ_DIR/regress/$name"/*; do
		[ -f "$f" ] && inputs+=("$f")
	done
	FUZZ_NREG=${#inputs[@]}
	if [ "$FUZZ_NREG" -gt 0 ]; then
		if ! "$bin" "${flags[@]}" "${inputs[@]}" >"$FUZZ_LOG" 2>&1; then
			FUZZ_INPUT=$(sed -n 's/^Running: //p' "$FUZZ_LOG" | tail -n 1)
			FUZZ_WHY="regression input $FUZZ_INPUT fails again"
			return 1
		fi
	fi
	dirs=("$corpus" "$FUZZ_DIR/seeds/$name")
	[ -d "$FUZZ_DIR/regress/$name" ] && dirs+=("$FUZZ_DIR/regress/$name")
	"$bin" "${flags[@]}" -max_total_time="$secs" -timeout=20 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "${dirs[@]}" >"$FUZZ_LOG" 2>&1
	rc=$?
	FUZZ_RUNS=$(sed -n 's/^stat::number_of_executed_units: *//p' "$FUZZ_LOG" | tail -n 1)
	FUZZ_COV=$(grep -o 'cov: [0-9]*' "$FUZZ_LOG" | tail -n 1 | cut -d' ' -f2)
	FUZZ_RUNS=${FUZZ_RUNS:-0} FUZZ_COV=${FUZZ_COV:-0}
	[ "$rc" -eq 0 ] && return 0
	FUZZ_INPUT=$(sed -n 's/.*Test unit written to //p' "$FUZZ_LOG" | tail -n 1)
	FUZZ_WHY=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|==[0-9]+== ERROR: libFuzzer)' "$FUZZ_LOG")
	FUZZ_WHY=${FUZZ_WHY:-"exit status $rc"}
	return 1
}
