import type { Node } from 'web-tree-sitter';

/**
 * The wiring shared by the per-language control-flow graph builders (c/, go/, java/, python/): nodes
 * are numbered in creation order, and a statement is built from the list of its predecessors' open
 * edges (`Pred`s), returning the open edges that leave it. What a node holds is up to the language.
 */

/** An open edge: successor slot `slot` of node `from`, or (slot -1) a successor still to be appended. */
export interface Pred {
  readonly from: number;
  /** For two-way nodes (conditions) the fixed slot (e.g. 0 true, 1 false edge); -1 appends a successor. */
  readonly slot: number;
}

export interface GraphNode {
  readonly succ: number[];
}

/** Points every open edge in `preds` at node `to`; `onAppend` runs for each appended (slot -1) successor. */
export function connectPreds<N extends GraphNode>(nodes: readonly N[], preds: readonly Pred[], to: number, onAppend?: (node: N) => void): void {
  for (const p of preds) {
    const node = nodes[p.from]!;
    if (p.slot >= 0) node.succ[p.slot] = to;
    else {
      node.succ.push(to);
      onAppend?.(node);
    }
  }
}

/**
 * Base of the builders whose nodes are made by `add(kind, ast, exit)`: `connect` wires open edges to a
 * node and `chain` appends a node after them.
 */
export abstract class GraphBuilder<N extends GraphNode, Kind, Exit> {
  readonly nodes: N[] = [];

  /** Creates a node (no edges into it yet) and returns its id. */
  protected abstract add(kind: Kind, ast: Node | null, exit?: Exit | null): number;

  protected connect(preds: readonly Pred[], to: number): void {
    connectPreds(this.nodes, preds, to);
  }

  /** Adds a node reached from `preds` and returns it as the single new open edge. */
  protected chain(preds: readonly Pred[], kind: Kind, ast: Node | null, exit: Exit | null = null): Pred[] {
    const id = this.add(kind, ast, exit);
    this.connect(preds, id);
    return [{ from: id, slot: -1 }];
  }
}

/**
 * Bounds a builder's recursion into nested statements (deeply nested input must not overflow the
 * stack): `nest` builds one level deeper, or, once `max` levels are open, calls `tooDeep`, which
 * treats the statement as opaque.
 */
export class NestingLimit {
  private depth = 0;

  constructor(private readonly max: number) {}

  nest<T>(build: () => T, tooDeep: () => T): T {
    if (this.depth > this.max) return tooDeep();
    this.depth++;
    try {
      return build();
    } finally {
      this.depth--;
    }
  }
}
