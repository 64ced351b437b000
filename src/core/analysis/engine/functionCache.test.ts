import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../corpusFixtures';
import { analyzeSource } from '../index';
import { C_FUNCTIONS } from '../lang/c';
import type { AnalysisResult } from '../types';
import { prng } from '../testing/fuzzKit';

const SNIPPETS = ['', '/* moved */', 'static int unused_helper(int x) { return x + 1; }', '#define BAD_SOCKET -1',
  'int extra_leak(void) { int fd = socket(2, 1, 0); if (fd < 0) return -1; return 0; }'];

function edit(text: string, next: () => number): string {
  const lines = text.split('\n');
  const at = Math.floor(next() * (lines.length + 1));
  const what = SNIPPETS[Math.floor(next() * SNIPPETS.length)]!;
  if (next() < 0.3 && lines.length > 3) {
    // Change a line: swap in a different return value, a removed close, or nothing.
    const i = Math.floor(next() * lines.length);
    lines[i] = lines[i]!.replace(/close\((\w+)\);/, '(void)$1;').replace(/return -1;/, 'return -2;');
  } else lines.splice(at, 0, what);
  return lines.join('\n');
}

const shape = (r: AnalysisResult) => JSON.stringify({ findings: r.findings, notes: r.notes });

test('re-analysis reuses unchanged functions and gives exactly what a fresh analysis gives', async () => {
  const corpus = loadCorpus('c').filter((c) => c.language === 'c').slice(0, 40);
  const next = prng(20261204);
  let reused = 0;
  for (const c of corpus) {
    let text = c.text;
    await analyzeSource(text, 'c'); // fills the cache
    for (let round = 0; round < 4; round++) {
      text = edit(text, next);
      const before = C_FUNCTIONS.size;
      const warm = await analyzeSource(text, 'c');
      C_FUNCTIONS.clear();
      const cold = await analyzeSource(text, 'c');
      assert.equal(shape(warm), shape(cold), `${c.name}, round ${round}:\n${text}`);
      if (C_FUNCTIONS.size <= before) reused++;
    }
  }
  assert.ok(reused > 0, 'some re-analysis found its functions in the cache');
});
