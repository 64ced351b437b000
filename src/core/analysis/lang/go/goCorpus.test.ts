/**
 * The Go corpus (test/fixtures/go/): every file gives exactly the findings in its expected.json, is
 * valid Go (gofmt-clean, `go vet`-clean), and its fixes work: applying the preferred (all-paths) fixes
 * leaves a gofmt/vet-clean file with no findings; each 'exit' fix removes its own finding and no other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../edits';
import { loadCorpus } from '../../corpusFixtures';
import { assertCorpusSize, assertEveryFileAccepted, testEachMatchesExpected } from '../../testing/corpusChecks';
import { assertToolAccepts } from '../../testing/toolCheck';
import type { Finding, Fix, TextEdit } from '../../types';
import { analyzeGo } from './index';
import { checkGo } from './goTools';

const corpus = loadCorpus('go');
const leaking = corpus.filter((c) => c.expected.length > 0);

/** gofmt/vet-clean (false, and the test skipped, when go is not installed). */
async function assertValidGo(t: { skip(msg: string): void }, text: string, what: string): Promise<boolean> {
  return assertToolAccepts(await checkGo(text), what, text, t);
}

/** Applies the preferred fix of every finding (each distinct fix once) until nothing is left, at most 5 rounds. */
async function fixAll(text: string): Promise<{ text: string; remaining: Finding[]; applied: number }> {
  let result = await analyzeGo(text, {});
  let applied = 0;
  for (let round = 0; round < 5 && result.findings.length > 0; round++) {
    const fixes = new Map<string, Fix>();
    for (const f of result.findings) {
      const fix = f.fixes.find((x) => x.isPreferred);
      if (fix) fixes.set(JSON.stringify(fix.edits), fix);
    }
    const edits: TextEdit[] = [];
    for (const fix of fixes.values()) edits.push(...fix.edits);
    if (edits.length === 0) break;
    text = applyEdits(text, edits);
    applied += edits.length;
    result = await analyzeGo(text, {});
  }
  return { text, remaining: result.findings, applied };
}

/** Where a 0-based line ends up after insert-only edits of whole lines. */
function shiftLine(line: number, edits: readonly TextEdit[]): number {
  let delta = 0;
  for (const e of edits) {
    if (e.range.start.line <= line && e.range.start.column === 0) delta += e.newText.split('\n').length - 1;
  }
  return line + delta;
}

test('the Go corpus has at least 18 files, leaking and clean', () => {
  assertCorpusSize(corpus, 'go', { files: 18, leaking: 8, clean: 8 });
});

testEachMatchesExpected('go corpus', corpus, (c) => analyzeGo(c.text, {}), (result, c) => {
  for (const f of result.findings) {
    assert.equal(f.ruleId, 'sockscope.leak');
    assert.equal(f.language, 'go');
    assert.ok(f.acquired.start.line <= f.range.start.line, `${c.name}: ${f.variable} leaks before it is acquired`);
    assert.ok(f.fixes.some((x) => x.scope === 'all-paths' && x.isPreferred && x.edits.length > 0), `${c.name}: ${f.variable} (line ${f.range.start.line + 1}) has no preferred all-paths fix`);
  }
});

test('every Go corpus file is gofmt-clean and go vet-clean', async (t) => {
  await assertEveryFileAccepted(t, corpus, (c) => checkGo(c.text));
});

for (const c of leaking) {
  test(`go: preferred fixes of ${c.name} give gofmt/vet-clean code with no findings`, async (t) => {
    const fixed = await fixAll(c.text);
    assert.ok(fixed.applied > 0, `${c.name}: no edits were applied`);
    assert.deepEqual(fixed.remaining.map((f) => `line ${f.range.start.line + 1}: ${f.variable}`), [], `${c.name}: findings left after fixing\n--- fixed code ---\n${fixed.text}`);
    await assertValidGo(t, fixed.text, `${c.name} after the preferred fixes`);
  });

  test(`go: each 'exit' fix in ${c.name} removes exactly its own finding`, async (t) => {
    const before = (await analyzeGo(c.text, {})).findings;
    for (const target of before) {
      const exit = target.fixes.find((x) => x.scope === 'exit');
      if (!exit) continue;
      const text = applyEdits(c.text, exit.edits);
      const after = (await analyzeGo(text, {})).findings.map((f) => `${f.range.start.line}:${f.variable}`).sort();
      const expected = before.filter((f) => f !== target).map((f) => `${shiftLine(f.range.start.line, exit.edits)}:${f.variable}`).sort();
      assert.deepEqual(after, expected, `${c.name}: exit fix for ${target.variable} at line ${target.range.start.line + 1}\n--- code ---\n${text}`);
      if (!(await assertValidGo(t, text, `${c.name} after the exit fix for line ${target.range.start.line + 1}`))) return;
    }
  });
}
