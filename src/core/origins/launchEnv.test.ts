import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRecorder } from './launchEnv';

test('withRecorder: appends to the user\'s LD_PRELOAD, never replaces it, never twice', () => {
  assert.equal(withRecorder({}, '/lib/rec.so').LD_PRELOAD, '/lib/rec.so');
  assert.equal(withRecorder({ LD_PRELOAD: '/u/a.so /u/b.so' }, '/lib/rec.so').LD_PRELOAD, '/u/a.so /u/b.so:/lib/rec.so');
  assert.equal(withRecorder({ LD_PRELOAD: '/lib/rec.so:/u/a.so' }, '/lib/rec.so').LD_PRELOAD, '/lib/rec.so:/u/a.so');
  assert.equal(withRecorder({ PATH: '/bin' }, '/r.so').PATH, '/bin');
});
