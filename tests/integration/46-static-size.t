#!/bin/bash
# The size budget of the static binary (issues 9 and 10): `make static`
# (configs/staticconfig: musl, BearSSL inside, DNS validation built in)
# is at most 256 KiB = 262,144 bytes once stripped as `make bench`
# strips it, and it still has every part the router build must have: a
# budget met by leaving out DNS (RFC 2136, TSIG, the propagation check),
# RSA keys, hooks or ARI would not count. Size is deterministic: no
# timing here. It builds in its own directory, so that it never shares
# objects with 50-static.t running beside it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/acmelet.sh

BUDGET=262144
DIR=build/static-size
if ! out=$(make -s static STATIC_DIR=$DIR 2>&1); then
	fail "make static (configs/staticconfig)"
	diag "$out"
	done_testing
fi
ACMELET=$PWD/$DIR/acmelet
if [ ! -x "$ACMELET" ]; then
	fail "make static made $DIR/acmelet"
	done_testing
fi

# As tests/bench/bench.sh measures a build: a stripped copy.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
strip -o "$T/stripped" "$ACMELET"
size=$(wc -c <"$T/stripped")
ok "stripped static binary $size B <= $BUDGET B (256 KiB); $((BUDGET - size)) B to spare" \
	test "$size" -le "$BUDGET"
like "$out" "static: $DIR/acmelet $(wc -c <"$ACMELET") bytes" \
	"make static prints the size of what it built"

# What the budget is for: the parts the static build must have. --version
# names the Kconfig options the binary was built with.
v=$("$ACMELET" --version 2>&1)
parts=$(sed -n 's/^built with: //p' <<<"$v")
isnt "$parts" "" "--version has the built with: line" || diag "$v"
for part in HTTP_BEARSSL CHALLENGE_HTTP01 CHALLENGE_DNS HOOK ARI KEY_RSA \
	DAEMON STATUS SYSLOG; do
	like " $parts " " $part " "built with $part"
done
# The same list as the configuration it was built from: --version tells
# the truth about this binary.
want=$(sed -n 's/^CONFIG_\(.*\)=y$/\1/p' configs/staticconfig | tr '\n' ' ')
is "$parts " "$want" \
	"--version lists exactly configs/staticconfig's options"
done_testing
