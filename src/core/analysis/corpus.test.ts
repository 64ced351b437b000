/**
 * The C/C++ corpus (test/fixtures/c/): every file must give exactly the findings listed in its
 * expected.json (same 1-based line and variable), and every file must be valid C/C++.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from './index';
import { compileSyntaxOnly, diffFindings, loadCorpus } from './corpusFixtures';

const corpus = loadCorpus('c');

test('the C corpus has at least 50 files, leaking and clean, C and C++', () => {
  assert.ok(corpus.length >= 50, `only ${corpus.length} files in test/fixtures/c`);
  assert.ok(corpus.filter((c) => c.expected.length > 0).length >= 20, 'too few leaking cases');
  assert.ok(corpus.filter((c) => c.expected.length === 0).length >= 20, 'too few clean cases');
  assert.ok(corpus.some((c) => c.language === 'cpp'), 'no C++ case');
});

for (const c of corpus) {
  test(`corpus ${c.name}: findings match expected.json`, async () => {
    const result = await analyzeSource(c.text, c.language);
    const diff = diffFindings(c.expected, result.findings);
    assert.equal(diff, '', `${c.name}: findings differ from expected.json\n${diff}`);
    assert.equal(result.hadParseErrors, false, `${c.name} should parse without errors (notes: ${result.notes.join('; ')})`);
    for (const f of result.findings) {
      assert.ok(f.acquired.start.line <= f.range.start.line || f.ruleId === 'sockscope.overwrite',
        `${c.name}: ${f.variable} acquired (line ${f.acquired.start.line + 1}) after it leaks (line ${f.range.start.line + 1})`);
    }
  });
}

test('every corpus file compiles with gcc/g++ -fsyntax-only -Wall', async (t) => {
  const failures: string[] = [];
  for (const c of corpus) {
    const r = await compileSyntaxOnly(c.text, c.language, c.name);
    if (r.status === 'no-compiler') {
      t.skip(`${r.compiler} is not installed: compile check skipped (CI installs it)`);
      return;
    }
    if (r.status === 'error') failures.push(`${c.name}:\n${r.output}`);
  }
  assert.deepEqual(failures, []);
});
