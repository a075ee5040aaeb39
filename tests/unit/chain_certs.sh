#!/bin/sh
# Chains for test_chain_check, all P-256 (RSA for one intermediate), made
# by openssl in DIR:
#   root, int      root CA and an intermediate it signed
#   int2           another intermediate with int's very name, its own key
#   rsaint         an RSA-2048 intermediate signed by root
#   leaf.key       the certificate key; leaf.pem for a.example, b.example
#                  signed by int; rsaleaf.pem the same signed by rsaint
#   other.pem      a.example, b.example for another key (signed by int)
# usage: chain_certs.sh DIR
set -eu
cd "$1"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca_ext() { printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'; }
leaf_ext() { printf 'subjectAltName=DNS:a.example,DNS:b.example\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n'; }
sign() { # csr ca ext out
	openssl x509 -req -in "$1" -CA "$2.pem" -CAkey "$2.key" -set_serial \
		"0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" -days 30 \
		-extfile "$3" -out "$4" 2>/dev/null
}
ca_ext > ca.ext
leaf_ext > leaf.ext
key root.key
openssl req -x509 -new -key root.key -subj "/CN=chain test root" -days 60 \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
for i in int int2; do
	key $i.key
	openssl req -new -key $i.key -subj "/CN=chain test intermediate" -out $i.csr
	sign $i.csr root ca.ext $i.pem
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsaint.key 2>/dev/null
openssl req -new -key rsaint.key -subj "/CN=chain test RSA intermediate" -out rsaint.csr
sign rsaint.csr root ca.ext rsaint.pem
for l in leaf other; do
	key $l.key
	openssl req -new -key $l.key -subj "/CN=a.example" -out $l.csr
	sign $l.csr int leaf.ext $l.pem
done
sign leaf.csr rsaint leaf.ext rsaleaf.pem
