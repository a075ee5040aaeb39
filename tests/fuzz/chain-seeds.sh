#!/bin/sh
# Seeds for fuzz_chain: chains openssl makes for the harness's fixed leaf
# key (taken from fuzz_chain.c) and names a.example, b.example, valid from
# now for 30 days (the harness's clock is fixed a day after they were
# made). Uses tests/unit/chain_certs.sh for the CAs. Called by
# make-seeds.sh; usage: chain-seeds.sh OUTDIR
set -eu
out=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
sh "$here/../unit/chain_certs.sh" "$w"
cd "$w"
sed -n '/BEGIN PRIVATE KEY/,/END PRIVATE KEY/s/^"\(.*\)\\n";\{0,1\}$/\1/p' "$here/fuzz_chain.c" >fixed.key
openssl req -new -key fixed.key -subj "/CN=a.example" -out fixed.csr
for ca in int rsaint; do
	openssl x509 -req -in fixed.csr -CA $ca.pem -CAkey $ca.key -set_serial 0x1234 \
		-days 30 -extfile leaf.ext -out $ca-leaf.pem 2>/dev/null
done
cat int-leaf.pem int.pem >"$out/leaf-int"
cat int-leaf.pem int.pem root.pem >"$out/leaf-int-root"
cat rsaint-leaf.pem rsaint.pem root.pem >"$out/rsa-int-root"
cat int-leaf.pem int2.pem >"$out/wrong-intermediate"
cat other.pem int.pem >"$out/other-key"
cp int-leaf.pem "$out/leaf-only"
