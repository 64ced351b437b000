import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot, Socket } from '../model';
import { History } from './history';
import { sock } from './testkit';

function snap(t: number, sockets: Socket[], fdCount?: number, soft: number | null = 1024): Snapshot {
  return { takenAt: t, process: { pid: 1, name: 'p', cmdline: 'p', fdCount, fdLimit: { soft, hard: null } }, sockets, notes: [] };
}

test('keeps at most `capacity` samples with per-state counts', () => {
  const h = new History(3);
  for (let i = 0; i < 5; i++) {
    h.push(snap(i * 1000, [sock({ inode: 1 }), sock({ inode: 2, state: 'CLOSE_WAIT' }), sock({ inode: 3, protocol: 'udp', state: 'CLOSE' }), sock({ inode: 4, protocol: 'unix', state: 'ESTABLISHED' })], 10 + i));
  }
  assert.equal(h.length, 3);
  assert.deepEqual(h.samples.map((s) => s.t), [2000, 3000, 4000]);
  const last = h.latest;
  assert.deepEqual(last?.states, { ESTABLISHED: 1, CLOSE_WAIT: 1 });
  assert.equal(last?.tcp, 2);
  assert.equal(last?.udp, 1);
  assert.equal(last?.unix, 1);
  assert.equal(last?.total, 4);
  assert.equal(last?.fdCount, 14);
  assert.equal(last?.fdLimit, 1024);
});

test('tracks how long a CLOSE_WAIT socket has been idle; a queue change restarts the run', () => {
  const h = new History();
  h.push(snap(0, [sock({ inode: 7, state: 'CLOSE_WAIT', tx: 0 })]));
  h.push(snap(1000, [sock({ inode: 7, state: 'CLOSE_WAIT', tx: 0 })]));
  assert.equal(h.sockets.get('tcp|7')?.idleSince, 0);
  assert.equal(h.sockets.get('tcp|7')?.idleSamples, 2);
  h.push(snap(2000, [sock({ inode: 7, state: 'CLOSE_WAIT', tx: 300 })]));
  assert.equal(h.sockets.get('tcp|7')?.idleSince, 2000);
  assert.equal(h.sockets.get('tcp|7')?.idleSamples, 1);
  assert.equal(h.sockets.get('tcp|7')?.trackedSince, 0);
});

test('tracks only sockets the heuristics need, and forgets closed ones', () => {
  const h = new History();
  h.push(snap(0, [sock({ inode: 1 }), sock({ inode: 2, rx: 5 }), sock({ inode: 3, local: ['127.0.0.1', 45000], remote: ['127.0.0.1', 45000] })]));
  assert.deepEqual([...h.sockets.keys()].sort(), ['tcp|2', 'tcp|3']);
  assert.equal(h.sockets.get('tcp|3')?.selfConnected, true);
  assert.equal(h.sockets.get('tcp|2')?.rxBusySince, 0);
  h.push(snap(1000, [sock({ inode: 2, rx: 0 })]));
  assert.equal(h.sockets.size, 0);
});

test('toSeries gives aligned arrays for the chart, null for unknown values', () => {
  const h = new History();
  h.push(snap(0, [sock({ inode: 1 })], 5), { cpu: 1.5, memory: 100 });
  h.push(snap(1000, [sock({ inode: 1 }), sock({ inode: 2, state: 'TIME_WAIT' })], undefined));
  const series = h.toSeries();
  assert.deepEqual(series, {
    t: [0, 1000],
    states: { ESTABLISHED: [1, 1], TIME_WAIT: [0, 1] },
    udp: [0, 0], unix: [0, 0], total: [1, 2],
    fd: [5, null], fdLimit: 1024, cpu: [1.5, null], memory: [100, null],
  });
  assert.deepEqual(JSON.parse(JSON.stringify(series)), series);
});

test('the same socket array pushed again (a source with nothing new) still moves every run forward', () => {
  const h = new History();
  const sockets = [sock({ inode: 1 }), sock({ inode: 7, state: 'CLOSE_WAIT' }), sock({ inode: 8, rx: 4 })];
  for (let t = 0; t <= 2000; t += 1000) h.push(snap(t, sockets));
  assert.equal(h.sockets.get('tcp|7')?.idleSamples, 3);
  assert.equal(h.sockets.get('tcp|7')?.idleSince, 0);
  assert.equal(h.sockets.get('tcp|8')?.rxBusySamples, 3);
  assert.deepEqual(h.samples.map((s) => [s.t, s.total, s.states.CLOSE_WAIT]), [[0, 3, 1], [1000, 3, 1], [2000, 3, 1]]);
  // each summary owns its counts: one changed by a consumer leaves the others alone
  (h.samples[0]?.states as Record<string, number>).CLOSE_WAIT = 99;
  assert.equal(h.latest?.states.CLOSE_WAIT, 1);
  // a new array is counted again
  h.push(snap(3000, [sockets[0] as Socket]));
  assert.deepEqual([h.latest?.total, h.latest?.states.CLOSE_WAIT, h.sockets.size], [1, undefined, 0]);
});
