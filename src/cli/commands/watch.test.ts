// `sockscope watch` against real child processes (test/fixtures/sockets/holder.js), and against a
// scripted source on a fake clock for the warning lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CliIo } from '../io';
import { EXIT_OK, EXIT_USAGE } from '../io';
import { startHolder } from '../../core/platform/linux/testSupport';
import { FakeClock } from '../../core/sampler';
import { ScriptedSource, sock } from '../../core/sampler/testkit';
import type { WatchSampleJson } from './watch';
import { createWatchCommand, watchCommand } from './watch';

const linux = process.platform === 'linux';

/** Runs the command; `onOut` sees the output so far after each write and may act (end the child, press Ctrl-C). */
function run(command: typeof watchCommand, args: string[], onOut: (out: string, interrupt: () => void) => void = () => undefined) {
  let out = '';
  let err = '';
  let interrupt: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => { interrupt = resolve; });
  const io: CliIo = { out: (t) => { out += t; onOut(out, interrupt); }, err: (t) => { err += t; }, interrupted };
  return command(args, io).then((code) => ({ code, out, err }));
}

test('--json: one line per sample until the watched process exits by itself, then exit 0', { skip: !linux }, async () => {
  const holder = await startHolder({ pairs: 1, closeWait: 3 });
  const pid = holder.held.pid;
  let ended = false;
  const { code, out, err } = await run(watchCommand, [String(pid), '--interval', '150', '--max-cpu', '0', '--json'], (o) => {
    // After two samples, close the child's stdin: holder.js exits when it does.
    if (!ended && o.split('\n').length > 2) { ended = true; holder.child.stdin?.end(); }
  });
  await holder.stop();
  assert.equal(code, EXIT_OK, err);
  const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as { event: string });
  const samples = lines.filter((l) => l.event === 'sample') as WatchSampleJson[];
  assert.ok(samples.length >= 2);
  const first = samples[0] as WatchSampleJson;
  assert.equal(first.pid, pid);
  assert.equal(first.states.CLOSE_WAIT, 3);
  assert.equal(first.states.LISTEN, 2);
  assert.equal(first.states.ESTABLISHED, 2);
  assert.ok(first.fd !== null && first.fd >= first.sockets);
  assert.equal(typeof first.fdLimit, 'number');
  assert.ok(samples[1] && samples[1].t > first.t);
  const last = lines[lines.length - 1] as { event: string; pid: number; reason: string };
  assert.equal(last.event, 'exited');
  assert.equal(last.pid, pid);
  assert.ok(last.reason.length > 0);
});

test('text: a line per sample with states and fd/limit; Ctrl-C ends it with exit 0', { skip: !linux }, async () => {
  const holder = await startHolder({ pairs: 2 });
  try {
    const { code, out } = await run(watchCommand, [String(holder.held.pid), '--interval=100', '--max-cpu', '0'], (o, interrupt) => {
      if (o.split('\n').length > 3) interrupt();
    });
    assert.equal(code, EXIT_OK);
    const lines = out.trimEnd().split('\n');
    assert.ok(lines.length >= 3);
    for (const l of lines) {
      assert.match(l, /^\d\d:\d\d:\d\d {2}sockets \d+ \(tcp 6 udp 0 unix \d+\) {2}ESTABLISHED 4 LISTEN 2 {2}fd \d+\/(\d+|unlimited)( {2}cpu [\d.]+% rss \d+ MB)?$/);
    }
  } finally {
    await holder.stop();
  }
});

test('--close-wait-idle: a process holding idle CLOSE_WAIT sockets is warned about once they are idle that long', { skip: !linux }, async () => {
  // Three CLOSE_WAIT sockets from before watching started: no growth to see, too few for the "many" rule.
  const holder = await startHolder({ pairs: 1, closeWait: 3 });
  try {
    let samples = 0;
    const { code, out, err } = await run(watchCommand, [String(holder.held.pid), '--interval', '200', '--max-cpu', '0', '--close-wait-idle', '1', '--json'], (o, interrupt) => {
      samples = o.split('\n').length - 1;
      if (samples >= 20 || o.includes('"raised":["close-wait-growth"]')) interrupt();
    });
    assert.equal(code, EXIT_OK, err);
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as WatchSampleJson);
    const at = lines.findIndex((l) => l.raised.includes('close-wait-growth'));
    // Idle for 1 s over at least 3 samples: sample 5 at 200 ms (or a little later on a busy machine).
    assert.ok(at >= 4 && at < 20, `raised at sample ${at}`);
    const w = lines[at]?.warnings.find((x) => x.id === 'close-wait-growth');
    assert.equal(w?.sockets?.length, 3);
    assert.match(w?.title ?? '', /^3 idle CLOSE_WAIT sockets, the oldest for 1 s$/);
  } finally {
    await holder.stop();
  }
});

