# Running a whole TAP-producing program (another test, run with another
# binary) inside a test, to be sourced after tap.sh. Every result of the
# child becomes a result of ours, prefixed with DESC, so prove counts the
# child's passes, failures and skips as they are: a child's skip is never
# turned into a pass, and a child's pass never hides its broken plan.
#
#   run_child DESC CMD...   runs CMD; its result lines become ours, then
#                           one failing line for each thing wrong with the
#                           child as a whole: no plan, a plan it did not
#                           keep, no test at all, a non-zero exit with no
#                           failed test to explain it. A child that skips
#                           everything (1..0 # SKIP) is one skip here.
#                           Returns 0 when the child ran at least one test
#                           (or skipped itself whole) with nothing wrong.
#   CHILDREN_RAN            how many run_child calls ran a child that
#                           printed a plan: what a caller compares with the
#                           number of children it meant to run.

CHILDREN_RAN=0

run_child() {
	local desc=$1 out err rc line plan="" results=0 bad=0 skipped_all=""
	local status text directive
	shift
	out=$(mktemp) err=$(mktemp)
	"$@" >"$out" 2>"$err"
	rc=$?
	while IFS= read -r line; do
		case $line in
		'1..0 # '[Ss][Kk][Ii][Pp]*)
			plan=0 skipped_all=${line#1..0 # [Ss][Kk][Ii][Pp]} ;;
		1..[0-9]*)
			plan=${line#1..}
			plan=${plan%% *} ;;
		'ok '[0-9]* | 'not ok '[0-9]*)
			results=$((results + 1))
			status=ok
			[ "${line#not }" != "$line" ] && status=not
			text=${line#not }
			text=${text#ok }
			text=${text#"${text%%[!0-9]*}"} # the number
			text=${text# }
			text=${text#- }
			directive=""
			case $text in
			*' # '[Ss][Kk][Ii][Pp]* | '# '[Ss][Kk][Ii][Pp]*)
				directive=skip ;;
			*' # '[Tt][Oo][Dd][Oo]*) directive=todo ;;
			esac
			case $status.$directive in
			ok.skip)
				skip "$desc: $(sed -E 's/^(.*[ ]?)?#[ ]*[Ss][Kk][Ii][Pp][ ]*//' <<<"$text")" ;;
			ok.*) pass "$desc: $text" ;;
			not.todo)
				TAP_N=$((TAP_N + 1))
				printf 'not ok %d - %s: %s\n' "$TAP_N" "$desc" "$text" ;;
			*)
				bad=1
				fail "$desc: $text" ;;
			esac ;;
		esac
	done <"$out"
	if [ -z "$plan" ]; then
		bad=1
		fail "$desc: the child printed no plan (exit $rc): it died or never ran"
	elif [ -n "$skipped_all" ]; then
		skip "$desc:$skipped_all"
	elif [ "$plan" -eq 0 ]; then
		bad=1
		fail "$desc: the child ran no test"
	elif [ "$plan" -ne "$results" ]; then
		bad=1
		fail "$desc: the child planned $plan tests and ran $results"
	fi
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
		fail "$desc: the child exited $rc with no failed test"
	fi
	[ -n "$plan" ] && CHILDREN_RAN=$((CHILDREN_RAN + 1))
	if [ "$bad" -ne 0 ]; then
		diag "--- $desc: the child's diagnostics (last 40 lines):"
		tail -n 40 "$err" | sed 's/^/#   /' >&2
	fi
	rm -f "$out" "$err"
	[ "$bad" -eq 0 ]
}
