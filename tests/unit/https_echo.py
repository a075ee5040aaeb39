#!/usr/bin/env python3
"""A small HTTPS/1.1 server with keep-alive for tests/unit/test_http_curl.c.

usage: https_echo.py CERT KEY PORTFILE

Listens on 127.0.0.1 on a free port and writes that port to PORTFILE once
it accepts connections. Exits by itself after a minute so a crashed test
leaves nothing behind.

  GET|HEAD /hello      ACME-like headers (odd case, padded values, 2 Links)
  GET /big/N           N bytes of body
  GET /longheaders     headers longer than acmelet's fields
  GET /redirect        302 to /hello (must not be followed)
  GET /status/N        status N
  GET /slow            answers after 3 s
  GET /early           103 with headers, then 200 with others
  GET /conns           number of TCP connections accepted so far
  POST /echo           "METHOD CONTENT-TYPE USER-AGENT EXPECT\\n" + body
  GET /hostile/trailers   a chunked body, then trailer lines without end
  GET /hostile/continue   100 Continue answers without end
  GET /hostile/drip       a 100000-byte body, one byte every 10 ms
The hostile answers stop after 30 s, so a client that does not hold its
bounds fails (wrong error) instead of hanging.
"""
import sys
import time
from http.server import BaseHTTPRequestHandler

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import tls_server  # noqa: E402 (beside this file)
import hostile_http  # noqa: E402 (beside this file)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=(), head=False):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def hello(self, head):
        port = self.server.server_address[1]
        self.reply(200, b'{"hello":"world"}', [
            ("content-TYPE", "application/json"),
            ("replay-NONCE", "  nonce-abc_123 \t"),
            ("LOCATION", "https://127.0.0.1:%d/acme/order/1" % port),
            ("Link", '<https://127.0.0.1/dir>;rel="index"'),
            ("Link", '<https://127.0.0.1/cert/1/alt>;rel="alternate"'),
            ("RETRY-after", "7"),
        ], head)

    def do_HEAD(self):
        if self.path == "/hello":
            self.hello(True)
        else:
            self.reply(404, b"", head=True)

    def do_GET(self):
        p = self.path
        if p == "/hello":
            self.hello(False)
        elif p.startswith("/big/"):
            n = int(p[5:])
            self.reply(200, bytes(ord("a") + i % 26 for i in range(n)))
        elif p == "/longheaders":
            self.reply(200, b"long", [
                ("Location", "https://x/" + "L" * 2000),
                ("Replay-Nonce", "N" * 500),
                ("Retry-After", "R" * 100),
                ("Content-Type", "C" * 200),
            ] + [("Link", "<https://x/%02d%s>" % (i, "k" * 90))
                 for i in range(30)])
        elif p == "/redirect":
            self.reply(302, b"moved", [("Location", "/hello")])
        elif p.startswith("/status/"):
            self.reply(int(p[8:]), b"nope")
        elif p == "/slow":
            time.sleep(3)
            self.reply(200, b"late")
        elif p == "/early":
            self.send_response_only(103)
            self.send_header("Link", "<https://127.0.0.1/early>")
            self.send_header("Replay-Nonce", "early")
            self.end_headers()
            self.reply(200, b"final", [("Replay-Nonce", "final")])
        elif p.startswith("/hostile/"):
            hostile_http.send(self.wfile, p[9:])
            self.close_connection = True
        elif p == "/conns":
            self.reply(200, str(self.server.conns).encode())
        else:
            self.reply(404, b"nope")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        line = "%s %s %s %s\n" % (self.command,
                                  self.headers.get("Content-Type", "-"),
                                  self.headers.get("User-Agent", "-"),
                                  self.headers.get("Expect", "-"))
        self.reply(200, line.encode() + body, [("Content-Type", "text/plain")])


if __name__ == "__main__":
    tls_server.main(lambda ctx: tls_server.TLSServer(Handler, ctx))
