import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot, Socket } from '../model';
import { tcp } from '../model/testSockets';
import { StateAges } from './stateAges';

const snap = (takenAt: number, sockets: readonly Socket[]): Snapshot => ({
  takenAt, sockets, notes: [], process: { pid: 1, name: 'x', cmdline: 'x', fdCount: undefined, fdLimit: undefined },
});

test('first seen in the current state; sockets of the first sample are "at least" that old', () => {
  const ages = new StateAges();
  const old = tcp('CLOSE_WAIT', '127.0.0.1:8303', '127.0.0.1:40000', 5);
  const est = tcp('ESTABLISHED', '127.0.0.1:8303', '127.0.0.1:40001', 6);
  ages.update(snap(1000, [old, est]));
  ages.update(snap(2000, [old, est]));
  assert.deepEqual(ages.get(old), { state: 'CLOSE_WAIT', since: 1000, atLeast: true, seen: 2 });
  const estNowClosing = { ...est, state: 'CLOSE_WAIT' as const };
  const fresh = tcp('CLOSE_WAIT', '127.0.0.1:8303', '127.0.0.1:40002', 7);
  ages.update(snap(3000, [old, estNowClosing, fresh]));
  assert.equal(ages.get(estNowClosing)?.since, 3000, 'a state change starts the clock again');
  assert.equal(ages.get(estNowClosing)?.atLeast, false);
  assert.equal(ages.get(est), undefined, 'the old state no longer has an age');
  assert.equal(ages.get(fresh)?.since, 3000);
  assert.equal(ages.get(old)?.since, 1000);
});

test('sockets that are gone are forgotten; the same array again changes nothing', () => {
  const ages = new StateAges();
  const a = tcp('CLOSE_WAIT', '127.0.0.1:1', '127.0.0.1:2');
  const b = tcp('CLOSE_WAIT', '127.0.0.1:1', '127.0.0.1:3');
  const list = [a, b];
  ages.update(snap(1000, list));
  ages.update(snap(2000, list));
  assert.equal(ages.get(b)?.since, 1000);
  ages.update(snap(3000, [a]));
  assert.equal(ages.size, 1);
  ages.update(snap(4000, [a, b]));
  assert.equal(ages.get(b)?.since, 4000, 'back after a gap: a new socket as far as anyone can tell');
});
