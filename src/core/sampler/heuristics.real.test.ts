// The leak heuristics against a real process (test/fixtures/sockets/pool.py) that opens connections on
// command: the sockets are read from /proc for real, the time is a fake clock moved one second per
// sample, so minutes of watching take a few seconds.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'child_process';
import type { Readable, Writable } from 'stream';
import * as readline from 'readline';
import { LinuxSocketSource } from '../platform/linux/linuxSource';
import { fixturePath } from '../platform/linux/testSupport';
import { FakeClock } from './clock';
import { analyzeHistory, DEFAULT_HEURISTICS } from './heuristics';
import type { LeakWarning, WarningKind } from './heuristics';
import { History } from './history';
import { Sampler } from './sampler';
import { onClock } from './testkit';
import { WarningTracker } from './warningTracker';

const skip = process.platform !== 'linux' && 'Linux only';

interface PoolState { fds: number; pool: number; closeWait: number }

/** pool.py: one command, one JSON answer. */
class Pool {
  private readonly answers: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  readonly ready: Promise<{ pid: number }>;

  constructor(readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (this.waiting) { const w = this.waiting; this.waiting = undefined; w(line); } else this.answers.push(line);
    });
    this.ready = this.next().then((l) => JSON.parse(l) as { pid: number });
  }

  static start(): Pool {
    return new Pool(spawn('python3', [fixturePath('sockets', 'pool.py')], { stdio: ['pipe', 'pipe', 'inherit'] }));
  }

  private next(): Promise<string> {
    const line = this.answers.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => { this.waiting = resolve; });
  }

  async command(line: string): Promise<PoolState> {
    await this.ready;
    this.child.stdin.write(line + '\n');
    return JSON.parse(await this.next()) as PoolState;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }
}

/**
 * Samples the pool's process at 1 Hz on a fake clock with the real Sampler, History, heuristics and
 * WarningTracker; before each sample `before(i)` may tell the process to change. Records at which
 * sample each warning was raised and cleared, and the warnings active after each sample.
 */
async function watch(pool: Pool, samples: number, beforeSample: (i: number) => Promise<unknown> | void) {
  const { pid } = await pool.ready;
  const clock = new FakeClock(1_700_000_000_000);
  const source = new LinuxSocketSource({ procRoot: '/proc' });
  const sampler = new Sampler(onClock(source, clock), pid, { clock, intervalMs: 1000 });
  const history = new History();
  const tracker = new WarningTracker();
  const raised: Partial<Record<WarningKind, number[]>> = {};
  const cleared: Partial<Record<WarningKind, number[]>> = {};
  const active: LeakWarning[][] = [];
  let onSample: () => void = () => undefined;
  sampler.on('sample', ({ snapshot }) => {
    history.push(snapshot);
    const update = tracker.update(analyzeHistory(history, {}, DEFAULT_HEURISTICS, tracker.active));
    const i = active.length;
    for (const w of update.raised) (raised[w.id] ??= []).push(i);
    for (const w of update.cleared) (cleared[w.id] ??= []).push(i);
    active.push(update.active);
    onSample();
  });
  sampler.on('error', (e) => assert.fail(e.message));
  try {
    for (let i = 0; i < samples; i++) {
      await beforeSample(i);
      const sampled = new Promise<void>((resolve) => { onSample = resolve; });
      if (i === 0) sampler.start(); else await clock.advanceAsync(1000);
      await sampled;
    }
  } finally {
    sampler.dispose();
    source.dispose();
  }
  return { raised, cleared, active };
}

const pools: Pool[] = [];
after(async () => { await Promise.all(pools.map((p) => p.stop())); });
function startPool(): Pool {
  const p = Pool.start();
  pools.push(p);
  return p;
}

test('attached to a process that already holds idle CLOSE_WAIT sockets: warned once they are idle 60 s, growth or not, for as long as they are held', { skip }, async () => {
  const pool = startPool();
  // Three leaked sockets from before we looked: too few for the "many idle" rule, and no growth to see.
  assert.equal((await pool.command('closewait 3')).closeWait, 3);
  const r = await watch(pool, 700, async (i) => { if (i === 690) await pool.command('closeall'); });
  // Idle since the first sample (t = 0): 60 s later they are the leak signature. The history keeps
  // 600 samples; the warning outlives it, and ends when the sockets are closed.
  assert.deepEqual(r.raised['close-wait-growth'], [60]);
  assert.deepEqual(r.cleared['close-wait-growth'], [690]);
  const w = r.active[689]?.find((x) => x.id === 'close-wait-growth');
  assert.equal(w?.sockets?.length, 3);
  assert.equal(w?.title, '3 idle CLOSE_WAIT sockets, the oldest for 11 min');
  assert.match(w?.detail ?? '', /3 for longer than 1 min/);
});

test('a growing CLOSE_WAIT leak stays flagged after the low count has left the history window', { skip }, async () => {
  const pool = startPool();
  // One more leaked socket per second for 5 s (1 → 6), then no more: the leak persists. The history
  // keeps 600 samples: from sample 600 on it no longer shows the low count, nor any growth.
  const r = await watch(pool, 660, async (i) => { if (i <= 5) await pool.command('closewait 1'); });
  assert.deepEqual(r.raised['close-wait-growth'], [12]);
  assert.equal(r.cleared['close-wait-growth'], undefined);
  const closeWait = (i: number) => r.active[i]?.find((w) => w.id === 'close-wait-growth');
  assert.equal(closeWait(20)?.title, '6 idle CLOSE_WAIT sockets (CLOSE_WAIT total up from 1 to 6)');
  assert.equal(closeWait(659)?.title, '6 idle CLOSE_WAIT sockets, the oldest for 11 min');
});

test('a connection pool warming up 0 → 200 and staying there is no descriptor leak; a steady leak after it is', { skip }, async () => {
  const pool = startPool();
  // 10 connections (20 descriptors) per second for 20 s, then flat for 3 minutes: at no time is the
  // growth sustained (30 s, and on through the recent window).
  const warm = await watch(pool, 200, async (i) => { if (i < 20) await pool.command('open 10'); });
  assert.equal((await pool.command('open 0')).pool, 200);
  assert.deepEqual(warm.raised, {});
  // Then one leaked connection (2 descriptors) per second: ~500 descriptors left of 1024, about 4 min.
  const leak = await watch(pool, 40, async () => { await pool.command('open 1'); });
  assert.ok(leak.raised['fd-exhaustion'], JSON.stringify(leak.raised));
  const w = leak.active[39]?.find((x) => x.id === 'fd-exhaustion');
  assert.equal(w?.severity, 'critical');
  assert.match(w?.title ?? '', /^Descriptor limit \(1024\) reached in ~\d min at this rate$/);
});
