/**
 * Robustness of the C/C++ analyzer on broken input: thousands of deterministic mutations of the corpus
 * (deleted spans, unbalanced braces, random bytes, truncation, duplicated lines) plus generated deep
 * nesting and long chains. analyzeSource must never throw, must always return a well-formed result,
 * and must return within a generous bound per input (this guards against hangs, not for speed).
 * SOCKSCOPE_FUZZ_ITERATIONS changes the number of mutated inputs (default 3000); SOCKSCOPE_FUZZ_SEED the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from './index';
import { loadCorpus } from './corpusFixtures';
import type { AnalysisResult, LanguageId } from './types';
import {
  analyzeWithin, assertFixesApply, deleteSpan, dropEvery, duplicateOrSwapLines, insertJunk, insertToken, mutatedCorpus, mutator, truncate,
} from './testing/fuzzKit';

const ITERATIONS = Number(process.env.SOCKSCOPE_FUZZ_ITERATIONS ?? 3000);
const SEED = Number(process.env.SOCKSCOPE_FUZZ_SEED ?? 0x50c5c0be);
const HANG_BOUND_MS = 2000;
/** The generated stress inputs are whole functions of 1,000–3,000 statements (2,001 findings for one). */
const STRESS_BOUND_MS = 5000;

const STRUCTURAL = ['{', '}', '(', ')', ';', 'if (fd < 0)', 'return', 'goto out;', 'out:', 'close(fd);', 'int fd = socket(2, 1, 0);', 'else', '#if 0', '#endif', '/*', '"', "'", 'case 1:', 'break;', 'continue;', '[', ']'];

/** One random mutation of `text`; the kinds match what editors and broken checkouts produce. */
const mutate = mutator([deleteSpan, insertToken(STRUCTURAL), insertJunk, truncate, dropEvery('}', '{'), duplicateOrSwapLines], { compound: true });

/** Generated stress inputs: deep nesting and long flat chains. */
function stressInputs(): { name: string; text: string }[] {
  const depth = 3000;
  const open = 'int f(int x) {\n  int fd = socket(2, 1, 0);\n';
  return [
    { name: 'deeply nested ifs', text: open + 'if (x) {\n'.repeat(depth) + 'return fd;\n' + '}\n'.repeat(depth) + 'return -1;\n}\n' },
    { name: 'deeply nested ifs, unclosed', text: open + 'if (x) {\n'.repeat(depth) + 'return 1;\n' },
    { name: 'deeply nested loops', text: open + 'while (x--) {\n'.repeat(500) + 'if (x == 3) break;\ncontinue;\n' + '}\n'.repeat(500) + 'close(fd);\nreturn 0;\n}\n' },
    { name: 'deeply nested blocks', text: open + '{'.repeat(depth) + 'close(fd);' + '}'.repeat(depth) + '\nreturn 0;\n}\n' },
    { name: 'deeply nested parentheses', text: open + 'if (' + '('.repeat(depth) + 'fd' + ')'.repeat(depth) + ' < 0) return -1;\nreturn fd;\n}\n' },
    { name: 'long else-if chain', text: open + Array.from({ length: 2000 }, (_, i) => `if (x == ${i}) { close(fd); return ${i}; }`).join(' else ') + '\nreturn -1;\n}\n' },
    { name: 'many gotos', text: open + Array.from({ length: 1000 }, (_, i) => `l${i}: if (x == ${i}) goto l${(i * 7919) % 1000};`).join('\n') + '\nreturn 0;\n}\n' },
    // Each return leaks every socket opened before it: n*(n+1)/2 findings, so n stays small.
    { name: 'many leaking acquisitions', text: open + Array.from({ length: 100 }, (_, i) => `int s${i} = socket(2, 1, 0);\nif (s${i} < 0) return -1;`).join('\n') + '\nreturn 0;\n}\n' },
    { name: 'many closed acquisitions', text: open + Array.from({ length: 1000 }, (_, i) => `int s${i} = socket(2, 1, 0);\nif (s${i} < 0) return -1;\nif (x == ${i}) { close(s${i}); return ${i}; }\nclose(s${i});`).join('\n') + '\nreturn 0;\n}\n' },
    { name: 'switch with many cases', text: open + 'switch (x) {\n' + Array.from({ length: 2000 }, (_, i) => `case ${i}: if (x & ${i}) break;`).join('\n') + '\n}\nclose(fd);\nreturn 0;\n}\n' },
    { name: 'only braces', text: '}'.repeat(5000) + '{'.repeat(5000) },
    { name: 'empty', text: '' },
  ];
}

function checkResult(result: AnalysisResult, text: string, language: LanguageId, what: string): void {
  assert.ok(result && Array.isArray(result.findings) && Array.isArray(result.notes), `${what}: malformed result`);
  assert.equal(result.language, language, `${what}: wrong language`);
  const lineCount = text.split('\n').length;
  for (const f of result.findings) {
    for (const r of [f.range, f.acquired]) {
      assert.ok(r.start.line >= 0 && r.start.line < lineCount && r.end.line < lineCount, `${what}: range outside the text (${JSON.stringify(r)})`);
    }
    assertFixesApply(text, f, what);
  }
}

async function analyzeTimed(text: string, language: LanguageId, what: string, boundMs = HANG_BOUND_MS): Promise<void> {
  const result = await analyzeWithin(what, 'analyzeSource', boundMs, () => analyzeSource(text, language));
  checkResult(result, text, language, what);
}

const corpus = loadCorpus('c');

test(`analyzeSource survives ${ITERATIONS} mutated corpus files (seed ${SEED})`, { timeout: 10 * 60_000 }, async () => {
  for (const m of mutatedCorpus(corpus, ITERATIONS, SEED, mutate)) await analyzeTimed(m.text, m.source.language, m.what);
});

test('analyzeSource survives deep nesting and long chains', { timeout: 5 * 60_000 }, async () => {
  for (const s of stressInputs()) {
    for (const language of ['c', 'cpp'] as const) await analyzeTimed(s.text, language, `${s.name} (${language})`, STRESS_BOUND_MS);
  }
});

test('analyzeSource refuses binary and huge input with a note instead of throwing', async () => {
  const binary = await analyzeSource('int main(void) { return 0; }\u0000\u0001\u0002', 'c');
  assert.equal(binary.findings.length, 0);
  assert.ok(binary.notes.some((n) => /binary/.test(n)), binary.notes.join('; '));
  const huge = await analyzeSource('int x;\n'.repeat(400_000), 'c');
  assert.equal(huge.findings.length, 0);
  assert.ok(huge.notes.some((n) => /larger/.test(n)), huge.notes.join('; '));
});
