#!/usr/bin/env node
// Sampling benchmark (Linux): the CPU cost of watching a process that holds 10,000 TCP sockets.
// A child (test/fixtures/sockets/holder.js, RLIMIT_NOFILE raised with prlimit) holds 5,000 established
// loopback pairs, both ends. We run `node dist/cli.js watch PID --interval 1000 --json` for N samples
// (default 60) and read its CPU time (utime+stime, plus reaped children) from /proc/<pid>/stat, next to
// the CPU cost of running `ss -tanp` once per second for the same N samples (the children's CPU time,
// from this process's cutime+cstime). Both are reported as % of one core over the same wall time.
//
//   npm run bench:sampling                       (builds first)
//   node scripts/bench-sampling.mjs [--samples 60] [--pairs 5000] [--interval 1000] [--cli path/to/cli.js]
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SAMPLES = Number(arg('--samples', 60));
const PAIRS = Number(arg('--pairs', 5000));
const INTERVAL = Number(arg('--interval', 1000));
const TARGET_PERCENT = 2;

if (process.platform !== 'linux') {
  console.log('bench-sampling: Linux only (it reads /proc and compares with ss).');
  process.exit(0);
}
const cliPath = path.resolve(arg('--cli', path.join(root, 'dist', 'cli.js')));
if (!existsSync(cliPath)) {
  console.error('bench-sampling: dist/cli.js is missing: run `node scripts/build.mjs` first (npm run bench:sampling does).');
  process.exit(2);
}

const ticksPerSecond = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds of a process from /proc/<pid>/stat: own (utime+stime) and reaped children (cutime+cstime). */
function cpuSeconds(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  const field = (n) => Number(f[n - 3]);
  return { self: (field(14) + field(15)) / ticksPerSecond, children: (field(16) + field(17)) / ticksPerSecond };
}

function startHolder() {
  const nofile = 2 * PAIRS + 1000;
  const child = spawn('prlimit', [`--nofile=${nofile}:${nofile}`, process.execPath, '--no-deprecation',
    path.join(root, 'test', 'fixtures', 'sockets', 'holder.js'), '--pairs', String(PAIRS), '--ttl', '3600'],
  { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, held: JSON.parse(out.slice(0, out.indexOf('\n'))) });
    });
    child.once('exit', (code) => reject(new Error(`holder exited early (code ${code}); is prlimit installed and the hard limit high enough?`)));
  });
}

/** Runs `watch` until it has printed SAMPLES+1 samples; CPU is measured from the 1st to the last (SAMPLES intervals). */
function measureWatch(pid) {
  const child = spawn(process.execPath, [cliPath, 'watch', String(pid), '--interval', String(INTERVAL), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    let samples = 0;
    let start;
    let lastSockets = 0;
    let skipped = 0;
    child.stdout.on('data', (d) => {
      buffered += d;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (line.event !== 'sample') continue;
        samples++;
        lastSockets = line.sockets;
        if (samples === 1) start = { t: performance.now(), cpu: cpuSeconds(child.pid), startup: cpuSeconds(child.pid) };
        if (samples === SAMPLES + 1) {
          const cpu = cpuSeconds(child.pid);
          const wall = (performance.now() - start.t) / 1000;
          child.kill('SIGINT');
          resolve({ wall, cpu: cpu.self + cpu.children - start.cpu.self - start.cpu.children, startup: start.startup.self + start.startup.children, sockets: lastSockets, skipped });
        } else if (samples > 1) process.stdout.write(`\r  watch: sample ${samples - 1}/${SAMPLES}`);
      }
    });
    child.once('exit', (code) => { if (samples <= SAMPLES) reject(new Error(`watch exited early (code ${code})`)); });
  });
}

/** Runs `ss -tanp` SAMPLES times, once per interval; CPU is the reaped children's time of this process. */
async function measureSs() {
  const before = cpuSeconds(process.pid).children;
  const t0 = performance.now();
  let lines = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const due = t0 + (i + 1) * INTERVAL;
    const { stdout } = await run('ss', ['-tanp'], { maxBuffer: 256 * 1024 * 1024 });
    lines = stdout.split('\n').length;
    process.stdout.write(`\r  ss -tanp: run ${i + 1}/${SAMPLES}`);
    await sleep(Math.max(0, due - performance.now()));
  }
  return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds(process.pid).children - before, lines };
}

const pct = (cpu, wall) => `${((100 * cpu) / wall).toFixed(2)} %`;

console.log(`bench-sampling: ${SAMPLES} samples at ${INTERVAL} ms, watched process holding ${2 * PAIRS} loopback TCP sockets`);
const holder = await startHolder();
try {
  const pid = holder.held.pid;
  await sleep(500);
  const w = await measureWatch(pid);
  process.stdout.write('\n');
  await sleep(500);
  const s = await measureSs();
  process.stdout.write('\n\n');
  const watchPct = (100 * w.cpu) / w.wall;
  console.log(`sockscope watch   ${w.cpu.toFixed(2)} s CPU over ${w.wall.toFixed(1)} s = ${pct(w.cpu, w.wall)} of one core `
    + `(${((1000 * w.cpu) / SAMPLES).toFixed(1)} ms per sample; ${w.sockets} sockets seen; start-up ${w.startup.toFixed(2)} s CPU, not counted)`);
  console.log(`ss -tanp each     ${s.cpu.toFixed(2)} s CPU over ${s.wall.toFixed(1)} s = ${pct(s.cpu, s.wall)} of one core `
    + `(${((1000 * s.cpu) / SAMPLES).toFixed(1)} ms per run; ${s.lines - 2} lines, all processes)`);
  const ratio = s.cpu > 0 ? (w.cpu / s.cpu).toFixed(2) : 'n/a';
  console.log(`ratio watch / ss: ${ratio}    target < ${TARGET_PERCENT} % of one core: ${watchPct < TARGET_PERCENT ? 'met' : 'NOT met'}`);
} finally {
  holder.child.kill('SIGKILL');
}
