#!/bin/bash
# make check's share of fuzzing: each libFuzzer harness of tests/fuzz/
# replays every regression input and then fuzzes for FUZZ_CHECK_SECONDS
# (default 3) from the committed seeds. One test per harness; a failure
# names the input that reproduces it. tests/run builds the harnesses
# (build-fuzz); a harness that is not built fails, saying how to build it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/fuzz/lib.sh

W=$(mktemp -d "${TMPDIR:-/tmp}/acmelet-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
secs=${FUZZ_CHECK_SECONDS:-3}
for name in $(fuzz_names); do
	fuzz_one "$name" "$secs" "$W/corpus/$name" "$W/art"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass "fuzz_$name: $FUZZ_NREG regression inputs replayed, $FUZZ_RUNS runs in ${secs} s, nothing found"
		continue
	fi
	fail "fuzz_$name: $FUZZ_WHY"
	if [ -n "$FUZZ_INPUT" ]; then
		# The temporary directory goes: keep the input where it can be found.
		case $FUZZ_INPUT in "$W"/*)
			mkdir -p "$FUZZ_BUILD/artifacts"
			cp "$FUZZ_INPUT" "$FUZZ_BUILD/artifacts/" &&
				FUZZ_INPUT=$FUZZ_BUILD/artifacts/${FUZZ_INPUT##*/} ;;
		esac
		diag "reproduce: $FUZZ_BUILD/fuzz/fuzz_$name $FUZZ_INPUT"
		case $FUZZ_INPUT in "$FUZZ_DIR"/regress/*) ;; *)
			diag "keep it: cp $FUZZ_INPUT $FUZZ_DIR/regress/$name/ (with the fix)" ;;
		esac
	fi
	# The report itself (the sanitizer's stack), not its legend.
	[ -f "$FUZZ_LOG" ] && grep -A 25 -m 1 -E 'ERROR|runtime error|deadly signal' \
		"$FUZZ_LOG" | head -n 30 | sed 's/^/#   /' >&2
done
done_testing
