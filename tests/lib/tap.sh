# TAP helpers for shell tests, to be sourced. prove reads what they print.
#
#   ok DESC CMD [ARG...]     passes when CMD exits 0
#   pass DESC / fail DESC    an outcome decided by the caller
#   is GOT WANT DESC         string equality
#   isnt GOT UNWANTED DESC   string inequality
#   like GOT ERE DESC        GOT matches the extended regex
#   unlike GOT ERE DESC      GOT does not match it
#   diag MSG... / note MSG... a comment on stderr (always shown) / stdout
#   diag_file FILE [N]       the last N lines (default 20) of FILE as diag
#   skip REASON [COUNT]      COUNT tests counted as skipped
#   skip_all REASON          no test here at all; exits 0
#   bail_out REASON          stop the whole prove run
#   done_testing             prints the plan; exits 1 if anything failed
#
# Assertions never abort the script: a test goes on after a failure, so
# one run shows every broken thing. A script that dies before
# done_testing has no plan, and prove counts that as a failure.

TAP_N=0
TAP_FAILED=0

tap_result_() { # STATUS DESC: print one result line and count it
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$TAP_N" "$2"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		printf 'not ok %d - %s\n' "$TAP_N" "$2"
		local i=1
		while [ "$i" -lt "${#BASH_SOURCE[@]}" ] &&
			[ "${BASH_SOURCE[$i]}" = "${BASH_SOURCE[0]}" ]; do
			i=$((i + 1))
		done
		printf '#   failed at %s line %s\n' "${BASH_SOURCE[$i]:-?}" \
			"${BASH_LINENO[$((i - 1))]:-?}" >&2
	fi
	return "$1"
}

ok() {
	local desc=$1
	shift
	"$@"
	tap_result_ $? "$desc"
}

pass() { tap_result_ 0 "$1"; }
fail() { tap_result_ 1 "$1"; }

is() {
	if [ "$1" = "$2" ]; then
		tap_result_ 0 "$3"
	else
		tap_result_ 1 "$3"
		diag "  got: '$1'" "want: '$2'"
		return 1
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then
		tap_result_ 0 "$3"
	else
		tap_result_ 1 "$3"
		diag "  got: '$1'" "want anything else"
		return 1
	fi
}

like() {
	if [[ $1 =~ $2 ]]; then
		tap_result_ 0 "$3"
	else
		tap_result_ 1 "$3"
		diag "   got: '$1'" "match: /$2/"
		return 1
	fi
}

unlike() {
	if ! [[ $1 =~ $2 ]]; then
		tap_result_ 0 "$3"
	else
		tap_result_ 1 "$3"
		diag "     got: '$1'" "no match: /$2/"
		return 1
	fi
}

diag() {
	local line
	for line in "$@"; do
		printf '# %s\n' "$line" >&2
	done
}

note() {
	local line
	for line in "$@"; do
		printf '# %s\n' "$line"
	done
}

diag_file() {
	[ -r "$1" ] || { diag "($1: not readable)"; return 0; }
	diag "--- last ${2:-20} lines of $1:"
	tail -n "${2:-20}" "$1" | sed 's/^/#   /' >&2
}

skip() {
	local n=${2:-1}
	while [ "$n" -gt 0 ]; do
		TAP_N=$((TAP_N + 1))
		printf 'ok %d # skip %s\n' "$TAP_N" "$1"
		n=$((n - 1))
	done
}

skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

bail_out() {
	printf 'Bail out! %s\n' "$1"
	exit 255
}

done_testing() {
	printf '1..%d\n' "$TAP_N"
	[ "$TAP_FAILED" -eq 0 ] || diag "$TAP_FAILED of $TAP_N tests failed"
	[ "$TAP_FAILED" -eq 0 ] && exit 0
	exit 1
}
