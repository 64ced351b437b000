import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from './snapshot';
import { diffSnapshots } from './snapshot';
import { sameSocket } from './socket';
import type { Socket } from './socket';
import type { TcpState } from './tcpState';

function sock(inode: number, state: TcpState = 'ESTABLISHED', fd = inode): Socket {
  return { protocol: 'tcp', state, fd, inode: String(inode), local: { address: '127.0.0.1', port: 1000 + inode }, remote: undefined, txQueue: 0, rxQueue: 0 };
}
const snap = (sockets: Socket[]): Snapshot => ({ takenAt: 0, process: { pid: 1, name: 'p', cmdline: 'p', uid: undefined, fdCount: undefined, fdLimit: undefined, startTime: 1 }, sockets, notes: [] });
const inodes = (list: readonly Socket[]): string[] => list.map((s) => s.inode).sort();

test('opened, closed and changed sockets between two snapshots made of fresh objects', () => {
  const d = diffSnapshots(snap([sock(1), sock(2), sock(3)]), snap([sock(1), sock(2, 'CLOSE_WAIT'), sock(4)]));
  assert.deepEqual(inodes(d.opened), ['4']);
  assert.deepEqual(inodes(d.closed), ['3']);
  assert.deepEqual(d.changed.map(([a, b]) => [a.inode, a.state, b.state]), [['2', 'ESTABLISHED', 'CLOSE_WAIT']]);
});

test('lists that share some objects (as the netlink source makes them) are diffed right', () => {
  const [a, b, c, d, e] = [sock(1), sock(2), sock(3), sock(4), sock(5)];
  const bChanged = sock(2, 'CLOSE_WAIT');
  const f = sock(6);
  const diff = diffSnapshots(snap([a, b, c, d, e]), snap([a, bChanged, f, d, e]));
  assert.deepEqual(inodes(diff.opened), ['6']);
  assert.deepEqual(inodes(diff.closed), ['3']);
  assert.deepEqual(diff.changed.map(([x, y]) => [x.inode, y.state]), [['2', 'CLOSE_WAIT']]);
  // the same objects, nothing changed
  assert.deepEqual(diffSnapshots(snap([a, b, c]), snap([a, b, c])), { opened: [], closed: [], changed: [] });
  // the same objects in another order (an fd renumbered elsewhere): still nothing opened or closed
  assert.deepEqual(diffSnapshots(snap([a, b, c]), snap([c, a, b])), { opened: [], closed: [], changed: [] });
  // one list a prefix of the other
  assert.deepEqual(inodes(diffSnapshots(snap([a, b]), snap([a, b, c])).opened), ['3']);
  assert.deepEqual(inodes(diffSnapshots(snap([a, b, c]), snap([b, c])).closed), ['1']);
});

test('the very same array is an empty diff without looking at it', () => {
  const list = [sock(1), sock(2)];
  const diff = diffSnapshots(snap(list), snap(list));
  assert.deepEqual(diff, { opened: [], closed: [], changed: [] });
});

test('sameSocket compares two readings field by field', () => {
  const a: Socket = { ...sock(1), remote: { address: '10.0.0.2', port: 80 }, timer: { active: 1, jiffies: 20 }, uid: 1000 };
  assert.ok(sameSocket(a, { ...a, local: { ...a.local }, remote: { address: '10.0.0.2', port: 80 }, timer: { active: 1, jiffies: 20 } }));
  for (const change of [{ state: 'CLOSE_WAIT' }, { rxQueue: 1 }, { txQueue: 1 }, { fd: 9 }, { inode: '9' }, { remote: undefined },
    { remote: { address: '10.0.0.2', port: 81 } }, { local: { address: '127.0.0.2', port: 1001 } }, { timer: { active: 1, jiffies: 19 } },
    { uid: 0 }, { retransmits: 1 }, { protocol: 'tcp6' }, { unixType: 'stream' }] as Partial<Socket>[]) {
    assert.equal(sameSocket(a, { ...a, ...change }), false, JSON.stringify(change));
  }
});
