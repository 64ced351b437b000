/**
 * Quick fixes over the C/C++ corpus: a finding has a fix exactly when its expected.json entry has
 * no `noFix` reason (the engine could not prove a release safe there); applying every all-paths
 * fix of a leaking file must give code that still compiles and has only the `noFix` findings left;
 * applying one finding's 'exit' fix must remove that finding and only that one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from './edits';
import { fixAllPaths } from './fixAll';
import { analyzeSource } from './index';
import { compileSyntaxOnly, findingKey, loadCorpus, type CorpusCase } from './corpusFixtures';
import type { Finding, TextEdit } from './types';
import { assertToolAccepts } from './testing/toolCheck';

const leaking = loadCorpus('c').filter((c) => c.expected.length > 0);

async function assertCompiles(text: string, language: 'c' | 'cpp', name: string, what: string): Promise<void> {
  assertToolAccepts(await compileSyntaxOnly(text, language, name), `${name}: ${what}`, text); // corpus.test.ts reports a missing compiler
}

test('the corpus has leaking files to fix', () => {
  assert.ok(leaking.length >= 20, `only ${leaking.length} leaking corpus files`);
});

/** The expected.json keys (line:variable) of the findings that must not get a fix. */
function noFixKeys(c: CorpusCase): Set<string> {
  return new Set(c.expected.filter((e) => e.noFix !== undefined).map(findingKey));
}

const keyOf = (f: Finding) => findingKey({ line: f.range.start.line + 1, variable: f.variable });

for (const c of leaking) {
  test(`all-paths fixes of ${c.name} compile and leave no findings`, async () => {
    const before = await analyzeSource(c.text, c.language);
    const noFix = noFixKeys(c);
    for (const f of before.findings) {
      if (noFix.has(keyOf(f))) {
        assert.equal(f.fixes.length, 0, `${c.name}: ${f.variable} (line ${f.range.start.line + 1}) must not get a fix`);
      } else if (f.ruleId === 'sockscope.leak') {
        assert.ok(f.fixes.some((x) => x.scope === 'all-paths' && x.edits.length > 0), `${c.name}: ${f.variable} (line ${f.range.start.line + 1}) has no all-paths fix`);
      }
    }
    const fixed = await fixAllPaths(c.text, c.language);
    if (c.expected.every((e) => e.noFix !== undefined)) {
      assert.equal(fixed.editsApplied, 0, `${c.name}: no fix may be applied`);
      return;
    }
    assert.ok(fixed.editsApplied > 0, `${c.name}: no edits were applied`);
    const left = fixed.remaining.filter((f) => ![...noFix].some((k) => k.endsWith(`: ${f.variable}`)));
    assert.equal(left.length, 0,
      `${c.name}: findings left after fixing:\n${left.map((f) => `  line ${f.range.start.line + 1}: ${f.variable} ${f.message}`).join('\n')}\n--- fixed code ---\n${fixed.text}`);
    await assertCompiles(fixed.text, c.language === 'cpp' ? 'cpp' : 'c', c.name, 'the fixed file');
  });
}

/** Lines (inclusive range) where a 0-based line of the old text ends up after `edits` (a line inside a replaced range may land anywhere in it). */
function mapLine(line: number, edits: readonly TextEdit[]): [number, number] {
  let delta = 0;
  const sorted = [...edits].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
  for (const e of sorted) {
    const added = e.newText.split('\n').length - 1;
    const removed = e.range.end.line - e.range.start.line;
    if (e.range.end.line < line || (e.range.end.line === line && e.range.end.column === 0 && removed > 0)) {
      delta += added - removed;
    } else if (e.range.start.line <= line && line <= e.range.end.line) {
      return [e.range.start.line + delta, e.range.start.line + delta + added + Math.max(0, line - e.range.start.line)];
    }
  }
  return [line + delta, line + delta];
}

function describe(fs: readonly Finding[]): string {
  return fs.map((f) => `line ${f.range.start.line + 1} ${f.variable}`).join(', ') || '(none)';
}

for (const c of leaking) {
  test(`each 'exit' fix in ${c.name} removes exactly its own finding`, async () => {
    const before = (await analyzeSource(c.text, c.language)).findings;
    let checked = 0;
    for (const target of before) {
      const exit = target.fixes.find((x) => x.scope === 'exit');
      if (!exit) continue;
      checked++;
      const text = applyEdits(c.text, exit.edits);
      const after = (await analyzeSource(text, c.language)).findings;
      const unmatched = [...after];
      const missing: Finding[] = [];
      for (const f of before) {
        if (f === target) continue;
        const [lo, hi] = mapLine(f.range.start.line, exit.edits);
        const i = unmatched.findIndex((g) => g.variable === f.variable && g.ruleId === f.ruleId && g.range.start.line >= lo && g.range.start.line <= hi);
        if (i >= 0) unmatched.splice(i, 1);
        else missing.push(f);
      }
      assert.deepEqual([missing.length, unmatched.length], [0, 0],
        `${c.name}: after the exit fix for ${target.variable} at line ${target.range.start.line + 1}: ` +
        `lost ${describe(missing)}; unexpected ${describe(unmatched)}\n--- code ---\n${text}`);
      await assertCompiles(text, c.language === 'cpp' ? 'cpp' : 'c', c.name, `the exit fix for line ${target.range.start.line + 1}`);
    }
    const noFix = noFixKeys(c);
    assert.ok(checked > 0 || before.every((f) => f.ruleId === 'sockscope.overwrite' || noFix.has(keyOf(f))), `${c.name}: no finding offers an 'exit' fix`);
  });
}
