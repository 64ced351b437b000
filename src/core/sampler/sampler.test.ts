import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock';
import { Sampler } from './sampler';
import type { ExitedEvent, SampleEvent } from './sampler';
import { ScriptedSource, sock } from './testkit';
import { SourceError } from '../platform/source';

function record(sampler: Sampler) {
  const samples: SampleEvent[] = [];
  const errors: SourceError[] = [];
  const exits: ExitedEvent[] = [];
  sampler.on('sample', (s) => samples.push(s));
  sampler.on('error', (e) => errors.push(e));
  sampler.on('exited', (e) => exits.push(e));
  return { samples, errors, exits };
}

test('samples at once, then once per interval, with a diff against the previous sample', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, (call) => ({ sockets: call === 0 ? [sock({ inode: 1 })] : [sock({ inode: 1, state: 'CLOSE_WAIT' }), sock({ inode: 2 })] }));
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000 });
  const { samples } = record(sampler);
  sampler.start();
  await clock.advanceAsync(2500);
  assert.deepEqual(source.calls, [0, 1000, 2000]);
  assert.equal(samples.length, 3);
  assert.deepEqual(samples[0]?.diff.opened.map((s) => s.inode), ['1']);
  assert.deepEqual(samples[1]?.diff.opened.map((s) => s.inode), ['2']);
  assert.deepEqual(samples[1]?.diff.changed.map(([a, b]) => [a.state, b.state]), [['ESTABLISHED', 'CLOSE_WAIT']]);
  assert.equal(samples[2]?.diff.opened.length, 0);
  sampler.dispose();
  assert.equal(clock.pending, 0);
});

test('never overlaps samples: ticks during a slow snapshot are skipped and counted', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, () => ({ sockets: [] }));
  source.gate = true;
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 100 });
  const { samples } = record(sampler);
  sampler.start();
  await clock.advanceAsync(350);
  assert.equal(source.calls.length, 1, 'only one snapshot in flight');
  source.gate = false;
  source.release();
  await clock.advanceAsync(0);
  assert.equal(samples.length, 1);
  assert.equal(samples[0]?.skippedTicks, 3);
  await clock.advanceAsync(100);
  assert.equal(samples.length, 2);
  assert.equal(samples[1]?.skippedTicks, 0);
  sampler.dispose();
});

test('keeps going after a permission error, more slowly, and back to normal after a success', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, (call) => (call === 1 || call === 2 ? new SourceError('PERMISSION', 'No permission.') : { sockets: [] }));
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000 });
  const { samples, errors } = record(sampler);
  sampler.start();
  await clock.advanceAsync(10_000);
  // calls: 0 ok, 1000 error (next after 2 s), 3000 error (next after 4 s), 7000 ok, then every second.
  assert.deepEqual(source.calls, [0, 1000, 3000, 7000, 8000, 9000, 10000]);
  assert.deepEqual(errors.map((e) => e.code), ['PERMISSION', 'PERMISSION']);
  assert.equal(samples.length, 5);
  assert.ok(sampler.running);
  sampler.dispose();
});

test('reports exit and stops when the process is gone', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, (call) => (call < 2 ? { sockets: [] } : new SourceError('NO_SUCH_PROCESS', 'Process 4242 has exited.')));
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 500 });
  const { exits, errors } = record(sampler);
  sampler.start();
  await clock.advanceAsync(5000);
  assert.equal(source.calls.length, 3);
  assert.deepEqual(exits, [{ pid: 4242, code: 'NO_SUCH_PROCESS', reason: 'Process 4242 has exited.' }]);
  assert.equal(errors.length, 0);
  assert.equal(sampler.running, false);
  assert.equal(clock.pending, 0);
});

test('a changed process start time means the pid was reused: exited with a reason', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, (call) => ({ sockets: [], process: call < 3 ? {} : { startTime: 9999, name: 'bash' } }));
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000 });
  const { samples, exits } = record(sampler);
  sampler.start();
  await clock.advanceAsync(6000);
  assert.equal(samples.length, 3);
  assert.equal(exits.length, 1);
  assert.equal(exits[0]?.code, 'PID_REUSED');
  assert.match(exits[0]?.reason ?? '', /pid 4242 now belongs to another process \(bash\)/);
  assert.equal(source.calls.length, 4);
});

test('the interval can be changed while running; dispose stops everything', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, () => ({ sockets: [] }));
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000 });
  sampler.start();
  await clock.advanceAsync(1500);
  sampler.setIntervalMs(200);
  await clock.advanceAsync(700);
  assert.deepEqual(source.calls, [0, 1000, 1700, 1900, 2100]);
  sampler.dispose();
  await clock.advanceAsync(5000);
  assert.equal(source.calls.length, 5);
});

test('a snapshot that resolves after dispose is not reported', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, () => ({ sockets: [] }));
  source.gate = true;
  const sampler = new Sampler(source, 4242, { clock });
  const { samples } = record(sampler);
  sampler.start();
  sampler.dispose();
  source.release();
  await clock.advanceAsync(0);
  assert.equal(samples.length, 0);
});

