#!/usr/bin/env python3
"""A TLS relay that records what an ACME server sends, for seed corpora.

usage: capture.py --upstream HOST:PORT --cert PEM --key PEM --out DIR
                  --port-file FILE [--max-seconds N]

Listens on 127.0.0.1 (a port the kernel picks, written to --port-file),
terminates TLS with --cert/--key, and relays every byte to and from
--upstream over TLS (not verified: a loopback Pebble). Nothing is changed:
the client's Host header reaches the server, so its URLs point back here.
Each connection's bytes from the server go to DIR/conn-N.raw exactly as
they came off the wire; split_responses() cuts them into single answers.
Used only by tests/fuzz/make-seeds.sh, never by a test.
"""
import argparse
import os
import socket
import ssl
import sys
import threading
import time


def relay(src, dst, sink):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if sink:
                sink.write(data)
                sink.flush()
            dst.sendall(data)
    except OSError:
        pass
    for s in (dst, src):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn, n, args, up_host, up_port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        up = ctx.wrap_socket(socket.create_connection((up_host, up_port)),
                             server_hostname=up_host)
    except OSError:
        conn.close()
        return
    with open(os.path.join(args.out, "conn-%03d.raw" % n), "wb") as sink:
        t = threading.Thread(target=relay, args=(conn, up, None), daemon=True)
        t.start()
        relay(up, conn, sink)
        t.join(5)
    conn.close()
    up.close()


def split_responses(raw):
    """Cut a server byte stream into whole HTTP/1.1 answers."""
    out = []
    while raw:
        end = raw.find(b"\r\n\r\n")
        if end < 0:
            break
        head = raw[:end + 4]
        lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.strip()
        pos = end + 4
        status = int(lines[0].split()[1])
        if "chunked" in fields.get("transfer-encoding", ""):
            while True:
                le = raw.index(b"\r\n", pos)
                size = int(raw[pos:le].split(b";")[0], 16)
                pos = le + 2 + size + 2
                if size == 0:
                    break
        elif status >= 200 and status not in (204, 304):
            pos += int(fields.get("content-length", "0"))
        out.append(raw[:pos])
        raw = raw[pos:]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--max-seconds", type=int, default=300)
    args = ap.parse_args()
    up_host, up_port = args.upstream.rsplit(":", 1)
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(args.cert, args.key)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    ls.settimeout(1)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    deadline = time.time() + args.max_seconds
    n = 0
    while time.time() < deadline:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        try:
            c = sctx.wrap_socket(c, server_side=True)
        except (OSError, ssl.SSLError):
            c.close()
            continue
        n += 1
        threading.Thread(target=serve, args=(c, n, args, up_host,
                                             int(up_port)),
                         daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
