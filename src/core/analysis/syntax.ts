import type { Node } from 'web-tree-sitter';

/**
 * Language-neutral helpers over tree-sitter syntax trees, shared by the per-language syntax modules
 * (c/, go/, java/, python/ re-export what they use). Walks are iterative: input nesting depth must
 * not overflow the stack.
 */

/** Comment nodes (tree-sitter gives them as children anywhere between two tokens). */
export function isComment(n: Node): boolean {
  return n.type === 'comment' || n.type === 'line_comment' || n.type === 'block_comment';
}

/** The first named child of `n` that is not a comment, or null. */
export function firstKid(n: Node | null): Node | null {
  if (!n) return null;
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (c && !isComment(c)) return c;
  }
  return null;
}

/** The last named child of `n` that is not a comment, or null. */
export function lastKid(n: Node | null): Node | null {
  if (!n) return null;
  for (let i = n.namedChildCount - 1; i >= 0; i--) {
    const c = n.namedChild(i);
    if (c && !isComment(c)) return c;
  }
  return null;
}

/** The named children of `n` other than comments (none for null). */
export function namedKids(n: Node | null): Node[] {
  const out: Node[] = [];
  if (!n) return out;
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (c && !isComment(c)) out.push(c);
  }
  return out;
}

/** The argument nodes of a call (its `arguments` field; comments left out). */
export function callArgs(call: Node): Node[] {
  return namedKids(call.childForFieldName('arguments'));
}

const COMMENT_TYPES = ['comment', 'line_comment', 'block_comment'];

/**
 * The text of `n` without whitespace and comments (keys such as `fds[0]`, `c->fd`, `pkg.Name`):
 * `fds /* read end *\/ [0]` is `fds[0]`.
 */
export function keyText(n: Node): string {
  const comments = n.descendantsOfType(COMMENT_TYPES);
  if (!comments.length) return squeeze(n.text);
  let out = '';
  let at = n.startIndex;
  const text = n.text;
  for (const c of comments) {
    if (!c) continue;
    out += text.slice(at - n.startIndex, c.startIndex - n.startIndex);
    at = c.endIndex;
  }
  out += text.slice(at - n.startIndex);
  return squeeze(out);
}

/** Text with all whitespace removed. */
export function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

/**
 * Depth-first search of the named nodes under `root` (itself included; the last child first) until
 * `visit` returns true or `budget` nodes have been visited. True when `visit` returned true: the
 * budget makes a huge subtree count as "not found" rather than stall the analysis.
 */
export function searchTree(root: Node, budget: number, visit: (n: Node) => boolean | void): boolean {
  const stack: Node[] = [root];
  let left = budget;
  while (stack.length && left-- > 0) {
    const n = stack.pop()!;
    if (visit(n) === true) return true;
    for (let i = 0; i < n.namedChildCount; i++) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
  return false;
}

/** Does the subtree mention identifier `name`? (nested functions and lambdas included; `budget` as in searchTree) */
export function mentionsIdentifier(root: Node, name: string, budget: number): boolean {
  return searchTree(root, budget, (n) => n.type === 'identifier' && n.text === name);
}

/** Pre-order walk of the named nodes under `root`, in source order. `visit` returns false to skip a node's children. */
export function walk(root: Node, visit: (n: Node) => boolean | void): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
}
