import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fdLimitFrom, formatCmdline, parseCmdline, parseLimits, parsePasswd, parseSocketLink, parseStat, parseStatus } from './procFiles';
import { readFixture } from './testSupport';

test('limits: captured file gives RLIMIT_NOFILE; "unlimited" is null; lines without units parse', () => {
  const captured = parseLimits(readFixture('linux', 'captured', 'limits'));
  assert.equal(captured.skipped, 0);
  assert.equal(captured.items.length, 16);
  assert.deepEqual(fdLimitFrom(captured.items), { soft: 20000, hard: 20000 });
  const unlimited = parseLimits(readFixture('linux', 'handmade', 'limits-unlimited'));
  assert.equal(unlimited.skipped, 1); // "Max broken  lots  more"
  assert.deepEqual(fdLimitFrom(unlimited.items), { soft: null, hard: null });
  assert.deepEqual(unlimited.items.find((l) => l.name === 'Max nice priority'), { name: 'Max nice priority', soft: 0, hard: 0, units: '' });
  assert.deepEqual(fdLimitFrom(parseLimits(readFixture('linux', 'handmade', 'limits-1024')).items), { soft: 1024, hard: 524288 });
  assert.equal(fdLimitFrom(parseLimits('').items), undefined);
});

test('stat: comm with spaces and parentheses runs to the last ")"; start time is field 22', () => {
  const weird = parseStat(readFixture('linux', 'handmade', 'stat-weird-comm'));
  assert.deepEqual(weird, { items: [{ pid: 4242, comm: 'my (weird) ) prog', state: 'S', ppid: 1, startTime: 987654 }], skipped: 0 });
  const captured = parseStat(readFixture('linux', 'captured', 'stat')).items[0];
  assert.deepEqual(captured, { pid: 5986, comm: 'node', state: 'S', ppid: 5982, startTime: 35242 });
  assert.equal(parseStat(readFixture('linux', 'handmade', 'stat-zombie')).items[0]?.state, 'Z');
});

test('stat: truncated or garbage input is skipped, not thrown', () => {
  assert.deepEqual(parseStat(readFixture('linux', 'handmade', 'stat-truncated')), { items: [], skipped: 1 });
  for (const bad of ['', 'garbage', '(x) S 1', '12 no parens S 1 2', 'x12 (a) S 1']) assert.deepEqual(parseStat(bad), { items: [], skipped: 1 }, bad);
});

test('status: Name and the real/effective uid', () => {
  assert.deepEqual(parseStatus(readFixture('linux', 'captured', 'status')).items, [{ name: 'node', uid: 0, euid: 0 }]);
  assert.deepEqual(parseStatus(readFixture('linux', 'handmade', 'status-1000')).items, [{ name: 'worker', uid: 1000, euid: 1001 }]);
  assert.deepEqual(parseStatus('Name:\tx\nUid:\tabc\n'), { items: [], skipped: 1 });
});

test('cmdline: NUL-separated arguments, empty ones kept, display quoting', () => {
  const args = parseCmdline(readFixture('linux', 'captured', 'cmdline')).items[0];
  assert.ok(args);
  assert.equal(args[0], 'node');
  assert.equal(args[1], '-e');
  assert.deepEqual(args.slice(-2), ['arg with space', '']);
  assert.equal(formatCmdline(['node', 'a b', '', 'x']), 'node "a b" "" x');
  assert.deepEqual(parseCmdline('').items, [[]]);
  assert.deepEqual(parseCmdline('nginx: worker process').items, [['nginx: worker process']]); // setproctitle, no NULs
});

test('cmdline: the NUL padding left by a rewritten process title is dropped', () => {
  // Node's process.title = 'leaky-server' over a longer argv: the title, then NULs to the old end.
  assert.deepEqual(parseCmdline('leaky-server' + '\0'.repeat(40)).items, [['leaky-server']]);
  assert.deepEqual(parseCmdline('prog\0\0\0x\0\0\0\0').items, [['prog', '', '', 'x']]);
  assert.deepEqual(parseCmdline('prog\0x\0\0').items, [['prog', 'x', '']]); // one real empty last argument
});

test('fd links: only socket:[digits] yields an inode', () => {
  assert.equal(parseSocketLink('socket:[12345]'), '12345');
  for (const other of ['pipe:[12345]', 'anon_inode:[eventfd]', '/tmp/socket:[1]', 'socket:[]', 'socket:[12a]', 'socket:[1', '/dev/null']) {
    assert.equal(parseSocketLink(other), undefined, other);
  }
  // every socket link captured from a real fd dir parses
  const links = readFixture('linux', 'captured', 'fd-links.txt').trim().split('\n').map((l) => l.split(' ')[1] ?? '');
  assert.deepEqual(links.map(parseSocketLink).filter((x) => x !== undefined).length, 13);
});

test('passwd: name and uid; malformed lines counted', () => {
  assert.deepEqual(parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\nalice:x:1000:1000::/home/alice:/bin/sh\n'),
    { items: [{ name: 'root', uid: 0 }, { name: 'alice', uid: 1000 }], skipped: 1 });
});
