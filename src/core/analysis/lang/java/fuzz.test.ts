/**
 * Robustness of the Java analyzer on broken input: deterministic mutations of the Java corpus
 * (deleted tokens, unbalanced brackets, random bytes, truncation, swapped lines) and generated deep
 * nesting. analyzeJava must never throw, must return a well-formed result whose fixes apply, and
 * must finish within a generous bound per input (a guard against hangs, not a speed test).
 * SOCKSCOPE_FUZZ_ITERATIONS changes the number of mutated inputs (default 1500); SOCKSCOPE_FUZZ_SEED the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../../corpusFixtures';
import {
  analyzeWithin, assertFixesApply, deleteSpan, dropEvery, insertJunkValueFirst, insertToken, mutatedCorpus, mutator, swapLines, truncate, type Rand,
} from '../../testing/fuzzKit';
import { analyzeJava } from './index';

const ITERATIONS = Number(process.env.SOCKSCOPE_FUZZ_ITERATIONS ?? 1500);
const SEED = Number(process.env.SOCKSCOPE_FUZZ_SEED ?? 0x1a7a5eed);
const HANG_BOUND_MS = 3000;

const TOKENS = ['{', '}', '(', ')', ';', 'try {', '} finally {', 'catch (IOException e) {', 'return;', 'throw e;', 'break;',
  'continue;', 's.close();', 'Socket s = new Socket(h, p);', 'try (s) {', '->', 'case 1:', 'else', '"', '/*', '@', '<', '>'];

const mutate = mutator([deleteSpan, insertToken(TOKENS), insertJunkValueFirst, truncate, swapLines, dropEvery('}', ')')]);

/** One mutation, and a second one 30% of the time. */
function mutateOnceOrTwice(text: string, r: Rand): string {
  const once = mutate(text, r);
  return r() < 0.3 ? mutate(once, r) : once;
}

async function check(text: string, what: string): Promise<void> {
  const result = await analyzeWithin(what, 'analyzeJava', HANG_BOUND_MS, () => analyzeJava(text, {}));
  assert.equal(result.language, 'java');
  const lineCount = text.split('\n').length;
  for (const f of result.findings) {
    assert.ok(f.range.start.line >= 0 && f.range.end.line < lineCount, `${what}: range outside the text`);
    assertFixesApply(text, f, what);
  }
}

const corpus = loadCorpus('java');

test(`analyzeJava survives ${ITERATIONS} mutated corpus files (seed ${SEED})`, { timeout: 10 * 60_000 }, async () => {
  for (const m of mutatedCorpus(corpus, ITERATIONS, SEED, mutateOnceOrTwice)) await check(m.text, m.what);
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
