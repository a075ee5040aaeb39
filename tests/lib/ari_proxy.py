#!/usr/bin/env python3
"""A scripted HTTPS reverse proxy in front of Pebble, adding ARI.

It exists because Debian's Pebble 2.4 has no ARI (RFC 9773 renewalInfo):
to test acmelet's renewal-info path end to end, this proxy adds the one
thing Pebble lacks and passes everything else to Pebble unchanged.

usage: ari_proxy.py --upstream https://127.0.0.1:PORT/dir --cert PEM --key PEM
                    --ca-file PEM --control FILE --log FILE --orders FILE
                    --port-file FILE [--owner PID] [--max-seconds N]

Listens on 127.0.0.1 on a port the kernel picks and writes that port to
--port-file once it accepts connections. --upstream is Pebble's directory
URL: its host and port say where Pebble is. Every request is forwarded to
--upstream as it came: method, path, body and headers, the Host header
included, so Pebble builds its URLs (directory, Location, Link) with the
proxy's address and checks each JWS "url" against it. Except:

  GET <--upstream's path>         Pebble's directory plus
                                  "renewalInfo": "https://<Host>/renewal-info"
  GET /renewal-info/<id>          answered here from --control, read per
                                  request: JSON {"mode": M, "retry_after": S}
      past      200, suggestedWindow two days ago .. one day ago
      future    200, suggestedWindow 300 .. 301 days from now
      status500 500 with a problem document
      garbage   200, a body that is not JSON
      nowindow  200, JSON without suggestedWindow
    "retry_after" (string, optional) is sent as the Retry-After header.

--log gets one JSON line per request: {"method", "path", "host", "status"}.
--orders gets one JSON line per POST to the directory's newOrder URL:
{"url": protected "url", "payload": decoded payload, "status": Pebble's}.

The proxy exits by itself after --max-seconds (default 300) or once the
process --owner is gone, so it never outlives its test.
"""
import argparse
import base64
import datetime
import http.client
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection",
              "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "content-length"}
RI_PREFIX = "/renewal-info/"
BODY_MAX = 1 << 20


