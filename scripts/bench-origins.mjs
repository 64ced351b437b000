#!/usr/bin/env node
// Socket-origins benchmark (Linux): the cost of recording creation sites on a C connect/accept/close
// loop (bench/origins/loop.c, 10,000 iterations, built with gcc -O2 -g), as ratios to the untraced
// loop: traced with the recorder (dist/lib/libsockscope-origins.so) and, as the anchor, under
// `valgrind --track-fds=yes` when valgrind is installed. Times are the loop's own (startup excluded),
// medians of interleaved rounds: CPU time (user + system of the process, what the ratios and the target
// use, since a loaded machine stretches elapsed time at random), elapsed time, and the whole process's
// CPU time with startup (where valgrind's own start shows). Then the recorder's memory for 100,000 sockets: the loop run for
// 50,000 iterations (two sockets each) traced and untraced, peak resident memory (VmHWM) and the
// record file's allocated size.
//
// Then the same for the runtime recorders, each against its own untraced run in the same rounds: a
// Node.js loop (bench/origins/loop.js, the --require preload dist/lib/node/sockscope-origins.js), a
// Python loop (bench/origins/loop.py, the sitecustomize in dist/lib/python) and, when a JDK built the
// agent, a Java loop (bench/origins/Loop.java, -javaagent:dist/lib/java/sockscope-origins.jar); with the
// peak resident memory traced and untraced for 100,000 sockets (for Java also the heap in use after a full
// GC: what the agent keeps). Target ≤ 1.2× loop CPU (for Java the
// loop's CPU time includes the JIT's and the GC's threads: the process's CPU time over the loop).
//
//   npm run bench:origins                        (builds first)
//   node scripts/bench-origins.mjs [--iterations 10000] [--rounds 7] [--only c,node,python,java]
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { arg, root } from './bench-args.mjs';

