import type { Node } from 'web-tree-sitter';

/**
 * Does a C parse that failed show C++ the grammar could not read? A header (`.h`) is taken as C, but
 * some are C++ (a Qt adapter, a vendored template library). The file says so with sequences that
 * are never C: `template <typename`/`template <class`, `namespace name {`, `class Name {` and
 * `class Name : public …` (a base class list). Only the top-level items with errors are looked at.
 */
export function saysCpp(root: Node): boolean {
  for (let i = 0; i < root.childCount; i++) {
    const item = root.child(i);
    if (item && (item.hasError || item.type === 'ERROR') && cppIn(item)) return true;
  }
  return false;
}

/** Tokens looked at per item, at most. */
const MAX_LEAVES = 20_000;

const NAMES: ReadonlySet<string> = new Set(['identifier', 'type_identifier', 'field_identifier', 'statement_identifier']);
const ACCESS: ReadonlySet<string> = new Set(['public', 'private', 'protected']);
const CPP_WORDS: readonly string[] = ['template', 'namespace', 'class'];

function cppIn(item: Node): boolean {
  // Each sequence starts with one of these words, a token of the item: an item whose text has none of them has none.
  const text = item.text;
  if (!CPP_WORDS.some((w) => text.includes(w))) return false;
  const leaves: Node[] = [];
  const stack: Node[] = [item];
  while (stack.length && leaves.length < MAX_LEAVES) {
    const n = stack.pop()!;
    if (n.childCount === 0) {
      if (n.type !== 'comment') leaves.push(n);
      continue;
    }
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
  for (let k = 0; k + 2 < leaves.length; k++) {
    const word = leaves[k]!.text;
    const a = leaves[k + 1]!;
    const b = leaves[k + 2]!;
    if (word === 'template' && a.text === '<' && (b.text === 'typename' || b.text === 'class')) return true;
    if (!NAMES.has(a.type)) continue;
    if (word === 'namespace' && b.text === '{') return true;
    if (word === 'class' && (b.text === '{' || (b.text === ':' && ACCESS.has(leaves[k + 3]?.text ?? '')))) return true;
  }
  return false;
}
