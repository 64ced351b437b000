#!/usr/bin/env node
// SockScope demo: a tiny TCP server with the classic "forgot to close on the error path" bug.
//
//   node demo/leaky-server.js [--port N] [--interval MS] [--bad-every N] [--max N] [--quiet]
//
// The server listens on 127.0.0.1 with allowHalfOpen: true, so when a client closes its side the
// server socket stays open until the server closes it. A good request gets its answer, and then the
// server closes the connection (a peer that never closes its side, like the C demo client's leaked
// sockets, must not pin a FIN_WAIT_2 socket and a descriptor in this process: that is the peer's leak).
// A request containing "bad" takes the error path, which returns without closing: that socket sits in
// CLOSE_WAIT in THIS process (the client's side goes FIN_WAIT_2 and the kernel drops it after
// tcp_fin_timeout). A client loop in a separate child process (same file, --client) sends one request
// every --interval ms and every --bad-every'th request is a bad one, so the CLOSE_WAIT count grows by
// one every (interval * bad-every) ms: about one every 1.5 s by default.
//
// Safety: after --max leaked sockets (default 200) the error path starts closing properly, so a
// forgotten demo cannot exhaust the machine. The process exits on SIGTERM/SIGINT and when its parent
// goes away. stdout starts with two machine-readable lines: `LISTENING <port>` and `PID <pid>`.
// No dependencies: plain Node >= 18.
'use strict';
const net = require('node:net');
const { fork } = require('node:child_process');
const { parseArgs } = require('node:util');

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.DEMO_PORT || '0' },
    interval: { type: 'string', default: process.env.DEMO_INTERVAL_MS || '500' },
    'bad-every': { type: 'string', default: process.env.DEMO_BAD_EVERY || '3' },
    max: { type: 'string', default: process.env.DEMO_MAX_LEAKS || '200' },
    quiet: { type: 'boolean', default: false },
    client: { type: 'boolean', default: false }, // internal: run as the client loop
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function positiveInt(name, value, min) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`leaky-server: --${name} must be an integer >= ${min}, got "${value}"`);
    process.exit(2);
  }
  return n;
}

// Exit when the parent goes away: an IPC channel tells us directly; otherwise watch for re-parenting.
function exitWithParent(onGone) {
  if (process.send) process.on('disconnect', onGone);
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) onGone(); }, 1000).unref();
}

// ---------------------------------------------------------------- client (separate process)
function runClient(port, intervalMs, badEvery) {
  process.title = 'leaky-client';
  let n = 0;
  const timer = setInterval(() => {
    n += 1;
    const bad = n % badEvery === 0;
    const sock = net.connect({ host: '127.0.0.1', port }, () => {
      sock.end(bad ? `bad request ${n}\n` : `GET /item/${n}\n`); // send, then half-close (FIN)
    });
    sock.resume(); // discard the answer
    sock.setTimeout(2000, () => sock.destroy()); // the error path never answers: give up
    sock.on('end', () => sock.destroy());
    sock.on('error', () => sock.destroy());
  }, intervalMs);
  const stop = () => { clearInterval(timer); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  exitWithParent(stop);
}

// ---------------------------------------------------------------- server (the leaking pid)
function runServer() {
  // A readable process name (Linux: /proc/PID/comm) for process pickers; Node 24 would show "MainThread".
  process.title = 'leaky-server';
  const intervalMs = positiveInt('interval', opt.interval, 10);
  const badEvery = positiveInt('bad-every', opt['bad-every'], 1);
  const maxLeaks = positiveInt('max', opt.max, 0);
  const port = positiveInt('port', opt.port, 0);
  const leaked = new Set(); // kept so the sockets (and their descriptors) stay alive on purpose
  const open = new Set();
  let served = 0;
  let client;

  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => { open.delete(socket); leaked.delete(socket); });
    socket.on('error', () => socket.destroy());
    let request = '';
    socket.on('data', (chunk) => {
      request += chunk;
      if (!request.includes('\n')) return;
      socket.removeAllListeners('data');
      handle(socket, request.trim());
    });
  });

  function handle(socket, request) {
    if (request.includes('bad')) {
      // THE BUG: the error path logs and returns without socket.end()/destroy().
      if (leaked.size < maxLeaks) {
        leaked.add(socket);
        return;
      }
      socket.end('ERR bad request\n'); // leak cap reached: behave
      return;
    }
    served += 1;
    // Answer, then close once the answer is written: with allowHalfOpen, end() alone would keep the
    // socket (and its descriptor) until the peer closes its side too.
    socket.end(`OK ${request}\n`, () => socket.destroy());
  }

  let stopping = false;
  function stop() {
    if (stopping) return;
    stopping = true;
    client?.kill('SIGTERM');
    for (const s of open) s.destroy();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  exitWithParent(stop);

  server.on('error', (e) => { console.error(`leaky-server: ${e.message}`); process.exit(1); });
  server.listen(port, '127.0.0.1', () => {
    const actual = server.address().port;
    console.log(`LISTENING ${actual}`);
    console.log(`PID ${process.pid}`);
    client = fork(__filename, ['--client', '--port', String(actual), '--interval', String(intervalMs),
      '--bad-every', String(badEvery)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    client.on('exit', (code, signal) => {
      if (!stopping) { console.error(`leaky-server: client loop exited (${signal || code})`); stop(); }
    });
    if (!opt.quiet) {
      setInterval(() => {
        console.log(`served ${served}, leaked ${leaked.size}/${maxLeaks} sockets in CLOSE_WAIT`);
      }, 5000).unref();
    }
  });
}

if (opt.help) {
  console.log('usage: node demo/leaky-server.js [--port N] [--interval MS] [--bad-every N] [--max N] [--quiet]');
} else if (opt.client) {
  runClient(positiveInt('port', opt.port, 1), positiveInt('interval', opt.interval, 10),
    positiveInt('bad-every', opt['bad-every'], 1));
} else {
  runServer();
}
