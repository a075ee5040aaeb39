#!/bin/bash
# Regenerates the committed seed corpora of tests/fuzz/seeds/ from real
# sources: Pebble's answers to a real issuance by build/acmelet, recorded
# on the wire by capture.py (HTTP/1.1 answers, their JSON bodies, the PEM
# chains), certificates and keys made by openssl, the journal and
# configuration files acmelet writes and documents. Not part of any test:
# run it by hand (make all first) and commit what changes.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/pebble.sh
set -e
SEEDS=tests/fuzz/seeds
# Problem documents too: badNonce often, and a refused name.
export PEBBLE_WFE_NONCEREJECT=40
export PEBBLE_CONFIG_EXTRA='"domainBlocklist": ["blocked.example.test"]'
pebble_start
W=$PEBBLE_DIR/capture
mkdir -p "$W"
python3 tests/fuzz/capture.py --upstream "$(echo "$ACME_URL" | cut -d/ -f3)" \
	--cert "$PEBBLE_DIR/cert.pem" --key "$PEBBLE_DIR/key.pem" \
	--out "$W" --port-file "$W/port" --max-seconds 120 &
for _ in $(seq 200); do [ -s "$W/port" ] && break; sleep 0.1; done
PROXY=https://127.0.0.1:$(cat "$W/port")/${ACME_URL#https://*/}
S=$PEBBLE_DIR/state
RUN_SERVER=$PROXY run_acmelet "$S" issue seed.example.test www.seed.example.test || true
cat "$RUN_ERR" >&2
RUN_SERVER=$PROXY run_acmelet "$S" --key-type rsa-2048 --force issue rsa.example.test || true
RUN_SERVER=$PROXY run_acmelet "$S" issue blocked.example.test || true
sleep 1

rm -rf "${SEEDS:?}"/{http1,json,pem,der,trust,journal,conffile,responder,chain}
mkdir -p "$SEEDS"/{http1,json,pem,der,trust,journal,conffile,responder,chain}
python3 - "$W" "$SEEDS" <<'PY'
import glob, hashlib, os, sys
sys.path.insert(0, "tests/fuzz")
from capture import split_responses
w, seeds = sys.argv[1], sys.argv[2]
def put(kind, data, prefix=b""):
    data = prefix + data
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(seeds, kind, name), "wb") as f:
        f.write(data)
seen = set()
for raw in sorted(glob.glob(w + "/conn-*.raw")):
    for resp in split_responses(open(raw, "rb").read()):
        head, _, body = resp.partition(b"\r\n\r\n")
        # One of each kind of answer, not every poll.
        key = (head.split(b"\r\n")[0], body[:40])
        if key in seen:
            continue
        seen.add(key)
        is_head = b"nonce" in head.lower() and not body
        # fuzz_http1: byte 0 = HEAD flag | read size, byte 1 = body cap.
        put("http1", resp, bytes([(6 << 1) | int(is_head), 3]))
        if body.lstrip().startswith(b"{"):
            put("json", body)
        if b"BEGIN CERTIFICATE" in body:
            put("pem", body)
            put("trust", body)
PY
# A long pipelined stream, as one kept-alive connection delivers it.
head -c 6000 "$(find "$W" -name 'conn-*.raw' -printf '%s %p\n' | sort -rn | head -n 1 | cut -d' ' -f2)" | { printf '\x08\x03'; cat; } >"$SEEDS/http1/stream"

# Certificates openssl makes: EC and RSA, IP and DNS SANs, a CA.
O=$PEBBLE_DIR/openssl
mkdir -p "$O"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$O/ec.key" -out "$O/ec.pem" -days 90 -subj /CN=ec.example.test \
	-addext "subjectAltName=DNS:ec.example.test,DNS:*.ec.example.test,IP:127.0.0.1,IP:::1" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$O/rsa.key" -out "$O/rsa.pem" \
	-days 30 -subj "/O=acmelet/CN=Fuzz Root CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
	-keyout "$O/p384.key" -out "$O/p384.pem" -days 365 -subj /CN=p384.example.test 2>/dev/null