test('bad arguments and unknown pids: exit 2 with one line on stderr', async () => {
  for (const args of [[], ['abc'], ['0'], ['1', '2'], ['1', '--bogus'], ['1', '--interval'], ['1', '--interval', '5'], ['1', '--interval', 'x'], ['1', '--max-cpu', '-1'], ['1', '--max-cpu=x'], ['4194305'],
    // 2^31 ms overflows Node's timers, which then fire after 1 ms: out of range, like more than 100 %.
    ['1', '--interval', '2147483648'], ['1', '--interval=3600001'], ['1', '--max-cpu', '101'], ['1', '--close-wait-idle', '0'], ['1', '--close-wait-idle=86401']]) {
    const { code, out, err } = await run(watchCommand, args);
    assert.equal(code, EXIT_USAGE, args.join(' '));
    assert.equal(out, '');
    assert.equal(err.trimEnd().split('\n').length, 1, err);
    assert.match(err, /^sockscope watch: /);
  }
  if (linux) assert.match((await run(watchCommand, ['4194305'])).err, /4194305/);
});

test('warnings are printed once per episode, and the episode ends are reported', async () => {
  // A scripted process leaking one CLOSE_WAIT socket per second for 40 s, then closing them all.
  const clock = new FakeClock(Date.UTC(2024, 0, 1, 12, 0, 0));
  const source = new ScriptedSource(clock, (i) => ({
    sockets: i < 40 ? Array.from({ length: i + 1 }, (_, k) => sock({ inode: 100 + k, state: 'CLOSE_WAIT' })) : [],
    process: { fdCount: 10 + (i < 40 ? i + 1 : 0) },
  }));
  const command = createWatchCommand({ source, clock, stats: null, facts: () => Promise.resolve({}) });
  const running = run(command, ['4242'], (o, interrupt) => { if (o.split('\n').filter((l) => /^\d\d:/.test(l)).length === 45) interrupt(); });
  for (let i = 0; i < 45; i++) await clock.advanceAsync(1000);
  const { code, out } = await running;
  assert.equal(code, EXIT_OK);
  const lines = out.trimEnd().split('\n');
  const raisedCW = lines.filter((l) => /^ {2}! warning: \d+ idle CLOSE_WAIT sockets \(CLOSE_WAIT total up from 1 to \d+\)$/.test(l));
  assert.equal(raisedCW.length, 1);
  assert.equal(lines.filter((l) => l.startsWith('  cleared: ')).length, 2); // CLOSE_WAIT growth and the fd projection
  const sampleLines = lines.filter((l) => /^\d\d:/.test(l));
  assert.equal(sampleLines.length, 45);
  assert.match(sampleLines[12] ?? '', /CLOSE_WAIT 13 {2}fd 23\/1024 {2}! .*close-wait-growth/);
  assert.match(sampleLines[35] ?? '', /! .*fd-exhaustion/);
  assert.doesNotMatch(sampleLines[44] ?? '', /!/);
});

test('under the CPU budget a slow sample stretches the interval, said once', async () => {
  const clock = new FakeClock(Date.UTC(2024, 0, 1, 12, 0, 0));
  const source = new ScriptedSource(clock, () => ({ sockets: [sock({ inode: 1 })] }));
  source.costMs = 100; // 100 ms per sample at the default 2 %: one sample every 5 s
  const command = createWatchCommand({ source, clock, stats: null, facts: () => Promise.resolve({}) });
  const running = run(command, ['4242', '--json'], (o, interrupt) => { if (o.split('\n').length > 3) interrupt(); });
  for (let i = 0; i < 20; i++) await clock.advanceAsync(1000);
  const { code, out } = await running;
  assert.equal(code, EXIT_OK);
  const samples = out.trimEnd().split('\n').map((l) => JSON.parse(l) as WatchSampleJson);
  // The first sample is warm-up and does not count against the budget.
  assert.deepEqual(samples.map((x) => [x.durationMs, x.nextIntervalMs]), [[100, 1000], [100, 5000], [100, 5000]]);
  assert.deepEqual(source.calls.map((t) => t - (source.calls[0] ?? 0)), [0, 1000, 6100]);

  const text = createWatchCommand({ source, clock, stats: null, facts: () => Promise.resolve({}) });
  const runningText = run(text, ['4242'], (o, interrupt) => { if (o.split('\n').length > 4) interrupt(); });
  for (let i = 0; i < 20; i++) await clock.advanceAsync(1000);
  const notes = (await runningText).out.split('\n').filter((l) => l.startsWith('  note: '));
  assert.deepEqual(notes, ['  note: one sample takes ~100 ms; sampling every ~5 s to stay under 2% of a core (--max-cpu 0: no limit)']);
});
