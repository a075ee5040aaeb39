#!/bin/bash
# The built-in BearSSL transport under the whole integration set (issue 5:
# every test that runs with libcurl also runs with it): each other
# tests/integration/*.t runs again with ACMELET pointing at a BearSSL
# build (build-bearssl: configs/staticconfig, linked dynamically), one
# result per file; a failure shows the file's failing lines. The unit
# tests run again from that build too: some use the transport (test_ari,
# test_agent_sim), and test_http_bearssl and test_http1 exist only there.
#
# Not run again: 50-static.t (its own binary, already BearSSL). The crash
# proof runs with this build's crash_run (its simulated clock moves years
# ahead, within Pebble's ten-year TLS certificate).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh

B=build-bearssl
if ! out=$(make -s -j2 BUILD=$B CONFIG=configs/staticconfig all unit 2>&1); then
	fail "make BUILD=$B CONFIG=configs/staticconfig"
	diag "$out"
	done_testing
fi
pass "$B built: $(tail -n 1 <<<"$out")"

for t in "$B"/tests/test_*; do
	run_child "unit: ${t##*/} with the BearSSL transport" "$t"
done

for t in tests/integration/*.t; do
	case ${t##*/} in
	50-static.t | 51-bearssl-transport.t) continue ;;
	esac
	CRASH_RUN=$PWD/$B/tests/crash_run ACMELET=$PWD/$B/acmelet run_child "${t##*/} with the BearSSL transport" "$t"
done
done_testing
