/**
 * Comments never change a result: every corpus file of every language, with a comment inserted
 * between every two tokens (C, C++, Go, Java: `/*c*\/` inline; Python: `# c` at the end of every
 * line), gives the same findings (rule, line, variable) as the file itself. Comments inside
 * conditions, between `else` and its block or between a call and its arguments once changed the
 * control-flow graph and made false leaks whose fixes double-closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'web-tree-sitter';
import { loadCorpus, type CorpusCase } from './corpusFixtures';
import { analyzeSource } from './index';
import { withTree } from './parser';
import type { AnalysisResult, LanguageId } from './types';

/** Leaves whose text must stay whole (inside literals, preprocessor arguments, includes). */
const OPAQUE = new Set(['string_literal', 'char_literal', 'raw_string_literal', 'system_lib_string', 'preproc_arg', 'string',
  'interpreted_string_literal', 'rune_literal', 'character_literal', 'text_block', 'comment', 'line_comment', 'block_comment',
  'concatenated_string', 'escape_sequence', 'string_content']);

function leafStarts(root: Node): number[] {
  const out: number[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (OPAQUE.has(n.type)) {
      out.push(n.startIndex);
      continue;
    }
    // Preprocessor directives end at the line's end: a comment before their first token only.
    if (n.type.startsWith('preproc_') && n.type !== 'preproc_if' && n.type !== 'preproc_ifdef' && n.type !== 'preproc_else' && n.type !== 'preproc_elif') {
      continue;
    }
    if (n.childCount === 0) {
      out.push(n.startIndex);
      continue;
    }
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
  return out;
}

/** Line ends that are not inside a string (Python comments run to the end of the line). */
function pythonLineEnds(root: Node, text: string): number[] {
  const inString: [number, number][] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'string' || n.type === 'comment') {
      inString.push([n.startIndex, n.endIndex]);
      continue;
    }
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\n') continue;
    if (inString.some(([a, b]) => a < i && i < b)) continue;
    // A line continuation (`\` at the end) cannot take a comment.
    if (text[i - 1] === '\\') continue;
    out.push(i);
  }
  return out;
}

async function withComments(c: CorpusCase): Promise<string> {
  const language: LanguageId = c.language;
  return withTree(language, c.text, (tree) => {
    const at = language === 'python' ? pythonLineEnds(tree.rootNode, c.text) : leafStarts(tree.rootNode);
    const comment = language === 'python' ? '  # c' : '/*c*/';
    const sorted = [...new Set(at)].sort((a, b) => a - b);
    let out = '';
    let prev = 0;
    for (const o of sorted) {
      out += c.text.slice(prev, o) + comment;
      prev = o;
    }
    return out + c.text.slice(prev);
  });
}

function summary(r: AnalysisResult): string[] {
  return r.findings.map((f) => `${f.ruleId} line ${f.range.start.line + 1} ${f.variable}`).sort();
}

for (const language of ['c', 'python', 'go', 'java'] as const) {
  test(`${language}: comments between all tokens change no finding`, async () => {
    const failures: string[] = [];
    for (const c of loadCorpus(language)) {
      const mutated = await withComments(c);
      const [a, b] = [await analyzeSource(c.text, c.language), await analyzeSource(mutated, c.language)];
      if (b.hadParseErrors && !a.hadParseErrors) {
        failures.push(`${c.name}: the commented copy does not parse (the test's insertion is wrong)`);
        continue;
      }
      const [sa, sb] = [summary(a), summary(b)];
      if (JSON.stringify(sa) !== JSON.stringify(sb)) failures.push(`${c.name}:\n  plain:     ${sa.join(', ')}\n  commented: ${sb.join(', ')}`);
    }
    assert.deepEqual(failures, []);
  });
}
