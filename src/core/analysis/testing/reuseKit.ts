/**
 * Test support for re-analysis with reused function results (engine/reuse.ts), shared by every
 * language's reuse test: key mutations (change one input of a function's key: it is analysed again;
 * change something it does not depend on: its result is reused) and randomized edit trails (after
 * every edit, the result with reuse is exactly the result from scratch). Used by tests only.
 */
import assert from 'node:assert/strict';
import type { FunctionCache } from '../engine/functionCache';
import { analyzeSource } from '../index';
import type { AnalysisOptions, AnalysisResult, LanguageId } from '../types';
import { int, prng } from './fuzzKit';

const shape = (r: AnalysisResult): string => JSON.stringify(r);

/** The analysis of `text` with the cache as it is, its lookups, and the same analysis from scratch (the cache bypassed). */
async function warmAndCold(language: LanguageId, cache: FunctionCache, text: string, options: AnalysisOptions) {
  const [hits, misses] = [cache.hits, cache.misses];
  const warm = await analyzeSource(text, language, options);
  const counts = { hits: cache.hits - hits, misses: cache.misses - misses };
  cache.enabled = false;
  try {
    return { warm, cold: await analyzeSource(text, language, options), ...counts };
  } finally {
    cache.enabled = true;
  }
}

export interface KeyMutation {
  /** The input changed (for messages). */
  readonly input: string;
  /** The change: the first occurrence of `[0]` in the base text becomes `[1]` (none: the text stays as it is). */
  readonly replace?: readonly [string, string];
  readonly options?: AnalysisOptions;
  /** Lookups in the analysis after the change: results found (reused) and not found (analysed again). */
  readonly hits: number;
  readonly misses: number;
  /** The change changes the result: had the function been reused, the result would be wrong. */
  readonly changesResult: boolean;
}

/**
 * For each mutation: analyse `base` (filling an empty cache), then the mutated text; the lookups must be
 * as expected, the result that of an analysis from scratch, and different from `base`'s when said so.
 */
export async function checkKeyMutations(language: LanguageId, cache: FunctionCache, base: string, mutations: readonly KeyMutation[]): Promise<void> {
  for (const m of mutations) {
    cache.clear();
    const before = await analyzeSource(base, language);
    if (m.replace) assert.ok(base.includes(m.replace[0]), `${m.input}: ${m.replace[0]} is in the text`);
    const text = m.replace ? base.replace(m.replace[0], m.replace[1]) : base;
    const after = await warmAndCold(language, cache, text, m.options ?? {});
    assert.equal(shape(after.warm), shape(after.cold), `${m.input}: the result with reuse is the result from scratch`);
    assert.deepEqual({ hits: after.hits, misses: after.misses }, { hits: m.hits, misses: m.misses }, `${m.input}: cache lookups`);
    if (m.changesResult) assert.notEqual(shape(after.cold), shape(before), `${m.input}: the change changes the result`);
    else assert.equal(shape(after.cold), shape(before), `${m.input}: the change leaves the result as it was`);
  }
}

/**
 * Edits each text `rounds` times (typed characters, deleted or duplicated lines, inserted snippets), the
 * cache kept from edit to edit as in the editor; after every edit the result must be the one from
 * scratch. Returns how many function results were reused.
 */
export async function checkEditTrail(language: LanguageId, cache: FunctionCache, texts: readonly string[], snippets: readonly string[], seed: number, rounds = 5): Promise<number> {
  const r = prng(seed);
  let reused = 0;
  cache.clear();
  for (const original of texts) {
    let text = original;
    await analyzeSource(text, language);
    for (let round = 0; round < rounds; round++) {
      const lines = text.split('\n');
      const at = int(r, lines.length);
      switch (int(r, 4)) {
        case 0: {
          // One typed character somewhere in a line.
          const line = lines[at]!;
          const col = int(r, line.length + 1);
          lines[at] = line.slice(0, col) + ' x(_'[int(r, 4)] + line.slice(col);
          break;
        }
        case 1:
          lines.splice(at, 1);
          break;
        case 2:
          lines.splice(at, 0, lines[at]!);
          break;
        default:
          lines.splice(at, 0, snippets[int(r, snippets.length)]!);
      }
      text = lines.join('\n');
      const { warm, cold, hits } = await warmAndCold(language, cache, text, {});
      assert.equal(shape(warm), shape(cold), `round ${round}, the result with reuse is the result from scratch:\n${text}`);
      reused += hits;
    }
  }
  return reused;
}
