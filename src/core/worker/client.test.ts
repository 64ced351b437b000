import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyzeSource } from '../analysis';
import { fixAllPaths } from '../analysis/fixAll';
import { AnalysisWorker } from './client';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');
const THREAD = path.join(__dirname, 'thread.js');

function logSink(): { warn(m: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(m) };
}

/** Every C file of the corpus, concatenated `times` times: a big file with many leaking functions. */
function bigC(times: number): string {
  const dir = path.join(FIXTURES, 'c');
  const one = fs.readdirSync(dir).filter((n) => n.endsWith('.c')).sort().map((n) => fs.readFileSync(path.join(dir, n), 'utf8')).join('\n');
  return Array.from({ length: times }, () => one).join('\n');
}

/** Largest delay of a 10 ms interval timer on this thread while `work` runs. */
async function maxTimerLag<T>(work: () => Promise<T>): Promise<{ lag: number; ms: number; value: T }> {
  let lag = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 10);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const value = await work();
    const ms = performance.now() - started;
    lag = Math.max(lag, performance.now() - last - 10);
    return { lag, ms, value };
  } finally {
    clearInterval(timer);
  }
}

/** A stand-in worker for the failure tests: answers `{ id, ok: true, value: text }`, exits on 'exit', never answers 'hang'. */
function fakeWorker(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-fake-worker-')), 'fake.js');
  fs.writeFileSync(file, `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.kind !== 'analyze') return;
  if (m.text === 'exit') process.exit(3);
  if (m.text === 'throw') throw new Error('boom');
  if (m.text !== 'hang') parentPort.postMessage({ id: m.id, ok: true, value: { text: m.text } });
});
`);
  return file;
}

test('the extension host thread keeps ticking while the worker analyses a large file', async (t) => {
  const text = bigC(4);
  const worker = new AnalysisWorker(THREAD, logSink(), 60_000);
  try {
    await worker.analyze({ language: 'c', text: 'int main(void) { return 0; }\n', options: {} }); // worker and grammar loaded
    const inProcess = await maxTimerLag(() => analyzeSource(text, 'c'));
    const inWorker = await maxTimerLag(() => worker.analyze({ document: 'big.c', version: 1, language: 'c', text, options: {} }));
    assert.ok(inProcess.ms > 150, `the file is big enough to block (${inProcess.ms.toFixed(0)} ms in-process)`);
    assert.ok(inProcess.lag > inProcess.ms / 2, `in-process analysis blocks the timer (lag ${inProcess.lag.toFixed(0)} ms of ${inProcess.ms.toFixed(0)} ms)`);
    assert.ok(inWorker.lag < Math.min(100, inProcess.lag / 3),
      `timer lag ${inWorker.lag.toFixed(0)} ms while the worker analysed for ${inWorker.ms.toFixed(0)} ms (in-process: ${inProcess.lag.toFixed(0)} ms)`);
    t.diagnostic(`timer lag in-process ${inProcess.lag.toFixed(0)}/${inProcess.ms.toFixed(0)} ms, worker ${inWorker.lag.toFixed(1)}/${inWorker.ms.toFixed(0)} ms, ${text.split('\n').length} lines`);
    assert.deepEqual(inWorker.value.result, inProcess.value, 'the worker finds what analyzeSource finds');
    assert.equal(inWorker.value.version, 1);
    assert.equal(inWorker.value.timing.parse, 'full');
  } finally {
    worker.dispose();
  }
});

test('after an edit the worker re-parses incrementally and finds what a fresh analysis finds', async () => {
  const worker = new AnalysisWorker(THREAD, logSink());
  try {
    const before = fs.readFileSync(path.join(FIXTURES, 'c', 'accept_loop_break_leak.c'), 'utf8');
    const first = await worker.analyze({ document: 'file:///a.c', version: 1, language: 'c', text: before, options: {} });
    assert.equal(first.timing.parse, 'full');
    // Delete the first close( call's name: a leak appears or moves.
    const at = before.indexOf('close(');
    assert.ok(at > 0);
    const after = before.slice(0, at) + 'xlose(' + before.slice(at + 'close('.length);
    worker.edit('file:///a.c', [{ rangeOffset: at, rangeLength: 1, text: 'x' }]);
    const second = await worker.analyze({ document: 'file:///a.c', version: 2, language: 'c', text: after, options: {} });
    assert.equal(second.timing.parse, 'incremental');
    assert.deepEqual(second.result, await analyzeSource(after, 'c'));
    worker.close('file:///a.c');
    const third = await worker.analyze({ document: 'file:///a.c', version: 3, language: 'c', text: after, options: {} });
    assert.equal(third.timing.parse, 'full', 'a closed document starts again from a full parse');
  } finally {
    worker.dispose();
  }
});

test('a newer analysis of a document supersedes the waiting one, and one version is analysed once', async () => {
  const worker = new AnalysisWorker(THREAD, logSink());
  try {
    const text = fs.readFileSync(path.join(FIXTURES, 'c', 'accept_loop_break_leak.c'), 'utf8');
    const v1 = worker.analyze({ document: 'd', version: 1, language: 'c', text, options: {} });
    const v2 = worker.analyze({ document: 'd', version: 2, language: 'c', text: text + '\n', options: {} });
    const again = worker.analyze({ document: 'd', version: 2, language: 'c', text: text + '\n', options: {} });
    assert.equal(again, v2, 'the same version shares the request');
    const otherOptions = worker.analyze({ document: 'd', version: 2, language: 'c', text: text + '\n', options: { ownershipTransfers: ['hand_off'] } });
    assert.notEqual(otherOptions, v2, 'other options (a settings change) are a new request');
    const [r1, r2, r3] = await Promise.all([v1, v2, otherOptions]);
    assert.equal(r1.version, 2, 'the superseded caller gets the newer analysis');
    assert.equal(r2, r3, 'so does the superseded request of the same version');
  } finally {
    worker.dispose();
  }
});

