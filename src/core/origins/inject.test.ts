import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRecorderPaths, recorderInjection } from './inject';

const paths = defaultRecorderPaths('/opt/sockscope/dist/lib');

test('recorderInjection: native appends to LD_PRELOAD', () => {
  assert.equal(recorderInjection('native', { LD_PRELOAD: '/u/a.so' }, paths).LD_PRELOAD, '/u/a.so:/opt/sockscope/dist/lib/libsockscope-origins.so');
});

test('recorderInjection: node appends --require to NODE_OPTIONS, once, quoting paths with spaces', () => {
  const env = { NODE_OPTIONS: '--max-old-space-size=64', PATH: '/bin' };
  const out = recorderInjection('node', env, paths);
  assert.equal(out.NODE_OPTIONS, '--max-old-space-size=64 --require /opt/sockscope/dist/lib/node/sockscope-origins.js');
  assert.equal(out.PATH, '/bin');
  assert.equal(env.NODE_OPTIONS, '--max-old-space-size=64', 'the input is not modified');
  assert.equal(recorderInjection('node', out, paths).NODE_OPTIONS, out.NODE_OPTIONS);
  assert.equal(recorderInjection('node', {}, defaultRecorderPaths('/my lib')).NODE_OPTIONS, '--require "/my lib/node/sockscope-origins.js"');
  assert.equal(out.LD_PRELOAD, undefined);
});

test('recorderInjection: python prepends its sitecustomize folder to PYTHONPATH, once', () => {
  assert.equal(recorderInjection('python', {}, paths).PYTHONPATH, '/opt/sockscope/dist/lib/python');
  const out = recorderInjection('python', { PYTHONPATH: '/u/site:/u/more' }, paths);
  assert.equal(out.PYTHONPATH, '/opt/sockscope/dist/lib/python:/u/site:/u/more');
  assert.equal(recorderInjection('python', out, paths).PYTHONPATH, out.PYTHONPATH);
});

test('recorderInjection: java appends -javaagent to JAVA_TOOL_OPTIONS; without an agent the env is unchanged', () => {
  assert.equal(recorderInjection('java', { JAVA_TOOL_OPTIONS: '-Xmx64m' }, paths).JAVA_TOOL_OPTIONS, '-Xmx64m -javaagent:/opt/sockscope/dist/lib/java/sockscope-origins.jar');
  assert.deepEqual(recorderInjection('java', { JAVA_TOOL_OPTIONS: '-Xmx64m' }, defaultRecorderPaths('/x', false)), { JAVA_TOOL_OPTIONS: '-Xmx64m' });
});
