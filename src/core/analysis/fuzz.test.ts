/**
 * Robustness of the C/C++ analyzer on broken input: thousands of deterministic mutations of the corpus
 * (deleted spans, unbalanced braces, random bytes, truncation, duplicated lines) plus generated deep
 * nesting and long chains. analyzeSource must never throw, must always return a well-formed result,
 * and must return within a generous bound per input (this guards against hangs, not for speed).
 * SOCKSCOPE_FUZZ_ITERATIONS changes the number of mutated inputs (default 3000); SOCKSCOPE_FUZZ_SEED the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from './edits';
import { analyzeSource } from './index';
import { loadCorpus } from './corpusFixtures';
import type { AnalysisResult, LanguageId } from './types';

const ITERATIONS = Number(process.env.SOCKSCOPE_FUZZ_ITERATIONS ?? 3000);
const SEED = Number(process.env.SOCKSCOPE_FUZZ_SEED ?? 0x50c5c0be);
const HANG_BOUND_MS = 2000;

/** mulberry32: a small deterministic PRNG, so every failure can be replayed from its seed and index. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const STRUCTURAL = ['{', '}', '(', ')', ';', 'if (fd < 0)', 'return', 'goto out;', 'out:', 'close(fd);', 'int fd = socket(2, 1, 0);', 'else', '#if 0', '#endif', '/*', '"', "'", 'case 1:', 'break;', 'continue;', '[', ']'];

/** One random mutation of `text`; the kinds match what editors and broken checkouts produce. */
function mutate(text: string, r: Rand): string {
  const at = int(r, text.length + 1);
  switch (int(r, 7)) {
    case 0: { // delete a span (a token or a few)
      const len = 1 + int(r, 12);
      return text.slice(0, at) + text.slice(at + len);
    }
    case 1: // insert a structural token (unbalances braces, parentheses, comments or strings)
      return text.slice(0, at) + STRUCTURAL[int(r, STRUCTURAL.length)]! + text.slice(at);
    case 2: { // random bytes, including control characters and non-ASCII (NUL excluded: that input is refused up front)
      let junk = '';
      for (let i = 1 + int(r, 8); i > 0; i--) junk += String.fromCharCode(1 + int(r, r() < 0.8 ? 127 : 0xd7ff));
      return text.slice(0, at) + junk + text.slice(at);
    }
    case 3: // truncate
      return text.slice(0, at);
    case 4: { // drop every occurrence of one brace kind in a region
      const ch = r() < 0.5 ? '}' : '{';
      return text.slice(0, at) + text.slice(at).split(ch).join('');
    }
    case 5: { // duplicate or swap lines
      const lines = text.split('\n');
      const i = int(r, lines.length);
      const j = int(r, lines.length);
      if (r() < 0.5) lines.splice(j, 0, lines[i]!);
      else [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    default: { // several small mutations at once
      let t = text;
      for (let k = 2 + int(r, 4); k > 0; k--) t = mutate(t, r);
      return t;
    }
  }
}

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
    for (const fix of f.fixes) {
      assert.doesNotThrow(() => applyEdits(text, fix.edits), `${what}: fix '${fix.title}' cannot be applied`);
    }
  }
}

async function analyzeTimed(text: string, language: LanguageId, what: string): Promise<void> {
  const start = performance.now();
  let result: AnalysisResult;
  try {
    result = await analyzeSource(text, language);
  } catch (e) {
    assert.fail(`${what}: analyzeSource threw ${e instanceof Error ? e.stack : String(e)}`);
  }
  const ms = performance.now() - start;
  assert.ok(ms < HANG_BOUND_MS, `${what}: took ${Math.round(ms)} ms (bound ${HANG_BOUND_MS} ms: a hang?)`);
  checkResult(result, text, language, what);
}

const corpus = loadCorpus('c');

test(`analyzeSource survives ${ITERATIONS} mutated corpus files (seed ${SEED})`, { timeout: 10 * 60_000 }, async () => {
  const r = prng(SEED);
  for (let i = 0; i < ITERATIONS; i++) {
    const c = corpus[i % corpus.length]!;
    const text = mutate(c.text, r);
    await analyzeTimed(text, c.language, `mutation #${i} of ${c.name} (seed ${SEED})`);
  }
});

test('analyzeSource survives deep nesting and long chains', { timeout: 5 * 60_000 }, async () => {
  for (const s of stressInputs()) {
    for (const language of ['c', 'cpp'] as const) await analyzeTimed(s.text, language, `${s.name} (${language})`);
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
