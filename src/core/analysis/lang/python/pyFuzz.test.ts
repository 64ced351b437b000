/**
 * Robustness of the Python analyzer on broken input: deterministic mutations of the Python corpus
 * (deleted spans, unbalanced brackets, stray block keywords, broken indentation, random bytes,
 * truncation, swapped lines) and generated deep nesting. The analyzer must never throw, must return a
 * well-formed result whose fixes apply, and must return within a generous bound (a hang guard, not a
 * speed test). SOCKSCOPE_FUZZ_ITERATIONS / SOCKSCOPE_FUZZ_SEED change the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSource } from '../../index';
import { loadCorpus } from '../../corpusFixtures';
import {
  analyzeWithin, assertFixesApply, deleteSpan, duplicateOrSwapLines, insertJunk, insertToken, int, mutatedCorpus, mutator, truncate, type Mutation,
} from '../../testing/fuzzKit';

const ITERATIONS = Number(process.env.SOCKSCOPE_FUZZ_ITERATIONS ?? 1500);
const SEED = Number(process.env.SOCKSCOPE_FUZZ_SEED ?? 0x9e3779b9);
const HANG_BOUND_MS = 3000;

const TOKENS = ['(', ')', '[', ']', ':', '"""', "'", '\n    ', '\n', '\t', 'try:', 'finally:', 'except:', 'else:', 'with s:',
  'return', 'raise', 'del s', 's = socket.socket()', 'break', 'continue', 'yield s', 'lambda: s', 'async ', 'await ', '\\'];

/** Dedents a random line or indents it too far. */
const reindentLine: Mutation = (text, _at, r) => {
  const lines = text.split('\n');
  const i = int(r, lines.length);
  lines[i] = r() < 0.5 ? lines[i]!.trimStart() : '        ' + lines[i]!;
  return lines.join('\n');
};

const mutate = mutator([deleteSpan, insertToken(TOKENS), insertJunk, truncate, reindentLine, duplicateOrSwapLines], { compound: true });

async function check(text: string, what: string): Promise<void> {
  const result = await analyzeWithin(what, 'analyzeSource', HANG_BOUND_MS, () => analyzeSource(text, 'python'));
  assert.equal(result.language, 'python');
  assert.ok(Array.isArray(result.findings) && Array.isArray(result.notes), `${what}: malformed result`);
  assert.ok(!result.notes.some((n) => n.startsWith('analysis failed')), `${what}: ${result.notes.join('; ')}`);
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const f of result.findings) {
    assert.ok(f.range.start.line < lineCount && f.acquired.end.line < lineCount, `${what}: range outside the text`);
    assertFixesApply(text, f, what);
  }
}

const corpus = loadCorpus('python');

test(`python: the analyzer survives ${ITERATIONS} mutated corpus files (seed ${SEED})`, { timeout: 10 * 60_000 }, async () => {
  for (const m of mutatedCorpus(corpus, ITERATIONS, SEED, mutate)) await check(m.text, m.what);
});

test('python: the analyzer survives deep nesting and long chains', { timeout: 5 * 60_000 }, async () => {
  const head = 'import socket\ndef f(x):\n    s = socket.socket()\n';
  const nested = (depth: number, line: (i: number) => string, inner: string) => {
    let out = head;
    for (let i = 0; i < depth; i++) out += '    '.repeat(i + 1) + line(i) + '\n';
    return out + '    '.repeat(depth + 1) + inner + '\n';
  };
  const inputs: [string, string][] = [
    ['nested ifs', nested(1500, (i) => `if x > ${i}:`, 's.close()')],
    ['nested try/finally', nested(400, () => 'try:', 'return s')],
    ['try/finally nested in finally blocks', head + Array.from({ length: 40 }, (_, i) => `${'    '.repeat(2 * i + 1)}try:\n${'    '.repeat(2 * i + 2)}return s.recv(1)\n${'    '.repeat(2 * i + 1)}finally:`).join('\n') + '\n' + '    '.repeat(81) + 's.close()\n'],
    ['nested loops', nested(800, (i) => (i % 2 ? `for y${i} in x:` : 'while x:'), 'break')],
    ['long elif chain', head + '    if x == 0:\n        pass\n' + Array.from({ length: 3000 }, (_, i) => `    elif x == ${i + 1}:\n        return s`).join('\n') + '\n'],
    ['long boolean chain', head + '    if ' + Array.from({ length: 3000 }, (_, i) => `s is not None and x${i}`).join(' and ') + ':\n        s.close()\n'],
    ['deep parentheses', head + '    y = ' + '('.repeat(3000) + 's' + ')'.repeat(3000) + '\n'],
    ['many acquisitions', head + Array.from({ length: 600 }, (_, i) => `    s${i} = socket.socket()\n    s${i}.connect(x)`).join('\n') + '\n'],
    ['only brackets', '('.repeat(5000) + ')'.repeat(4000)],
    ['empty', ''],
  ];
  for (const [name, text] of inputs) await check(text, name);
});
