import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LeakWarning } from '../sampler/heuristics';
import { confirmationText, confirmFindings, frameInFile, leakingSites, unprovenText } from './confirm';
import type { StaticFinding } from './confirm';
import type { Origin } from './symbolize';

const frame = (file: string | null, line: number | null, fn: string | null) => ({ file, line, function: fn, module: '/w/client' });
// send_message's socket() on line 29 (0-based 28), called from main on line 80; two exits leak it (lines 38 and 44).
const send: Origin = { frames: [frame('/w/client.c', 29, 'send_message'), frame('/w/client.c', 80, 'main')] };
const helper: Origin = { frames: [frame('/w/net.c', 12, 'open_conn'), frame('/w/client.c', 90, 'main')] };
const finding = (acquired: number, at: number): StaticFinding => ({ acquired: { start: { line: acquired - 1 } }, range: { start: { line: at - 1 } }, function: 'send_message' });

test('confirmFindings: every finding acquired on a leaking site\'s line is confirmed with the count, per pid', () => {
  const files = new Map([['/w/client.c', [finding(29, 38), finding(29, 44), finding(60, 66)]]]);
  const live = [
    { pid: 1234, key: 's', origin: send, count: 37, state: 'CLOSE_WAIT' },
    { pid: 99, key: 's', origin: send, count: 2, state: 'CLOSE_WAIT' },
  ];
  const r = confirmFindings(files, live);
  const c = r.confirmed.get('/w/client.c');
  assert.deepEqual([...(c?.keys() ?? [])], [0, 1]);
  assert.deepEqual(c?.get(0), [{ pid: 1234, count: 37, state: 'CLOSE_WAIT', line: 29 }, { pid: 99, count: 2, state: 'CLOSE_WAIT', line: 29 }]);
  assert.equal(r.unproven.size, 0);
  assert.equal(confirmationText(c!.get(0)![0]!, 38), '37 sockets created on line 29 are in CLOSE_WAIT in pid 1234 now');
  assert.equal(confirmationText({ pid: 1, count: 1, state: 'CLOSE_WAIT', line: 5 }, 5), '1 socket created here is in CLOSE_WAIT in pid 1 now');
});

test('confirmFindings: a caller\'s line confirms a finding there; a site no finding explains is unproven only where its file was analysed', () => {
  // The socket is made in net.c's open_conn; client.c's finding is on the call in main (line 90).
  const viaCaller = confirmFindings(new Map([['/w/client.c', [finding(90, 95)]], ['/w/net.c', []]]), [{ pid: 7, key: 'h', origin: helper, count: 3, state: 'CLOSE_WAIT' }]);
  assert.deepEqual([...(viaCaller.confirmed.get('/w/client.c')?.keys() ?? [])], [0]);
  assert.equal(viaCaller.unproven.size, 0, 'explained in another file: no note');

  const none = confirmFindings(new Map([['/w/net.c', []]]), [{ pid: 7, key: 'h', origin: helper, count: 3, state: 'CLOSE_WAIT' }]);
  assert.deepEqual(none.unproven.get('/w/net.c'), [{ line: 12, function: 'open_conn', pid: 7, count: 3, state: 'CLOSE_WAIT' }]);
  assert.match(unprovenText(none.unproven.get('/w/net.c')![0]!), /^3 sockets created here are in CLOSE_WAIT in pid 7 now, but the analysis could not prove which path leaks them: look for a path out of open_conn /);

  // The process started before the file last changed (a fix just applied): the note says it runs the old code.
  const started = confirmFindings(new Map([['/w/net.c', []]]), [{ pid: 7, key: 'h', origin: helper, count: 3, state: 'CLOSE_WAIT', startedAt: 5000 }]);
  const u = started.unproven.get('/w/net.c')![0]!;
  assert.equal(u.startedAt, 5000);
  assert.equal(unprovenText(u, true), '3 sockets created here are in CLOSE_WAIT in pid 7 now. This file changed after pid 7 started, so the process '
    + 'still runs the code from before the change: restart it (rebuilt, for a compiled program) to see whether the leak is gone.');
  assert.match(unprovenText(u, false), /but the analysis could not prove which path leaks them/);

  // net.c not analysed: nothing is claimed.
  assert.equal(confirmFindings(new Map([['/w/other.c', []]]), [{ pid: 7, key: 'h', origin: helper, count: 3, state: 'CLOSE_WAIT' }]).unproven.size, 0);
  // No line information: nothing to point at.
  const stripped: Origin = { frames: [frame(null, null, 'send_message')], note: 'no debug info: build with -g' };
  assert.equal(confirmFindings(new Map([['/w/client.c', [finding(29, 38)]]]), [{ pid: 7, key: 'x', origin: stripped, count: 3, state: 'CLOSE_WAIT' }]).confirmed.size, 0);
});

test('frameInFile: absolute paths compare normalized; relative ones as a path suffix', () => {
  assert.equal(frameInFile('/w/./src/../client.c', '/w/client.c'), true);
  assert.equal(frameInFile('client.c', '/w/client.c'), true);
  assert.equal(frameInFile('src/client.c', '/w/src/client.c'), true);
  assert.equal(frameInFile('t.c', '/w/client.c'), false, 'not a suffix of the name');
  assert.equal(frameInFile('/x/client.c', '/w/client.c'), false);
  assert.equal(frameInFile('../client.c', '/w/client.c'), false);
});

test('leakingSites: the CLOSE_WAIT warning\'s sockets by site', () => {
  const warnings: LeakWarning[] = [
    { id: 'close-wait-growth', severity: 'warning', title: '', detail: '', since: 0, sockets: ['1', '2', '3', '4'] },
    { id: 'recv-queue-stuck', severity: 'warning', title: '', detail: '', since: 0, sockets: ['5'] },
  ];
  const siteOf = (inode: string) => (inode === '4' ? undefined : inode === '3' ? { key: 'h', origin: helper } : { key: 's', origin: send });
  assert.deepEqual(leakingSites(42, warnings, siteOf).map((s) => [s.key, s.count, s.pid, s.state]), [['s', 2, 42, 'CLOSE_WAIT'], ['h', 1, 42, 'CLOSE_WAIT']]);
  assert.deepEqual(leakingSites(42, warnings, siteOf, 1234).map((s) => s.startedAt), [1234, 1234]);
  assert.ok(!('startedAt' in (leakingSites(42, warnings, siteOf)[0] ?? {})));
});