test('fix-all runs in the worker and gives what fixAllPaths gives', async () => {
  const worker = new AnalysisWorker(THREAD, logSink());
  try {
    const text = fs.readFileSync(path.join(FIXTURES, 'c', 'accept_loop_break_leak.c'), 'utf8');
    const fixed = await worker.fixAll('c', text, {});
    assert.ok(fixed && fixed.editsApplied > 0);
    assert.deepEqual(fixed, await fixAllPaths(text, 'c', {}));
    const aborted = new AbortController();
    const pending = worker.fixAll('c', text, {}, undefined, aborted.signal);
    aborted.abort();
    assert.equal(await pending, undefined, 'a cancelled fix-all resolves to undefined');
  } finally {
    worker.dispose();
  }
});

test('a worker that dies is reported in the log, its requests fail, and the next request gets a new worker', async () => {
  const log = logSink();
  const worker = new AnalysisWorker(fakeWorker(), log);
  let stops = 0;
  worker.onDidStop(() => stops++);
  const removed = worker.onDidStop(() => { throw new Error('never called'); });
  removed.dispose();
  try {
    const ok = (await worker.analyze({ language: 'c', text: 'one', options: {} })) as unknown as { text: string };
    assert.equal(stops, 0);
    assert.equal(ok.text, 'one');
    await assert.rejects(worker.analyze({ language: 'c', text: 'exit', options: {} }), /the analysis worker stopped \(it exited with code 3\)/);
    assert.equal(worker.restarts, 1);
    assert.match(log.lines.join('\n'), /analysis worker stopped .*exited with code 3.*new one starts/);
    await assert.rejects(worker.analyze({ language: 'c', text: 'throw', options: {} }), /it failed: Error: boom/);
    assert.equal(worker.restarts, 2);
    assert.equal(stops, 2, 'each stop is told to the listeners (the editor then indexes the workspace again)');
    const again = (await worker.analyze({ language: 'c', text: 'two', options: {} })) as unknown as { text: string };
    assert.equal(again.text, 'two');
  } finally {
    worker.dispose();
  }
});

test('a request that takes longer than the timeout fails, the stuck worker is replaced, and dispose fails what waits', async () => {
  const log = logSink();
  const worker = new AnalysisWorker(fakeWorker(), log, 300);
  let stops = 0;
  worker.onDidStop(() => stops++);
  const started = Date.now();
  await assert.rejects(worker.analyze({ language: 'c', text: 'hang', options: {} }), /took longer than 300 ms/);
  assert.ok(Date.now() - started >= 290);
  assert.equal(worker.restarts, 1);
  assert.match(log.lines.join('\n'), /took longer than 300 ms/);
  const next = (await worker.analyze({ language: 'c', text: 'after', options: {} })) as unknown as { text: string };
  assert.equal(next.text, 'after');
  const waiting = worker.analyze({ language: 'c', text: 'hang', options: {} });
  worker.dispose();
  await assert.rejects(waiting, /disposed/);
  await assert.rejects(worker.analyze({ language: 'c', text: 'x', options: {} }), /disposed/);
  assert.equal(worker.restarts, 1, 'dispose is no restart');
  assert.equal(stops, 1, 'a timed-out worker is a stop; dispose is not');
});

test('the worker indexes workspace C files between analyses, and an analysis with a path uses their summaries', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-index-'));
  fs.writeFileSync(path.join(dir, 'net.h'), '#define NET_ERR -1\nint net_socket(int domain);\n');
  fs.writeFileSync(path.join(dir, 'net.c'), '#include <sys/socket.h>\n#include "net.h"\nint net_socket(int d) {\n  int s = socket(d, 1, 0);\n  if (s < 0) return NET_ERR;\n  return s;\n}\n');
  const caller = '#include "net.h"\nint setup(int port) {\n  int s = net_socket(2);\n  if (s == NET_ERR) return -1;\n  if (port == 0) return -1;\n  return s;\n}\n';
  fs.writeFileSync(path.join(dir, 'server.c'), caller);
  const worker = new AnalysisWorker(THREAD, logSink());
  try {
    const file = path.join(dir, 'server.c');
    const before = await worker.analyze({ document: 'server', version: 1, language: 'c', text: caller, options: {}, path: file });
    assert.deepEqual(before.result.findings, [], 'nothing indexed yet: net_socket is unknown');
    // An analysis sent while the index is being built is answered too (the worker handles it between files).
    const indexing = worker.indexFiles([path.join(dir, 'net.h'), path.join(dir, 'net.c'), file], []);
    const during = worker.analyze({ language: 'c', text: 'int main(void) { return 0; }\n', options: {} });
    assert.deepEqual((await during).result.findings, []);
    assert.deepEqual(await indexing, { indexed: 3, files: 3 });
    const after = await worker.analyze({ document: 'server', version: 2, language: 'c', text: caller, options: {}, path: file });
    assert.deepEqual(after.result.findings.map((f) => [f.function, f.variable, f.range.start.line + 1]), [['setup', 's', 5]]);
    worker.unindex(path.join(dir, 'net.c'));
    const removed = await worker.analyze({ document: 'server', version: 3, language: 'c', text: caller, options: {}, path: file });
    assert.deepEqual(removed.result.findings, [], 'net.c left the index: no wrapper, no finding');
  } finally {
    worker.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
