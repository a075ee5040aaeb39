#!/usr/bin/env python3
"""A scripted ARI endpoint (RFC 9773 renewalInfo) for tests/unit/test_ari.c.

usage: ari_server.py CERT KEY PORTFILE

Listens on 127.0.0.1 on a free port, writes the port to PORTFILE once it
accepts connections, and exits by itself after a minute.

  GET /ri-<case>/<cert id>   renewal info; <case> chooses the answer:
      ok          window, no Retry-After
      ra<N>       window, Retry-After: N
      date<N>     window, Retry-After: an IMF-fixdate N seconds from now
      junk        window, Retry-After: soon
      nf          404 with a problem document
      nfwindow    404 with a window in the body (status must win)
      bad         200, a body that is not JSON
      inverted    window whose end is before its start
      empty       window whose end equals its start
      nowindow    no suggestedWindow
      badtime     a start that is not RFC 3339
  GET /stats                 "<renewal-info requests> <method> <path>" of
                             the last renewal-info request
"""
import json
import sys
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import tls_server  # noqa: E402 (beside this file)

START = "2025-01-02T04:00:00Z"
END = "2025-01-03T06:00:00.123+02:00"
EXPLAIN = "https://acme.example/docs/ari"


def window(start=START, end=END):
    return {"suggestedWindow": {"start": start, "end": end},
            "explanationURL": EXPLAIN}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=()):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def renewal_info(self, case):
        ctype = [("Content-Type", "application/json")]
        if case == "ok":
            self.reply(200, window(), ctype)
        elif case.startswith("ra"):
            self.reply(200, window(), ctype + [("Retry-After", case[2:])])
        elif case.startswith("date"):
            when = formatdate(time.time() + int(case[4:]), usegmt=True)
            self.reply(200, window(), ctype + [("Retry-After", when)])
        elif case == "junk":
            self.reply(200, window(), ctype + [("Retry-After", "soon")])
        elif case == "nf":
            self.reply(404, {"type": "urn:ietf:params:acme:error:malformed",
                             "detail": "no such certificate"},
                       [("Content-Type", "application/problem+json")])
        elif case == "nfwindow":
            self.reply(404, window(), ctype)
        elif case == "bad":
            self.reply(200, b'{"suggestedWindow": {"start": ', ctype)
        elif case == "inverted":
            self.reply(200, window(END, START), ctype)
        elif case == "empty":
            self.reply(200, window(START, "2025-01-02T05:00:00+01:00"), ctype)
        elif case == "nowindow":
            self.reply(200, {"explanationURL": EXPLAIN}, ctype)
        elif case == "badtime":
            self.reply(200, window("yesterday"), ctype)
        else:
            self.reply(500, b"unknown case")

    def handle_any(self):
        p = self.path
        if p == "/stats":
            s = self.server
            self.reply(200, ("%d %s %s" % (s.count, s.method, s.last))
                       .encode())
        elif p.startswith("/ri-") and "/" in p[4:]:
            self.server.count += 1
            self.server.method = self.command
            self.server.last = p
            self.renewal_info(p[4:].split("/", 1)[0])
        else:
            self.reply(404, b"nope")

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        self.handle_any()


class Server(tls_server.TLSServer):
    def __init__(self, ctx):
        super().__init__(Handler, ctx)
        self.count = 0
        self.method = "-"
        self.last = "-"


if __name__ == "__main__":
    tls_server.main(Server)
