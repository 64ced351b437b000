import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter } from './filter';
import { socketRowDescription, socketRowLabel } from './rowText';
import type { Socket } from './socket';
import type { StateAge } from './stateAge';
import { tcp } from './testSockets';
import { buildViewTree } from './viewTree';

const listen = tcp('LISTEN', '127.0.0.1:8303', undefined, 3);
const accepted = Array.from({ length: 5 }, (_, i) => tcp('CLOSE_WAIT', '127.0.0.1:8303', `127.0.0.1:${40000 + i}`, 10 + i));
const db = [tcp('CLOSE_WAIT', '10.0.0.2:51000', '10.0.0.9:5432', 20), tcp('ESTABLISHED', '10.0.0.2:51001', '10.0.0.9:5432', 21)];
const sockets: Socket[] = [listen, ...accepted, ...db];
const ages = new Map<Socket, StateAge>([
  [accepted[3]!, { since: 1000, atLeast: true }],
  [accepted[1]!, { since: 5000, atLeast: false }],
  [db[0]!, { since: 3000, atLeast: false }],
]);

test('by peer: state → peer → sockets, largest peer first, counts on every level, oldest age per level', () => {
  const tree = buildViewTree(sockets, { groupBy: 'peer', sortBy: 'age', ageOf: (s) => ages.get(s) });
  assert.deepEqual(tree.branches.map((b) => [b.group.label, b.group.sockets.length]), [['CLOSE_WAIT', 6], ['ESTABLISHED', 1], ['LISTEN', 1]]);
  const closeWait = tree.branches[0]!;
  assert.deepEqual(closeWait.peers?.map((p) => [p.label, p.sockets.length]), [['on :8303 from 127.0.0.1', 5], ['to 10.0.0.9:5432', 1]]);
  assert.deepEqual(closeWait.oldest, { since: 1000, atLeast: true });
  assert.deepEqual(closeWait.peers?.[1]?.oldest, { since: 3000, atLeast: false });
  // Oldest first, then unknown ages by fd.
  assert.deepEqual(closeWait.peers?.[0]?.sockets.map((s) => s.fd), [13, 11, 10, 12, 14]);
  assert.equal(tree.branches[2]?.peers, undefined, 'listeners have no peer level');
  assert.equal(tree.shown, 8);
});

test('by state: no peer level; sorted by fd when asked; none: one flat list', () => {
  const byState = buildViewTree(sockets, { groupBy: 'state', sortBy: 'fd', ageOf: (s) => ages.get(s) });
  assert.equal(byState.branches[0]?.peers, undefined);
  assert.deepEqual(byState.branches[0]?.group.sockets.map((s) => s.fd), [10, 11, 12, 13, 14, 20]);
  const flat = buildViewTree(sockets, { groupBy: 'none', sortBy: 'fd' });
  assert.equal(flat.branches.length, 0);
  assert.deepEqual(flat.flat.map((s) => s.fd), [10, 11, 12, 13, 14, 20, 21, 3]);
});

test('a filter leaves out sockets and empty groups and says how many it kept', () => {
  const tree = buildViewTree(sockets, { groupBy: 'peer', sortBy: 'fd', filter: parseFilter('5432') });
  assert.deepEqual(tree.branches.map((b) => b.group.label), ['CLOSE_WAIT', 'ESTABLISHED']);
  assert.equal(tree.shown, 2);
  assert.equal(tree.total, 8);
});

test('row text: what the parent does not say, distinguishing part first', () => {
  const peerOf = buildViewTree(sockets, { groupBy: 'peer', sortBy: 'fd' }).peerOf;
  const a = accepted[1]!;
  assert.equal(socketRowLabel(a, 'peer', peerOf(a)), ':40001');
  assert.equal(socketRowDescription(a, 'peer', peerOf(a), { since: 0, atLeast: false }, 240_000), 'fd 11 · 4 min');
  assert.equal(socketRowLabel(db[0]!, 'peer', peerOf(db[0]!)), ':51000', 'outgoing: the local port');
  assert.equal(socketRowLabel(a, 'state', peerOf(a)), '127.0.0.1:40001');
  assert.equal(socketRowDescription(a, 'state', peerOf(a), { since: 0, atLeast: true }, 30_000), 'local :8303 · fd 11 · ≥ 30 s');
  assert.equal(socketRowDescription(a, 'none', peerOf(a), undefined, 0), 'CLOSE_WAIT · local :8303 · fd 11');
  assert.equal(socketRowLabel(listen, 'peer', undefined), '127.0.0.1:8303');
  const busy = { ...a, protocol: 'tcp6' as const, rxQueue: 5, txQueue: 0 };
  assert.equal(socketRowDescription(busy, 'peer', peerOf(a), undefined, 0), 'fd 11 · tcp6 · rx 5');
});

test('by origin: site → state → sockets, the site with the most suspicious sockets first, no recorded origin last', () => {
  const send = { key: 'send', label: 'client.c:17 send_message' };
  const pool = { key: 'pool', label: 'pool.c:40 pool_open' };
  const site = new Map<Socket, typeof send>([[accepted[0]!, pool], [accepted[1]!, send], [accepted[2]!, send], [db[0]!, send], [db[1]!, pool], [listen, pool]]);
  const tree = buildViewTree(sockets, { groupBy: 'origin', sortBy: 'fd', siteOf: (s) => site.get(s) });
  assert.equal(tree.branches.length, 0);
  assert.deepEqual(tree.sites.map((b) => [b.label, b.sockets.length, b.suspicious]), [['client.c:17 send_message', 3, 3], ['pool.c:40 pool_open', 3, 1], ['no recorded origin', 2, 2]]);
  const first = tree.sites[0]!;
  assert.deepEqual(first.states.map((b) => [b.group.key, b.group.label, b.group.sockets.map((s) => s.fd)]), [['site:send/tcp:CLOSE_WAIT', 'CLOSE_WAIT', [11, 12, 20]]]);
  assert.deepEqual(tree.sites[1]!.states.map((b) => b.group.label), ['CLOSE_WAIT', 'ESTABLISHED', 'LISTEN']);
  assert.equal(tree.sites[1]!.states[0]!.peers, undefined, 'no peer level under a site');
  // A socket whose record has not been read yet is grouped apart, between the sites and those without a record.
  const pending = buildViewTree(sockets, { groupBy: 'origin', sortBy: 'fd', siteOf: (s) => site.get(s), pendingOf: (s) => s === sockets.find((x) => !site.has(x)) });
  assert.deepEqual(pending.sites.map((b) => [b.key, b.label, b.sockets.length]), [
    ['site:send', 'client.c:17 send_message', 3], ['site:pool', 'pool.c:40 pool_open', 3], ['site:pending', 'origin not read yet', 1], ['site:none', 'no recorded origin', 1],
  ]);
  // Without origins the choice falls back to the state grouping.
  const fallback = buildViewTree(sockets, { groupBy: 'origin', sortBy: 'fd' });
  assert.deepEqual(fallback.branches.map((b) => b.group.key), ['tcp:CLOSE_WAIT', 'tcp:ESTABLISHED', 'tcp:LISTEN']);
  assert.equal(fallback.sites.length, 0);
});
