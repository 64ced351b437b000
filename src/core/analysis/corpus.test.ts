/**
 * The C/C++ corpus (test/fixtures/c/): every file must give exactly the findings listed in its
 * expected.json (same 1-based line and variable), and every file must be valid C/C++.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from './index';
import { compileSyntaxOnly, loadCorpus } from './corpusFixtures';
import { assertCorpusSize, assertEveryFileAccepted, testEachMatchesExpected } from './testing/corpusChecks';

const corpus = loadCorpus('c');

test('the C corpus has at least 50 files, leaking and clean, C and C++', () => {
  assertCorpusSize(corpus, 'c', { files: 50, leaking: 20, clean: 20 });
  assert.ok(corpus.some((c) => c.language === 'cpp'), 'no C++ case');
});

testEachMatchesExpected('corpus', corpus, (c) => analyzeSource(c.text, c.language), (result, c) => {
  for (const f of result.findings) {
    assert.ok(f.acquired.start.line <= f.range.start.line || f.ruleId === 'sockscope.overwrite',
      `${c.name}: ${f.variable} acquired (line ${f.acquired.start.line + 1}) after it leaks (line ${f.range.start.line + 1})`);
  }
});

test('every corpus file compiles with gcc/g++ -fsyntax-only -Wall', async (t) => {
  await assertEveryFileAccepted(t, corpus, (c) => compileSyntaxOnly(c.text, c.language, c.name));
});
