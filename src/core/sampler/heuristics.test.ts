import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from '../model';
import { FakeClock } from './clock';
import { analyzeHistory, DEFAULT_HEURISTICS, heuristicsConfig, linearFit, risesThroughout } from './heuristics';
import type { HeuristicsConfig, LeakWarning, SystemFacts, WarningKind } from './heuristics';
import { History } from './history';
import { Sampler } from './sampler';
import { ScriptedSource, sock } from './testkit';
import { WarningTracker } from './warningTracker';

interface Frame { sockets: Socket[]; fdCount?: number }

/**
 * Drives the real Sampler at 1 Hz on a fake clock over a scripted source, feeds the History, runs the
 * heuristics and the WarningTracker after every sample, and records at which sample each warning was
 * raised and cleared.
 */
async function run(samples: number, frame: (i: number) => Frame, facts: SystemFacts = {}, config: HeuristicsConfig = DEFAULT_HEURISTICS) {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, (i) => {
    const f = frame(i);
    return { sockets: f.sockets, process: f.fdCount !== undefined ? { fdCount: f.fdCount } : {} };
  });
  const history = new History();
  const tracker = new WarningTracker();
  const raised: Partial<Record<WarningKind, number[]>> = {};
  const cleared: Partial<Record<WarningKind, number[]>> = {};
  let last: LeakWarning[] = [];
  let i = 0;
  const sampler = new Sampler(source, 4242, { clock, intervalMs: 1000 });
  sampler.on('sample', ({ snapshot }) => {
    history.push(snapshot);
    const update = tracker.update(analyzeHistory(history, facts, config, tracker.active));
    for (const w of update.raised) (raised[w.id] ??= []).push(i);
    for (const w of update.cleared) (cleared[w.id] ??= []).push(i);
    last = update.active;
    i++;
  });
  sampler.start();
  await clock.advanceAsync((samples - 1) * 1000);
  sampler.dispose();
  assert.equal(i, samples);
  return { raised, cleared, last };
}

const listener = sock({ inode: 100, state: 'LISTEN', local: ['0.0.0.0', 8080] });

test('the seed: one leaked CLOSE_WAIT socket per second', async () => {
  // Connection k enters CLOSE_WAIT at sample k and is never closed; descriptors grow with it.
  const r = await run(40, (i) => {
    const leaked = Array.from({ length: i + 1 }, (_, k) => sock({ inode: 1000 + k, state: 'CLOSE_WAIT', remote: ['10.0.0.2', 5060] }));
    return { sockets: [listener, ...leaked], fdCount: 10 + i + 1 };
  });
  // Socket 0 is idle for 10 s at sample 10, socket 2 at sample 12: three idle sockets, count 13 up from 1.
  assert.deepEqual(r.raised['close-wait-growth'], [12]);
  // Descriptors 11 → 41 over 30 s (the growth has lasted long enough at sample 30): 983 left at 1/s, about 16 min.
  assert.deepEqual(r.raised['fd-exhaustion'], [30]);
  assert.deepEqual(r.cleared, {});
  const fd = r.last.find((w) => w.id === 'fd-exhaustion');
  assert.match(fd?.title ?? '', /^Descriptor limit \(1024\) reached in ~16 min at this rate$/);
  const cw = r.last.find((w) => w.id === 'close-wait-growth');
  assert.equal(cw?.since, 0);
  assert.equal(cw?.sockets?.length, 30); // sockets 0..29 idle for ≥ 10 s at sample 39
  // The growth is of all CLOSE_WAIT sockets (40 at sample 39), the idle ones a part of them.
  assert.equal(cw?.title, '30 idle CLOSE_WAIT sockets (CLOSE_WAIT total up from 1 to 40)');
  assert.match(cw?.detail ?? '', /close\(\)/);
});

test('a steady busy server raises nothing', async () => {
  // 50 connections turn over each second; a couple pass through CLOSE_WAIT for one sample only;
  // receive queues are non-empty on a different socket each sample.
  const r = await run(120, (i) => {
    const conns = Array.from({ length: 50 }, (_, k) => sock({ inode: 10_000 + i * 50 + k, rx: k === i % 50 ? 700 : 0 }));
    const closing = Array.from({ length: i % 3 }, (_, k) => sock({ inode: 90_000 + i * 3 + k, state: 'CLOSE_WAIT' }));
    return { sockets: [listener, ...conns, ...closing], fdCount: 60 + (i % 7) };
  });
  assert.deepEqual(r.raised, {});
});

