/**
 * Robustness of the Python analyzer on broken input: deterministic mutations of the Python corpus
 * (deleted spans, unbalanced brackets, stray block keywords, broken indentation, random bytes,
 * truncation, swapped lines) and generated deep nesting. The analyzer must never throw, must return a
 * well-formed result whose fixes apply, and must return within a generous bound (a hang guard, not a
 * speed test). SOCKSCOPE_FUZZ_ITERATIONS / SOCKSCOPE_FUZZ_SEED change the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../edits';
import { analyzeSource } from '../index';
import { loadCorpus } from '../corpusFixtures';

const ITERATIONS = Number(process.env.SOCKSCOPE_FUZZ_ITERATIONS ?? 1500);
const SEED = Number(process.env.SOCKSCOPE_FUZZ_SEED ?? 0x9e3779b9);
const HANG_BOUND_MS = 3000;

/** mulberry32: every failure can be replayed from the seed and the mutation number. */
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

const TOKENS = ['(', ')', '[', ']', ':', '"""', "'", '\n    ', '\n', '\t', 'try:', 'finally:', 'except:', 'else:', 'with s:',
  'return', 'raise', 'del s', 's = socket.socket()', 'break', 'continue', 'yield s', 'lambda: s', 'async ', 'await ', '\\'];

function mutate(text: string, r: () => number): string {
  const int = (n: number) => Math.floor(r() * n);
  const at = int(text.length + 1);
  switch (int(7)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + int(12));
    case 1:
      return text.slice(0, at) + TOKENS[int(TOKENS.length)]! + text.slice(at);
    case 2: {
      let junk = '';
      for (let i = 1 + int(8); i > 0; i--) junk += String.fromCharCode(1 + int(r() < 0.8 ? 127 : 0xd7ff));
      return text.slice(0, at) + junk + text.slice(at);
    }
    case 3:
      return text.slice(0, at);
    case 4: { // re-indent a random line (dedent or over-indent)
      const lines = text.split('\n');
      const i = int(lines.length);
      lines[i] = r() < 0.5 ? lines[i]!.trimStart() : '        ' + lines[i]!;
      return lines.join('\n');
    }
    case 5: {
      const lines = text.split('\n');
      const i = int(lines.length);
      const j = int(lines.length);
      if (r() < 0.5) lines.splice(j, 0, lines[i]!);
      else [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    default: {
      let t = text;
      for (let k = 2 + int(4); k > 0; k--) t = mutate(t, r);
      return t;
    }
  }
}

async function check(text: string, what: string): Promise<void> {
  const start = performance.now();
  let result;
  try {
    result = await analyzeSource(text, 'python');
  } catch (e) {
    assert.fail(`${what}: analyzeSource threw ${e instanceof Error ? e.stack : String(e)}`);
  }
  const ms = performance.now() - start;
  assert.ok(ms < HANG_BOUND_MS, `${what}: took ${Math.round(ms)} ms (bound ${HANG_BOUND_MS} ms: a hang?)`);
  assert.equal(result.language, 'python');
  assert.ok(Array.isArray(result.findings) && Array.isArray(result.notes), `${what}: malformed result`);
  assert.ok(!result.notes.some((n) => n.startsWith('analysis failed')), `${what}: ${result.notes.join('; ')}`);
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const f of result.findings) {
    assert.ok(f.range.start.line < lineCount && f.acquired.end.line < lineCount, `${what}: range outside the text`);
    for (const fix of f.fixes) assert.doesNotThrow(() => applyEdits(text, fix.edits), `${what}: fix '${fix.title}' cannot be applied`);
  }
}

const corpus = loadCorpus('python');

test(`python: the analyzer survives ${ITERATIONS} mutated corpus files (seed ${SEED})`, { timeout: 10 * 60_000 }, async () => {
  const r = prng(SEED);
  for (let i = 0; i < ITERATIONS; i++) {
    const c = corpus[i % corpus.length]!;
    await check(mutate(c.text, r), `mutation #${i} of ${c.name} (seed ${SEED})`);
  }
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
