#!/usr/bin/env python3
"""Load on a responder: IDLE connections that never send a byte (each one
reopened when the server closes it) plus SLOW slowloris connections that
send a request head one byte at a time. Runs until SIGTERM, then writes
"connects=N closed_by_server=M slow_bytes=K" to the file STATS.

usage: idle_flood.py PORT IDLE SLOW STATS
"""
import errno
import selectors
import signal
import socket
import sys
import time

port, nidle, nslow, stats_path = (int(sys.argv[1]), int(sys.argv[2]),
                                  int(sys.argv[3]), sys.argv[4])
sel = selectors.DefaultSelector()
count = {"connects": 0, "closed_by_server": 0, "slow_bytes": 0}
running = True
HEAD = b"GET /.well-known/acme-challenge/slowloris HTTP/1.1\r\nHost: x\r\n"


def stop(*_):
    global running
    running = False


def dial(kind):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    except OSError as e:
        if e.errno not in (errno.EINPROGRESS, errno.EAGAIN):
            s.close()
            return
    count["connects"] += 1
    sel.register(s, selectors.EVENT_READ, {"kind": kind, "sent": 0})


signal.signal(signal.SIGTERM, stop)
for _ in range(nidle):
    dial("idle")
for _ in range(nslow):
    dial("slow")
next_drip = time.monotonic()
while running:
    for key, _ in sel.select(timeout=0.1):
        try:
            data = key.fileobj.recv(4096)
        except OSError:
            data = b""
        if not data:  # closed by the server: open another one
            sel.unregister(key.fileobj)
            key.fileobj.close()
            count["closed_by_server"] += 1
            dial(key.data["kind"])
    if time.monotonic() >= next_drip:  # one byte per slow connection
        next_drip = time.monotonic() + 0.5
        for key in list(sel.get_map().values()):
            d = key.data
            if d["kind"] != "slow":
                continue
            try:
                key.fileobj.send(HEAD[d["sent"] % len(HEAD):][:1])
                d["sent"] += 1
                count["slow_bytes"] += 1
            except OSError:
                pass
with open(stats_path, "w") as f:
    f.write(" ".join("%s=%d" % kv for kv in count.items()) + "\n")
