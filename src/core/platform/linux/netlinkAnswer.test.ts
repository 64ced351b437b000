import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHelperAnswer } from './netlinkAnswer';

// Rows as native/sockscope-netlink.c prints them on a little-endian machine: /proc/net lines with the fd first.
const LISTEN = 'tcp   18: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242';
const CLOSE_WAIT = 'tcp   20: 0100007F:1F90 0100007F:A8C2 08 00000000:00000001 00:00000000 00000000  1000        0 4243';
const V6 = 'tcp6   21: 00000000000000000000000001000000:0050 0000000000000000FFFF00000100007F:C001 01 00000000:00000000 02:000001F4 00000003  1000        0 4244';
const UDP = 'udp    7: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4245';

test('a full answer: fd map, reset, rows of every table with the fd from the first column', () => {
  const text = ['begin 77', 'fds 25 rescanned 2', 'f 0 9000', 'f 1 9001', 'reset', LISTEN, CLOSE_WAIT, V6, UDP, 'end', ''].join('\n');
  const a = parseHelperAnswer(text, { littleEndian: true });
  assert.ok(a);
  assert.equal(a.pid, 77);
  assert.equal(a.reset, true);
  assert.deepEqual(a.fds, { count: 25, duplicates: 2, other: new Map([['9000', 0], ['9001', 1]]) });
  assert.deepEqual(a.rows.map((s) => [s.fd, s.protocol, s.state, s.inode]), [
    [18, 'tcp', 'LISTEN', '4242'], [20, 'tcp', 'CLOSE_WAIT', '4243'], [21, 'tcp6', 'ESTABLISHED', '4244'], [7, 'udp', 'CLOSE', '4245'],
  ]);
  const cw = a.rows[1];
  assert.deepEqual([cw?.local, cw?.remote, cw?.rxQueue], [{ address: '127.0.0.1', port: 8080 }, { address: '127.0.0.1', port: 43202 }, 1]);
  const v6 = a.rows[2];
  assert.deepEqual([v6?.local.address, v6?.remote?.address, v6?.timer, v6?.retransmits], ['::1', '::ffff:127.0.0.1', { active: 2, jiffies: 500 }, 3]);
  assert.deepEqual(a.gone, []);
  assert.equal(a.skipped, 0);
});

test('a delta: the fd map kept, changed rows, gone inodes', () => {
  const a = parseHelperAnswer(`begin 77\nfds - kept\n${CLOSE_WAIT}\ngone 4242\ngone 4244\nend\n`);
  assert.ok(a);
  assert.equal(a.fds, undefined);
  assert.equal(a.reset, false);
  assert.deepEqual(a.rows.map((s) => s.inode), ['4243']);
  assert.deepEqual(a.gone, ['4242', '4244']);
});

test('an unchanged process: nothing but kept', () => {
  assert.deepEqual(parseHelperAnswer('begin 5\nfds - kept\nend\n'), { pid: 5, fds: undefined, reset: false, rows: [], gone: [], skipped: 0 });
});

test('errors carry the code and the detail', () => {
  const a = parseHelperAnswer('begin 9\nerror NETNS process 9 is in another network namespace\nend\n');
  assert.deepEqual(a?.error, { code: 'NETNS', detail: 'process 9 is in another network namespace' });
  assert.equal(parseHelperAnswer('begin 9\nerror ESRCH cannot read /proc/9/stat\nend\n')?.error?.code, 'ESRCH');
});

test('a malformed row is counted, not thrown, and the rest is kept', () => {
  const a = parseHelperAnswer(`begin 1\nfds - kept\ntcp   3: garbage\n${LISTEN}\nend\n`);
  assert.equal(a?.skipped, 1);
  assert.deepEqual(a?.rows.map((s) => s.inode), ['4242']);
});

test('answers without the expected shape are refused (the caller then reads /proc)', () => {
  for (const text of [
    '',
    'end\n',
    'begin 1\nfds - kept\n', // cut short
    'begin x\nfds - kept\nend\n',
    'begin 1\nend\n', // no fds line
    'begin 1\nfds 10 rescanned\nend\n', // no duplicates count
    'begin 1\nfds ten rescanned 0\nend\n',
    'begin 1\nf 3 100\nfds 10 rescanned 0\nend\n', // f before fds
    'begin 1\nfds - kept\nf 3 100\nend\n', // f without a rescan
    'begin 1\nfds - kept\ngone abc\nend\n',
    'begin 1\nfds - kept\nsurprise\nend\n',
    '\u0000\u0001binary\nend\n',
  ]) assert.equal(parseHelperAnswer(text), undefined, JSON.stringify(text));
});
