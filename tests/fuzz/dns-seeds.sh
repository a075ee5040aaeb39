#!/bin/bash
# Seeds for fuzz_dns and fuzz_dnskey: real answers of BIND 9 (the DNS
# tests' fixture, tests/lib/bind.sh) recorded as they came, and the TSIG
# key file tsig-keygen wrote for it. The queries are built by hand below;
# the update answer comes from nsupdate's TSIG-signed request, so its
# answer carries a TSIG record. Called by make-seeds.sh, or by hand:
# dns-seeds.sh OUTDIR
cd "$(dirname "$0")/../.." || exit 1
out=$(mkdir -p "$1" && cd "$1" && pwd) || exit 1
. tests/lib/tap.sh
. tests/lib/bind.sh
bind_start || exit 1
mkdir -p "$out/../dnskey"
cp "$BIND_KEY" "$out/../dnskey/tsig-keygen"
bind_nsupdate "update add _acme-challenge.a.example.test 60 TXT \"seed-value-1\"" \
	"update add _acme-challenge.a.example.test 60 TXT \"$(printf 'x%.0s' $(seq 200))\" \"$(printf 'y%.0s' $(seq 200))\"" send
python3 - "$BIND_PORT" "$out" <<'PY'
import socket, struct, sys
port, out = int(sys.argv[1]), sys.argv[2]
def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".") if l) + b"\0"
def ask(tag, qname, qtype, tcp=False):
    q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + name(qname) + struct.pack(">HH", qtype, 1)
    if tcp:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(struct.pack(">H", len(q)) + q)
        n = struct.unpack(">H", s.recv(2))[0]
        a = b""
        while len(a) < n:
            a += s.recv(n - len(a))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        s.sendto(q, ("127.0.0.1", port))
        a = s.recv(65535)
    open("%s/%s" % (out, tag), "wb").write(a)
ask("txt", "_acme-challenge.a.example.test", 16)
ask("txt-tcp", "_acme-challenge.a.example.test", 16, tcp=True)
ask("cname", "_acme-challenge.cname.example.test", 16)
ask("soa", "example.test", 6)
ask("ns", "example.test", 2)
ask("nxdomain", "nothing.here.example.test", 16)
ask("refused", "example.org", 16)
ask("a", "www.example.test", 1)
PY
