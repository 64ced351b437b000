import type { Node } from 'web-tree-sitter';
import type { FunctionAnalysis } from '../engine/analysis';
import type { Token } from '../engine/values';
import type { FunctionIr } from '../ir/ir';
import { statementHolding } from './lines';

/**
 * The region a scoped release wraps (try-with-resources, `with`, try/catch around statements),
 * for every language: the statements of one block from the acquisition to the last one that
 * still needs the resource, the IR nodes of those statements, and the variables holding the
 * resource anywhere in the function (its copies, streams and wrappers, which a use through them
 * also needs). The language gives what a statement mentions and declares; the proof that the
 * release is safe over the region is the engine's (engine/safety.ts).
 */

/**
 * The index in `list` (one block's statements) of the last statement the region starting at
 * `first` must reach: the last one that mentions any of `names`, where `names` grows by the
 * variables the statements inside the region declare (they must stay visible to their later uses).
 * `names` is extended in place.
 */
export function regionEnd(
  list: readonly Node[], first: number, names: Set<string>,
  mentions: (stmt: Node, names: ReadonlySet<string>) => boolean, declares: (stmt: Node) => Iterable<string>,
): number {
  let last = first;
  for (let changed = true; changed;) {
    changed = false;
    for (let j = list.length - 1; j > last; j--) {
      if (mentions(list[j]!, names)) {
        last = j;
        changed = true;
        break;
      }
    }
    for (let j = first + 1; j <= last; j++) {
      for (const n of declares(list[j]!)) {
        if (!names.has(n)) {
          names.add(n);
          changed = true;
        }
      }
    }
  }
  return last;
}

/** The IR nodes whose statement starts in `[start, end)`. */
export function nodesWithin(ir: FunctionIr, start: number, end: number): number[] {
  const out: number[] = [];
  ir.nodes.forEach((n, id) => {
    if (n.anchor >= start && n.anchor < end) out.push(id);
  });
  return out;
}

/**
 * For every resource of the function, the local variables and parameters that hold it at some
 * node (one pass over the stable states for every token).
 */
export function holdersByToken(analysis: FunctionAnalysis, params: Iterable<string>): Map<Token, Set<string>> {
  const all = new Map<Token, Set<string>>();
  const keys = new Set<string>(params);
  for (const n of analysis.ir.nodes) for (const op of n.program.ops) if (op.op === 'bind' && op.target.kind === 'local') keys.add(op.target.key);
  analysis.ir.nodes.forEach((_n, id) => {
    for (const k of keys) {
      for (const v of analysis.valueAt(id, k) ?? []) {
        if (v.kind !== 'token') continue;
        let set = all.get(v);
        if (!set) all.set(v, (set = new Set()));
        set.add(k);
      }
    }
  });
  return all;
}

/** A run of statements of one block that a wrapping fix puts in a new block. */
export interface StatementRun {
  /** The first statement (the acquisition statement, or a statement of an outer block holding it). */
  readonly first: Node;
  /** The last statement (in the same block as `first`). */
  readonly last: Node;
  /** True when `first` is the acquisition statement itself. */
  readonly direct: boolean;
}

/**
 * The smallest block (a node for which `isBlock` holds, within `scope`) that holds `stmt` and
 * every node of `uses`, as the run of its statements from the one holding `stmt` to the last one
 * holding a use; null when `stmt` is not directly in a block or the uses reach outside `scope`.
 */
export function enclosingRun(
  stmt: Node, uses: readonly Node[], scope: Node, isBlock: (n: Node) => boolean, statements: (block: Node) => readonly Node[],
): StatementRun | null {
  if (!stmt.parent || !isBlock(stmt.parent)) return null;
  let first: Node = stmt;
  let blk: Node = stmt.parent;
  while (uses.some((u) => u.startIndex < blk.startIndex || u.endIndex > blk.endIndex)) {
    if (blk.id === scope.id) return null;
    let up: Node | null = blk.parent;
    while (up && up.parent && !isBlock(up.parent)) up = up.parent;
    if (!up || !up.parent) return null;
    first = up;
    blk = up.parent;
    if (blk.startIndex < scope.startIndex) return null;
  }
  let last = first;
  const stmts = statements(blk);
  for (const u of uses) {
    const c = statementHolding(stmts, u);
    if (c && c.startIndex > last.startIndex) last = c;
  }
  return { first, last, direct: first.id === stmt.id };
}
