import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, mkdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { spawn } from 'child_process';
import { PidFinder, pidFromConfiguration, pidFromLldbOutput, pidFromSessionName } from './pid';
import type { FoundPid } from './pid';
import { findChildPid, linuxChildReader, linuxNameReader } from './processTree';

interface RecordedSession {
  name: string;
  configuration: Record<string, unknown>;
  messages: { dir: 'toAdapter' | 'fromAdapter'; msg: unknown }[];
  processTree?: Record<string, { name: string; children: number[] }>;
}

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/dap');

function load(name: string): RecordedSession[] {
  return (JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as { sessions: RecordedSession[] }).sessions;
}

/** Replays a session as a DebugAdapterTracker would see it; returns the final best pid and each change (message index → pid). */
function replay(session: RecordedSession) {
  const finder = new PidFinder({ configuration: session.configuration, sessionName: session.name });
  const changes: [number, FoundPid][] = [];
  if (finder.best) changes.push([-1, finder.best]);
  session.messages.forEach(({ dir, msg }, i) => {
    const changed = dir === 'fromAdapter' ? finder.fromAdapter(msg) : finder.toAdapter(msg);
    if (changed) changes.push([i, changed]);
  });
  return { best: finder.best, changes: changes.map(([i, f]) => [i, f.pid, f.origin]), all: finder.all };
}

test('node (js-debug): the parent has no pid; the child session name carries it', () => {
  const [parent, child] = load('node');
  assert.ok(parent && child);
  assert.equal(replay(parent).best, undefined);
  assert.deepEqual(replay(child).changes, [[-1, 48213, 'session-name']]);
});

test('python (debugpy): the process event beats the terminal shell it arrived after', () => {
  const [s] = load('python');
  assert.ok(s);
  const r = replay(s);
  assert.deepEqual(r.changes, [[4, 51190, 'run-in-terminal-shell'], [9, 51234, 'process-event']]);
  assert.deepEqual(r.best, { pid: 51234, origin: 'process-event', isShell: false });
});

test('cppdbg: only the terminal shell pid; the debuggee is found under gdb', async () => {
  const [s] = load('cppdbg');
  assert.ok(s?.processTree);
  const r = replay(s);
  assert.deepEqual(r.best, { pid: 60110, origin: 'run-in-terminal-shell', isShell: true });
  const tree = s.processTree;
  const readChildren = (pid: number) => Promise.resolve(tree[String(pid)]?.children ?? []);
  const readName = (pid: number) => Promise.resolve(tree[String(pid)]?.name);
  assert.equal(await findChildPid(r.best.pid, readChildren, readName), 60130);
  // Without names the shell's newest child is the answer (gdb here): names matter for cppdbg.
  assert.equal(await findChildPid(r.best.pid, readChildren), 60114);
});

test('lldb (CodeLLDB): the console line gives the pid', () => {
  const [s] = load('lldb');
  assert.ok(s);
  assert.deepEqual(replay(s).changes, [[7, 70231, 'lldb-console']]);
});

test('lldb: only CodeLLDB\'s own console line counts, not the debuggee\'s output nor another adapter\'s', () => {
  const [s] = load('lldb');
  assert.ok(s);
  const output = (category: string | undefined, text: string) => ({ type: 'event', event: 'output', body: { ...(category ? { category } : {}), output: text } });
  // The debuggee prints a fake launch line on stdout or stderr before CodeLLDB's real one.
  for (const category of ['stdout', 'stderr', 'important', 'telemetry']) {
    const f: PidFinder = new PidFinder({ configuration: s.configuration });
    assert.equal(f.fromAdapter(output(category, 'Launched process 1 from \'/sbin/init\'\n')), undefined, category);
    assert.deepEqual(f.fromAdapter(output('console', 'Launched process 70231 from \'/srv/server\'\n')), { pid: 70231, origin: 'lldb-console', isShell: false });
    // Once known, a later console line (e.g. a command typed in the Debug Console) does not move it.
    assert.equal(f.fromAdapter(output('console', 'Attached to process 1\n')), undefined);
    assert.equal(f.best?.pid, 70231);
  }
  // Older CodeLLDB versions send console messages without a category.
  assert.equal(new PidFinder({ configuration: s.configuration }).fromAdapter(output(undefined, 'Launched process 5\n'))?.pid, 5);
  // Any other adapter's output is the debuggee's (or that adapter's) text: never a pid.
  for (const type of ['python', 'cppdbg', 'node', undefined]) {
    const f = new PidFinder({ configuration: type ? { type, request: 'launch' } : {} });
    assert.equal(f.fromAdapter(output('console', 'Launched process 1\n')), undefined, String(type));
  }
  assert.equal(new PidFinder({ configuration: { type: 'python' }, adapterType: 'lldb' }).fromAdapter(output('console', 'Launched process 9\n'))?.pid, 9);
});

