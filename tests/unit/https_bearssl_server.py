#!/usr/bin/env python3
"""HTTPS/1.1 server for test_http_bearssl: keep-alive, and raw answers the
transport must cope with (chunked, no length, interim 1xx, closing without
an answer, huge heads).

usage: https_bearssl_server.py ADDR CERT KEY [ADDR CERT KEY ...]
One listener per triple, on an ephemeral port of ADDR (loopback only).
Prints "PORTS p1 p2 ..." once listening; exits when stdin closes.
"""
import os
import socket
import ssl
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import hostile_http  # noqa: E402 (beside this file)

lock = threading.Lock()
state = {"conns": 0, "vanished": False}


def read_request(f):
    line = f.readline(65537)
    if not line:
        return None
    method, target, _version = line.decode("latin-1").rstrip("\r\n").split(" ")
    headers = {}
    while True:
        h = f.readline(65537)
        if h in (b"\r\n", b"\n", b""):
            break
        k, v = h.decode("latin-1").split(":", 1)
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    n = int(headers.get("content-length", ["0"])[0])
    body = f.read(n) if n else b""
    return method, target, headers, body


def reply(conn, status, headers, body, head=False, length=True):
    out = "HTTP/1.1 %d X\r\n" % status
    for k, v in headers:
        out += "%s: %s\r\n" % (k, v)
    if length:
        out += "Content-Length: %d\r\n" % len(body)
    out += "\r\n"
    conn.sendall(out.encode("latin-1") + (b"" if head else body))


def chunked(conn, parts, trailer=""):
    out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    for p in parts:
        out += b"%x;ext=1\r\n%s\r\n" % (len(p), p)
    out += b"0\r\n" + trailer.encode() + b"\r\n"
    conn.sendall(out)


def route(conn, cid, nreq, method, target, headers, body):
    """Answer one request; False closes the connection."""
    head = method == "HEAD"
    if target == "/hello":
        reply(conn, 200, [("Content-Type", "text/plain"),
                          ("Replay-Nonce", "nonce-abc_123"),
                          ("location", "https://example.test/acct/1"),
                          ("Retry-After", " 7 "),
                          ("Link", '<https://x.test/a>;rel="up"'),
                          ("LINK", '<https://x.test/b>;rel="alternate"')],
              b"hello world", head)
    elif target == "/conn":
        reply(conn, 200, [], b"conn=%d req=%d" % (cid, nreq), head)
    elif target == "/echo":
        g = lambda k: ",".join(headers.get(k, ["-"]))
        text = "method=%s\nhost=%s\nua=%s\nctype=%s\nclen=%s\naccept=%s\n" \
               "body=" % (method, g("host"), g("user-agent"),
                          g("content-type"), g("content-length"),
                          g("accept"))
        reply(conn, 201, [], text.encode() + body, head)
    elif target == "/chunked":
        chunked(conn, [b"Hel", b"lo, ", b"chunked", b" world"], "X-T: 1\r\n")
    elif target.startswith("/big/"):
        reply(conn, 200, [], b"x" * int(target[5:]), head)
    elif target.startswith("/bigchunked/"):
        n = int(target[12:])
        chunked(conn, [b"y" * 1000] * (n // 1000) + [b"y" * (n % 1000)])
    elif target == "/close":
        reply(conn, 200, [("Connection", "close")], b"bye", head)
        return False
    elif target == "/idle-close":
        reply(conn, 200, [], b"soon closed", head)
        time.sleep(0.2)
        return False
    elif target == "/vanish-once":
        with lock:
            first = not state["vanished"]
            state["vanished"] = True
        if first:
            return False
        reply(conn, 200, [], b"back", head)
    elif target == "/vanish":
        return False
    elif target == "/slow":
        time.sleep(3)
        reply(conn, 200, [], b"late", head)
    elif target == "/bighead":
        reply(conn, 200, [("X-Pad-%d" % i, "p" * 90) for i in range(100)],
              b"", head)
    elif target.startswith("/status/"):
        code = int(target[8:])
        reply(conn, code, [], b"", head, length=code not in (204, 304))
    elif target == "/noclen":
        reply(conn, 200, [("Connection", "close")], b"until close", head,
              length=False)
        return False
    elif target == "/info":
        conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </early>\r\n\r\n")
        reply(conn, 200, [("Link", "<https://x.test/final>")], b"final")
    elif target.startswith("/hostile/"):
        hostile_http.send(conn.makefile("wb"), target[9:])
        return False
    elif target == "/garbage":
        conn.sendall(b"HTTX/1.1 200 OK\r\n\r\n")
        return False
    else:
        reply(conn, 404, [], b"no such test route")
    return True


def serve(conn, cid):
    try:
        f = conn.makefile("rb")
        nreq = 0
        while True:
            req = read_request(f)
            if req is None:
                break
            nreq += 1
            if not route(conn, cid, nreq, *req):
                break
    except (OSError, ValueError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def listen(addr, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 0))
    s.listen(16)
    return s, ctx


def accept_loop(s, ctx):
    while True:
        raw, _ = s.accept()
        with lock:
            state["conns"] += 1
            cid = state["conns"]
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()  # the client refused our certificate: expected
            continue
        threading.Thread(target=serve, args=(conn, cid), daemon=True).start()


def main():
    args = sys.argv[1:]
    if len(args) == 0 or len(args) % 3:
        sys.exit(__doc__)
    ports = []
    for i in range(0, len(args), 3):
        s, ctx = listen(*args[i:i + 3])
        ports.append(str(s.getsockname()[1]))
        threading.Thread(target=accept_loop, args=(s, ctx),
                         daemon=True).start()
    print("PORTS " + " ".join(ports), flush=True)
    sys.stdin.read()  # the test closes our stdin when it is done
    os._exit(0)


if __name__ == "__main__":
    main()
