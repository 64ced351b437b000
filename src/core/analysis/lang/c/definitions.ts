import type { Node } from 'web-tree-sitter';

/** Where a definition's first token can start: the grammar's `#define` token is `#`, blanks, `define`. */
const DEFINE_TOKEN = /#[ \t]*define/g;

const DEFINITION_TYPES: ReadonlySet<string> = new Set(['preproc_def', 'preproc_function_def']);

/**
 * The tree's macro definitions (`preproc_def` and `preproc_function_def` nodes) in source order: the
 * nodes a query or `descendantsOfType` over the whole tree finds, without walking the whole tree.
 * Every such node starts with the grammar's `#define` token, so only the places where the text has one
 * are looked at: the token there, when it is one (not a comment's or a string's text), and its parent,
 * when that is a definition. A file has far fewer definitions than nodes.
 */
export function definitionNodes(root: Node): Node[] {
  const out: Node[] = [];
  const text = root.text;
  const base = root.startIndex;
  if (!text.includes('define')) return out;
  DEFINE_TOKEN.lastIndex = 0;
  for (let m = DEFINE_TOKEN.exec(text); m; m = DEFINE_TOKEN.exec(text)) {
    const at = base + m.index;
    const token = root.descendantForIndex(at, at + 1);
    if (!token || token.startIndex !== at || token.type !== '#define') continue;
    const def = token.parent;
    if (def && DEFINITION_TYPES.has(def.type) && def.startIndex === at) out.push(def);
  }
  return out;
}

/**
 * The tokens of the tree whose type is one of `types`, each a token that starts with `#` (a
 * directive's name, `#if`, `#define`, an unknown directive), in source order: those a query for them
 * over the whole tree captures, found from the `#`s of the text instead of a walk of every node.
 */
export function hashTokens(root: Node, types: ReadonlySet<string>): Node[] {
  const out: Node[] = [];
  const text = root.text;
  const base = root.startIndex;
  for (let i = text.indexOf('#'); i >= 0; i = text.indexOf('#', i + 1)) {
    const at = base + i;
    const token = root.descendantForIndex(at, at + 1);
    if (token && token.startIndex === at && types.has(token.type)) out.push(token);
  }
  return out;
}

/**
 * The `#define NAME value` lines of a text (object-like macros: a name followed by blanks and a value;
 * the value as written, comments included), in source order. Directive lines are read from the text
 * where the grammar may have failed around them (a header's flag list, a macro the repairs blank):
 * a directive is one line by the preprocessor's own rules.
 */
export function objectDefineLines(text: string): { name: string; value: string }[] {
  if (!text.includes('define')) return [];
  const out: { name: string; value: string }[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+([^\n]*)$/gm)) out.push({ name: m[1]!, value: m[2]! });
  return out;
}
