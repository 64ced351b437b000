import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Parser, type Node, type Tree } from 'web-tree-sitter';
import { loadLanguage } from './parser';
import { reparse, sameLengthReplacements, type Replacement } from './reparse';

async function cParser(): Promise<Parser> {
  const lang = await loadLanguage('c');
  const parser = new Parser();
  parser.setLanguage(lang);
  return parser;
}

/** Every node of the tree with its type, offsets and points, in document order. */
function shape(tree: Tree): string[] {
  const out: string[] = [];
  const visit = (n: Node): void => {
    out.push(`${n.type}${n.isMissing ? '!' : ''} ${n.startIndex}-${n.endIndex} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column}`);
    for (const c of n.children) if (c) visit(c);
  };
  visit(tree.rootNode);
  return out;
}

function apply(text: string, replacements: readonly Replacement[]): string {
  let out = '';
  let last = 0;
  for (const r of replacements) {
    out += text.slice(last, r.start) + r.text;
    last = r.end;
  }
  return out + text.slice(last);
}

const SOURCE = [
  '#include <unistd.h>',
  'EXPORT int open_it(const char *p) {',
  '  UNUSED int fd = open(p, 0);',
  '  if (fd < 0) return -1;',
  '  QUIET(fd)',
  '  return fd;',
  '}',
  'static int f(int a) { return a + 1; }',
  'static int g(int b) { return b - 2; }',
  '',
].join('\r\n');

/** The same, without syntax errors: here the re-parse reuses the old tree's subtrees. */
const CLEAN = SOURCE.replace('EXPORT ', '       ').replace('UNUSED ', '       ').replace('QUIET(fd)', 'QUIET(fd);');

for (const [name, source] of [['with syntax errors', SOURCE], ['without', CLEAN]] as const) {
test(`a text with replacements parsed from the old tree gives the tree a fresh parse gives, and the old tree is left as it was (${name})`, async () => {
  const SOURCE = source;
  const parser = await cParser();
  const old = parser.parse(SOURCE)!;
  const oldShape = shape(old);
  try {
    const at = (token: string, length = token.length, text = ''): Replacement => {
      const start = SOURCE.indexOf(token);
      assert.ok(start >= 0, token);
      return { start, end: start + length, text };
    };
    const cases: Replacement[][] = [
      // Same-length replacements, alone and together.
      [at('open_it', 7, 'opened_')],
      [at('int fd', 6, 'int gd'), at('QUIET(fd)', 9, 'QUIET(gd)')],
      // Longer and shorter text, line breaks written and removed.
      [at('return -1', 9, '{\n    close(fd);\n    return -2;\n  }')],
      [{ start: 0, end: SOURCE.indexOf('int open_it'), text: '' }, { start: SOURCE.indexOf('  if'), end: SOURCE.indexOf('  QUIET'), text: '' }],
      // Far apart, the second in a function after the first: (without errors) the re-parse reuses its subtrees.
      [at('#include <unistd.h>\r\n'), at('a + 1', 5, 'a * (a - 1)')],
    ];
    for (const replacements of cases) {
      const text = apply(SOURCE, replacements);
      const fresh = parser.parse(text)!;
      const again = reparse(parser, old, SOURCE, replacements, text)!;
      try {
        assert.deepEqual(shape(again), shape(fresh));
        assert.equal(again.rootNode.text, fresh.rootNode.text);
      } finally {
        fresh.delete();
        again.delete();
      }
      assert.deepEqual(shape(old), oldShape);
    }
  } finally {
    old.delete();
    parser.delete();
  }
});
}

test('sameLengthReplacements: the runs of changed characters, close runs joined; null when the lengths differ', () => {
  assert.equal(sameLengthReplacements('abc', 'abcd'), null);
  assert.deepEqual(sameLengthReplacements('same', 'same'), []);
  const from = `#if A\nint x;\n#else\nint y;\n#endif\n${'z'.repeat(40)}\nint w;\n`;
  const to = `     \nint x;\n     \n      \n      \n${'z'.repeat(40)}\n      \n`;
  const r = sameLengthReplacements(from, to)!;
  assert.equal(apply(from, r), to);
  // The directives and `int y;` (equal stretches of 8 characters and less between them) are one run; `int w;` after 42 equal characters another.
  assert.deepEqual(r.map((x) => [x.start, x.end]), [[0, 32], [74, 80]]);
});
