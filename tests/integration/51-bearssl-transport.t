#!/bin/bash
# The built-in BearSSL transport under the whole integration set (issue 5:
# every test that runs with libcurl also runs with it): each other
# tests/integration/*.t runs again with ACMELET pointing at a BearSSL
# build (build-bearssl: configs/staticconfig plus tls-alpn-01, ACCOUNT_CMDS and
# dns-persist-01, linked
# dynamically), and every one of its results is one of ours. The unit tests run again from
# that build too: some use the transport (test_ari, test_agent_sim), and
# test_http_bearssl and test_http1 exist only there.
#
# Not run again: 50-static.t (its own binary, already BearSSL) and this
# file. The crash proof runs with this build's crash_run (its simulated
# clock moves years ahead, within Pebble's ten-year TLS certificate).
#
# The last two results guard this file itself: as many children ran as
# there are unit test programs and integration files (less the two
# above). A child that cannot be started, or prints no plan, is missing
# from that count, so a broken runner fails here instead of passing.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/child.sh

B=build-bearssl
# configs/staticconfig leaves tls-alpn-01, the account commands and
# dns-persist-01 out of
# make static's 256 KiB; this build has them, so that their tests run on
# this transport too. Writing the file every time rebuilds nothing:
# objects follow the configuration's content (config.stamp).
mkdir -p $B
CFG=$B/bearssl.config
sed -e 's/^# CONFIG_CHALLENGE_TLSALPN is not set$/CONFIG_CHALLENGE_TLSALPN=y/' \
	-e 's/^# CONFIG_ACCOUNT_CMDS is not set$/CONFIG_ACCOUNT_CMDS=y/' \
	-e 's/^# CONFIG_CHALLENGE_DNS_PERSIST is not set$/CONFIG_CHALLENGE_DNS_PERSIST=y/' \
	configs/staticconfig >$CFG
if ! out=$(make -s -j2 BUILD=$B CONFIG=$CFG all unit 2>&1); then
	fail "make BUILD=$B CONFIG=$CFG"
	diag "$out"
	done_testing
fi
pass "$B built: $(tail -n 1 <<<"$out")"

# The unit programs of this configuration, as the Makefile lists them.
read -ra units <<<"$(make -s --no-print-directory BUILD=$B \
	CONFIG=$CFG print-unit-bins)"
like "${units[*]}" "test_http_bearssl.*test_http1|test_http1.*test_http_bearssl" \
	"test_http_bearssl and test_http1 are among them"
CHILDREN_RAN=0
for t in "${units[@]}"; do
	run_child "${t##*/} (BearSSL transport)" "$t"
done
is "$CHILDREN_RAN" "${#units[@]}" "every unit test program of the BearSSL build ran (${#units[@]})"

CHILDREN_RAN=0
want=0
for t in tests/integration/*.t; do
	case ${t##*/} in
	50-static.t | 51-bearssl-transport.t) continue ;;
	esac
	want=$((want + 1))
	CRASH_RUN=$PWD/$B/tests/crash_run ACMELET=$PWD/$B/acmelet \
		run_child "${t##*/} (BearSSL transport)" "$t"
done
is "$CHILDREN_RAN" "$want" "every integration file ran with the BearSSL transport ($want)"
done_testing
