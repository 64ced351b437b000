import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileFixes, fixAllPaths, mergeFixes } from './fixAll';
import { analyzeSource } from './index';
import type { Finding, Fix, TextEdit } from './types';

const at = (line: number, column: number) => ({ line, column });
const ins = (line: number, column: number, newText: string): TextEdit => ({ range: { start: at(line, column), end: at(line, column) }, newText });
const rep = (l1: number, c1: number, l2: number, c2: number, newText: string): TextEdit => ({ range: { start: at(l1, c1), end: at(l2, c2) }, newText });
const fix = (title: string, edits: TextEdit[], scope: Fix['scope'] = 'all-paths', isPreferred = scope === 'all-paths'): Fix => ({ title, scope, isPreferred, edits });

function finding(variable: string, fixes: Fix[]): Finding {
  const r = { start: at(1, 0), end: at(1, 5) };
  return { ruleId: 'sockscope.leak', language: 'c', range: r, acquired: r, function: 'f', variable, message: 'm', fixes };
}

test('fileFixes: one fix per distinct all-paths fix, preferred fix when there is none', () => {
  const a = fix('close a', [ins(3, 4, 'close(a);\n    ')]);
  const aAgain = fix('close a (other exit)', [ins(3, 4, 'close(a);\n    ')]);
  const bExit = fix('close b here', [ins(5, 4, 'close(b);\n    ')], 'exit', true);
  assert.deepEqual(fileFixes([finding('a', [fix('exit', [ins(9, 0, 'x')], 'exit', false), a]), finding('a', [aAgain]), finding('b', [bExit]), finding('c', [])]), [a, bExit]);
});

test('mergeFixes: insertions at one point are concatenated in order, identical edits applied once', () => {
  const m = mergeFixes([
    fix('a', [ins(3, 4, 'close(a); '), ins(0, 0, '#include <unistd.h>\n')]),
    fix('b', [ins(3, 4, 'close(b); '), ins(0, 0, '#include <unistd.h>\n')]),
  ]);
  assert.deepEqual(m.edits, [ins(0, 0, '#include <unistd.h>\n'), ins(3, 4, 'close(a); close(b); ')]);
  assert.equal(m.applied.length, 2);
  assert.deepEqual(m.deferred, []);
});

test('mergeFixes: a fix whose edit touches or overlaps an accepted replacement waits for the next round', () => {
  const wrap = fix('wrap', [rep(4, 8, 4, 18, '{ close(a); return -1; }')]);
  const before = fix('insert at start', [ins(4, 8, 'close(b); ')]);
  const inside = fix('overlap', [rep(4, 10, 4, 20, 'x')]);
  const apart = fix('elsewhere', [rep(6, 0, 6, 3, 'y')]);
  const m = mergeFixes([wrap, before, inside, apart]);
  assert.deepEqual(m.applied, [wrap, apart]);
  assert.deepEqual(m.deferred, [before, inside]);
  assert.deepEqual(m.edits, [...wrap.edits, ...apart.edits]);
});

test('mergeFixes: replacements that only touch end to start do not clash', () => {
  const m = mergeFixes([fix('a', [rep(2, 0, 2, 5, 'A')]), fix('b', [rep(2, 5, 2, 9, 'B')])]);
  assert.equal(m.deferred.length, 0);
  assert.equal(m.edits.length, 2);
});

test('fixAllPaths starts from the analysis it is given instead of analysing the text again', async () => {
  const text = 'int f(void) {\n  int fd = socket(2, 1, 0);\n  if (fd < 0) return -1;\n  if (connect(fd, 0, 0) < 0) return -1;\n  close(fd);\n  return 0;\n}\n';
  const initial = await analyzeSource(text, 'c');
  assert.equal(initial.findings.length, 1);
  const fresh = await fixAllPaths(text, 'c');
  const reused = await fixAllPaths(text, 'c', {}, initial);
  assert.equal(reused.text, fresh.text);
  assert.notEqual(reused.text, text);
  assert.equal(reused.initial, initial);
  // Proof that the given analysis is what drives the first round: one with no findings fixes nothing.
  const none = await fixAllPaths(text, 'c', {}, { ...initial, findings: [] });
  assert.equal(none.text, text);
  assert.equal(none.editsApplied, 0);
});
