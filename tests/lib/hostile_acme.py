#!/usr/bin/env python3
"""A misbehaving ACME server for tests/integration/68-hostile-ca.t.

Scripted on purpose: neither Pebble can be told to misbehave like this
(endless trailers, http:// URLs, broken chains, escape codes...). Its good
path is just enough RFC 8555 for acmelet: directory, nonces, account,
order, authorizations, http-01 validation (it fetches the token from
acmelet's responder), finalize and the chain. Signatures are not checked:
only acmelet's side is under test.

usage: hostile_acme.py DIR HTTP_PORT
  Writes DIR/ca.pem (the TLS certificate to pass as --ca-file) and then
  DIR/port once it listens on 127.0.0.1. Before every answer it reads the
  mode, one word, from DIR/mode ("good" when the file is absent):

  good          behave
  trailers      the certificate download ends in trailer lines without end
  continue      the finalize answer is 100 Continue without end
  drip          order polls answer one byte every 0.2 s
  http-dir      the directory's newOrder URL is http://
  http-location newOrder's Location is http://
  badpem        the chain is the leaf, then a malformed PEM block
  expired       the leaf expired yesterday
  future        the leaf is valid from tomorrow
  badsig        the intermediate served has the right name, another key
  escape-detail newOrder fails with a problem full of newlines and escapes
  escape-url    the order's finalize URL holds escape codes
  no-nonce      no answer carries a Replay-Nonce
  badnonce      every other signed request is refused with badNonce (a
                fresh nonce each time)
  badnonce-all  every signed request is refused with badNonce (fresh ones)
  hold          challenges are not validated until DIR/release exists
  badtoken      the challenge token is a path ("../../x") instead of base64url
  hold-finalize finalize is not answered until DIR/release exists
  hold-cert     the certificate is not served until DIR/release exists
  retry-after   not hostile, Boulder's way (Let's Encrypt): finalize answers
                "processing" with Retry-After: 1, and the order is valid
                1 s later (neither Pebble sends a Retry-After there)

An order made under another mode than the current one is "invalid", so
that each case meets its misbehaviour on a new order; the badnonce and
hold modes leave orders alone. A challenge once posted is "processing"
until validated, as Pebble has it.

Each endless answer stops after 60 s or when the client hangs up. Every
signed request's URL path is appended to DIR/requests.
"""
import base64
import datetime
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.request

sys.dont_write_bytecode = True
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

DIR, HTTP_PORT = sys.argv[1], int(sys.argv[2])
LOCK = threading.Lock()
STATE = {"nonces": set(), "n": 0, "orders": {}, "signed": 0, "acct": False}
ENDLESS_S = 60
NOW = datetime.datetime.now(datetime.timezone.utc)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(subject, key, issuer, issuer_key, ca, not_before, not_after,
              sans=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key).serial_number(x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), True))
    if sans is not None:
        b = b.add_extension(x509.SubjectAlternativeName(sans), False)
    return b.sign(issuer_key, hashes.SHA256())


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


DAY = datetime.timedelta(days=1)
ROOT_KEY, INT_KEY, EVIL_KEY = new_key(), new_key(), new_key()
ROOT = make_cert(name("hostile root"), ROOT_KEY.public_key(),
                 name("hostile root"), ROOT_KEY, True, NOW - DAY, NOW + 3650 * DAY)
INT = make_cert(name("hostile intermediate"), INT_KEY.public_key(),
                name("hostile root"), ROOT_KEY, True, NOW - DAY, NOW + 3650 * DAY)
EVIL = make_cert(name("hostile intermediate"), EVIL_KEY.public_key(),
                 name("hostile root"), ROOT_KEY, True, NOW - DAY, NOW + 3650 * DAY)


