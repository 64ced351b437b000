# The Python connect/accept/close loop of `npm run bench:origins` (scripts/bench-origins.mjs), the
# equivalent of loop.c: ITERATIONS times a client socket connects to a loopback listener, the listener
# accepts, both close (the client with linger 0, so that back-to-back runs do not run out of ports in
# TIME_WAIT). Prints the loop's elapsed and CPU seconds, the process's CPU seconds so far and its peak
# resident memory (kB) as one JSON line.
import json
import os
import socket
import struct
import sys
import time


def peak_kb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    return -1


iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
listener = socket.socket()
listener.bind(('127.0.0.1', 0))
listener.listen(128)
address = listener.getsockname()
reset = struct.pack('ii', 1, 0)
t0 = time.monotonic()
c0 = time.process_time()
for _ in range(iterations):
    c = socket.socket()
    c.connect(address)
    a, _ = listener.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, reset)
    a.close()
    c.close()
c1 = time.process_time()
seconds = time.monotonic() - t0
times = os.times()
print(json.dumps({'seconds': seconds, 'cpuSeconds': c1 - c0, 'processCpuSeconds': times.user + times.system, 'peakKb': peak_kb()}))
