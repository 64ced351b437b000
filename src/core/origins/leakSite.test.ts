import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LeakWarning } from '../sampler/heuristics';
import { sharePercent, topSite, withTopSite } from './leakSite';
import type { Origin } from './symbolize';

const send: Origin = { frames: [{ file: '/src/client.c', line: 17, function: 'send_message', module: '/src/client' }, { file: '/src/client.c', line: 60, function: 'main', module: '/src/client' }] };
const pool: Origin = { frames: [{ file: null, line: null, function: 'pool_open', module: '/usr/lib/libpool.so' }], note: 'no debug info: build with -g' };

function closeWait(n: number): LeakWarning {
  return { id: 'close-wait-growth', severity: 'critical', title: `${n} idle CLOSE_WAIT sockets (CLOSE_WAIT total up from 3 to ${n})`, detail: 'The peer closed these connections.', since: 0,
    sockets: Array.from({ length: n }, (_, i) => String(i)) };
}

test('withTopSite: the CLOSE_WAIT warning names the site most of its sockets come from, with its share rounded down', () => {
  const siteOf = (inode: string) => (Number(inode) < 13 ? { key: 'pool', origin: pool } : Number(inode) < 1990 ? { key: 'send', origin: send } : undefined);
  const w = withTopSite(closeWait(2000), siteOf);
  assert.equal(w.title, '2,000 idle CLOSE_WAIT sockets, 98 % created at client.c:17 in send_message');
  assert.equal(w.detail, '2000 idle CLOSE_WAIT sockets (CLOSE_WAIT total up from 3 to 2000). The peer closed these connections.');
  assert.equal(w.id, 'close-wait-growth');
  // The warning keeps the site it names, so that the view can open it.
  assert.equal(w.site, send);
  // A site without line information is named by function and module.
  assert.equal(withTopSite(closeWait(3), () => ({ key: 'pool', origin: pool })).title, '3 idle CLOSE_WAIT sockets, 100 % created at libpool.so in pool_open');
});

test('withTopSite: unchanged when no socket has a recorded origin or the warning names no sockets; other kinds keep their title', () => {
  const w = closeWait(5);
  assert.equal(withTopSite(w, () => undefined), w);
  assert.equal(withTopSite(w, () => undefined).site, undefined);
  const fds: LeakWarning = { id: 'fd-exhaustion', severity: 'warning', title: '90 % of descriptors used', detail: '', since: 0 };
  assert.equal(withTopSite(fds, () => ({ key: 'send', origin: send })), fds);
  const stuck: LeakWarning = { id: 'recv-queue-stuck', severity: 'warning', title: '2 sockets with unread data', detail: 'd', since: 0, sockets: ['1', '2'] };
  assert.equal(withTopSite(stuck, () => ({ key: 'send', origin: send })).title, '2 sockets with unread data, 100 % created at client.c:17 in send_message');
});

test('topSite and sharePercent', () => {
  assert.deepEqual(topSite(['a', 'b', 'c'], (i) => (i === 'a' ? undefined : { key: i === 'b' ? 'x' : 'y', origin: send })), { key: 'x', origin: send, count: 1, total: 3 });
  assert.equal(sharePercent(1987, 2000), '99 %');
  assert.equal(sharePercent(1999, 2000), '99 %');
  assert.equal(sharePercent(0, 0), '0 %');
});
