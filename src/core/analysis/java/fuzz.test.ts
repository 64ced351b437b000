/**
 * Robustness of the Java analyzer on broken input: deterministic mutations of the Java corpus
 * (deleted tokens, unbalanced brackets, random bytes, truncation, swapped lines) and generated deep
 * nesting. analyzeJava must never throw, must return a well-formed result whose fixes apply, and
 * must finish within a generous bound per input (a guard against hangs, not a speed test).
 * SOCKSCOPE_FUZZ_ITERATIONS changes the number of mutated inputs (default 1500); SOCKSCOPE_FUZZ_SEED the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../edits';
import { loadCorpus } from '../corpusFixtures';
import type { AnalysisResult } from '../types';
import { analyzeJava } from './index';

const ITERATIONS = Number(process.env.SOCKSCOPE_FUZZ_ITERATIONS ?? 1500);
const SEED = Number(process.env.SOCKSCOPE_FUZZ_SEED ?? 0x1a7a5eed);
const HANG_BOUND_MS = 3000;

/** mulberry32: a small deterministic PRNG, so a failure can be replayed from its seed and index. */
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

const TOKENS = ['{', '}', '(', ')', ';', 'try {', '} finally {', 'catch (IOException e) {', 'return;', 'throw e;', 'break;',
  'continue;', 's.close();', 'Socket s = new Socket(h, p);', 'try (s) {', '->', 'case 1:', 'else', '"', '/*', '@', '<', '>'];

function mutate(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  switch (Math.floor(r() * 6)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 12));
    case 1:
      return text.slice(0, at) + TOKENS[Math.floor(r() * TOKENS.length)]! + text.slice(at);
    case 2: {
      let junk = '';
      for (let i = 1 + Math.floor(r() * 8); i > 0; i--) junk += String.fromCharCode(1 + Math.floor(r() * (r() < 0.8 ? 127 : 0xd7ff)));
      return text.slice(0, at) + junk + text.slice(at);
    }
    case 3:
      return text.slice(0, at);
    case 4: {
      const lines = text.split('\n');
      const i = Math.floor(r() * lines.length);
      const j = Math.floor(r() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    default: {
      const ch = r() < 0.5 ? '}' : ')';
      return text.slice(0, at) + text.slice(at).split(ch).join('');
    }
  }
}

async function check(text: string, what: string): Promise<void> {
  const start = performance.now();
  let result: AnalysisResult;
  try {
    result = await analyzeJava(text, {});
  } catch (e) {
    assert.fail(`${what}: analyzeJava threw ${e instanceof Error ? e.stack : String(e)}`);
  }
  const ms = performance.now() - start;
  assert.ok(ms < HANG_BOUND_MS, `${what}: took ${Math.round(ms)} ms (bound ${HANG_BOUND_MS} ms: a hang?)`);
  assert.equal(result.language, 'java');
  const lineCount = text.split('\n').length;
  for (const f of result.findings) {
    assert.ok(f.range.start.line >= 0 && f.range.end.line < lineCount, `${what}: range outside the text`);
    for (const fix of f.fixes) assert.doesNotThrow(() => applyEdits(text, fix.edits), `${what}: fix '${fix.title}' cannot be applied`);
  }
}

const corpus = loadCorpus('java');

test(`analyzeJava survives ${ITERATIONS} mutated corpus files (seed ${SEED})`, { timeout: 10 * 60_000 }, async () => {
  const r = prng(SEED);
  for (let i = 0; i < ITERATIONS; i++) {
    const c = corpus[i % corpus.length]!;
    let text = mutate(c.text, r);
    if (r() < 0.3) text = mutate(text, r);
    await check(text, `mutation #${i} of ${c.name} (seed ${SEED})`);
  }
});

test('analyzeJava survives deep nesting, long chains and junk', { timeout: 5 * 60_000 }, async () => {
  const open = 'class X { void f(int x) throws Exception {\n  java.net.Socket s = new java.net.Socket("h", 1);\n';
  const inputs: [string, string][] = [
    ['nested ifs', open + 'if (x > 0) {\n'.repeat(2000) + 'return;\n' + '}\n'.repeat(2000) + '}}\n'],
    ['nested tries', open + 'try {\n'.repeat(300) + 's.getInputStream().read();\n' + '} finally { s.close(); }\n'.repeat(300) + '}}\n'],
    ['nested tries, unclosed', open + 'try {\n'.repeat(300) + 'return;\n'],
    ['nested loops with labelled jumps', open + Array.from({ length: 200 }, (_, i) => `l${i}: while (x-- > ${i}) {`).join('\n')
      + '\nif (x == 3) break l0; else continue l7;\n' + '}\n'.repeat(200) + 's.close(); }}\n'],
    ['long else-if chain', open + Array.from({ length: 1500 }, (_, i) => `if (x == ${i}) { s.close(); return; }`).join(' else ') + '\n}}\n'],
    ['many acquisitions', open + Array.from({ length: 800 }, (_, i) => `java.net.Socket s${i} = new java.net.Socket("h", ${i});`).join('\n') + '\n}}\n'],
    ['many finally copies', open + 'try { try { try {\n' + Array.from({ length: 300 }, (_, i) => `if (x == ${i}) return;`).join('\n')
      + '\n} finally { s.close(); } } finally { x++; } } finally { x--; }\n}}\n'],
    ['only braces', '}'.repeat(3000) + '{'.repeat(3000)],
    ['empty', ''],
  ];
  for (const [name, text] of inputs) await check(text, name);
});

test('broken and budget-limited input come back with notes, not exceptions', async () => {
  const broken = await analyzeJava('class X { void f() throws Exception { java.net.Socket s = new java.net.Socket("h", 1); if (', {});
  assert.equal(broken.hadParseErrors, true);
  assert.ok(broken.notes.some((n) => /syntax errors/.test(n)), broken.notes.join('; '));
  const text = 'class X { void f() throws Exception { java.net.Socket s = new java.net.Socket("h", 1); } }';
  assert.equal((await analyzeJava(text, {})).findings.length, 1);
  const spent = await analyzeJava(text, { timeBudgetMs: -1 });
  assert.equal(spent.findings.length, 0);
  assert.ok(spent.notes.some((n) => /time budget/.test(n)), spent.notes.join('; '));
});
