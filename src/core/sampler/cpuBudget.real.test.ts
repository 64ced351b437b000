// The CPU cap under load: a real process with ~120 sockets, sampled from a process that shares one CPU
// with busy loops (taskset), so that every sample waits for the CPU far longer than it uses it. The cap
// must count SockScope's own CPU time (samplingCpuTimeMs and cpuScope 'sample', as the extension uses
// them), measured here independently over the whole run, not the elapsed time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as path from 'path';
import { LinuxSocketSource } from '../platform/linux/linuxSource';
import type { Holder } from '../platform/linux/testSupport';
import { repoRoot, startHolder } from '../platform/linux/testSupport';
import * as fs from 'fs';
import { samplingCpuTimeMs } from './ownCpu';
import { Sampler } from './sampler';
import type { SampleEvent } from './sampler';

const taskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = process.platform !== 'linux' ? 'Linux only' : !taskset ? 'needs taskset (util-linux)' : false;
const BUSY_LOOPS = 4;

let holder: Holder;
let affinity: string | undefined;
const loops: ChildProcess[] = [];

before(async () => {
  if (skip) return;
  holder = await startHolder({ pairs: 60 });
  // This process (all its threads) and the busy loops on CPU 0 only: each gets a fifth of it.
  affinity = execFileSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' }).trim().split(/\s+/).pop();
  execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  for (let i = 0; i < BUSY_LOOPS; i++) loops.push(spawn('taskset', ['-c', '0', process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' }));
});
after(async () => {
  for (const l of loops) l.kill('SIGKILL');
  if (affinity) execFileSync('taskset', ['-a', '-p', affinity, String(process.pid)], { stdio: 'ignore' });
  await holder?.stop();
});

/** Samples the holder `count` times; the CPU this process and the helper used meanwhile, per sample. */
async function sample(source: LinuxSocketSource, count: number): Promise<{ events: SampleEvent[]; sampler: Sampler; cpuPerSample: number }> {
  const cpu = samplingCpuTimeMs(source);
  const sampler = new Sampler(source, holder.held.pid, { intervalMs: 250, cpuBudget: 0.5, cpuTimeMs: cpu, cpuScope: 'sample' });
  const events: SampleEvent[] = [];
  let from = 0;
  const spent = await new Promise<number>((resolve, reject) => {
    sampler.on('sample', (e) => {
      events.push(e);
      if (events.length === 2) from = cpu(); // after the warm-up sample (and its listener)
      if (events.length === count) resolve(cpu() - from);
    });
    sampler.on('error', (e) => reject(e));
    sampler.start();
  });
  sampler.dispose();
  return { events, sampler, cpuPerSample: spent / (count - 2) };
}

const helperPath = path.join(repoRoot(), 'dist', 'bin', 'sockscope-netlink');
const readers: [string, () => LinuxSocketSource][] = [
  ['/proc', () => new LinuxSocketSource({ procRoot: '/proc' })],
  ...(fs.existsSync(helperPath) ? [['netlink helper', () => new LinuxSocketSource({ procRoot: '/proc', netlinkHelper: helperPath })] as [string, () => LinuxSocketSource]] : []),
];

for (const [name, make] of readers) {
  test(`under load, the cost the CPU cap counts for ~120 sockets (${name}) is the CPU time used, not the time spent waiting`, { skip }, async (t) => {
    const source = make();
    try {
      const { events, sampler, cpuPerSample } = await sample(source, 10);
      assert.ok(events[0] && events[0].snapshot.sockets.length >= 120, String(events[0]?.snapshot.sockets.length));
      const later = events.slice(2);
      const elapsed = later.reduce((sum, e) => sum + e.durationMs, 0) / later.length;
      const cost = sampler.sampleCostMs ?? NaN;
      t.diagnostic(`per sample: ${elapsed.toFixed(1)} ms elapsed, ${cpuPerSample.toFixed(1)} ms of CPU; the cap counted ${cost.toFixed(1)} ms`);
      // The load is real: a sample takes much longer than the CPU it uses.
      if (elapsed < 2 * cpuPerSample + 5) { t.skip(`the load did not slow sampling down (${elapsed.toFixed(1)} ms per sample)`); return; }
      // The helper's CPU is read in 10 ms ticks: some slack.
      assert.ok(cost <= 1.5 * cpuPerSample + 10, `the cap counted ${cost} ms for ${cpuPerSample} ms of CPU`);
      assert.ok(cost < elapsed / 2, `the cap counted ${cost} ms, close to the ${elapsed} ms elapsed`);
    } finally {
      source.dispose();
    }
  });
}
