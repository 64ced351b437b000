/**
 * Test support for the C/C++ syntax repairs (../lang/c/syntaxRepairs.ts): the text after the repairs and
 * whether it parses. Used by tests only; nothing in the extension or the CLI imports it.
 */
import * as assert from 'node:assert/strict';
import { withTree } from '../parser';
import type { CMacroDefinition } from '../types';
import { applyRewrites } from '../lang/c/preproc';
import { syntaxRepairs } from '../lang/c/syntaxRepairs';

/** The text after the repairs (with `table` as the workspace's macros), and whether it parses; the repairs keep every offset. */
export async function repaired(src: string, options: { table?: ReadonlyMap<string, CMacroDefinition>; language?: 'c' | 'cpp' } = {}): Promise<{ text: string; errors: boolean }> {
  const language = options.language ?? 'c';
  const text = await withTree(language, src, (t) => applyRewrites(src, syntaxRepairs(t.rootNode, src, options.table ?? new Map())));
  assert.equal(text.length, src.length);
  assert.equal(text.split('\n').length, src.split('\n').length);
  return { text, errors: await withTree(language, text, (t) => t.rootNode.hasError) };
}

/** The repaired text of `src`, a text the grammar rejects as it is, after checking that the repairs make it parse. */
export async function repairedBroken(src: string, options: { table?: ReadonlyMap<string, CMacroDefinition>; language?: 'c' | 'cpp' } = {}): Promise<string> {
  assert.ok(await withTree(options.language ?? 'c', src, (t) => t.rootNode.hasError), 'the text does not parse before the repairs');
  const { text, errors } = await repaired(src, options);
  assert.equal(errors, false);
  return text;
}
