import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOriginStream } from './streamFile';
import { RecordFormatError } from './recordFile';

test('parseOriginStream: replays opens and closes; a reused fd belongs to its last site; the partial last line is left out', () => {
  const text = [
    'SSSTREAM\t1\tpython\t4242\t123456',
    'S\t0\t[["/app/client.py",17,"send_message"],["/app/main.py",3,"<module>"]]',
    'S\t1\t[["/app/server.py",9,"serve"]]',
    'N\t0\t10\t4',
    'O\t5\t1001\t0\t1700000000000\t4242',
    'O\t6\t1002\t0\t1700000000001\t4242',
    'C\t5\t0',
    'O\t5\t1003\t1\t1700000000002\t4243',
    'O\t7\t1004\t-1\t1700000000003\t4242',
    'D\t1',
    'O\t8\t10',
  ].join('\n');
  const s = parseOriginStream(text);
  assert.equal(s.runtime, 'python');
  assert.equal(s.pid, 4242);
  assert.equal(s.startTicks, 123456n);
  assert.deepEqual(s.sites.get(0)?.[0], { file: '/app/client.py', line: 17, function: 'send_message', module: 'python' });
  assert.deepEqual([...s.live.keys()].sort(), [5, 6, 7]);
  assert.equal(s.live.get(5)?.stack, 1);
  assert.equal(s.live.get(5)?.inode, '1003');
  assert.equal(s.live.get(7)?.stack, undefined);
  assert.deepEqual(s.counts.get(0), { opens: 12, closes: 5 });
  assert.deepEqual(s.counts.get(1), { opens: 1, closes: 0 });
  assert.equal(s.sitesDropped, 1);
});

test('parseOriginStream: a zero-filled tail (a mapped, preallocated file) ends the stream', () => {
  const s = parseOriginStream('SSSTREAM\t1\tjava\t7\t9\nS\t0\t[["a/B.java",3,"a.B.f"]]\nO\t9\t77\t0\t1\t2\nC\t9\t0\0\0\0O\t10\t78\t0\t1\t2\n\0\0');
  assert.equal(s.live.size, 1);
  assert.equal(s.live.get(9)?.inode, '77');
});

test('parseOriginStream: refuses other files, versions and runtimes', () => {
  assert.throws(() => parseOriginStream('SSORIG01\n'), RecordFormatError);
  assert.throws(() => parseOriginStream('SSSTREAM\t2\tnode\t1\t1\n'), /version 2/);
  assert.throws(() => parseOriginStream('SSSTREAM\t1\truby\t1\t1\n'), /unknown runtime/);
});
