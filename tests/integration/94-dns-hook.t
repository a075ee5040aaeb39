#!/bin/bash
# dns-01 through --challenge-hook with Debian's uacme package's own
# nsupdate.sh, unchanged (/usr/share/uacme/nsupdate.sh, a real script
# nobody here wrote), against BIND and Pebble. The script asks the
# system's DNS on port 53 and signs nothing; only its environment is
# arranged: `dig` and `nsupdate` in PATH
# are wrappers that send the real programs to this test's BIND (its port,
# its TSIG key). TYPE is dns-01, AUTH the TXT value.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
. tests/lib/bind.sh
require_acmelet
NSUPDATE_SH=/usr/share/uacme/nsupdate.sh
if [ ! -r "$NSUPDATE_SH" ]; then
	fail "uacme's nsupdate.sh at $NSUPDATE_SH (Debian: apt-get install uacme)"
	done_testing
fi
dns_setup

W=$PEBBLE_DIR/wrap
mkdir -p "$W"
cat >"$W/dig" <<EOF2
#!/bin/sh
# the real dig, at this test's BIND whatever server the script names
args=""
for a in "\$@"; do
	case \$a in @*) ;; *) args="\$args '\$a'" ;; esac
done
eval exec /usr/bin/dig -p $BIND_PORT @127.0.0.1 \$args
EOF2
cat >"$W/nsupdate" <<EOF2
#!/bin/sh
# the real nsupdate with this test's key, its "server" line pointed at BIND
sed "s/^[[:space:]]*server .*/server 127.0.0.1 $BIND_PORT/" |
	exec /usr/bin/nsupdate -k "$BIND_KEY" "\$@"
EOF2
chmod +x "$W/dig" "$W/nsupdate"

S=$PEBBLE_DIR/state
PATH=$W:$PATH run_acmelet "$S" --challenge dns-01 --challenge-hook "$NSUPDATE_SH" \
	issue hook.example.test
is "$RUN_RC" 0 "nsupdate.sh answered dns-01 for hook.example.test" || diag_file "$RUN_ERR"
is "$(san_names "$S/certs/hook.example.test/live/cert.pem")" hook.example.test \
	"its certificate names it"
is "$(bind_txt _acme-challenge.hook.example.test)" "" "nsupdate.sh removed the value (done)"

# Not a wildcard with its base name here: nsupdate.sh waits until the
# name holds exactly its own value (ns_ispresent compares the whole
# answer), so the second value at one name never satisfies it; the
# built-in method does that case (92-dns01.t).

done_testing
