/**
 * Test support: the checks every language's corpus test (test/fixtures/<lang>/, loaded by
 * ../corpusFixtures) makes. Used by tests only; nothing in the extension or the CLI imports it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffFindings, type CorpusCase } from '../corpusFixtures';
import type { AnalysisResult } from '../types';
import type { ToolCheck } from './toolCheck';

/** test/fixtures/<folder> has at least `files` files, `leaking` of them with findings and `clean` without. */
export function assertCorpusSize(corpus: readonly CorpusCase[], folder: string, min: { files: number; leaking: number; clean: number }): void {
  assert.ok(corpus.length >= min.files, `only ${corpus.length} files in test/fixtures/${folder}`);
  assert.ok(corpus.filter((c) => c.expected.length > 0).length >= min.leaking, 'too few leaking cases');
  assert.ok(corpus.filter((c) => c.expected.length === 0).length >= min.clean, 'too few clean cases');
}

/** `result` has exactly the findings of the case's expected.json (1-based line and variable; a readable diff if not) and parsed cleanly. */
export function assertMatchesExpected(c: CorpusCase, result: AnalysisResult): void {
  const diff = diffFindings(c.expected, result.findings);
  assert.equal(diff, '', `${c.name}: findings differ from expected.json\n${diff}`);
  assert.equal(result.hadParseErrors, false, `${c.name} should parse without errors (notes: ${result.notes.join('; ')})`);
}

/**
 * One test per corpus file, named `<label> <file>: findings match expected.json`: what `analyze` finds
 * matches expected.json (assertMatchesExpected), then `more` makes the language's own checks.
 */
export function testEachMatchesExpected(label: string, corpus: readonly CorpusCase[], analyze: (c: CorpusCase) => Promise<AnalysisResult>,
  more: (result: AnalysisResult, c: CorpusCase) => void): void {
  for (const c of corpus) {
    test(`${label} ${c.name}: findings match expected.json`, async () => {
      const result = await analyze(c);
      assertMatchesExpected(c, result);
      more(result, c);
    });
  }
}

/** Every corpus file passes the toolchain `check` (all failures listed at once); the test is skipped when the tool is missing. */
export async function assertEveryFileAccepted(t: { skip(msg: string): void }, corpus: readonly CorpusCase[],
  check: (c: CorpusCase) => Promise<ToolCheck>): Promise<void> {
  const failures: string[] = [];
  for (const c of corpus) {
    const r = await check(c);
    if (r.status === 'missing') {
      t.skip(`${r.tool} is not installed: toolchain check skipped (CI installs it)`);
      return;
    }
    if (r.status === 'error') failures.push(`${c.name}:\n${r.output}`);
  }
  assert.deepEqual(failures, []);
}
