// The Node.js origins recorder (node/sockscope-origins.js) on real processes, its stream read back with
// parseOriginStream: accepted sockets get their server's listen line (its stack is taken once, at
// listen), a socket handed to another server's 'connection' event by the program keeps the site of the
// server that accepted it, a descriptor closed and reused within one batch (~10 ms) goes to its new site,
// and the per-site counts are exact whether a socket lived across batches or not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runtimeRecorders, tempDir } from './testing/build';
import { parseOriginStream, type OriginStream } from './streamFile';

const linux = process.platform === 'linux';
let work: string;
let lib: string;
let records: string;

before(() => {
  if (!linux) return;
  work = tempDir('sockscope-node-recorder-');
  lib = runtimeRecorders(work);
  records = path.join(work, 'records');
  fs.mkdirSync(records, { mode: 0o700 });
});
after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Runs a program file under the recorder; its JSON output line and its stream. */
function run(name: string, source: string): { file: string; out: Record<string, number[] | number>; stream: OriginStream; line: (marker: string) => number } {
  const file = path.join(work, name);
  fs.writeFileSync(file, source);
  const r = spawnSync(process.execPath, [file], {
    env: { ...process.env, NODE_OPTIONS: `--require ${path.join(lib, 'node', 'sockscope-origins.js')}`, SOCKSCOPE_ORIGINS_DIR: records },
    encoding: 'utf8',
    timeout: 60000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const stream = parseOriginStream(fs.readFileSync(path.join(records, `${r.pid}.stream`), 'utf8'));
  const lines = source.split('\n');
  const line = (marker: string): number => {
    const i = lines.findIndex((l) => l.includes(`// ${marker}`));
    assert.ok(i >= 0, marker);
    return i + 1;
  };
  return { file, out: JSON.parse(r.stdout.trim().split('\n').pop() as string), stream, line };
}

/** The line of the innermost frame of a live descriptor's site, if it has one. */
function lineOf(stream: OriginStream, file: string, fd: number): number | undefined {
  const site = stream.live.get(fd)?.stack;
  const frame = site === undefined ? undefined : stream.sites.get(site)?.[0];
  return frame && frame.file === file ? frame.line ?? undefined : undefined;
}

/** The counts of the sites whose innermost frame is file:line (one line can be reached by several stacks). */
function countsAt(stream: OriginStream, file: string, line: number): { opens: number; closes: number } {
  const total = { opens: 0, closes: 0 };
  for (const [id, frames] of stream.sites) {
    if (frames[0]?.file !== file || frames[0]?.line !== line) continue;
    const c = stream.counts.get(id);
    total.opens += c?.opens ?? 0;
    total.closes += c?.closes ?? 0;
  }
  return total;
}

// The program's live descriptors are read from the stream after its last batch (written at exit).
const ACCEPTING = `'use strict';
const net = require('net');
const held = [];
const server = net.createServer((s) => { held.push(s); });
server.listen(0, '127.0.0.1', async () => { // LISTEN
  const { port } = server.address();
  const connect = () => new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1'); // CONNECT
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
  const acceptedAfter = (n) => new Promise((resolve) => { const wait = () => (held.length > n ? resolve(held[n]) : setImmediate(wait)); wait(); });
  const clients = [];
  // 5 connections accepted and kept, each across a batch.
  for (let i = 0; i < 5; i++) {
    const n = held.length;
    clients.push(await connect());
    await acceptedAfter(n);
    await new Promise((r) => setTimeout(r, 15));
  }
  // 20 accepted and closed again at once (within a batch).
  for (let i = 0; i < 20; i++) {
    const n = held.length;
    const c = await connect();
    const a = await acceptedAfter(n);
    a.destroy();
    c.destroy();
    held.splice(n, 1);
  }
  const fds = held.map((s) => s._handle.fd);
  // A socket this program hands to another server's 'connection' event keeps its accepting server's site.
  const other = net.createServer();
  other.listen(0, '127.0.0.1', () => { // OTHER
    const n = held.length;
    const c = net.connect(port, '127.0.0.1'); // LAST
    c.once('connect', async () => {
      clients.push(c);
      const a = await acceptedAfter(n);
      other.emit('connection', a);
      console.log(JSON.stringify({ accepted: fds, handed: a._handle.fd, listener: server._handle.fd, other: other._handle.fd, clients: clients.map((x) => x._handle.fd) }));
      process.exit(0);
    });
  });
});
`;

test('Node.js: accepted sockets get the listen line, taken once per server; handing a socket to another server keeps its site; counts exact', { skip: !linux && 'needs Linux', timeout: 60000 }, () => {
  const { file, out, stream, line } = run('accepting.js', ACCEPTING);
  for (const fd of [...(out.accepted as number[]), out.handed as number, out.listener as number]) {
    assert.equal(lineOf(stream, file, fd), line('LISTEN'), `fd ${fd} at the listen line`);
  }
  assert.equal(lineOf(stream, file, out.other as number), line('OTHER'));
  const clients = out.clients as number[];
  assert.equal(clients.length, 6);
  clients.slice(0, 5).forEach((fd) => assert.equal(lineOf(stream, file, fd), line('CONNECT'), `client fd ${fd}`));
  assert.equal(lineOf(stream, file, clients[5] as number), line('LAST'));
  // The listener, 5 kept, 20 closed and the handed one; the helper's connects: 5 kept, 20 closed.
  assert.deepEqual(countsAt(stream, file, line('LISTEN')), { opens: 27, closes: 20 });
  assert.deepEqual(countsAt(stream, file, line('CONNECT')), { opens: 25, closes: 20 });
  assert.deepEqual(countsAt(stream, file, line('OTHER')), { opens: 1, closes: 0 });
  assert.deepEqual(countsAt(stream, file, line('LAST')), { opens: 1, closes: 0 });
  assert.equal(stream.live.size, 5 + 1 + 1 + 1 + 6, 'the listeners, the accepted sockets and the clients: nothing else');
});

const REUSE = `'use strict';
const net = require('net');
const held = [];
const server = net.createServer((s) => { held.push(s); s.on('error', () => {}); s.on('close', () => held.splice(held.indexOf(s), 1)); });
server.listen(0, '127.0.0.1', () => { // LISTEN
  const { port } = server.address();
  const a = net.connect(port, '127.0.0.1'); // FIRST
  a.once('connect', () => {
    const fd = a._handle.fd;
    setTimeout(() => { // its open is in an earlier batch than its close
      a.destroy();
      const b = net.connect(port, '127.0.0.1'); // SECOND
      b.once('connect', () => {
        const reused = b._handle.fd;
        b.destroy(); // closed in the batch it was opened in
        const c = net.connect(port, '127.0.0.1'); // THIRD
        c.once('connect', () => setTimeout(() => {
          console.log(JSON.stringify({ fd, reused, last: c._handle.fd, accepted: held.map((s) => s._handle.fd) }));
          process.exit(0);
        }, 20));
      });
    }, 30);
  });
});
`;

test('Node.js: a descriptor closed and reused within one batch goes to its new site', { skip: !linux && 'needs Linux', timeout: 60000 }, () => {
  const { file, out, stream, line } = run('reuse.js', REUSE);
  assert.equal(out.fd, out.reused, 'the program reused the descriptor');
  assert.equal(lineOf(stream, file, out.last as number), line('THIRD'));
  // b's descriptor went to c or to a socket the server accepted: either way to its new owner's site.
  for (const fd of out.accepted as number[]) assert.equal(lineOf(stream, file, fd), line('LISTEN'), `accepted fd ${fd}`);
  assert.ok([out.last, ...(out.accepted as number[])].includes(out.reused), 'the descriptor was reused again');
  assert.deepEqual(countsAt(stream, file, line('FIRST')), { opens: 1, closes: 1 });
  assert.deepEqual(countsAt(stream, file, line('SECOND')), { opens: 1, closes: 1 });
  assert.deepEqual(countsAt(stream, file, line('THIRD')), { opens: 1, closes: 0 });
});

// Node's documented retry of a listen() that failed (EADDRINUSE): one 'listening' listener per server,
// not one per attempt (12 retries would pass Node's limit of 10 and print a MaxListenersExceededWarning
// into the program's stderr), and the listener and its accepted sockets get the attempt that succeeded.
const RETRYING = `'use strict';
const net = require('net');
const blocker = net.createServer().listen(0, '127.0.0.1', () => {
  const port = blocker.address().port;
  const held = [];
  const server = net.createServer((s) => { held.push(s); });
  let failures = 0;
  const again = () => server.listen(port, '127.0.0.1'); // RETRY
  server.on('error', () => {
    if (++failures < 12) setTimeout(again, 2);
    else blocker.close(() => server.listen(port, '127.0.0.1')); // LAST-LISTEN
  });
  server.on('listening', () => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      const wait = () => {
        if (!held.length) return setImmediate(wait);
        console.log(JSON.stringify({ failures, listener: server._handle.fd, accepted: held[0]._handle.fd, listeners: server.listenerCount('listening') }));
        process.exit(0);
      };
      wait();
    });
  });
  again();
});
`;

test('a listen() retried after EADDRINUSE: one listening listener, no warning, the successful attempt is the site', { skip: !linux }, () => {
  const { file, out, stream, line } = run('retrying.js', RETRYING);
  assert.equal(out.failures, 12);
  assert.equal(out.listeners, 1);
  assert.equal(lineOf(stream, file, out.listener as number), line('LAST-LISTEN'));
  assert.equal(lineOf(stream, file, out.accepted as number), line('LAST-LISTEN'));
});

// Stacks that share their innermost frames and part at an outer one get a site each; the same stack met
// again (in the same batch or a later one) gets its site back, so the counts add up per stack.
const BRANCHING = `'use strict';
const net = require('net');
const held = [];
const server = net.createServer((s) => { held.push(s); });
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const open = () => new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1'); // INNER
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
  const viaA = () => open(); // VIA-A
  const viaB = () => open(); // VIA-B
  const clients = [];
  for (const later of [false, true]) {
    for (let i = 0; i < (later ? 2 : 3); i++) clients.push(await viaA());
    for (let i = 0; i < (later ? 1 : 2); i++) clients.push(await viaB());
    if (!later) await new Promise((r) => setTimeout(r, 30)); // the rest in a later batch
  }
  console.log(JSON.stringify({ clients: clients.map((c) => c._handle.fd) }));
  process.exit(0);
});
`;

test('Node.js: stacks parting at an outer frame get a site each; a stack met again keeps its site across batches', { skip: !linux && 'needs Linux', timeout: 60000 }, () => {
  const { file, out, stream, line } = run('branching.js', BRANCHING);
  const inner = line('INNER');
  const sitesVia = (marker: string) => [...stream.sites].filter(([, frames]) => frames[0]?.file === file && frames[0]?.line === inner
    && frames.slice(1).some((f) => f.file === file && f.line === line(marker))).map(([id]) => id);
  const a = sitesVia('VIA-A');
  const b = sitesVia('VIA-B');
  assert.equal(a.length, 1, 'one site through VIA-A');
  assert.equal(b.length, 1, 'one site through VIA-B');
  assert.notEqual(a[0], b[0]);
  assert.deepEqual(stream.counts.get(a[0] as number), { opens: 5, closes: 0 });
  assert.deepEqual(stream.counts.get(b[0] as number), { opens: 3, closes: 0 });
  const clients = out.clients as number[];
  const siteOf = (fd: number) => stream.live.get(fd)?.stack;
  assert.deepEqual(clients.map(siteOf), [a[0], a[0], a[0], b[0], b[0], a[0], a[0], b[0]]);
});

// The recorder takes its stacks with its own frame limit whatever the program's Error.stackTraceLimit
// (it writes the limit only when the program's differs, and puts it back): a limit of 0 or 1 would leave
// no program frame, and the program's limit must be the same after each connect.
const LIMITS = `'use strict';
const net = require('net');
const held = [];
const server = net.createServer((s) => { held.push(s); });
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const open = () => new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1'); // INNER
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
  const outer = () => open(); // OUTER
  const clients = [];
  const limits = [];
  for (const limit of [0, 1, 10, 30, 10]) {
    Error.stackTraceLimit = limit;
    clients.push(await outer());
    limits.push(Error.stackTraceLimit);
  }
  Error.stackTraceLimit = 10;
  console.log(JSON.stringify({ clients: clients.map((c) => c._handle.fd), limits }));
  process.exit(0);
});
`;

test('Node.js: the program\'s Error.stackTraceLimit neither shortens the recorded stack nor is changed by the recorder', { skip: !linux && 'needs Linux', timeout: 60000 }, () => {
  const { file, out, stream, line } = run('limits.js', LIMITS);
  assert.deepEqual(out.limits, [0, 1, 10, 30, 10]);
  const sites = (out.clients as number[]).map((fd) => stream.live.get(fd)?.stack);
  assert.equal(new Set(sites).size, 1, `one site for all: ${JSON.stringify(sites)}`);
  const frames = stream.sites.get(sites[0] as number) ?? [];
  assert.equal(frames[0]?.file, file);
  assert.equal(frames[0]?.line, line('INNER'));
  assert.ok(frames.some((f) => f.file === file && f.line === line('OUTER')), JSON.stringify(frames));
});

// Handles of several kinds in one process: each handle prototype is patched the first time one of its
// handles is seen, even right after another kind (the recorder skips its check only for the prototype it
// saw last). A UDP socket's descriptor comes at its handle's bind, through the UDP prototype's wrapper.
const KINDS = `'use strict';
const net = require('net');
const dgram = require('dgram');
const held = [];
const server = net.createServer((s) => { held.push(s); });
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const tcp = () => new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1'); // TCP
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
  const udp = () => new Promise((resolve, reject) => {
    const u = dgram.createSocket('udp4');
    u.once('error', reject);
    u.bind(0, '127.0.0.1', () => resolve(u)); // UDP
  });
  const a = await tcp();
  const u = await udp();
  const b = await tcp();
  const state = u[Object.getOwnPropertySymbols(u).find((s) => s.description === 'state symbol')];
  await new Promise((r) => setTimeout(r, 30)); // their batch written
  console.log(JSON.stringify({ a: a._handle.fd, udp: state.handle.fd, b: b._handle.fd }));
  process.exit(0);
});
`;

test('Node.js: a UDP socket bound after a TCP client gets its bind line (each handle prototype patched when first seen)', { skip: !linux && 'needs Linux', timeout: 60000 }, () => {
  const { file, out, stream, line } = run('kinds.js', KINDS);
  assert.equal(lineOf(stream, file, out.a as number), line('TCP'));
  assert.equal(lineOf(stream, file, out.udp as number), line('UDP'));
  assert.equal(lineOf(stream, file, out.b as number), line('TCP'));
});