test('half-closed connections that are still sending are not a leak', async () => {
  // Five connections reach CLOSE_WAIT one per second and keep sending: their send queue changes every sample.
  const r = await run(60, (i) => ({
    sockets: [listener, ...Array.from({ length: Math.min(5, i + 1) }, (_, k) => sock({ inode: 500 + k, state: 'CLOSE_WAIT', tx: 1000 + ((i * 37 + k) % 400) }))],
  }));
  assert.equal(r.raised['close-wait-growth'], undefined);
});

test('a stable CLOSE_WAIT population is flagged only once idle for 60 s (the threshold), and while it stays', async () => {
  // Four idle CLOSE_WAIT sockets from the start, never growing: not a growth, but idle past tcp_fin_timeout.
  const four = [1, 2, 3, 4].map((k) => sock({ inode: k, state: 'CLOSE_WAIT' }));
  const r = await run(200, (i) => ({ sockets: [listener, ...(i < 150 ? four : [])] }));
  assert.deepEqual(r.raised, { 'close-wait-growth': [60] });
  assert.deepEqual(r.cleared, { 'close-wait-growth': [150] });
  // A longer threshold (sockscope.warnings.closeWaitIdleSeconds 120) waits longer.
  const later = await run(200, () => ({ sockets: [listener, ...four] }), {}, heuristicsConfig({ closeWaitIdleSeconds: 120 }));
  assert.deepEqual(later.raised, { 'close-wait-growth': [120] });
});

test('descriptor growth that stops is not projected: a pool filling up in a burst, or one that stops after a while', async () => {
  // 20 descriptors a second for 20 s (a pool warming up), then flat: never projected.
  const burst = await run(200, (i) => ({ sockets: [], fdCount: 10 + 20 * Math.min(i, 20) }));
  assert.equal(burst.raised['fd-exhaustion'], undefined);
  // 4 a second for 60 s: that is sustained, and projected; once it stops, the projection ends within a
  // quarter of the 2-minute window, and the step in the past does not bring it back.
  const stops = await run(300, (i) => ({ sockets: [], fdCount: 10 + 4 * Math.min(i, 60) }));
  assert.deepEqual(stops.raised['fd-exhaustion'], [30]);
  const cleared = stops.cleared['fd-exhaustion'] ?? [];
  assert.equal(cleared.length, 1);
  assert.ok((cleared[0] ?? 0) > 60 && (cleared[0] ?? 0) <= 90, String(cleared[0]));
});

test('a slow leak fires later, but fires', async () => {
  // One leaked CLOSE_WAIT socket every 20 s.
  const r = await run(200, (i) => {
    const leaked = Array.from({ length: Math.floor(i / 20) + 1 }, (_, k) => sock({ inode: 2000 + k, state: 'CLOSE_WAIT' }));
    return { sockets: [listener, ...leaked], fdCount: 10 + leaked.length };
  });
  // At sample 60 the fourth socket appears: three are idle and the count rose from 1 to 4.
  assert.deepEqual(r.raised['close-wait-growth'], [60]);
  // Descriptors grow by 1 per 20 s: the limit is hours away, beyond the 1 h horizon.
  assert.equal(r.raised['fd-exhaustion'], undefined);
});

test('a TIME_WAIT burst raises pressure while high and clears once drained', async () => {
  // 10,000 ephemeral ports: warn at 2000 TIME_WAIT sockets, release below 1600.
  const counts = [0, 0, 0, 0, 0, 600, 1200, 1800, 2400, 3000, 3000, 3000, 3000, 3000, 3000, 2700, 2400, 2100, 1800, 1500, 1200, 900, 600, 300, 0, 0, 0, 0, 0, 0];
  const r = await run(counts.length, (i) => ({
    sockets: [listener, ...Array.from({ length: counts[i] ?? 0 }, (_, k) => sock({ inode: `tw${k}`, state: 'TIME_WAIT', local: ['127.0.0.1', 50_000 + k] }))],
  }), { ephemeralPorts: { low: 50_000, high: 59_999 } });
  assert.deepEqual(r.raised['time-wait-pressure'], [8]);
  assert.deepEqual(r.cleared['time-wait-pressure'], [19]);
  assert.deepEqual(r.last, []);
});