def rfc3339(t):
    return datetime.datetime.fromtimestamp(
        int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, opts):
        super().__init__(("127.0.0.1", 0), Handler)
        self.opts = opts
        up = urllib.parse.urlsplit(opts.upstream)
        self.up_host, self.up_port = up.hostname, up.port or 443
        self.dir_path = up.path or "/"
        self.up_ctx = ssl.create_default_context(cafile=opts.ca_file)
        self.lock = threading.Lock()
        self.new_order_path = None  # learnt from the directory

    def record(self, path, obj):
        with self.lock, open(path, "a") as f:
            f.write(json.dumps(obj, sort_keys=True) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as acmelet uses it
    upstream = None

    def log_message(self, fmt, *args):
        pass

    def finish(self):
        if self.upstream is not None:
            self.upstream.close()
        super().finish()

    def reply(self, status, body, headers=()):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.log_request_line(status)

    def log_request_line(self, status):
        self.server.record(self.server.opts.log, {
            "method": self.command, "path": self.path,
            "host": self.headers.get("Host", ""), "status": status})

    def read_body(self):
        n = self.headers.get("Content-Length")
        if n is not None:
            n = int(n)
            if n < 0 or n > BODY_MAX:
                raise ValueError("request body too large")
            return self.rfile.read(n)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
                if len(body) > BODY_MAX:
                    raise ValueError("request body too large")
        return None

    def forward(self, body):
        """Send the request to Pebble as it came; (status, headers, body)."""
        srv = self.server
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP]
        if body is not None:
            headers.append(("Content-Length", str(len(body))))
        # A kept-alive upstream connection Pebble closed meanwhile gets
        # one fresh try; anything else is the test's business.
        for attempt in (0, 1):
            if self.upstream is None:
                self.upstream = http.client.HTTPSConnection(
                    srv.up_host, srv.up_port, context=srv.up_ctx, timeout=30)
            try:
                self.upstream.putrequest(self.command, self.path,
                                         skip_host=True,
                                         skip_accept_encoding=True)
                for k, v in headers:
                    self.upstream.putheader(k, v)
                self.upstream.endheaders(body)
                resp = self.upstream.getresponse()
                data = resp.read()
                return resp.status, resp.getheaders(), data
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError):
                self.upstream.close()
                self.upstream = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def send_upstream(self, status, headers, data):
        self.send_response_only(status)
        for k, v in headers:
            if k.lower() not in HOP_BY_HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.log_request_line(status)

    def handle_any(self):
        path = urllib.parse.urlsplit(self.path).path
        if self.command == "GET" and path.startswith(RI_PREFIX):
            self.read_body()
            return self.renewal_info(path[len(RI_PREFIX):])
        body = self.read_body()
        status, headers, data = self.forward(body)
        if self.command == "GET" and path == self.server.dir_path \
                and status == 200:
            data = self.directory(data)
        elif self.command == "POST" and path == self.server.new_order_path:
            self.log_order(body, status)
        self.send_upstream(status, headers, data)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = handle_any

    def directory(self, data):
        d = json.loads(data)
        with self.server.lock:
            self.server.new_order_path = urllib.parse.urlsplit(
                d.get("newOrder", "")).path or None
        d["renewalInfo"] = "https://%s/renewal-info" % self.headers["Host"]
        return json.dumps(d, indent=2).encode()

    def log_order(self, body, status):
        entry = {"status": status}
        try:
            jws = json.loads(body)
            entry["url"] = json.loads(b64url_decode(jws["protected"]))["url"]
            entry["payload"] = json.loads(b64url_decode(jws["payload"]))
        except (ValueError, KeyError, TypeError) as e:
            entry["error"] = "undecodable JWS: %s" % e
        self.server.record(self.server.opts.orders, entry)

    def renewal_info(self, cert_id):
        try:
            with open(self.server.opts.control) as f:
                ctl = json.load(f)
        except (OSError, ValueError) as e:
            ctl = {"mode": "status500", "why": str(e)}
        mode, now = ctl.get("mode"), time.time()
        hdrs = [("Content-Type", "application/json")]
        if ctl.get("retry_after"):
            hdrs.append(("Retry-After", str(ctl["retry_after"])))
        if mode == "past":
            win = (now - 2 * 86400, now - 86400)
        elif mode == "future":
            win = (now + 300 * 86400, now + 301 * 86400)
        elif mode == "garbage":
            return self.reply(200, b"<html>not renewal info</html>", hdrs)
        elif mode == "nowindow":
            return self.reply(200, {"explanationURL": "https://x.test/"},
                              hdrs)
        else:
            return self.reply(500, {
                "type": "urn:ietf:params:acme:error:serverInternal",
                "detail": "scripted failure (%s)" % ctl.get("why", mode)},
                [("Content-Type", "application/problem+json")])
        return self.reply(200, {
            "suggestedWindow": {"start": rfc3339(win[0]),
                                "end": rfc3339(win[1])},
            "explanationURL": "https://acmelet.test/ari"}, hdrs)


def watchdog(opts):
    deadline = time.monotonic() + opts.max_seconds
    while time.monotonic() < deadline:
        if opts.owner:
            try:
                os.kill(opts.owner, 0)
            except ProcessLookupError:
                break
        time.sleep(0.5)
    os._exit(0)


def main():
    p = argparse.ArgumentParser()
    for name in ("upstream", "cert", "key", "ca-file", "control", "log",
                 "orders", "port-file"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--owner", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=300)
    opts = p.parse_args()

    srv = Proxy(opts)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.cert, opts.key)
    ctx.set_alpn_protocols(["http/1.1"])
    # The handshake happens on the handler's thread, not in accept().
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                 do_handshake_on_connect=False)
    threading.Thread(target=watchdog, args=(opts,), daemon=True).start()
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, opts.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
