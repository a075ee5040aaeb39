#!/bin/bash
# The man pages (issue 13): acmelet(8) and acmelet.conf(5) in mdoc.
# mandoc -T lint is clean, and they cannot drift from the program: every
# option of cli.c's table and of --help, every command and account
# subcommand, every key the configuration file accepts (asked of the
# binary itself, key by key), every environment variable the hooks get
# and every exit status must be documented, and nothing documented as an
# option or key may be unknown to the program. The checker is shown to
# fail on a page with one option and one key taken out.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh # ACMELET, require_acmelet
require_acmelet

M8=man/acmelet.8
M5=man/acmelet.conf.5
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if ! command -v mandoc >/dev/null; then
	fail "mandoc is installed (Debian package mandoc, tests/lib/deps.sh)"
	done_testing
fi

# ---- lint ------------------------------------------------------------------
for f in "$M8" "$M5"; do
	out=$(mandoc -T lint -W warning "$f" 2>&1)
	is "$out" "" "mandoc -T lint -W warning $f: nothing to say"
	# At style level only what depends on the installed system may remain:
	# pages cross-referenced that are not installed (acmelet.conf(5) before
	# make install, crontab(5) without cron) and the state of mandoc.db.
	out=$(mandoc -T lint -W style "$f" 2>&1 |
		grep -vE 'STYLE: referenced manual not found|outdated mandoc\.db')
	is "$out" "" "mandoc -T lint -W style $f: nothing but uninstalled references"
	ok "$f renders (mandoc -T utf8)" sh -c "mandoc -T utf8 '$f' >'$T/render' 2>/dev/null && [ -s '$T/render' ]"
done

# ---- what the program has --------------------------------------------------
# cli.c's option table, the getopt short options, --help's long options
sed -n '/long_opts\[\] = {/,/^};/s/^[[:space:]]*{ "\([a-z0-9-]*\)".*/\1/p' src/cli.c | sort -u >"$T/table"
sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' src/cli.c | tr -d ':' | fold -w1 | sort -u >"$T/short"
"$ACMELET" --help >"$T/help" 2>&1
grep -oE -- '--[a-z0-9][a-z0-9-]*' "$T/help" | sed 's/^--//' | sort -u >"$T/helpopts"
sed -n '/commands\[\] = {/,/};/p' src/cli.c | grep -oE '"[a-z-]+"' | tr -d '"' | sort -u >"$T/commands"
sed -n 's/.*account \([a-z|]*\)$/\1/p' "$T/help" | tr '|' '\n' | sort -u >"$T/subcommands"
cat "$T/table" >"$T/all-opts"
note "options in cli.c: $(wc -l <"$T/table"), in --help: $(wc -l <"$T/helpopts"), commands: $(wc -l <"$T/commands"), account subcommands: $(wc -l <"$T/subcommands")"
ok "cli.c's option table was read (more than 30 options)" [ "$(wc -l <"$T/table")" -gt 30 ]
ok "--help's options were read (more than 30)" [ "$(wc -l <"$T/helpopts")" -gt 30 ]
ok "the commands were read (issue, renew, run, ...)" grep -qx run "$T/commands"
ok "the account subcommands were read from --help" grep -qx rollover "$T/subcommands"

# The configuration keys, asked of the binary: a key it does not know is
# "unknown key 'K'"; any other answer (a bad value) means it is a key.
: >"$T/keys"
while read -r o; do
	printf '%s = \001\n' "$o" >"$T/probe.conf"
	"$ACMELET" -c "$T/probe.conf" --log stderr cron-line >/dev/null 2>"$T/probe.err"
	grep -q "unknown key '$o'" "$T/probe.err" || echo "$o" >>"$T/keys"
done <"$T/table"
printf '[cert a.test]\nnames = a.test\n' >"$T/probe.conf"
"$ACMELET" -c "$T/probe.conf" --log stderr cron-line >/dev/null 2>&1 && echo names >>"$T/keys"
sort -u -o "$T/keys" "$T/keys"
note "configuration keys the binary accepts: $(tr '\n' ' ' <"$T/keys")"
ok "the binary accepts more than 25 keys, names among them" \
	sh -c "[ \$(wc -l <'$T/keys') -gt 25 ] && grep -qx names '$T/keys'"

