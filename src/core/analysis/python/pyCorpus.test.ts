/**
 * The Python corpus (test/fixtures/python/): every file must give exactly the findings listed in its
 * expected.json (same 1-based line of the acquisition and variable), parse cleanly and be valid Python.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../index';
import { diffFindings, loadCorpus } from '../corpusFixtures';
import { pyCompile } from './pyCompile';

const corpus = loadCorpus('python');

test('the Python corpus has at least 18 files, leaking and clean', () => {
  assert.ok(corpus.length >= 18, `only ${corpus.length} files in test/fixtures/python`);
  assert.ok(corpus.filter((c) => c.expected.length > 0).length >= 9, 'too few leaking cases');
  assert.ok(corpus.filter((c) => c.expected.length === 0).length >= 9, 'too few clean cases');
  assert.ok(corpus.every((c) => c.language === 'python'));
});

for (const c of corpus) {
  test(`python corpus ${c.name}: findings match expected.json`, async () => {
    const result = await analyzeSource(c.text, 'python');
    assert.equal(diffFindings(c.expected, result.findings), '', `${c.name}: findings differ from expected.json`);
    assert.equal(result.hadParseErrors, false, `${c.name} should parse without errors (notes: ${result.notes.join('; ')})`);
    for (const f of result.findings) {
      assert.equal(f.ruleId, 'sockscope.leak');
      assert.equal(f.range.start.line, f.acquired.start.line, `${c.name}: a Python leak is reported at its acquisition`);
      assert.ok((f.related ?? []).length > 0, `${c.name}: ${f.variable} has no related path`);
      assert.ok(f.fixes.some((x) => x.scope === 'all-paths' && x.isPreferred && x.edits.length > 0), `${c.name}: ${f.variable} has no preferred all-paths fix`);
    }
  });
}

test('every Python corpus file compiles with python3 -m py_compile', async (t) => {
  const failures: string[] = [];
  for (const c of corpus) {
    const r = await pyCompile(c.text, c.name);
    if (r.status === 'no-python') {
      t.skip('python3 is not installed: compile check skipped');
      return;
    }
    if (r.status === 'error') failures.push(`${c.name}:\n${r.output}`);
  }
  assert.deepEqual(failures, []);
});