for c in ec rsa p384; do
	cp "$O/$c.pem" "$SEEDS/pem/openssl-$c"
	cp "$O/$c.pem" "$SEEDS/trust/openssl-$c"
	openssl x509 -in "$O/$c.pem" -outform DER -out "$SEEDS/der/openssl-$c"
done
L=$S/certs/seed.example.test/live
cp "$L/fullchain.pem" "$SEEDS/pem/acmelet-fullchain"
cp "$L/fullchain.pem" "$SEEDS/chain/pebble-fullchain"
sh tests/fuzz/chain-seeds.sh "$SEEDS/chain"
openssl x509 -in "$L/cert.pem" -outform DER -out "$SEEDS/der/pebble-leaf"
openssl x509 -in "$L/chain.pem" -outform DER -out "$SEEDS/der/pebble-intermediate"
cat "$O/ec.pem" "$O/rsa.pem" "$L/chain.pem" >"$SEEDS/trust/bundle"
# Bytes after the DER inside the PEM block: the shape of issue 12's crash
# (regress/trust/ holds the input fuzz_trust found that really crashed).
{ echo "-----BEGIN CERTIFICATE-----"
  { openssl x509 -in "$O/ec.pem" -outform DER; printf 'trailing bytes'; } | base64
  echo "-----END CERTIFICATE-----"; } >"$SEEDS/trust/extra-bytes"
cp "$O/ec.key" "$SEEDS/pem/openssl-ec-key"

# What acmelet writes and reads itself.
for f in "$S"/certs/*/state; do
	cp "$f" "$SEEDS/journal/$(basename "$(dirname "$f")")"
done
# An issuance in progress, as a cut run leaves it (made by hand, same shape).
printf '{"order":"%s","names":"%s","gen":2,"failures":3,"next_try":1796000000,"last_error":"%s"}' \
	"${PROXY%/*}/my-order/Xb3kQ9" "$(printf seed.example.test | sha256sum | cut -c1-64)" \
	'seed.example.test: the CA says \"Invalid response\" (urn:ietf:params:acme:error:unauthorized); check the web server' \
	>"$SEEDS/journal/in-progress"
cat >"$SEEDS/conffile/example" <<'CONF'
# global settings
server = https://acme-v02.api.letsencrypt.org/directory
email = admin@example.com
agree-tos = yes
state-dir = /etc/acmelet

[cert example.com]
names = example.com www.example.com
key-type = ec-256
hook = /usr/libexec/acmelet-reload

[cert router.lan]
names = 192.0.2.1 router.example.net
key-type = rsa-2048
CONF

cat >"$SEEDS/conffile/every-key" <<'CONF'
server = https://127.0.0.1:14000/dir
ca-file = /etc/ssl/certs/ca-certificates.crt
state-dir = /var/lib/acmelet
email = ops@example.org
agree-tos = yes
http-port = 8080
http-addr = ::1
key-type = ec-384
account-key-type = rsa-3072
timeout = 30
log = syslog
verbose = yes
force = no
profile = shortlived
preferred-chain = ISRG Root X1
eab-kid = kid-1
eab-hmac-key = c2VjcmV0LWtleS1mb3ItZWFi
	; indented comment
[cert a]
names = a.example.org *.a.example.org
hook = /bin/true
[cert b]
name = b
names = 2001:db8::1
staging = yes
CONF

T=LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0
printf 'GET /.well-known/acme-challenge/%s HTTP/1.1\r\nHost: seed.example.test\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n' "$T" >"$SEEDS/responder/pebble-get"
printf 'HEAD /.well-known/acme-challenge/%s HTTP/1.0\n\n' "$T" >"$SEEDS/responder/head-lf"
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >"$SEEDS/responder/root"
printf 'POST /.well-known/acme-challenge/a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc' >"$SEEDS/responder/post"
# DNS answers of BIND and its TSIG key file (fuzz_dns, fuzz_dnskey).
rm -rf "$SEEDS/dns" "$SEEDS/dnskey"
bash tests/fuzz/dns-seeds.sh "$SEEDS/dns"
du -sh "$SEEDS"/*