# Environment: what the hooks set, and what the program reads.
grep -ohE 'setenv\("[A-Z_]+"' src/hook.c src/challenge/hook.c | sed 's/setenv("//;s/"//' >"$T/env"
sed -n 's/.*both("\([A-Z_]*\)".*/\1/p' src/challenge/hook.c | sed 's/^/UACME_/;p;s/^UACME_/ACMELET_/' >>"$T/env"
grep -ohE 'getenv\("[A-Z_]+"\)' src/*.c src/*/*.c port/posix/*.c | sed 's/getenv("//;s/")//' >>"$T/env"
sort -u -o "$T/env" "$T/env"
grep -ohE 'hook_run\([^"]*"[a-z]+"|"(renewed|issued)"' src/agent.c | grep -oE '"[a-z]+"' | tr -d '"' | sort -u >"$T/events"
grep -oE 'EXIT_[A-Z_]+ = [0-9]+' src/commands.h | sed 's/.* //' | sort -u >"$T/exits"
note "hook environment: $(tr '\n' ' ' <"$T/env"); events: $(tr '\n' ' ' <"$T/events"); exit codes: $(tr '\n' ' ' <"$T/exits")"
ok "the hook events were read (issued, renewed, failed)" sh -c "[ \$(wc -l <'$T/events') -ge 3 ]"

# ---- the checker -------------------------------------------------------
# check PAGE8 PAGE5: every missing or unknown thing, one per line.
check() {
	local m8=$1 m5=$2 o k c
	while read -r o; do
		grep -qE "^\.It (.* )?Fl -$o( |\$)" "$m8" || echo "option --$o of cli.c has no .It line in acmelet.8"
	done <"$T/table"
	while read -r o; do
		grep -qE "^\.It (.* )?Fl -$o( |\$)" "$m8" || echo "option --$o of --help has no .It line in acmelet.8"
	done <"$T/helpopts"
	while read -r o; do
		grep -qE "^\.It Fl $o( |\$)" "$m8" || echo "option -$o has no .It line in acmelet.8"
	done <"$T/short"
	while read -r c; do
		grep -qE "^\.It Cm $c( |\$)" "$m8" || echo "command $c has no .It line in acmelet.8"
	done <"$T/commands"
	while read -r c; do
		grep -qE "^\.It Cm account $c( |\$)" "$m8" || echo "account $c has no .It line in acmelet.8"
	done <"$T/subcommands"
	while read -r k; do
		grep -qE "^\.It Ic $k( |\$)" "$m5" || echo "key $k has no .It line in acmelet.conf.5"
	done <"$T/keys"
	while read -r k; do
		grep -qE "Ev $k( |\$)" "$m8" || echo "variable $k is not in acmelet.8"
	done <"$T/env"
	while read -r k; do
		grep -qE "^\.It Cm $k( |\$)" "$m8" || echo "hook event $k has no .It line in acmelet.8"
	done <"$T/events"
	while read -r k; do
		sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$m8" | grep -qx "\.It $k" ||
			echo "exit status $k is not in EXIT STATUS"
	done <"$T/exits"
	# nothing documented that the program does not have
	grep -oE '^\.It Fl -[a-z0-9-]+|^\.It Fl [a-z] Ar [a-z]+ , Fl -[a-z0-9-]+|^\.It Fl [a-z] , Fl -[a-z0-9-]+' "$m8" |
		grep -oE -- '-[a-z0-9-]+$' | sed 's/^-//' | while read -r o; do
		grep -qx -- "$o" "$T/table" || echo "acmelet.8 documents --$o, which cli.c lacks"
	done
	sed -n 's/^\.It Ic \([a-z-]*\) No = .*/\1/p' "$m5" | while read -r k; do
		grep -qx -- "$k" "$T/keys" || echo "acmelet.conf.5 documents key $k, which acmelet refuses"
	done
}

check "$M8" "$M5" >"$T/drift"
is "$(cat "$T/drift")" "" "the man pages document every option, command, key, variable, event and exit status, and nothing else"

# The checker can fail: take one option out of acmelet.8, one key out of
# acmelet.conf.5, add an option that does not exist.
sed '/^\.It Fl -lock-wait /d' "$M8" >"$T/bad.8"
printf '.It Fl -no-such-option\n' >>"$T/bad.8"
sed '/^\.It Ic dns-wait /d' "$M5" >"$T/bad.5"
check "$T/bad.8" "$T/bad.5" >"$T/baddrift"
like "$(cat "$T/baddrift")" "option --lock-wait of cli.c has no" "the checker notices a missing option"
like "$(cat "$T/baddrift")" "key dns-wait has no" "the checker notices a missing key"
like "$(cat "$T/baddrift")" "documents --no-such-option" "the checker notices an option the program lacks"

# The README points to the man pages.
ok "README.md points to man/acmelet.8 and man/acmelet.conf.5" \
	sh -c 'grep -q "man/acmelet\.8" README.md && grep -q "man/acmelet\.conf\.5" README.md'

# man(1) of man-db renders both as it would after make install.
if command -v man >/dev/null; then
	for f in "$M8" "$M5"; do
		ok "man -l $f renders" sh -c "MANWIDTH=80 man -l '$f' 2>/dev/null | grep -q acmelet"
	done
else
	fail "man is installed (Debian package man-db)"
fi
done_testing
