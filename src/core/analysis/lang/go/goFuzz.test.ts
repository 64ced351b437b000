/**
 * Robustness of the Go analyzer on broken input: deterministic mutations of the Go corpus (deleted
 * tokens, unbalanced brackets, random bytes, truncation, shuffled lines) and generated deep nesting.
 * analyzeGo must never throw, and must return a well-formed result whose fixes apply cleanly.
 * SOCKSCOPE_FUZZ_ITERATIONS changes the number of mutated inputs (default 1500); SOCKSCOPE_FUZZ_SEED the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineStarts } from '../../edits';
import { loadCorpus } from '../../corpusFixtures';
import type { AnalysisResult } from '../../types';
import { analyzeGo } from './index';
import {
  assertFixesApply, deleteSpan, dropEvery, duplicateOrSwapLines, insertJunk, insertToken, int, mutator, prng, truncate,
} from '../../testing/fuzzKit';

const ITERATIONS = Number(process.env.SOCKSCOPE_FUZZ_ITERATIONS ?? 1500);
const SEED = Number(process.env.SOCKSCOPE_FUZZ_SEED ?? 0x60c0ffee);

const TOKENS = ['{', '}', '(', ')', ';', ':=', 'if err != nil', 'return', 'defer', 'go', 'continue', 'break L', 'L:', 'func(',
  'conn.Close()', 'conn, err := net.Dial("tcp", a)', 'else', 'case 1:', 'select {', 'fallthrough', '`', '"', '/*', '<-', '...'];

const mutate = mutator([deleteSpan, insertToken(TOKENS), insertJunk, truncate, dropEvery('}', '{'), duplicateOrSwapLines]);

function assertWellFormed(text: string, result: AnalysisResult, what: string): void {
  assert.equal(result.language, 'go', what);
  assert.ok(Array.isArray(result.findings) && Array.isArray(result.notes), what);
  const lines = lineStarts(text).length;
  for (const f of result.findings) {
    assert.ok(f.range.start.line >= 0 && f.range.end.line < lines, `${what}: finding outside the text`);
    assertFixesApply(text, f, what);
  }
}

test(`go fuzz: ${ITERATIONS} mutated corpus files never make the analyzer throw`, async () => {
  const corpus = loadCorpus('go');
  assert.ok(corpus.length > 0);
  const r = prng(SEED);
  for (let i = 0; i < ITERATIONS; i++) {
    let text = corpus[int(r, corpus.length)]!.text;
    for (let k = 1 + int(r, 4); k > 0; k--) text = mutate(text, r);
    const result = await analyzeGo(text, {});
    assertWellFormed(text, result, `seed ${SEED} iteration ${i}`);
  }
});

test('go fuzz: deep nesting, long functions and many functions stay bounded', async () => {
  const depth = 3000;
  const deep = `package x\n\nimport "net"\n\nfunc f(a string) {\n\tc, err := net.Dial("tcp", a)\n\tif err != nil {\n\t\treturn\n\t}\n${
    'if true {\n'.repeat(depth)}return\n${'}\n'.repeat(depth)}\tc.Close()\n}\n`;
  assertWellFormed(deep, await analyzeGo(deep, {}), 'deep nesting');
  const unbalanced = `package x\nfunc f() {\n${'for {\n'.repeat(2000)}`;
  assertWellFormed(unbalanced, await analyzeGo(unbalanced, {}), 'unbalanced loops');
  const body = '\tif a == "" {\n\t\treturn\n\t}\n'.repeat(4000);
  const long = `package x\n\nimport "os"\n\nfunc f(a string) {\n\tfile, err := os.Open(a)\n\tif err != nil {\n\t\treturn\n\t}\n${body}}\n`;
  const r = await analyzeGo(long, {});
  assertWellFormed(long, r, 'long function');
  assert.equal(r.findings.length, 4001, 'every early return and the end leak');
  const many = 'package x\n\nimport "os"\n\n' + Array.from({ length: 2000 }, (_, i) => `func f${i}(a string) {\n\tfile, err := os.Open(a)\n\tif err != nil {\n\t\treturn\n\t}\n\t_ = file\n}\n`).join('');
  const m = await analyzeGo(many, {});
  assertWellFormed(many, m, 'many functions');
  assert.equal(m.findings.length, 2000);
  const junk = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(1 + ((i * 7919) % 0x7fff))).join('');
  assertWellFormed(junk, await analyzeGo(junk, {}), 'random characters');
});
