#!/bin/sh
# Certificates for test_http_bearssl, all P-256, made by openssl in DIR:
#   ca.pem        test CA ("/CN=acmelet test CA"), ca.pub.der its public key
#   ca2.pem       another CA, trusted by nobody
#   good.pem      localhost, 127.0.0.1, ::1            (signed by ca)
#   other.pem     other.example only                   (signed by ca)
#   unknown.pem   localhost, 127.0.0.1                 (signed by ca2)
#   dnsip.pem     DNS name "127.0.0.1", no IP SAN      (signed by ca)
#   expired.pem   localhost, 127.0.0.1, valid 2020-2021 (signed by ca)
#   bundle.pem    ca2.pem, some text, ca.pem
#   good.der, dnsip.der   the same certificates in DER
# usage: https_bearssl_certs.sh DIR
set -eu
d=$1
mkdir -p "$d"
cd "$d"

key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1" 2>/dev/null
}

ca() { # name cn
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 30 \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}

ext() { # san
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$1"
	printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n'
}

leaf() { # name ca san
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
	ext "$3" > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
		-set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
		-days 30 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}

ca ca "acmelet test CA"
ca ca2 "acmelet untrusted CA"
openssl pkey -in ca.key -pubout -outform DER -out ca.pub.der
leaf good ca "DNS:localhost,IP:127.0.0.1,IP:::1"
leaf other ca "DNS:other.example"
leaf unknown ca2 "DNS:localhost,IP:127.0.0.1"
leaf dnsip ca "DNS:127.0.0.1"

# openssl x509 (3.0) cannot backdate; openssl ca can.
key expired.key
openssl req -new -key expired.key -subj "/CN=expired" -out expired.csr
ext "DNS:localhost,IP:127.0.0.1" > expired.ext
mkdir -p newcerts
: > index.txt
echo 01 > serial
cat > ca.cnf <<'EOF'
[ca]
default_ca = test
[test]
dir = .
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
EOF
openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key \
	-in expired.csr -out expired.pem -extfile expired.ext \
	-startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null

{ cat ca2.pem; echo "some words between objects"; cat ca.pem; } > bundle.pem
openssl x509 -in good.pem -outform DER -out good.der
openssl x509 -in dnsip.pem -outform DER -out dnsip.der
