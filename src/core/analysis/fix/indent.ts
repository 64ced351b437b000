import type { Node } from 'web-tree-sitter';
import { walk } from '../syntax';
import type { Placement } from './placement';

/**
 * Indentation of inserted and re-indented code, for every language: taken from the code around
 * it (a block's statements, the step between a statement and its block, the file's first indented
 * block), so that a fix in a tab-indented file indents with tabs and one in a two-space file with
 * two spaces. Four spaces only when the text says nothing.
 */

export const DEFAULT_UNIT = '    ';

/** The unit one level adds to `indent` when nothing else tells: a tab in tab-indented code, else four spaces. */
export function unitAfter(indent: string): string {
  return indent.includes('\t') ? '\t' : DEFAULT_UNIT;
}

/**
 * The indentation of statements inside `block` whose closing brace is at `brace`: that of its
 * last statement starting a line other than the brace's, else the brace's plus `unit` (by default
 * a tab under a tab, four spaces otherwise).
 */
export function blockIndent(place: Placement, block: Node, brace: number, unit?: string): string {
  for (let i = block.namedChildCount - 1; i >= 0; i--) {
    const c = block.namedChild(i);
    if (c && place.firstOnLine(c.startIndex) && place.lineStart(c.startIndex) !== place.lineStart(brace)) return place.indentAt(c.startIndex);
  }
  const braceIndent = place.indentAt(brace);
  return braceIndent + (unit ?? unitAfter(braceIndent));
}

/**
 * The indentation step between `inner` (a statement) and `outer` (the node holding its block):
 * the part of `inner`'s line indentation beyond `outer`'s, or `fallback` when it is not deeper.
 */
export function indentStep(place: Placement, inner: number, outer: number, fallback = DEFAULT_UNIT): string {
  const a = place.indentAt(place.lineEnd(inner));
  const b = place.indentAt(place.lineEnd(outer));
  return a.length > b.length && a.startsWith(b) ? a.slice(b.length) : fallback;
}

/** `s` with `unit` added before every non-blank line after the first (blank lines are left as they are). */
export function reindent(s: string, unit: string): string {
  return s.split('\n').map((line, i) => (i === 0 || line.trim() === '' ? line : unit + line)).join('\n');
}

/**
 * The file's indentation unit, from the first block (a node for which `isBlock` holds, with a
 * parent) whose first statement starts a deeper line than its parent; four spaces when there is none.
 */
export function fileIndentUnit(place: Placement, root: Node, isBlock: (n: Node) => boolean): string {
  let unit: string | null = null;
  walk(root, (n) => {
    if (unit !== null) return false;
    const first = isBlock(n) && n.parent ? n.namedChild(0) : null;
    if (first && place.lineStart(first.startIndex) !== place.lineStart(n.parent!.startIndex)) {
      const outer = lineIndent(place, n.parent!.startIndex);
      const inner = lineIndent(place, first.startIndex);
      if (inner.length > outer.length && inner.startsWith(outer)) unit = inner.slice(outer.length);
    }
    return unit === null;
  });
  return unit ?? DEFAULT_UNIT;
}

/** The whole leading whitespace of the line holding `offset`. */
export function lineIndent(place: Placement, offset: number): string {
  return place.indentAt(place.lineEnd(offset));
}
