import type { Node } from 'web-tree-sitter';

/**
 * Language-neutral helpers over tree-sitter syntax trees, shared by the per-language syntax modules
 * (c/, go/, java/, python/ re-export what they use). Walks are iterative: input nesting depth must
 * not overflow the stack.
 */

/** The named children of `n` other than comments (none for null). */
export function namedKids(n: Node | null): Node[] {
  const out: Node[] = [];
  if (!n) return out;
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (c && c.type !== 'comment') out.push(c);
  }
  return out;
}

/** The argument nodes of a call (its `arguments` field; comments left out). */
export function callArgs(call: Node): Node[] {
  return namedKids(call.childForFieldName('arguments'));
}

/** Text with all whitespace removed (keys such as `fds[0]`, `c->fd`, `pkg.Name`). */
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
