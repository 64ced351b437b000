/**
 * The Python corpus (test/fixtures/python/): every file must give exactly the findings listed in its
 * expected.json (same 1-based line of the acquisition and variable), parse cleanly and be valid Python.
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
    assert.equal(f.ruleId, 'sockscope.leak');
    assert.equal(f.range.start.line, f.acquired.start.line, `${c.name}: a Python leak is reported at its acquisition`);
    assert.ok((f.related ?? []).length > 0, `${c.name}: ${f.variable} has no related path`);
    assert.ok(f.fixes.some((x) => x.scope === 'all-paths' && x.isPreferred && x.edits.length > 0), `${c.name}: ${f.variable} has no preferred all-paths fix`);
  }
});

test('every Python corpus file compiles with python3 -m py_compile', async (t) => {
  await assertEveryFileAccepted(t, corpus, (c) => pyCompile(c.text, c.name));
});