test('java: the custom processid event gives the pid; a -1 shell pid is ignored', () => {
  const [s] = load('java');
  assert.ok(s);
  const r = replay(s);
  assert.deepEqual(r.changes, [[4, 80345, 'java-processid-event']]);
  assert.equal(r.all.length, 1);
});

test('go (dlv-dap): launch gets the process event; attach has the configuration pid first', () => {
  const [launch, attach] = load('go');
  assert.ok(launch && attach);
  assert.deepEqual(replay(launch).changes, [[8, 90877, 'process-event']]);
  const a = replay(attach);
  assert.deepEqual(a.changes, [[-1, 91002, 'configuration'], [5, 91002, 'process-event']]);
});

test('configuration pids: numbers, numeric strings, pid:port; leftovers and junk are ignored', () => {
  assert.equal(pidFromConfiguration({ processId: 123 }), 123);
  assert.equal(pidFromConfiguration({ processId: ' 456 ' }), 456);
  assert.equal(pidFromConfiguration({ processId: '789:9229' }), 789);
  assert.equal(pidFromConfiguration({ pid: 42 }), 42);
  assert.equal(pidFromConfiguration({ processId: '${command:pickProcess}', pid: 7 }), 7);
  assert.equal(pidFromConfiguration({ processId: '${command:pickProcess}' }), undefined);
  assert.equal(pidFromConfiguration({ processId: -3 }), undefined);
  assert.equal(pidFromConfiguration({ processId: 1.5 }), undefined);
  assert.equal(pidFromConfiguration({ processId: { pid: 3 } }), undefined);
});

test('session names and lldb output', () => {
  assert.equal(pidFromSessionName('server.js [48213]'), 48213);
  assert.equal(pidFromSessionName('Launch Program'), undefined);
  assert.equal(pidFromSessionName('[12] worker.js'), undefined);
  assert.equal(pidFromLldbOutput('Attached to process 1234\n'), 1234);
  assert.equal(pidFromLldbOutput('Process 1234 exited with status = 0\n'), undefined);
});

test('malformed messages are ignored; a remote process event is not a local pid', () => {
  const f = new PidFinder();
  for (const m of [null, 42, 'x', [], { type: 'event' }, { type: 'event', event: 'process', body: 'x' }, { type: 'event', event: 'process', body: { systemProcessId: 'abc' } },
    { type: 'response', command: 'runInTerminal', success: false, body: { processId: 5 } }]) {
    assert.equal(f.fromAdapter(m), undefined);
    assert.equal(f.toAdapter(m), undefined);
  }
  assert.equal(f.fromAdapter({ type: 'event', event: 'process', body: { systemProcessId: 300, isLocalProcess: false } }), undefined);
  assert.equal(f.best, undefined);
  assert.deepEqual(f.toAdapter({ type: 'response', command: 'runInTerminal', success: true, body: { processId: 77, shellProcessId: 70 } }), { pid: 77, origin: 'run-in-terminal', isShell: false });
});

test('findChildPid: no child yet → undefined; helpers are skipped', async () => {
  assert.equal(await findChildPid(10, () => Promise.resolve([])), undefined);
  const tree: Record<number, number[]> = { 10: [11], 11: [12, 13] };
  const names: Record<number, string> = { 10: 'sh', 11: 'env', 12: 'prog', 13: 'sleep' };
  assert.equal(await findChildPid(10, (p) => Promise.resolve(tree[p] ?? []), (p) => Promise.resolve(names[p])), 12);
});

test('linuxChildReader reads every thread\'s children file; linuxNameReader reads comm', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sockscope-proc-'));
  mkdirSync(path.join(root, '500/task/500'), { recursive: true });
  mkdirSync(path.join(root, '500/task/501'), { recursive: true });
  writeFileSync(path.join(root, '500/task/500/children'), '600 601 ');
  writeFileSync(path.join(root, '500/task/501/children'), '602 600');
  writeFileSync(path.join(root, '500/comm'), 'bash\n');
  const kids = await linuxChildReader(root)(500);
  assert.deepEqual([...kids].sort(), [600, 601, 602]);
  assert.deepEqual(await linuxChildReader(root)(999), []);
  assert.equal(await linuxNameReader(root)(500), 'bash');
  assert.equal(await linuxNameReader(root)(999), undefined);
});

test('on this machine: a real shell\'s child is found through /proc', { skip: process.platform !== 'linux' }, async () => {
  const shell = spawn('/bin/sh', ['-c', 'sleep 30; true'], { stdio: 'ignore' });
  try {
    assert.ok(shell.pid);
    let child: number | undefined;
    for (let i = 0; i < 100 && child === undefined; i++) {
      child = await findChildPid(shell.pid, linuxChildReader());
      if (child === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(child);
    assert.equal(await linuxNameReader()(child), 'sleep');
  } finally {
    shell.kill();
  }
});
