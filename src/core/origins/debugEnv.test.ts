import { test } from 'node:test';
import assert from 'node:assert/strict';
import { injectRecorder, runtimeOfDebugType } from './debugEnv';
import type { RecorderInjector } from './debugEnv';
import { withRecorder } from './launchEnv';

const LIB = '/ext/dist/lib/libsockscope-origins.so';
const native: RecorderInjector = (runtime, env) => (runtime === 'native' ? withRecorder(env, LIB) : undefined);
/** A stand-in for the other runtimes' injections: appends the way each variable is joined. */
const all: RecorderInjector = (runtime, env) => {
  const append = (name: string, value: string, sep: string) => ({ ...env, [name]: env[name] ? `${env[name]}${sep}${value}` : value });
  switch (runtime) {
    case 'native': return withRecorder(env, LIB);
    case 'node': return append('NODE_OPTIONS', '--require /ext/rec/node.js', ' ');
    case 'python': return append('PYTHONPATH', '/ext/rec/python', ':');
    case 'java': return append('JAVA_TOOL_OPTIONS', '-javaagent:/ext/rec/agent.jar', ' ');
  }
};

test('cppdbg: LD_PRELOAD added to the environment array, after the user\'s own entry, other entries kept', () => {
  const config = { type: 'cppdbg', request: 'launch', program: '/w/client', environment: [{ name: 'A', value: '1' }, { name: 'LD_PRELOAD', value: '/u/mine.so' }] };
  const r = injectRecorder(config, native, { PATH: '/bin' });
  assert.ok(r.injected);
  assert.deepEqual(r.config.environment, [{ name: 'A', value: '1' }, { name: 'LD_PRELOAD', value: `/u/mine.so:${LIB}` }]);
  assert.deepEqual(r.variables, ['LD_PRELOAD']);
  assert.deepEqual(config.environment[1], { name: 'LD_PRELOAD', value: '/u/mine.so' }, 'the input is not changed');
  // Not set in the configuration: the inherited value is kept in front.
  const inherited = injectRecorder({ type: 'cppdbg', request: 'launch', program: '/w/client' }, native, { LD_PRELOAD: '/sys/a.so' });
  assert.ok(inherited.injected);
  assert.deepEqual(inherited.config.environment, [{ name: 'LD_PRELOAD', value: `/sys/a.so:${LIB}` }]);
});

test('lldb: the env object; already injected: nothing to do', () => {
  const r = injectRecorder({ type: 'lldb', request: 'launch', program: '/w/client', env: { LD_PRELOAD: '/u/a.so', X: 'y' } }, native, {});
  assert.ok(r.injected);
  assert.deepEqual(r.config.env, { LD_PRELOAD: `/u/a.so:${LIB}`, X: 'y' });
  const again = injectRecorder(r.config, native, {});
  assert.deepEqual(again, { injected: false, reason: 'nothing to add: the recorder is already in its environment, or none was built for this runtime' });
});

test('node, python, java: the injector\'s variables go to env, appended to the user\'s', () => {
  const node = injectRecorder({ type: 'pwa-node', request: 'launch', program: 's.js', env: { NODE_OPTIONS: '--max-old-space-size=100' } }, all, {});
  assert.ok(node.injected);
  assert.deepEqual(node.config.env, { NODE_OPTIONS: '--max-old-space-size=100 --require /ext/rec/node.js' });
  const py = injectRecorder({ type: 'debugpy', request: 'launch', program: 'a.py' }, all, { PYTHONPATH: '/u/lib' });
  assert.ok(py.injected);
  assert.deepEqual(py.config.env, { PYTHONPATH: '/u/lib:/ext/rec/python' });
  assert.equal(py.runtime, 'python');
  const java = injectRecorder({ type: 'java', request: 'launch', mainClass: 'App', env: { JAVA_TOOL_OPTIONS: '-Xmx1g' } }, all, {});
  assert.ok(java.injected);
  assert.deepEqual(java.config.env, { JAVA_TOOL_OPTIONS: '-Xmx1g -javaagent:/ext/rec/agent.jar' });
  // A variable the user removes with null is not inherited: the injection starts from nothing.
  const removed = injectRecorder({ type: 'node', request: 'launch', program: 's.js', env: { NODE_OPTIONS: null } }, all, { NODE_OPTIONS: '--inherited' });
  assert.ok(removed.injected);
  assert.deepEqual(removed.config.env, { NODE_OPTIONS: '--require /ext/rec/node.js' });
  // The native injector alone knows no Node recorder.
  assert.deepEqual(injectRecorder({ type: 'node', request: 'launch', program: 's.js' }, native, {}), { injected: false, reason: 'no node recorder is available' });
});

test('left alone: attach, remote and custom launches, envFile, malformed fields, other adapters', () => {
  const no = (config: Record<string, unknown>) => {
    const r = injectRecorder(config, all, {});
    assert.equal(r.injected, false, JSON.stringify(config));
    return r.injected ? '' : r.reason;
  };
  assert.equal(no({ type: 'cppdbg', request: 'attach', processId: 5 }), 'not a launch request');
  assert.match(no({ type: 'cppdbg', request: 'launch', program: 'p', miDebuggerServerAddress: 'h:1' }), /remote/);
  assert.match(no({ type: 'cppdbg', request: 'launch', program: 'p', pipeTransport: {} }), /remote/);
  assert.match(no({ type: 'debugpy', request: 'launch', program: 'p', envFile: '${workspaceFolder}/.env' }), /envFile/);
  assert.match(no({ type: 'cppdbg', request: 'launch', program: 'p', environment: { LD_PRELOAD: 'x' } }), /not in the form/);
  assert.match(no({ type: 'lldb', request: 'launch', program: 'p', env: { N: 3 } }), /not in the form/);
  assert.match(no({ type: 'go', request: 'launch', program: 'p' }), /not one SockScope can inject into/);
  assert.equal(runtimeOfDebugType('lldb'), 'native');
  assert.equal(runtimeOfDebugType('pwa-node'), 'node');
  assert.equal(runtimeOfDebugType('go'), undefined);
});