test('a self-connected socket is reported as soon as it appears', async () => {
  const r = await run(10, (i) => ({
    sockets: [listener, ...(i >= 3 ? [sock({ inode: 77, local: ['127.0.0.1', 45_000], remote: ['127.0.0.1', 45_000] })] : [])],
  }));
  assert.deepEqual(r.raised['self-connect'], [3]);
  assert.deepEqual(r.last.find((w) => w.id === 'self-connect')?.sockets, ['77']);
});

test('a receive queue that stays non-empty is reported after 10 s; one that drains in between is not', async () => {
  const r = await run(30, (i) => ({
    sockets: [
      listener,
      ...(i >= 5 ? [sock({ inode: 300, rx: 512 })] : []),
      sock({ inode: 301, rx: i % 2 === 0 ? 4096 : 0 }),
    ],
  }));
  assert.deepEqual(r.raised['recv-queue-stuck'], [15]);
  assert.deepEqual(r.last.find((w) => w.id === 'recv-queue-stuck')?.sockets, ['300']);
});

test('an unlimited or unknown descriptor limit gives no projection', async () => {
  const r = await run(40, (i) => ({ sockets: [], fdCount: 10 + i * 5 }));
  assert.ok(r.raised['fd-exhaustion']);
  const clock = new FakeClock();
  const source = new ScriptedSource(clock, (i) => ({ sockets: [], process: { fdCount: 10 + i * 5, fdLimit: { soft: null, hard: null } } }));
  const history = new History();
  const sampler = new Sampler(source, 1, { clock });
  sampler.on('sample', ({ snapshot }) => history.push(snapshot));
  sampler.start();
  await clock.advanceAsync(39_000);
  sampler.dispose();
  assert.equal(history.length, 40);
  assert.deepEqual(analyzeHistory(history), []);
});

test('WarningTracker reports an episode once and keeps its start time', () => {
  const tracker = new WarningTracker();
  const w = (since: number, title = 't'): LeakWarning => ({ id: 'self-connect', severity: 'warning', title, detail: 'd', since });
  let u = tracker.update([w(5)]);
  assert.deepEqual(u.raised.map((x) => x.since), [5]);
  u = tracker.update([w(9, 'newer')]);
  assert.deepEqual([u.raised.length, u.continuing.length], [0, 1]);
  assert.equal(u.active[0]?.since, 5);
  assert.equal(u.active[0]?.title, 'newer');
  u = tracker.update([]);
  assert.deepEqual(u.cleared.map((x) => x.id), ['self-connect']);
  u = tracker.update([w(20)]);
  assert.deepEqual(u.raised.map((x) => x.since), [20]);
});

test('risesThroughout: growth in every part of the span, not a step', () => {
  const line = Array.from({ length: 9 }, (_, x) => ({ x, y: x }));
  assert.equal(risesThroughout(line, 4), true);
  const step = Array.from({ length: 9 }, (_, x) => ({ x, y: x < 3 ? x * 10 : 30 }));
  assert.equal(risesThroughout(step, 4), false);
  assert.equal(risesThroughout(step, 1), true);
  assert.equal(risesThroughout([], 4), false);
});

test('linearFit finds slope and goodness of fit', () => {
  const line = linearFit([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]);
  assert.equal(line.slope, 2);
  assert.equal(line.intercept, 1);
  assert.equal(line.r2, 1);
  const noisy = linearFit([{ x: 0, y: 0 }, { x: 1, y: 10 }, { x: 2, y: 0 }, { x: 3, y: 10 }]);
  assert.ok(noisy.r2 < DEFAULT_HEURISTICS.fdExhaustion.minR2);
  assert.equal(linearFit([{ x: 3, y: 4 }]).slope, 0);
});

test('a huge idle CLOSE_WAIT population (100,000 sockets) is handled and flagged critical', async () => {
  const many = Array.from({ length: 100_000 }, (_, k) => sock({ inode: k + 1, state: 'CLOSE_WAIT' }));
  const config = { ...DEFAULT_HEURISTICS, closeWait: { ...DEFAULT_HEURISTICS.closeWait, idleMs: 2000 } };
  const r = await run(4, () => ({ sockets: many }), {}, config);
  // No growth, but far more than largeIdleCount idle sockets: flagged once idle for 2 s (this config).
  assert.deepEqual(r.raised['close-wait-growth'], [2]);
  assert.equal(r.last.find((w) => w.id === 'close-wait-growth')?.severity, 'critical');
});
