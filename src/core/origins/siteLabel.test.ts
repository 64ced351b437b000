import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siteInSentence, siteKey, siteLabel, sourceFrame } from './siteLabel';
import type { Origin } from './symbolize';

test('siteLabel: file:line and function; module without line information; control characters escaped', () => {
  const send: Origin = { frames: [{ file: '/w/src/client.c', line: 17, function: 'send_message', module: '/w/client' }] };
  assert.equal(siteLabel(send), 'client.c:17 send_message');
  assert.equal(siteInSentence(send), 'client.c:17 in send_message');
  const stripped: Origin = { frames: [{ file: null, line: null, function: 'f\u001b]0;x', module: '/usr/lib/libx.so.1' }, { file: '/w/m.c', line: 3, function: 'main', module: '/w/m' }] };
  assert.equal(siteLabel(stripped), 'libx.so.1 f\\x1b]0;x');
  assert.equal(sourceFrame(stripped)?.line, 3, 'a click opens the first frame with a line');
  assert.equal(siteLabel({ frames: [] }), 'no frame in the program');
  assert.notEqual(siteKey(send, 1), siteKey(stripped, 1));
  assert.equal(siteKey({ frames: [] }, 4), 'stack 4');
});
