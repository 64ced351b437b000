import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from '../model';
import { tcp } from '../model/testSockets';
import type { ProcessOrigins } from './processOrigins';
import { LiveOrigins } from './liveOrigins';
import type { Origin } from './symbolize';

const send: Origin = { frames: [{ file: '/w/client.c', line: 17, function: 'send_message', module: '/w/client' }] };

/** A recorded process whose recorder knows the sockets in `known` (fd → inode). */
function recorded(known: Map<number, string>): ProcessOrigins {
  return {
    recorded: true,
    record: { pid: 1, startTicks: 0n, stacks: new Map(), counts: new Map(), live: new Map(), stacksDropped: 0, logCapacity: 0, logUsed: 0, logDropped: 0 },
    origins: new Map([[0, send]]),
    originOf: (fd, inode) => (fd !== undefined && known.get(fd) === inode ? { stack: 0, origin: send } : undefined),
  };
}

test('LiveOrigins: reads once, again only for sockets it has not seen (rate limited), and attributes by inode', async () => {
  const known = new Map<number, string>();
  let reads = 0;
  const live = new LiveOrigins(1, async () => { reads++; return recorded(new Map(known)); }, 1000);
  const a = tcp('CLOSE_WAIT', '127.0.0.1:1', '127.0.0.1:2', 5);
  known.set(5, a.inode);
  assert.equal(await live.update([a], 0), true);
  assert.equal(live.siteOf(a.inode)?.label, 'client.c:17 send_message');
  assert.equal(await live.update([a], 10), false, 'nothing new: no read, nothing changed');
  const b = tcp('CLOSE_WAIT', '127.0.0.1:1', '127.0.0.1:3', 6);
  known.set(6, b.inode);
  assert.equal(await live.update([a, b], 500), false, 'new socket, but within the interval');
  assert.equal(live.siteOf(b.inode), undefined);
  assert.equal(await live.update([a, b], 1500), true);
  assert.equal(live.siteOf(b.inode), live.siteOf(a.inode), 'one site object per site');
  assert.equal(reads, 2);
  // The socket went away: it has no site any more.
  assert.equal(await live.update([b], 1600), true);
  assert.equal(live.siteOf(a.inode), undefined);
});

test('LiveOrigins: a process without a record is read again only now and then, and only with new sockets; a record that appears late is used', async () => {
  let reads = 0;
  const known = new Map<number, string>();
  let recorder = false;
  const live = new LiveOrigins(1, async () => { reads++; return recorder ? recorded(new Map(known)) : { recorded: false, reason: 'origins unknown' }; }, 0, 5000);
  const s: Socket[] = [tcp('ESTABLISHED', '127.0.0.1:1', '127.0.0.1:2', 5)];
  await live.update(s, 0);
  await live.update(s, 10000);
  assert.equal(reads, 1, 'no new socket: no read');
  const late = tcp('CLOSE_WAIT', '127.0.0.1:1', '127.0.0.1:4', 7);
  await live.update([...s, late], 3000 + 10000);
  assert.equal(reads, 2);
  assert.deepEqual(live.origins, { recorded: false, reason: 'origins unknown' });
  // The recorder writes its first record; the next new socket within 5 s does not read, after it does.
  recorder = true;
  known.set(7, late.inode);
  const next = tcp('CLOSE_WAIT', '127.0.0.1:1', '127.0.0.1:5', 8);
  await live.update([...s, late, next], 14000);
  assert.equal(reads, 2);
  assert.equal(await live.update([...s, late, next], 18001), true);
  assert.equal(reads, 3);
  assert.equal(live.siteOf(late.inode)?.label, 'client.c:17 send_message');
});

test('LiveOrigins: a socket whose record was not written yet (a batch to come) is read for once more, then left alone', async () => {
  const known = new Map<number, string>();
  let reads = 0;
  const live = new LiveOrigins(1, async () => { reads++; return recorded(new Map(known)); }, 1000);
  const a = tcp('CLOSE_WAIT', '127.0.0.1:1', '127.0.0.1:2', 5);
  await live.update([a], 0);
  assert.equal(live.siteOf(a.inode), undefined, 'not in the record yet');
  assert.equal(live.pending(a), true, 'looked for once more at the next read');
  assert.equal(await live.update([a], 500), false, 'within the interval: no read');
  known.set(5, a.inode); // the recorder's batch is written
  assert.equal(await live.update([a], 1500), true);
  assert.equal(reads, 2);
  assert.equal(live.siteOf(a.inode)?.label, 'client.c:17 send_message');
  assert.equal(live.pending(a), false, 'attributed');
  // A socket the recorder never records (made by native code, say): two reads, then no more.
  const native = tcp('ESTABLISHED', '127.0.0.1:1', '127.0.0.1:3', 6);
  await live.update([a, native], 3000);
  await live.update([a, native], 4500);
  assert.equal(reads, 4);
  await live.update([a, native], 6000);
  assert.equal(reads, 4, 'looked for twice: no further read for it');
  assert.equal(live.siteOf(native.inode), undefined);
  assert.equal(live.pending(native), false, 'looked for twice: no recorded origin, not pending');
  const fresh = tcp('CLOSE_WAIT', '127.0.0.1:1', '127.0.0.1:4', 7);
  assert.equal(live.pending(fresh), true, 'made since the last read');
  await live.update([a, native, fresh], 6500);
  assert.equal(reads, 5);
  assert.equal(live.pending(fresh), true, 'no record at its first read: looked for once more');
  await live.update([a, native, fresh], 8000);
  assert.equal(reads, 6);
  assert.equal(live.pending(fresh), false, 'looked for twice');
  assert.equal(live.siteOf(a.inode)?.label, 'client.c:17 send_message');
});
