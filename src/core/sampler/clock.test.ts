import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock';
import { RingBuffer } from './ring';
import { formatDuration } from './format';

test('FakeClock fires due timers in order, at their due time, and not cleared ones', () => {
  const clock = new FakeClock(1000);
  const fired: [string, number][] = [];
  clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
  clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
  const c = clock.setTimeout(() => fired.push(['c', clock.now()]), 150);
  clock.setTimeout(() => fired.push(['late', clock.now()]), 500);
  clock.clearTimeout(c);
  clock.advance(300);
  assert.deepEqual(fired, [['a', 1100], ['b', 1200]]);
  assert.equal(clock.now(), 1300);
  assert.equal(clock.pending, 1);
});

test('FakeClock fires a timer scheduled by a firing timer when it falls in the window', () => {
  const clock = new FakeClock();
  const times: number[] = [];
  const again = () => { times.push(clock.now()); clock.setTimeout(again, 100); };
  clock.setTimeout(again, 100);
  clock.advance(350);
  assert.deepEqual(times, [100, 200, 300]);
});

test('RingBuffer keeps the newest items up to capacity', () => {
  const r = new RingBuffer<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual(r.toArray(), [3, 4, 5]);
  assert.equal(r.at(0), 3);
  assert.equal(r.at(-1), 5);
  assert.equal(r.at(3), undefined);
  assert.throws(() => new RingBuffer(0), /positive integer/);
});

test('formatDuration rounds to readable units', () => {
  assert.equal(formatDuration(400), '1 s');
  assert.equal(formatDuration(45_400), '45 s');
  assert.equal(formatDuration(4 * 60_000 + 10_000), '4 min');
  assert.equal(formatDuration(80 * 60_000), '1 h 20 min');
  assert.equal(formatDuration(2 * 3_600_000), '2 h');
  assert.equal(formatDuration(3 * 86_400_000), '3 days');
  assert.equal(formatDuration(Infinity), 'never');
});
