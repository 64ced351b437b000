import type { Node, Parser, Tree } from 'web-tree-sitter';
import { reparse, type Replacement } from './reparse';

/**
 * Parses of trial variants of one text, counting the syntax errors of each (a repair by trial keeps
 * the variants that have fewer). The first text parsed is the base; a variant given as the base with
 * some replacements is parsed incrementally from the base's tree (reparse.ts), so only the part around
 * its replacements is parsed again; `keepLast` makes the variant parsed last the new base.
 * `dispose` frees the trees.
 */
export class TrialParses {
  private base: { text: string; tree: Tree } | null = null;
  private last: { text: string; tree: Tree } | null = null;

  constructor(private readonly parser: Parser) {}

  /**
   * ERROR and MISSING nodes of `text` parsed alone (MAX_SAFE_INTEGER when it gives no tree). Without
   * `replacements`, `text` becomes the base; with them (offsets in the base's text), `text` is the
   * base's text with them made.
   */
  errors(text: string, replacements?: readonly Replacement[]): number {
    const tree = this.base && replacements ? reparse(this.parser, this.base.tree, this.base.text, replacements, text) : this.parser.parse(text);
    if (!tree) return Number.MAX_SAFE_INTEGER;
    if (replacements) {
      this.last?.tree.delete();
      this.last = { text, tree };
    } else {
      this.dispose();
      this.base = { text, tree };
    }
    return countErrors(tree);
  }

  /** The variant parsed last becomes the base. */
  keepLast(): void {
    if (!this.last) return;
    this.base?.tree.delete();
    this.base = this.last;
    this.last = null;
  }

  dispose(): void {
    this.base?.tree.delete();
    this.last?.tree.delete();
    this.base = this.last = null;
  }
}

/** ERROR and MISSING nodes of a tree (an ERROR's own children are not counted). */
function countErrors(tree: Tree): number {
  let n = 0;
  const stack: Node[] = [tree.rootNode];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === 'ERROR' || x.isMissing) {
      n++;
      if (x.type === 'ERROR') continue;
    }
    if (!x.hasError) continue;
    for (let i = 0; i < x.childCount; i++) {
      const c = x.child(i);
      if (c) stack.push(c);
    }
  }
  return n;
}
