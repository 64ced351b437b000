#!/usr/bin/env node
// Snapshot benchmark (Linux): a child holds 10,000 TCP sockets on loopback (5,000 established pairs,
// both ends in the child, plus 2 listeners). We time one full `sockscope sockets <pid> --json` in
// process (the built dist/cli.js's main(), so no node start-up is counted: that is what the
// extension and a running CLI pay) against `lsof -nP -p PID`, `ss -tanp` and `ss -tan`, run with
// execFile and output discarded (their process start-up is counted: it is part of using them).
// N runs each, interleaved, after one warm-up; medians and ratios are printed.
//
//   npm run bench:snapshot            (builds first)
//   node scripts/bench-snapshot.mjs [--pairs 5000] [--runs 7] [--cli path/to/cli.js]
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startHolder } from './bench-holder.mjs';
import { arg, root } from './bench-args.mjs';

const require = createRequire(import.meta.url);
const PAIRS = Number(arg('--pairs', 5000));
const RUNS = Number(arg('--runs', 7));

if (process.platform !== 'linux') {
  console.log('bench-snapshot: Linux only (it compares with ss and reads /proc).');
  process.exit(0);
}
const cliPath = path.resolve(arg('--cli', path.join(root, 'dist', 'cli.js')));
if (!existsSync(cliPath)) {
  console.error('bench-snapshot: dist/cli.js is missing: run `node scripts/build.mjs` first (npm run bench:snapshot does).');
  process.exit(2);
}
const { main, createSocketSource } = require(cliPath);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;


/** One full snapshot by SockScope's core (the socket source the extension and the CLI use); returns [ms, sockets]. */
async function coreOnce(source, pid) {
  const t0 = process.hrtime.bigint();
  const snapshot = await source.snapshot(pid);
  return [ms(t0), snapshot.sockets.length];
}

async function sockscopeOnce(pid) {
  let out = '';
  let err = '';
  const io = { out: (t) => { out += t; }, err: (t) => { err += t; }, interrupted: new Promise(() => undefined) };
  const t0 = process.hrtime.bigint();
  const code = await main(['sockets', String(pid), '--json'], io);
  const t = ms(t0);
  if (code !== 0) throw new Error(`sockscope sockets failed: ${err}`);
  return [t, JSON.parse(out).sockets.length];
}

function execOnce(file, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile(file, args, { maxBuffer: 512 * 1024 * 1024 }, (e, stdout) => {
      const t = ms(t0);
      if (e && typeof e.code !== 'number') reject(e);
      else resolve([t, stdout.split('\n').length]);
    });
  });
}

const holder = await startHolder(PAIRS, 600);
const pid = holder.held.pid;
let warm;
const stop = () => { try { holder.child.kill('SIGKILL'); } catch { /* already gone */ } };
process.on('exit', stop);
try {
  const helper = path.join(path.dirname(cliPath), 'bin', 'sockscope-netlink');
  if (!existsSync(helper)) console.log(`(no ${helper}: the build found no C compiler; the netlink rows read /proc)`);
  warm = createSocketSource(process.platform, { netlinkHelper: helper });
  const procOnly = createSocketSource(process.platform);
  /** A new source each run: the helper is started and reads everything (no earlier answer to diff against). */
  const cold = async () => {
    const source = createSocketSource(process.platform, { netlinkHelper: helper });
    try { return await coreOnce(source, pid); } finally { source.dispose?.(); }
  };
  const tools = [
    { name: 'SockScope core snapshot, cold (helper started, full read)', run: cold },
    { name: 'lsof -nP -p PID', run: () => execOnce('lsof', ['-nP', '-p', String(pid)]) },
    { name: 'ss -tanp', run: () => execOnce('ss', ['-tanp']) },
    { name: 'ss -tan', run: () => execOnce('ss', ['-tan']) },
    { name: 'SockScope core snapshot, warm (helper running, changes only; info)', run: () => coreOnce(warm, pid) },
    { name: 'SockScope core snapshot, /proc only (no helper; info)', run: () => coreOnce(procOnly, pid) },
    { name: 'sockscope sockets --json (in-process, info only)', run: () => sockscopeOnce(pid) },
    { name: 'node dist/cli.js sockets PID --json (process, info only)', run: () => execOnce(process.execPath, [cliPath, 'sockets', String(pid), '--json']) },
  ];
  const times = tools.map(() => []);
  const sizes = tools.map(() => 0);
  for (const t of tools) await t.run(); // warm-up (page cache, JIT)
  for (let r = 0; r < RUNS; r++) {
    for (const [i, t] of tools.entries()) {
      const [time, size] = await t.run();
      times[i].push(time);
      sizes[i] = size;
    }
  }
  const med = times.map(median);
  const [own, lsof, ssp, ss] = med;
  console.log(`\nSnapshot of one process holding ${2 * PAIRS + 2} TCP sockets (${PAIRS} established pairs + 2 listeners), median of ${RUNS} runs:`);
  console.log(`(SockScope is measured in-process: its core's snapshot() from dist/cli.js, no node start-up; the other tools as child processes via execFile.`);
  console.log(` "cold" starts the sockscope-netlink helper and has it read everything, every run: the figure the targets are about.`);
  console.log(` "warm" is the same source asked again, as when sampling: the helper sends only what changed.`);
  console.log(` The two "info only" rows add JSON formatting, and node start-up, to a snapshot.)`);
  console.log(`SockScope listed ${sizes[0]} sockets.\n`);
  const rows = tools.map((t, i) => [t.name, med[i].toFixed(1), `${Math.min(...times[i]).toFixed(1)}-${Math.max(...times[i]).toFixed(1)}`]);
  const header = ['tool', 'median ms', 'range ms'];
  const w = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(header));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(line(r));
  const ratio = (a, b, target) => `${(a / b).toFixed(2)} (target <= ${target}) ${a / b <= target ? 'OK' : 'MISSED'}`;
  console.log(`\nSockScope / lsof -nP -p : ${ratio(own, lsof, 0.5)}`);
  console.log(`SockScope / ss -tan     : ${ratio(own, ss, 2)}`);
  console.log(`SockScope / ss -tanp    : ${(own / ssp).toFixed(2)} (for information)`);
} finally {
  warm.dispose?.();
  stop();
}
