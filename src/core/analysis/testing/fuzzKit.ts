/**
 * Test support for the analyzers' fuzz tests (C/C++, Java, Python, Go): a seeded PRNG, the text
 * mutations they combine, and the checks every fuzzed result must pass. Each mutation draws its random
 * numbers in a fixed order, so a failure is replayed from the seed and the mutation number alone.
 * Used by tests only; nothing in the extension or the CLI imports it.
 */
import assert from 'node:assert/strict';
import { applyEdits } from '../edits';
import type { AnalysisResult, Finding } from '../types';

export type Rand = () => number;

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [0, n). */
export const int = (r: Rand, n: number): number => Math.floor(r() * n);

/** One kind of damage done to `text` at offset `at` (0..text.length). */
export type Mutation = (text: string, at: number, r: Rand) => string;

/** Deletes 1 to 12 characters (a token or a few). */
export const deleteSpan: Mutation = (text, at, r) => text.slice(0, at) + text.slice(at + 1 + int(r, 12));

/** Inserts one of `tokens` (structural ones unbalance braces, parentheses, comments or strings). */
export function insertToken(tokens: readonly string[]): Mutation {
  return (text, at, r) => text.slice(0, at) + tokens[int(r, tokens.length)]! + text.slice(at);
}

/**
 * Inserts 1 to 8 random characters: mostly ASCII including control characters, some from the rest of
 * the BMP below the surrogates. Never NUL: that input is refused up front as binary.
 */
export const insertJunk: Mutation = (text, at, r) => junkAt(text, at, r, () => int(r, r() < 0.8 ? 127 : 0xd7ff));

/**
 * insertJunk drawing each character's value before its range. The Java fuzz test has always drawn in
 * this order; keeping it keeps that test's seeds replaying the same inputs.
 */
export const insertJunkValueFirst: Mutation = (text, at, r) => junkAt(text, at, r, () => Math.floor(r() * (r() < 0.8 ? 127 : 0xd7ff)));

function junkAt(text: string, at: number, r: Rand, code: () => number): string {
  let junk = '';
  for (let i = 1 + int(r, 8); i > 0; i--) junk += String.fromCharCode(1 + code());
  return text.slice(0, at) + junk + text.slice(at);
}

export const truncate: Mutation = (text, at) => text.slice(0, at);

/** Removes every occurrence of `a` or (as often) `b` after the offset, e.g. all closing braces. */
export function dropEvery(a: string, b: string): Mutation {
  return (text, at, r) => {
    const ch = r() < 0.5 ? a : b;
    return text.slice(0, at) + text.slice(at).split(ch).join('');
  };
}

/** Duplicates a random line elsewhere or swaps two random lines (half and half). */
export const duplicateOrSwapLines: Mutation = (text, _at, r) => {
  const lines = text.split('\n');
  const i = int(r, lines.length);
  const j = int(r, lines.length);
  if (r() < 0.5) lines.splice(j, 0, lines[i]!);
  else [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  return lines.join('\n');
};

/** Swaps two random lines. */
export const swapLines: Mutation = (text, _at, r) => {
  const lines = text.split('\n');
  const i = int(r, lines.length);
  const j = int(r, lines.length);
  [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  return lines.join('\n');
};

/**
 * A mutator that picks an offset and then one of `kinds` at random. With `compound`, one more
 * choice applies 2 to 5 mutations at once.
 */
export function mutator(kinds: readonly Mutation[], options: { compound?: boolean } = {}): (text: string, r: Rand) => string {
  const choices = kinds.length + (options.compound ? 1 : 0);
  const mutate = (text: string, r: Rand): string => {
    const at = int(r, text.length + 1);
    const kind = kinds[int(r, choices)];
    if (kind) return kind(text, at, r);
    let t = text;
    for (let k = 2 + int(r, 4); k > 0; k--) t = mutate(t, r);
    return t;
  };
  return mutate;
}

/**
 * `iterations` mutated corpus files (the corpus round-robin, one `mutate` call each), each with a
 * description that names the seed and the mutation number that replay it.
 */
export function* mutatedCorpus<C extends { readonly name: string; readonly text: string }>(
  corpus: readonly C[], iterations: number, seed: number, mutate: (text: string, r: Rand) => string,
): Generator<{ readonly source: C; readonly text: string; readonly what: string }> {
  const r = prng(seed);
  for (let i = 0; i < iterations; i++) {
    const source = corpus[i % corpus.length]!;
    yield { source, text: mutate(source.text, r), what: `mutation #${i} of ${source.name} (seed ${seed})` };
  }
}

/**
 * Runs one analysis, failing (with the stack) if it throws and if it spends `boundMs` of CPU time or
 * more: a guard against hangs, not a speed test. CPU time, not wall time, so that a machine busy with
 * other work does not fail it (each test file runs in its own process, one test at a time). `name` is
 * the analyzer's name in the messages.
 */
export async function analyzeWithin(what: string, name: string, boundMs: number, run: () => Promise<AnalysisResult>): Promise<AnalysisResult> {
  const start = process.cpuUsage();
  let result: AnalysisResult;
  try {
    result = await run();
  } catch (e) {
    assert.fail(`${what}: ${name} threw ${e instanceof Error ? e.stack : String(e)}`);
  }
  const used = process.cpuUsage(start);
  const ms = (used.user + used.system) / 1000;
  assert.ok(ms < boundMs, `${what}: took ${Math.round(ms)} ms of CPU (bound ${boundMs} ms: a hang?)`);
  return result;
}

/** Every fix of `finding` applies to `text` (no overlapping or inverted edits). */
export function assertFixesApply(text: string, finding: Finding, what: string): void {
  for (const fix of finding.fixes) assert.doesNotThrow(() => applyEdits(text, fix.edits), `${what}: fix '${fix.title}' cannot be applied`);
}