const run = promisify(execFile);
const ITERATIONS = Number(arg('--iterations', 10000));
const ROUNDS = Number(arg('--rounds', 7));
const TARGET = 1.3;
// --only c,node,python,java: measure only those recorders (all of them by default).
const ONLY = new Set(String(arg('--only', 'c,node,python,java')).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
for (const o of ONLY) if (!['c', 'node', 'python', 'java'].includes(o)) { console.error(`bench-origins: --only takes c, node, python, java (not ${o})`); process.exit(2); }

if (process.platform !== 'linux') {
  console.log('bench-origins: Linux only (the recorder is an LD_PRELOAD library).');
  process.exit(0);
}
const library = path.join(root, 'dist', 'lib', 'libsockscope-origins.so');
if (!existsSync(library)) {
  console.error('bench-origins: dist/lib/libsockscope-origins.so is missing: run `node scripts/build.mjs` with a C compiler first.');
  process.exit(2);
}
const has = (cmd) => { try { execFileSync(cmd, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } };
const work = mkdtempSync(path.join(os.tmpdir(), 'sockscope-bench-origins-'));
const records = path.join(work, 'records');
mkdirSync(records, { mode: 0o700 });
const loop = path.join(work, 'loop');
execFileSync('gcc', ['-O2', '-g', '-o', loop, path.join(root, 'bench', 'origins', 'loop.c')]);

async function once(variant, iterations) {
  const env = { ...process.env, SOCKSCOPE_ORIGINS_DIR: records };
  delete env.LD_PRELOAD;
  if (variant === 'traced') env.LD_PRELOAD = library;
  const [cmd, args] = variant === 'valgrind' ? ['valgrind', ['-q', '--track-fds=yes', loop, String(iterations)]] : [loop, [String(iterations)]];
  const { stdout } = await run(cmd, args, { env, maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  return JSON.parse(line);
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const ratio = (x, b) => `${(x / b).toFixed(2)}×`.padStart(6);
if (ONLY.has('c')) {
const valgrind = has('valgrind');
const variants = ['untraced', 'traced', ...(valgrind ? ['valgrind'] : [])];
const times = Object.fromEntries(variants.map((v) => [v, []]));
const walls = Object.fromEntries(variants.map((v) => [v, []]));
const wholes = Object.fromEntries(variants.map((v) => [v, []]));
await once('traced', 1000); // warm the page cache
for (let r = 0; r < ROUNDS; r++) {
  for (const v of variants) {
    if (v === 'valgrind' && r >= 3) continue; // slow: three rounds are enough for an anchor
    const r1 = await once(v, ITERATIONS);
    times[v].push(r1.cpuSeconds);
    walls[v].push(r1.seconds);
    wholes[v].push(r1.processCpuSeconds);
  }
}
const base = median(times.untraced);
const wallBase = median(walls.untraced);
const wholeBase = median(wholes.untraced);
console.log(`C connect/accept/close loop, ${ITERATIONS.toLocaleString('en-US')} iterations (medians of interleaved rounds; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores):`);
for (const v of variants) {
  const t = median(times[v]);
  const w = median(walls[v]);
  const p = median(wholes[v]);
  console.log(`  ${v.padEnd(9)} loop CPU ${(t * 1000).toFixed(0).padStart(5)} ms ${ratio(t, base)}   loop elapsed ${(w * 1000).toFixed(0).padStart(5)} ms ${ratio(w, wallBase)}`
    + `   process CPU ${(p * 1000).toFixed(0).padStart(5)} ms ${ratio(p, wholeBase)}`);
  if (v === 'traced') console.log(`            target ≤ ${TARGET}× loop CPU: ${t / base <= TARGET ? 'met' : 'NOT met'}`);
}
if (!valgrind) console.log('  valgrind  not installed: no anchor (apt-get install valgrind)');

const SOCKETS = 100000;
for (const f of readdirSync(records)) rmSync(path.join(records, f));
const plain = await once('untraced', SOCKETS / 2);
const traced = await once('traced', SOCKETS / 2);
const file = readdirSync(records).find((f) => f.endsWith('.origins'));
const st = file ? statSync(path.join(records, file)) : undefined;
console.log(`Recorder memory for ${SOCKETS.toLocaleString('en-US')} sockets (created and closed): peak resident ${(traced.peakKb / 1024).toFixed(1)} MiB traced vs ${(plain.peakKb / 1024).toFixed(1)} MiB untraced (+${((traced.peakKb - plain.peakKb) / 1024).toFixed(1)} MiB);`
  + ` record file ${st ? (st.blocks * 512 / 1048576).toFixed(1) : '?'} MiB on disk (apparent size ${st ? (st.size / 1048576).toFixed(1) : '?'} MiB, a fixed bound).`);
}

// --- runtime recorders ---------------------------------------------------------------------------------
const RUNTIME_TARGET = 1.2;
const lib = path.join(root, 'dist', 'lib');
const SOCKETS_RT = 100000;
const runtimes = [
  { key: 'node', name: 'Node.js', cmd: process.execPath, args: [path.join(root, 'bench', 'origins', 'loop.js')], env: { NODE_OPTIONS: `--require ${path.join(lib, 'node', 'sockscope-origins.js')}` } },
  ...(has('python3') ? [{ key: 'python', name: 'Python', cmd: 'python3', args: [path.join(root, 'bench', 'origins', 'loop.py')], env: { PYTHONPATH: path.join(lib, 'python') } }] : []),
];
const javaAgent = path.join(lib, 'java', 'sockscope-origins.jar');
if (!ONLY.has('java')) {
  // not asked for
} else if (existsSync(javaAgent) && has('javac')) {
  execFileSync('javac', ['-encoding', 'UTF-8', '-d', work, path.join(root, 'bench', 'origins', 'Loop.java')]);
  runtimes.push({ key: 'java', name: 'Java', cmd: 'java', args: ['-cp', work, 'Loop'], env: { JAVA_TOOL_OPTIONS: `-javaagent:${javaAgent}` } });
} else {
  console.log('Java: no agent built (no JDK at build time) or no javac: skipped');
}
async function runtimeOnce(rt, traced, iterations) {
  const env = { ...process.env, SOCKSCOPE_ORIGINS_DIR: records };
  for (const k of ['LD_PRELOAD', 'NODE_OPTIONS', 'PYTHONPATH', 'JAVA_TOOL_OPTIONS']) delete env[k];
  if (traced) Object.assign(env, rt.env);
  const { stdout } = await run(rt.cmd, [...rt.args, String(iterations)], { env, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.split('\n').find((l) => l.startsWith('{')));
}
for (const rt of runtimes.filter((r) => ONLY.has(r.key))) {
  const cpu = { untraced: [], traced: [] };
  const wall = { untraced: [], traced: [] };
  await runtimeOnce(rt, true, 1000);
  for (let r = 0; r < ROUNDS; r++) {
    for (const traced of [false, true]) {
      const x = await runtimeOnce(rt, traced, ITERATIONS);
      cpu[traced ? 'traced' : 'untraced'].push(x.cpuSeconds);
      wall[traced ? 'traced' : 'untraced'].push(x.seconds);
    }
  }
  const b = median(cpu.untraced);
  const t = median(cpu.traced);
  const wb = median(wall.untraced);
  const wt = median(wall.traced);
  console.log(`${rt.name} connect/accept/close loop, ${ITERATIONS.toLocaleString('en-US')} iterations: untraced loop CPU ${(b * 1000).toFixed(0)} ms, traced ${(t * 1000).toFixed(0)} ms ${ratio(t, b)}`
    + ` (elapsed ${(wb * 1000).toFixed(0)} / ${(wt * 1000).toFixed(0)} ms ${ratio(wt, wb)}); target ≤ ${RUNTIME_TARGET}× loop CPU: ${t / b <= RUNTIME_TARGET ? 'met' : 'NOT met'}`);
  for (const f of readdirSync(records)) rmSync(path.join(records, f));
  const p0 = await runtimeOnce(rt, false, SOCKETS_RT / 2);
  const p1 = await runtimeOnce(rt, true, SOCKETS_RT / 2);
  const stream = readdirSync(records).find((f) => f.endsWith('.stream'));
  const sst = stream ? statSync(path.join(records, stream)) : undefined;
  console.log(`  memory for ${SOCKETS_RT.toLocaleString('en-US')} sockets (created and closed): peak resident ${(p1.peakKb / 1024).toFixed(1)} MiB traced vs ${(p0.peakKb / 1024).toFixed(1)} MiB untraced (+${((p1.peakKb - p0.peakKb) / 1024).toFixed(1)} MiB);`
    + ` record stream ${sst ? (sst.blocks * 512 / 1048576).toFixed(1) : '?'} MiB on disk (bounded by its cap and the live sockets)`);
  // What the recorder keeps, where the loop can tell (Java: the heap in use after a full GC; its peak is
  // mostly the heap grown for garbage).
  if (p0.liveHeapKb !== undefined && p1.liveHeapKb !== undefined) {
    console.log(`  heap in use after a full GC: ${(p1.liveHeapKb / 1024).toFixed(1)} MiB traced vs ${(p0.liveHeapKb / 1024).toFixed(1)} MiB untraced (+${((p1.liveHeapKb - p0.liveHeapKb) / 1024).toFixed(1)} MiB kept by the recorder)`);
  }
}
rmSync(work, { recursive: true, force: true });
