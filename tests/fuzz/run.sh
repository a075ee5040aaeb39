#!/bin/bash
# make fuzz: every harness of tests/fuzz/ (or the NAMEs given), one after
# the other, for -t SECONDS each (default 60). The corpus each grows is
# kept in build-fuzz/corpus/NAME for the next run. With -k, an input that
# crashes is copied to tests/fuzz/regress/NAME/ (commit it with the fix:
# make check replays it from then on). One line per harness, also appended
# to build-fuzz/fuzz-stats.log; exits 1 when any harness failed.
cd "$(dirname "$0")/../.." || exit 1
. tests/fuzz/lib.sh

secs=60 keep=0
while getopts t:k o; do
	case $o in
	t) secs=$OPTARG ;;
	k) keep=1 ;;
	*) echo "usage: $0 [-t SECONDS] [-k] [NAME...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
# shellcheck disable=SC2046 # harness names are single words
[ $# -gt 0 ] || set -- $(fuzz_names)

failed=0
for name in "$@"; do
	start=$(date +%s)
	fuzz_one "$name" "$secs" "$FUZZ_BUILD/corpus/$name" "$FUZZ_BUILD/artifacts"
	rc=$?
	line="$(date -u +%FT%TZ) $name: $FUZZ_RUNS runs in $(($(date +%s) - start)) s, cov $FUZZ_COV"
	if [ "$rc" -eq 0 ]; then
		line="$line, nothing found"
	else
		failed=1
		line="$line, FAILED: $FUZZ_WHY"
		[ -n "$FUZZ_INPUT" ] && line="$line; input $FUZZ_INPUT; log $FUZZ_LOG"
		if [ "$keep" = 1 ] && [ -f "$FUZZ_INPUT" ] &&
			[ "${FUZZ_INPUT#"$FUZZ_DIR"/regress/}" = "$FUZZ_INPUT" ]; then
			mkdir -p "$FUZZ_DIR/regress/$name"
			cp "$FUZZ_INPUT" "$FUZZ_DIR/regress/$name/"
			line="$line; kept as $FUZZ_DIR/regress/$name/${FUZZ_INPUT##*/}"
		fi
	fi
	echo "$line"
	echo "$line" >>"$FUZZ_BUILD/fuzz-stats.log"
done
exit "$failed"
