import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOffsetEdits } from './edits';
import { fileFixes, fixAllPaths, mergeFixes, REFUSED_BREAKS_SYNTAX, REFUSED_NO_CONVERGENCE, REFUSED_PARSE_ERRORS } from './fixAll';
import { analyzeSource } from './index';
import type { AnalysisResult, Finding, Fix, TextEdit } from './types';

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

test('fixAllPaths: the edits it returns are against the original text and give the fixed text', async () => {
  const text = 'int f(void) {\n  int fd = socket(2, 1, 0);\n  if (fd < 0) return -1;\n  if (connect(fd, 0, 0) < 0) return -1;\n  return 0;\n}\n';
  const fixed = await fixAllPaths(text, 'c');
  assert.equal(fixed.refused, undefined);
  assert.ok(fixed.edits.length >= 2);
  assert.equal(applyOffsetEdits(text, fixed.edits), fixed.text);
  assert.equal(fixed.remaining.length, 0);
});

test('fixAllPaths refuses a text with syntax errors: an unterminated comment would swallow the fix', async () => {
  const text = 'int f(void) {\n  int fd = socket(2, 1, 0);\n  if (fd < 0) return -1;\n  if (connect(fd, 0, 0) < 0) return -1;\n  /* unterminated\n  return 0;\n}\n';
  const analysed = await analyzeSource(text, 'c');
  assert.ok(analysed.hadParseErrors && analysed.findings.length > 0, 'the leak is found');
  assert.ok(analysed.findings.every((f) => f.fixes.length === 0), 'the C analysis offers no fix in a function that did not parse');
  // Fix-all refuses the file even where an analysis would offer a fix (defence in depth).
  const initial: AnalysisResult = { ...analysed, findings: [finding('fd', [fix('close fd', [ins(5, 0, '  close(fd);\n')])])] };
  const fixed = await fixAllPaths(text, 'c', {}, initial);
  assert.equal(fixed.refused, REFUSED_PARSE_ERRORS);
  assert.equal(fixed.text, text);
  assert.deepEqual(fixed.edits, []);
  assert.equal(fixed.editsApplied, 0);
  assert.deepEqual(fixed.remaining, initial.findings, 'the diagnostics stay');
});

test('fixAllPaths writes nothing when a round makes no progress (an injected fixer that re-reports the same leak)', async () => {
  // Each analysis reports the leak again with a fix that inserts one more line: it would grow forever.
  const analyze = async (text: string): Promise<AnalysisResult> => ({
    language: 'c', hadParseErrors: false, notes: [],
    findings: [finding('fd', [fix('close fd', [ins(text.split('\n').length - 1, 0, 'close(fd);\n')])])],
  });
  const text = 'int f(void) {\n}\n';
  const fixed = await fixAllPaths(text, 'c', {}, undefined, analyze);
  assert.equal(fixed.refused, REFUSED_NO_CONVERGENCE);
  assert.equal(fixed.text, text);
  assert.deepEqual(fixed.edits, []);
  assert.equal(fixed.remaining.length, 1);
});

test('fixAllPaths writes nothing when fixes never run out (progress each round, but a new leak each time)', async () => {
  let n = 0;
  const analyze = async (): Promise<AnalysisResult> => {
    n++;
    return { language: 'c', hadParseErrors: false, notes: [], findings: [finding(`fd${n}`, [fix(`close fd${n}`, [ins(0, 0, `close(fd${n});\n`)])])] };
  };
  const fixed = await fixAllPaths('int x;\n', 'c', {}, undefined, analyze);
  assert.equal(fixed.refused, REFUSED_NO_CONVERGENCE);
  assert.equal(fixed.text, 'int x;\n');
  assert.equal(fixed.rounds, 5);
});

test('fixAllPaths refuses a fix after which the text no longer parses', async () => {
  let calls = 0;
  const analyze = async (text: string): Promise<AnalysisResult> => ({
    language: 'c', hadParseErrors: calls++ > 0, notes: [],
    findings: text.includes('{ oops') ? [] : [finding('fd', [fix('close fd', [ins(0, 0, '{ oops ')])])],
  });
  const fixed = await fixAllPaths('int x;\n', 'c', {}, undefined, analyze);
  assert.equal(fixed.refused, REFUSED_BREAKS_SYNTAX);
  assert.equal(fixed.text, 'int x;\n');
});

test('fix-all applied to its own result changes nothing (Java `Socket s = …, t = …;` grew on every run)', async () => {
  const text = 'import java.net.Socket;\n\nclass B {\n    void f(String h) throws Exception {\n        Socket s = new Socket(h, 1), t = new Socket(h, 2);\n' +
    '        s.getOutputStream().write(1);\n        t.getOutputStream().write(1);\n    }\n}\n';
  const once = await fixAllPaths(text, 'java');
  const twice = await fixAllPaths(once.text, 'java');
  assert.equal(twice.text, once.text, once.refused ?? 'converged');
  assert.deepEqual(twice.edits, []);
});
