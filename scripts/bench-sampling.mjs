#!/usr/bin/env node
// Sampling benchmark (Linux): the CPU cost of watching a process that holds 10,000 TCP sockets.
// A child (test/fixtures/sockets/holder.js, RLIMIT_NOFILE raised with prlimit) holds 5,000 established
// loopback pairs, both ends. We run `node dist/cli.js watch PID --interval 1000 --max-cpu 0 --json` for
// N samples (default 60) and read its CPU time (utime+stime, plus its children, reaped or live: the
// sockscope-netlink helper) from /proc,
// then the same with the default 2 % CPU budget for the same wall time, next to the CPU cost of running
// `ss -tanp` once per second N times (the children's CPU time, from this process's cutime+cstime).
// All are reported as % of one core over their wall time.
//
//   npm run bench:sampling                       (builds first)
//   node scripts/bench-sampling.mjs [--samples 60] [--pairs 5000] [--interval 1000] [--cli path/to/cli.js]
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startHolder } from './bench-holder.mjs';
import { arg, root } from './bench-args.mjs';

const run = promisify(execFile);
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

/** Fields of /proc/<pid>/stat, numbered as in proc(5). */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return (n) => Number(f[n - 3]);
}

/**
 * CPU seconds of a process from /proc/<pid>/stat: own (utime+stime), plus its children: reaped ones
 * (cutime+cstime) and live ones (the sockscope-netlink helper runs as long as the watch does).
 */
function cpuSeconds(pid) {
  const field = statFields(pid);
  let live = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const child = statFields(name);
      if (child(4) === pid) live += child(14) + child(15) + child(16) + child(17);
    } catch { /* gone meanwhile */ }
  }
  return { self: (field(14) + field(15)) / ticksPerSecond, children: (field(16) + field(17) + live) / ticksPerSecond };
}


/**
 * Runs `watch` with extra arguments. CPU is measured from its first sample (start-up excluded) until
 * SAMPLES more samples were printed (`fixed`), or until SAMPLES intervals of wall time passed (`budget`).
 */
function measureWatch(pid, extraArgs, mode) {
  const child = spawn(process.execPath, [cliPath, 'watch', String(pid), '--interval', String(INTERVAL), ...extraArgs, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    let samples = 0;
    let start;
    let last;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const cpu = cpuSeconds(child.pid);
      const wall = (performance.now() - start.t) / 1000;
      child.kill('SIGINT');
      resolve({ wall, samples: samples - 1, cpu: cpu.self + cpu.children - start.cpu.self - start.cpu.children, startup: start.cpu.self + start.cpu.children, sockets: last.sockets, nextIntervalMs: last.nextIntervalMs, durationMs: last.durationMs });
    };
    child.stdout.on('data', (d) => {
      buffered += d;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (line.event !== 'sample' || done) continue;
        samples++;
        last = line;
        if (samples === 1) {
          start = { t: performance.now(), cpu: cpuSeconds(child.pid) };
          if (mode === 'budget') setTimeout(finish, SAMPLES * INTERVAL);
        } else if (mode === 'fixed' && samples === SAMPLES + 1) finish();
        process.stdout.write(`\r  watch ${extraArgs.join(' ')}: ${samples - 1} samples, last took ${line.durationMs} ms   `);
      }
    });
    child.once('exit', (code) => { if (!done) reject(new Error(`watch exited early (code ${code})`)); });
  });
}

/** Runs `ss -tanp` SAMPLES times, once per interval; CPU is the reaped children's time of this process. */
async function measureSs() {
  // Reaped children only: this process's live child is the socket holder.
  const reaped = () => { const f = statFields(process.pid); return (f(16) + f(17)) / ticksPerSecond; };
  const before = reaped();
  const t0 = performance.now();
  let lines = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const due = t0 + (i + 1) * INTERVAL;
    const { stdout } = await run('ss', ['-tanp'], { maxBuffer: 256 * 1024 * 1024 });
    lines = stdout.split('\n').length;
    process.stdout.write(`\r  ss -tanp: run ${i + 1}/${SAMPLES}`);
    await sleep(Math.max(0, due - performance.now()));
  }
  return { wall: (performance.now() - t0) / 1000, cpu: reaped() - before, lines };
}

const pct = (cpu, wall) => `${((100 * cpu) / wall).toFixed(2)} %`;

console.log(`bench-sampling: ${SAMPLES} samples at ${INTERVAL} ms, watched process holding ${2 * PAIRS} loopback TCP sockets`);
// A run just before this one leaves thousands of TIME_WAIT sockets for 60 s. Every dump walks past
// them (and ss lists them), which reads as ~20 % more CPU: let them go first.
const timeWait = () => ['tcp', 'tcp6'].reduce((n, t) => {
  try { return n + readFileSync(`/proc/net/${t}`, 'latin1').split('\n').filter((l) => l.trimStart().split(/\s+/)[3] === '06').length; } catch { return n; }
}, 0);
for (let waited = 0, n = timeWait(); n > 1000 && waited < 70; waited += 5, n = timeWait()) {
  process.stdout.write(`\r  waiting for ${n} TIME_WAIT sockets of an earlier run to expire…   `);
  await sleep(5000);
}
const holder = await startHolder(PAIRS, 3600);
try {
  const pid = holder.held.pid;
  await sleep(500);
  const fixed = await measureWatch(pid, ['--max-cpu', '0'], 'fixed');
  process.stdout.write('\n');
  const budget = await measureWatch(pid, [], 'budget');
  process.stdout.write('\n');
  await sleep(500);
  const ss = await measureSs();
  process.stdout.write('\n\n');
  const tcpLines = readFileSync('/proc/net/tcp', 'latin1').split('\n').length - 2;
  console.log(`(the watched process has ${fixed.sockets} sockets; the system's /proc/net/tcp has ${tcpLines} entries: both are read each sample)`);
  const row = (name, m, extra) => console.log(`${name.padEnd(34)} ${m.cpu.toFixed(2).padStart(6)} s CPU / ${m.wall.toFixed(1)} s = ${pct(m.cpu, m.wall).padStart(8)} of one core  ${extra}`);
  row('sockscope watch --max-cpu 0 (1 Hz)', fixed, `${((1000 * fixed.cpu) / fixed.samples).toFixed(1)} ms CPU per sample, ${fixed.samples} samples (start-up ${fixed.startup.toFixed(2)} s CPU, not counted)`);
  row('sockscope watch (default 2 % budget)', budget, `${budget.samples} samples, one every ~${(budget.nextIntervalMs / 1000).toFixed(1)} s`);
  row('ss -tanp once per second', ss, `${((1000 * ss.cpu) / SAMPLES).toFixed(1)} ms CPU per run, ${SAMPLES} runs`);
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  console.log(`CPU ratio at 1 Hz, watch / ss -tanp: ${ratio(fixed.cpu, ss.cpu)}`);
  const budgetPct = (100 * budget.cpu) / budget.wall;
  console.log(`target < ${TARGET_PERCENT} % of one core: at 1 Hz ${(100 * fixed.cpu) / fixed.wall < TARGET_PERCENT ? 'met' : 'NOT met'}; with the default budget ${budgetPct < TARGET_PERCENT ? 'met' : 'NOT met'}`);
} finally {
  holder.child.kill('SIGKILL');
}
