#!/bin/bash
# The command line contract: 2 on usage errors with a usage line, --help and
# --version exit 0.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
require_acmelet

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
run() { # ARG...: RC and OUT (stdout and stderr together)
	OUT=$(timeout -k 2 20 "$ACMELET" "$@" </dev/null 2>&1)
	RC=$?
}

run -d "$T" --no-such-option issue a.example.test
is "$RC" 2 "an unknown option exits 2"
like "$OUT" '[Uu]sage' "an unknown option prints a usage line"
run -d "$T" issue
is "$RC" 2 "issue without names exits 2"
like "$OUT" '[Uu]sage' "issue without names prints a usage line"
run -d "$T" no-such-command a.example.test
is "$RC" 2 "an unknown command exits 2"
run -k no-such-key-type -d "$T" issue a.example.test
is "$RC" 2 "an unknown key type exits 2"
ok "usage errors wrote nothing" test -z "$(ls -A "$T")"

run --help
is "$RC" 0 "--help exits 0"
like "$OUT" 'issue' "--help mentions issue"
like "$OUT" '--server' "--help mentions --server"
like "$OUT" '--agree-tos' "--help mentions --agree-tos"
run -h
is "$RC" 0 "-h exits 0"
run --version
is "$RC" 0 "--version exits 0"
like "$OUT" '[0-9]+\.[0-9]+' "--version prints a version number"

# S14: a cron entry at a random minute and hour, never on the hour.
lines=""
for _ in 1 2 3 4 5 6; do
	run cron-line
	[ "$RC" = 0 ] || break
	lines="$lines$OUT
"
done
is "$RC" 0 "cron-line exits 0"
like "$OUT" '^[0-9]+ [0-9]+ \* \* \* acmelet renew$' "cron-line prints a cron entry"
is "$(printf '%s' "$lines" | awk '$1 < 1 || $1 > 59 || $2 > 23' | wc -l)" 0 \
	"minutes are 1-59 (never on the hour), hours 0-23"
ok "six draws are not all the same time" \
	test "$(printf '%s' "$lines" | sort -u | wc -l)" -gt 1
done_testing
