"""Answers that never end, for the transports' bounds (issue 12), shared by
https_echo.py (libcurl) and https_bearssl_server.py (BearSSL):

  trailers   a chunked body "ok", then trailer lines without end
  continue   "100 Continue" interim answers without end
  drip       a 100000-byte body, one byte every 10 ms

Each stops after 30 s or when the client goes away: a client that does not
hold its bounds then fails with the wrong error instead of hanging.
"""
import time

LIMIT_S = 30


def send(out, kind):
    end = time.monotonic() + LIMIT_S
    try:
        if kind == "trailers":
            out.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"2\r\nok\r\n0\r\n")
            line = b"X-Trailer: " + b"t" * 1000 + b"\r\n"
            while time.monotonic() < end:
                out.write(line * 16)
        elif kind == "continue":
            while time.monotonic() < end:
                out.write(b"HTTP/1.1 100 Continue\r\n\r\n" * 64)
        elif kind == "drip":
            out.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            out.flush()
            while time.monotonic() < end:
                out.write(b"d")
                out.flush()
                time.sleep(0.01)
        out.flush()
    except (OSError, ValueError):
        pass  # the client hung up: what a bounded client does
