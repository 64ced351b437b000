import { Parser, type Language, type Node, type Tree } from 'web-tree-sitter';
import { withTree } from '../../parser';
import { sameLengthReplacements } from '../../reparse';
import type { CMacroDefinition } from '../../types';
import { configurations, numberValue } from './preproc';
import { definitionNodes } from './definitions';

/**
 * The macros a workspace's headers define, for the C/C++ analysis of each file (conditions of
 * `#if`, qualifier and loop macros the grammar cannot read): every `#define` of every header, the
 * first definition of a name winning (headers in the order given). Each header is parsed by
 * tree-sitter; an object-like macro's value is parsed as an `#if` condition to know when it is an
 * integer constant.
 */
export type MacroTable = Map<string, CMacroDefinition>;

/** File names the workspace table is read from. */
export function isHeader(path: string): boolean {
  return /\.(h|hh|hpp|hxx|h\+\+)$/i.test(path);
}

/**
 * Adds the definitions of one header to `table` (names it has already keep their first definition),
 * read in the header's first build configuration (see preproc.ts): one consistent set of definitions,
 * and comments inside continued definitions blanked.
 */
export async function addHeaderMacros(table: MacroTable, text: string, language: 'c' | 'cpp'): Promise<void> {
  // A text without build alternatives is read from its one tree; a configuration's tree is parsed
  // from the text's (only the parts it blanks are parsed again, see reparse.ts).
  const first = await withTree(language, text, (tree) => {
    const config = configurations(tree.rootNode, text, language, table)?.[0];
    if (config === undefined) readDefinitions(table, tree);
    return config === undefined ? undefined : { config, parsed: tree.copy() };
  });
  if (!first) return;
  try {
    const replacements = sameLengthReplacements(text, first.config);
    const from = replacements ? { tree: first.parsed, text, replacements } : undefined;
    await withTree(language, first.config, (tree) => readDefinitions(table, tree), from);
  } finally {
    first.parsed.delete();
  }
}

/** Adds the definitions `tree` holds to `table` (names it has already keep their first definition). */
function readDefinitions(table: MacroTable, tree: Tree): void {
  const objects: { name: string; value: string }[] = [];
  for (const def of definitionNodes(tree.rootNode)) {
    const nameNode = def.childForFieldName('name');
    const name = nameNode?.type === 'identifier' ? nameNode.text : undefined;
    if (!name || table.has(name)) continue;
    const value = def.childForFieldName('value')?.text.trim() ?? '';
    const params = def.childForFieldName('parameters');
    if (params) {
      table.set(name, { params: params.namedChildren.filter((p) => p !== null).map((p) => p!.text), value });
    } else {
      table.set(name, { params: null, value, number: null });
      if (value !== '' && !value.includes('\n')) objects.push({ name, value });
    }
  }
  setNumbers(table, objects, tree.language);
}

/** The integer value of each object-like macro whose value is a constant (`1`, `(0x10)`, `-1`). */
function setNumbers(table: MacroTable, objects: readonly { name: string; value: string }[], lang: Language): void {
  if (!objects.length) return;
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const starts: number[] = [];
    let offset = 0;
    const doc = objects.map((o) => {
      starts.push(offset);
      const line = `#if ${o.value}\n#endif\n`;
      offset += line.length;
      return line;
    }).join('');
    const tree = parser.parse(doc);
    if (!tree) return;
    try {
      objects.forEach((o, i) => {
        const owner = tree.rootNode.descendantForIndex(starts[i]!, starts[i]! + 1)?.parent;
        const v = owner?.type === 'preproc_if' ? constant(owner.childForFieldName('condition')) : null;
        if (v !== null) table.set(o.name, { params: null, value: o.value, number: v });
      });
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}

function constant(n: Node | null): number | null {
  if (!n) return null;
  if (n.type === 'number_literal') return numberValue(n.text);
  if (n.type === 'parenthesized_expression') return constant(n.namedChild(0));
  if (n.type === 'unary_expression' && n.childForFieldName('operator')?.type === '-') {
    const v = constant(n.childForFieldName('argument'));
    return v === null ? null : -v;
  }
  return null;
}
