import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { withTree } from '../../parser';
import { definitionNodes, hashTokens } from './definitions';

const spans = (nodes: readonly ({ startIndex: number; endIndex: number; type: string } | null)[]): string[] =>
  nodes.map((n) => `${n!.type}@${n!.startIndex}-${n!.endIndex}`);

test('definitionNodes finds exactly the definitions a walk of the whole tree finds, in source order', async () => {
  const src = [
    '',
    '  #define A 1',
    '# \tdefine B(x) close(x)',
    '/* #define C 3 */',
    'const char *s = "#define D 4";',
    '#define E "#define F"',
    'int f(void) {',
    '#define G(fd) (fd)',
    '  return G(1);',
    '}',
    '#if X',
    'struct s { int a;',
    '#define H 8',
    '};',
    '#endif',
    'int g( {',
    '#define I',
    '##define J 2',
    '#undef A',
    '#define',
  ].join('\n');
  for (const language of ['c', 'cpp'] as const) {
    await withTree(language, src, (tree) => {
      const walked = spans(tree.rootNode.descendantsOfType(['preproc_def', 'preproc_function_def']));
      const found = spans(definitionNodes(tree.rootNode));
      assert.deepEqual(found, walked, language);
      // Neither the comment's nor the strings' text is a definition.
      assert.ok(found.length >= 5 && found.length <= 8, `${language}: ${found.join(', ')}`);
    });
  }
});

test('definitionNodes of a text without definitions is empty', async () => {
  await withTree('c', 'int main(void) { return 0; }\n', (tree) => assert.deepEqual(definitionNodes(tree.rootNode), []));
});

test('hashTokens finds the directive tokens a query over the whole tree captures, not the # of comments, strings or macro bodies', async () => {
  const src = [
    '#include <stdio.h>',
    '#if A',
    '/* #if B */',
    'const char *s = "#endif";',
    'char c = \'#\';',
    '#  define STR(x) #x',
    '#else',
    'int f(void) {',
    '#ifdef C',
    '  return 1;',
    '#endif',
    '}',
    '#undef STR',
    '#endif',
  ].join('\n');
  const types = new Set(['#if', '#ifdef', '#else', '#endif', '#define', 'preproc_directive']);
  for (const language of ['c', 'cpp'] as const) {
    await withTree(language, src, (tree) => {
      const walked: string[] = [];
      const stack = [tree.rootNode];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.childCount === 0 && types.has(n.type) && !n.isMissing) walked.push(`${n.type}@${n.startIndex}`);
        for (let i = n.childCount - 1; i >= 0; i--) stack.push(n.child(i)!);
      }
      const found = hashTokens(tree.rootNode, types).map((n) => `${n.type}@${n.startIndex}`);
      assert.deepEqual(found, walked, language);
      assert.deepEqual(found.map((f) => f.split('@')[0]), ['#if', '#define', '#else', '#ifdef', '#endif', 'preproc_directive', '#endif'], language);
    });
  }
});
