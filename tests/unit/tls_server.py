"""HTTPS plumbing shared by the unit tests' local servers (ari_server.py,
https_echo.py): each is run as SCRIPT CERT KEY PORTFILE, listens on a free
127.0.0.1 port, writes that port to PORTFILE once it accepts connections,
and exits by itself after a minute so a crashed test leaves nothing behind.
"""
import os
import ssl
import sys
import threading
from http.server import ThreadingHTTPServer


class TLSServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1:0 that speaks TLS with ctx and
    counts the TCP connections it accepted (conns)."""
    daemon_threads = True

    def __init__(self, handler, ctx):
        super().__init__(("127.0.0.1", 0), handler)
        self.ctx = ctx
        self.conns = 0
        self.lock = threading.Lock()

    def finish_request(self, request, client_address):
        # TLS in the connection's thread, so a failed handshake does not
        # stall the accept loop.
        with self.lock:
            self.conns += 1
        request.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            tls.close()


def main(make_server):
    """Serve make_server(ctx) with CERT and KEY from the command line."""
    cert, key, portfile = sys.argv[1:4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = make_server(ctx)
    threading.Timer(60, lambda: os._exit(2)).start()
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, portfile)
    srv.serve_forever()
