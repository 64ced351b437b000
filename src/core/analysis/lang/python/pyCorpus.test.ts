/**
 * The Python corpus (test/fixtures/python/): every file must give exactly the findings listed in its
 * expected.json (same 1-based line of the leaking exit or overwrite, and variable), parse cleanly and be valid Python.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../index';
import { loadCorpus } from '../../corpusFixtures';
import { assertCorpusSize, assertEveryFileAccepted, testEachMatchesExpected } from '../../testing/corpusChecks';
import { pyCompile } from './pyCompile';

const corpus = loadCorpus('python');

test('the Python corpus has at least 18 files, leaking and clean', () => {
  assertCorpusSize(corpus, 'python', { files: 18, leaking: 9, clean: 9 });
  assert.ok(corpus.every((c) => c.language === 'python'));
});

testEachMatchesExpected('python corpus', corpus, (c) => analyzeSource(c.text, 'python'), (result, c) => {
  for (const f of result.findings) {
    assert.ok(f.ruleId === 'sockscope.leak' || f.ruleId === 'sockscope.overwrite', f.ruleId);
    // Reported where the resource is lost (an exit or the overwrite), never before its acquisition.
    assert.ok(f.range.start.line >= f.acquired.start.line, `${c.name}: ${f.variable} reported before its acquisition`);
    assert.ok((f.related ?? []).some((r) => r.range.start.line === f.acquired.start.line), `${c.name}: ${f.variable}: the acquisition is not in the related information`);
    assert.ok(f.fixes.some((x) => x.scope === 'all-paths' && x.isPreferred && x.edits.length > 0), `${c.name}: ${f.variable} has no preferred all-paths fix`);
  }
});

test('every Python corpus file compiles with python3 -m py_compile', async (t) => {
  await assertEveryFileAccepted(t, corpus, (c) => pyCompile(c.text, c.name));
});