def tls_context():
    key = new_key()
    cert = make_cert(name("localhost"), key.public_key(), name("localhost"),
                     key, False, NOW - DAY, NOW + 3650 * DAY,
                     [x509.DNSName("localhost"),
                      x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))])
    with open(os.path.join(DIR, "ca.pem"), "wb") as f:
        f.write(pem(cert))
    with open(os.path.join(DIR, "tls-key.pem"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(DIR, "ca.pem"),
                        os.path.join(DIR, "tls-key.pem"))
    return ctx


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().strip() or "good"
    except OSError:
        return "good"


def sticky():
    return mode().startswith("badnonce") or mode().startswith("hold")


def wait_release():
    end = time.monotonic() + ENDLESS_S
    while not os.path.exists(os.path.join(DIR, "release")):
        if time.monotonic() > end:
            return
        time.sleep(0.05)


def b64u_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def nonce():
    with LOCK:
        STATE["n"] += 1
        v = base64.urlsafe_b64encode(os.urandom(12)).decode().rstrip("=")
        STATE["nonces"].add(v)
        return v


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.f = sock.makefile("rb")

    def read_request(self):
        line = self.f.readline(65537)
        if not line:
            return None
        method, target, _ = line.decode("latin-1").rstrip("\r\n").split(" ")
        headers = {}
        while True:
            h = self.f.readline(65537)
            if h in (b"\r\n", b"\n", b""):
                break
            k, v = h.decode("latin-1").split(":", 1)
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        body = self.f.read(n) if n else b""
        return method, target, headers, body

    def send(self, data):
        self.sock.sendall(data)

    def reply(self, status, body=b"", headers=(), ctype="application/json",
              fresh_nonce=True):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        out = "HTTP/1.1 %d X\r\n" % status
        hs = list(headers)
        if fresh_nonce and mode() != "no-nonce":
            hs.append(("Replay-Nonce", nonce()))
        if ctype:
            hs.append(("Content-Type", ctype))
        hs.append(("Content-Length", str(len(body))))
        for k, v in hs:
            out += "%s: %s\r\n" % (k, v)
        self.send(out.encode("latin-1") + b"\r\n" + body)


def base():
    return "https://127.0.0.1:%d" % PORT


def problem(conn, status, typ, detail):
    conn.reply(status, {"type": "urn:ietf:params:acme:error:" + typ,
                        "detail": detail}, ctype="application/problem+json")


def directory():
    d = {"newNonce": base() + "/nonce", "newAccount": base() + "/acct",
         "newOrder": base() + "/new-order", "revokeCert": base() + "/revoke",
         "keyChange": base() + "/key-change"}
    if mode() == "http-dir":
        d["newOrder"] = d["newOrder"].replace("https://", "http://")
    return d


def order_json(oid):
    o = STATE["orders"][oid]
    fin = base() + "/finalize/%d" % oid
    if o["mode"] == "escape-url":
        fin = base() + "/fin\x1b[31mal\nize\x07/%d" % oid
    # An order made under another mode is invalid now, so that acmelet
    # makes a new one and each case meets its own misbehaviour.
    status = o["status"] if o["mode"] == mode() or sticky() else "invalid"
    if status == "processing" and time.time() >= o["valid_at"]:
        status = o["status"] = "valid"
    j = {"status": status, "identifiers": o["ids"],
         "authorizations": [base() + "/authz/%d/%d" % (oid, i)
                            for i in range(len(o["ids"]))],
         "finalize": fin}
    if status == "valid":
        j["certificate"] = base() + "/cert/%d" % oid
    return j


def authz_json(oid, i):
    o = STATE["orders"][oid]
    a = o["authz"][i]
    cst = "processing" if a["status"] == "pending" and a.get("posted") \
        else a["status"]
    return {"status": a["status"], "identifier": o["ids"][i],
            "challenges": [{"type": "http-01", "status": cst,
                            "url": base() + "/chall/%d/%d" % (oid, i),
                            "token": a["token"]}]}


def validate(oid, i):
    """Fetch the token from acmelet's responder, as a CA would."""
    if mode() == "hold":
        wait_release()
    a = STATE["orders"][oid]["authz"][i]
    url = "http://127.0.0.1:%d/.well-known/acme-challenge/%s" % (HTTP_PORT,
                                                                a["token"])
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            ok = r.read().decode().startswith(a["token"] + ".")
    except Exception:
        ok = False
    with LOCK:
        a["status"] = "valid" if ok else "invalid"
        o = STATE["orders"][oid]
        st = [x["status"] for x in o["authz"]]
        if "invalid" in st:
            o["status"] = "invalid"
        elif all(s == "valid" for s in st):
            o["status"] = "ready"


def leaf_chain(oid):
    o = STATE["orders"][oid]
    csr = x509.load_der_x509_csr(o["csr"])
    sans = csr.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    now = datetime.datetime.now(datetime.timezone.utc)
    nb, na = now - datetime.timedelta(hours=1), now + 90 * DAY
    m = mode()
    if m == "expired":
        nb, na = now - 10 * DAY, now - DAY
    elif m == "future":
        nb, na = now + DAY, now + 91 * DAY
    leaf = make_cert(csr.subject, csr.public_key(), INT.subject, INT_KEY,
                     False, nb, na, list(sans))
    if m == "badpem":
        return pem(leaf) + (b"-----BEGIN CERTIFICATE-----\nMIIB!!notbase64\n"
                            b"-----END CERTIFICATE-----\n")
    return pem(leaf) + pem(EVIL if m == "badsig" else INT)


def endless(conn, head, unit):
    end = time.monotonic() + ENDLESS_S
    try:
        conn.send(head)
        while time.monotonic() < end:
            conn.send(unit * (65536 // len(unit)))
    except OSError:
        pass


def drip(conn, status, body):
    body = json.dumps(body).encode()
    end = time.monotonic() + ENDLESS_S
    try:
        conn.send(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                  b"Replay-Nonce: %s\r\nContent-Length: %d\r\n\r\n"
                  % (status, nonce().encode(), len(body)))
        for b in body:
            if time.monotonic() > end:
                break
            conn.send(bytes([b]))
            time.sleep(0.2)
    except OSError:
        pass


def signed(conn, path, body):
    """A JWS POST: nonce policy first, then the route. False: close."""
    jws = json.loads(body)
    prot = json.loads(b64u_decode(jws["protected"]))
    payload = b64u_decode(jws["payload"]) if jws["payload"] else b""
    with open(os.path.join(DIR, "requests"), "a") as f:
        f.write(path + "\n")
    with LOCK:
        known = prot.get("nonce") in STATE["nonces"]
        STATE["nonces"].discard(prot.get("nonce"))
        STATE["signed"] += 1
        odd = STATE["signed"] % 2 == 1
    if not known or (mode() == "badnonce" and odd) or mode() == "badnonce-all":
        problem(conn, 400, "badNonce", "nonce refused, take the fresh one")
        return True
    args = json.loads(payload) if payload else None
    return route_signed(conn, path, args)


def route_signed(conn, path, args):
    m, parts = mode(), path.strip("/").split("/")
    if path == "/acct":
        if args and args.get("onlyReturnExisting") and not STATE["acct"]:
            problem(conn, 400, "accountDoesNotExist", "no account")
            return True
        STATE["acct"] = True
        conn.reply(201, {"status": "valid"},
                   [("Location", base() + "/acct/1")])
    elif path == "/new-order":
        if m == "escape-detail":
            problem(conn, 400, "rejectedIdentifier",
                    "no\nacmelet: a.example: new certificate is live until "
                    "2099-01-01\x1b[2J\x1b]0;owned\x07\r\x9b31m")
            return True
        with LOCK:
            oid = len(STATE["orders"]) + 1
            STATE["orders"][oid] = {
                "ids": args["identifiers"], "status": "pending", "mode": m,
                "authz": [{"status": "pending", "token":
                           "../../acmelet-bad-token" if m == "badtoken" else
                           base64.urlsafe_b64encode(os.urandom(24)).decode()
                           .rstrip("=")} for _ in args["identifiers"]]}
        loc = base() + "/order/%d" % oid
        if m == "http-location":
            loc = loc.replace("https://", "http://")
        conn.reply(201, order_json(oid), [("Location", loc)])
    elif parts[0] == "order":
        if m == "drip":
            drip(conn, 200, order_json(int(parts[1])))
            return False
        conn.reply(200, order_json(int(parts[1])))
    elif parts[0] == "authz":
        conn.reply(200, authz_json(int(parts[1]), int(parts[2])))
    elif parts[0] == "chall":
        oid, i = int(parts[1]), int(parts[2])
        STATE["orders"][oid]["authz"][i]["posted"] = True
        threading.Thread(target=validate, args=(oid, i), daemon=True).start()
        j = authz_json(oid, i)["challenges"][0]
        j["status"] = "processing"
        conn.reply(200, j)
    elif parts[0] in ("finalize", "fin\x1b[31mal\nize\x07"):
        oid = int(parts[-1])
        if m == "continue":
            endless(conn, b"", b"HTTP/1.1 100 Continue\r\n\r\n")
            return False
        if m == "hold-finalize":
            wait_release()
        o = STATE["orders"][oid]
        o["csr"] = b64u_decode(args["csr"])
        if m == "retry-after":
            o["status"], o["valid_at"] = "processing", time.time() + 1
            conn.reply(200, order_json(oid), [("Retry-After", "1")])
            return True
        o["status"] = "valid"
        conn.reply(200, order_json(oid))
    elif parts[0] == "cert":
        if m == "hold-cert":
            wait_release()
        chain = leaf_chain(int(parts[1]))
        if m == "trailers":
            endless(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                    b"Content-Type: application/pem-certificate-chain\r\n\r\n"
                    b"%x\r\n%s\r\n0\r\n" % (len(chain), chain),
                    b"X-Trailer: " + b"t" * 1000 + b"\r\n")
            return False
        conn.reply(200, chain, ctype="application/pem-certificate-chain")
    else:
        problem(conn, 404, "malformed", "no such resource")
    return True


def handle(conn, method, target, body):
    if target == "/dir" and method == "GET":
        conn.reply(200, directory(), fresh_nonce=False)
    elif target == "/nonce":
        conn.reply(200 if method == "HEAD" else 204, ctype=None)
    elif method == "POST":
        return signed(conn, target, body)
    else:
        problem(conn, 405, "malformed", "method not allowed")
    return True


def serve(sock, ctx):
    try:
        tls = ctx.wrap_socket(sock, server_side=True)
    except (OSError, ssl.SSLError):
        sock.close()
        return
    conn = Conn(tls)
    try:
        while True:
            req = conn.read_request()
            if req is None or not handle(conn, req[0], req[1], req[3]):
                break
    except (OSError, ValueError, ssl.SSLError):
        pass
    finally:
        try:
            tls.close()
        except OSError:
            pass


def main():
    global PORT
    ctx = tls_context()
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    PORT = ls.getsockname()[1]
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % PORT)
    os.rename(tmp, os.path.join(DIR, "port"))
    while True:
        s, _ = ls.accept()
        threading.Thread(target=serve, args=(s, ctx), daemon=True).start()


PORT = 0
if __name__ == "__main__":
    main()
