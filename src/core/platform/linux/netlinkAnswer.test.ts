import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHelperAnswer, unescapeField } from './netlinkAnswer';

// Records as native/sockscope-netlink.c prints them on a little-endian machine.
const LISTEN = 'tcp 4242 18 10 0100007F 8080 00000000 0 0 0 0 0 0 1000 0,0,1700000000000,1700000000000';
const CLOSE_WAIT = 'tcp 4243 20,31 8 0100007F 8080 0100007F 43202 0 1 0 0 0 1000 11000,5001,1700000001000,1700000002000';
const V6 = 'tcp6 4244 21 1 00000000000000000000000001000000 80 0000000000000000FFFF00000100007F 49153 0 0 2 500 3 1000 -';
const UDP = 'udp 4245 7 7 0100007F 53 00000000 0 0 0 0 0 0 0 -';
const UNIX = 'unix 4246 9 1 1 5000 0 4247 @evil\\x0A0000:\\x20fake';
const RESET = 'sock 4248 11 TCP';
const NETLINK = 'sock 4249 12 NETLINK';

test('a full answer: counts, reset, every kind of record, fds and names as they are', () => {
  const text = ['begin 77', 'fds 25 9', 'reset', LISTEN, CLOSE_WAIT, V6, UDP, UNIX, RESET, NETLINK, 'tw 3 40 120 32768 60999', 'end', ''].join('\n');
  const a = parseHelperAnswer(text, { littleEndian: true });
  assert.ok(a);
  assert.equal(a.pid, 77);
  assert.equal(a.reset, true);
  assert.deepEqual(a.fds, { count: 25, sockets: 9 });
  assert.deepEqual(a.rows.map((s) => [s.fd, s.protocol, s.state, s.inode]), [
    [18, 'tcp', 'LISTEN', '4242'], [20, 'tcp', 'CLOSE_WAIT', '4243'], [21, 'tcp6', 'ESTABLISHED', '4244'], [7, 'udp', 'CLOSE', '4245'],
    [9, 'unix', 'ESTABLISHED', '4246'], [11, 'tcp', 'CLOSE', '4248'],
  ]);
  const cw = a.rows[1];
  assert.deepEqual([cw?.local, cw?.remote, cw?.rxQueue, cw?.fds], [{ address: '127.0.0.1', port: 8080 }, { address: '127.0.0.1', port: 43202 }, 1, [20, 31]]);
  assert.deepEqual(cw?.progress, { bytesAcked: 11000, bytesReceived: 5001, lastDataSentAt: 1700000001000, lastDataRecvAt: 1700000002000 });
  const v6 = a.rows[2];
  assert.deepEqual([v6?.local.address, v6?.remote?.address, v6?.timer, v6?.retransmits, v6?.progress], ['::1', '::ffff:127.0.0.1', { active: 2, jiffies: 500 }, 3, undefined]);
  const unix = a.rows[4];
  assert.deepEqual([unix?.local.address, unix?.rxQueue, unix?.peerInode, unix?.unixType], ['@evil\n0000: fake', 5000, '4247', 'stream']);
  assert.equal(a.rows[5]?.detached, true);
  assert.deepEqual(a.others, [{ inode: '4249', fds: [12], kind: 'NETLINK' }]);
  assert.deepEqual(a.timeWait, { own: 3, netns: 40, ephemeralInUse: 120, range: { low: 32768, high: 60999 } });
  assert.deepEqual(a.gone, []);
  assert.equal(a.skipped, 0);
});

test('a delta: the fd map kept, changed rows, gone inodes', () => {
  const a = parseHelperAnswer(`begin 77\nfds kept\n${CLOSE_WAIT}\ngone 4242\ngone 4244\ntw 0 0 0 1 2\nend\n`);
  assert.ok(a);
  assert.equal(a.fds, undefined);
  assert.equal(a.reset, false);
  assert.deepEqual(a.rows.map((s) => s.inode), ['4243']);
  assert.deepEqual(a.gone, ['4242', '4244']);
});

test('an unchanged process: nothing but kept', () => {
  assert.deepEqual(parseHelperAnswer('begin 5\nfds kept\nend\n'), { pid: 5, fds: undefined, reset: false, rows: [], others: [], gone: [], timeWait: undefined, skipped: 0 });
});

test('an error answer', () => {
  assert.deepEqual(parseHelperAnswer('begin 5\nerror NETNS process 5 is in another network namespace\nend\n')?.error, { code: 'NETNS', detail: 'process 5 is in another network namespace' });
});

test('records with a field too many or too few are skipped, never read shifted', () => {
  const a = parseHelperAnswer(`begin 5\nfds 3 2\nreset\n${UNIX} extra\n${LISTEN.replace(' 1000 ', ' ')}\n${UDP}\nend\n`);
  assert.equal(a?.skipped, 2);
  assert.deepEqual(a?.rows.map((s) => s.inode), ['4245']);
});

test('answers of another shape are refused as a whole', () => {
  for (const text of ['', 'begin 5\nend\n', 'begin 5\nfds kept\n', 'begin x\nfds kept\nend\n', 'begin 5\nfds kept\nsomething\nend\n', 'begin 5\nfds 1\nend\n', 'begin 5 6\nfds kept\nend\n']) {
    assert.equal(parseHelperAnswer(text), undefined, JSON.stringify(text));
  }
});

test('names: escapes turn back into the bytes, "-" is no name', () => {
  assert.equal(unescapeField('-'), '');
  assert.equal(unescapeField('/run/a\\x20b\\x5C\\x2D'), '/run/a b\\-');
});
