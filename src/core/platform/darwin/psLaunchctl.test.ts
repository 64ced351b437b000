import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLaunchctlMaxfiles } from './launchctl';
import { parsePsProcesses } from './ps';
import { readFixture } from './testSupport';

test('ps -axo pid=,user=,comm=,args=: paths with spaces, rewritten argv[0], junk lines', () => {
  const r = parsePsProcesses(readFixture('darwin', 'ps-axo.txt'));
  assert.equal(r.skipped, 1);
  const byPid = new Map(r.items.map((p) => [p.pid, p]));
  assert.deepEqual(byPid.get(1), { pid: 1, user: 'root', name: 'launchd', cmdline: '/sbin/launchd' });
  assert.deepEqual(byPid.get(501), {
    pid: 501, user: 'dev', name: 'Google Chrome',
    cmdline: '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome --flag-switches-begin',
  });
  assert.deepEqual(byPid.get(777), { pid: 777, user: 'dev', name: 'python3.12', cmdline: 'python3 -m http.server 8000' });
  assert.deepEqual(byPid.get(4242), { pid: 4242, user: 'dev', name: 'node', cmdline: 'node server.js --port 8080' });
  assert.deepEqual(byPid.get(5150), { pid: 5150, user: 'dev', name: 'postgres', cmdline: 'postgres: checkpointer' });
  assert.equal(byPid.get(312)?.user, '_mdnsresponder');
  assert.equal(r.items.length, 7);
});

test('launchctl limit maxfiles: numbers and "unlimited"', () => {
  assert.deepEqual(parseLaunchctlMaxfiles(readFixture('darwin', 'launchctl-maxfiles.txt')), { soft: 256, hard: null });
  assert.deepEqual(parseLaunchctlMaxfiles(readFixture('darwin', 'launchctl-maxfiles-raised.txt')), { soft: 10240, hard: 10240 });
  assert.equal(parseLaunchctlMaxfiles('\tmaxproc    2000  3000\n'), undefined);
  assert.equal(parseLaunchctlMaxfiles('\tmaxfiles    lots  256\n'), undefined);
});
