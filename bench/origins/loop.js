// The Node.js connect/accept/close loop of `npm run bench:origins` (scripts/bench-origins.mjs), the
// equivalent of loop.c: ITERATIONS times a client connects to a loopback server, the server accepts,
// both close (reset, so that back-to-back runs do not run out of ports in TIME_WAIT). Prints the loop's
// elapsed and CPU seconds, the process's CPU seconds so far and its peak resident memory (kB) as one JSON line.
'use strict';
const net = require('net');
const fs = require('fs');

const iterations = Number(process.argv[2] || 10000);
const peakKb = () => Number((/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8')) || [])[1] || -1);
let accepted;
const server = net.createServer((c) => { accepted(c); });
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const serverSide = new Promise((resolve) => { accepted = resolve; });
    const client = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => { client.once('connect', resolve); client.once('error', reject); });
    const a = await serverSide;
    a.destroy();
    client.resetAndDestroy();
  }
  const c1 = process.cpuUsage(c0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const all = process.cpuUsage();
  console.log(JSON.stringify({ seconds, cpuSeconds: (c1.user + c1.system) / 1e6, processCpuSeconds: (all.user + all.system) / 1e6, peakKb: peakKb() }));
  server.close();
});
