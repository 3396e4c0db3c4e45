#!/usr/bin/env python3
"""
A TFTP request flood for the slot-exhaustion test (test/tftp-slot-exhaustion.test.ts), run inside a lab host:

  tftp-flood.py SERVER PATH COUNT [OPTION VALUE]...

Sends COUNT RRQs for PATH, each from its own socket (its own source port, so each is a new transfer to the
server), with the given RFC 2347 options; then waits up to 5 s for the first answer to each and prints one
JSON line: how many got an OACK, DATA or ERROR, the OACK options and ERROR messages seen. It never ACKs, so
every accepted transfer holds its slot until the server gives up on it; the sockets stay open, silent,
until stdin closes (the test kills the process).
"""
import json
import selectors
import socket
import sys
import time

server, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
opts = sys.argv[4:]
rrq = b"\x00\x01" + b"".join(x.encode() + b"\x00" for x in [path, "octet", *opts])
sel = selectors.DefaultSelector()
socks = []
for _ in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    s.setblocking(False)
    s.sendto(rrq, (server, 69))
    sel.register(s, selectors.EVENT_READ)
    socks.append(s)

first = {}
deadline = time.monotonic() + 5
while len(first) < count and time.monotonic() < deadline:
    for key, _ in sel.select(timeout=0.2):
        s = key.fileobj
        try:
            data = s.recv(2048)
        except OSError:
            continue
        if s not in first:
            first[s] = data
            sel.unregister(s)

summary = {"sent": count, "answered": len(first), "oack": 0, "data": 0, "error": 0,
           "oackOptions": [], "errors": []}
for data in first.values():
    op = int.from_bytes(data[:2], "big")
    if op == 6:
        summary["oack"] += 1
        parts = data[2:].split(b"\x00")[:-1]
        o = dict(zip([p.decode().lower() for p in parts[0::2]], [p.decode() for p in parts[1::2]]))
        if o not in summary["oackOptions"]:
            summary["oackOptions"].append(o)
    elif op == 3:
        summary["data"] += 1
    elif op == 5:
        summary["error"] += 1
        m = data[4:].split(b"\x00")[0].decode(errors="replace")
        if m not in summary["errors"]:
            summary["errors"].append(m)
print(json.dumps(summary), flush=True)
sys.stdin.read()