test('stats from the provider ride along with each sample', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, () => ({ sockets: [] }));
  let disposed = false;
  const stats = { sample: (pid: number) => Promise.resolve(pid === 4242 ? { cpu: 12.5, memory: 1 << 20 } : undefined), dispose: () => { disposed = true; } };
  const sampler = new Sampler(source, 4242, { clock, stats });
  const { samples } = record(sampler);
  sampler.start();
  await clock.advanceAsync(0);
  assert.deepEqual(samples[0]?.stats, { cpu: 12.5, memory: 1 << 20 });
  sampler.dispose();
  assert.ok(disposed);
});

test('a CPU budget stretches the interval to (sample time) / budget', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, () => ({ sockets: [] }));
  source.costMs = 100;
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000, cpuBudget: 0.05 });
  const { samples } = record(sampler);
  sampler.start(); // the first snapshot runs now and moves the fake clock to 100
  await clock.advanceAsync(5000);
  // Each sample takes 100 ms. The first is warm-up: next one at the interval. From then on, at 5 %, the
  // next sample is 2 s after the previous one ended.
  assert.deepEqual(source.calls, [0, 1000, 3100]);
  assert.deepEqual(samples.map((s) => [s.durationMs, s.nextIntervalMs]), [[100, 1000], [100, 2000], [100, 2000]]);
  assert.equal(sampler.sampleCostMs, 100);
  source.costMs = 0;
  await clock.advanceAsync(1200);
  // A free sample halves the smoothed cost (50 ms → 1 s at 5 %): back to the interval itself.
  assert.deepEqual(source.calls, [0, 1000, 3100, 5200, 6200]);
  assert.equal(samples[3]?.nextIntervalMs, 1000);
  sampler.dispose();
});

test('with a process CPU counter the budget applies to all CPU spent per cycle, not to wall time', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, () => ({ sockets: [] }));
  source.costMs = 10; // little wall time…
  let cpu = 0;
  // …but 150 ms of CPU per cycle (work on other threads and after the sample, which wall time misses).
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000, cpuBudget: 0.05, cpuTimeMs: () => cpu });
  const { samples } = record(sampler);
  sampler.on('sample', () => { cpu += 150; });
  sampler.start();
  await clock.advanceAsync(2500);
  // Samples 1 and 2 only set the CPU mark (warm-up); the third sees one full 150 ms cycle: 150 / 5 % = 3 s.
  assert.deepEqual(source.calls, [0, 1000, 2000]);
  assert.equal(samples[2]?.nextIntervalMs, 3000);
  // The stretched interval runs from the end of the sample that set it (2000 + 10 ms).
  await clock.advanceAsync(3100);
  assert.deepEqual(source.calls, [0, 1000, 2000, 5010]);
  sampler.dispose();
});

test('without a budget a slow sample keeps the fixed rate', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, () => ({ sockets: [] }));
  source.costMs = 300;
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000 });
  sampler.start();
  await clock.advanceAsync(3000);
  assert.deepEqual(source.calls, [0, 1000, 2000, 3000]);
  sampler.dispose();
});

test('an interval beyond the longest timer (2^31 - 1 ms) is capped there instead of overflowing to 1 ms', async () => {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, () => ({ sockets: [] }));
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 2 ** 31 });
  sampler.start();
  await clock.advanceAsync(60_000);
  assert.deepEqual(source.calls, [0]);
  assert.equal(sampler.effectiveIntervalMs, 2 ** 31 - 1);
  sampler.setIntervalMs(Number.MAX_SAFE_INTEGER);
  assert.equal(sampler.intervalMs, 2 ** 31 - 1);
  sampler.dispose();
});

test('cpuScope "sample": only CPU spent taking a sample and in its listeners counts, not the shared process\'s other work', async () => {
  const run = async (cpuScope: 'sample' | 'process') => {
    const clock = new FakeClock();
    let cpu = 0;
    // Each snapshot costs 4 ms of CPU; between samples the process (an extension host) spends 300 ms on other work.
    const source = new ScriptedSource(clock, () => { cpu += 4; return { sockets: [] }; });
    const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000, cpuBudget: 0.02, cpuTimeMs: () => cpu, cpuScope });
    const { samples } = record(sampler);
    sampler.on('sample', () => { cpu += 1; }); // a listener: 1 ms
    sampler.start();
    for (let i = 0; i < 6; i++) { cpu += 300; await clock.advanceAsync(1000); }
    sampler.dispose();
    return { samples, cost: sampler.sampleCostMs };
  };
  const own = await run('sample');
  // 4 ms + 1 ms per sample at 2 %: 250 ms, within the 1 s interval: never stretched.
  assert.equal(own.cost, 5);
  assert.deepEqual(own.samples.map((s) => [s.nextIntervalMs, s.stretchedByBudget]), Array(7).fill([1000, false]));
  const all = await run('process');
  // Counting the whole process's CPU, the other work would stretch the interval to ~15 s.
  assert.equal(all.samples[all.samples.length - 1]?.stretchedByBudget, true);
  assert.ok((all.samples[all.samples.length - 1]?.nextIntervalMs ?? 0) > 10_000);
});
