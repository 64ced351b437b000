/**
 * A language-neutral forward dataflow solver over a control-flow graph given as successor lists.
 * Iterative (worklist), so deep or huge graphs cannot overflow the stack; bounded by a step
 * limit and an optional deadline, after which it stops and says so.
 */
export interface FlowGraph {
  /** Successors of each node; the transfer function returns one state per successor (or fewer: none = path ends). */
  readonly succ: readonly (readonly number[])[];
  readonly entry: number;
}

export interface Lattice<S> {
  join(a: S, b: S): S;
  equals(a: S, b: S): boolean;
  /**
   * Optional widening: given a node's input `old` and the join `merged` that changed it, a state at least
   * as large as `merged` that leaves nothing to grow without end (a loop counter's range `0..1`, `0..2`, …).
   * Applied once a node's input has changed WIDEN_AFTER times.
   */
  widen?(old: S, merged: S): S;
}

/** Changes of one node's input after which the lattice's widening applies to it. */
export const WIDEN_AFTER = 8;

export interface SolveOptions {
  /** Stop after this many node visits (default: 50 × nodes + 1000). */
  readonly maxSteps?: number;
  /** Date.now() value after which solving stops. */
  readonly deadline?: number;
}

export interface Solution<S> {
  /** The state on entry to each reachable node (undefined: never reached). */
  readonly input: (S | undefined)[];
  /** False when the step limit or the deadline stopped the solver before a fixpoint. */
  readonly complete: boolean;
}

/**
 * `transfer(node, state)` returns the outgoing state for each successor index (`out[i]` flows to
 * `succ[node][i]`); a missing or undefined entry means that edge is not taken.
 */
export function solveForward<S>(
  graph: FlowGraph,
  initial: S,
  lattice: Lattice<S>,
  transfer: (node: number, state: S) => readonly (S | undefined)[],
  options: SolveOptions = {},
): Solution<S> {
  const n = graph.succ.length;
  const input: (S | undefined)[] = new Array<S | undefined>(n);
  const queued = new Uint8Array(n);
  const changes = new Uint16Array(n);
  const queue: number[] = [];
  let head = 0;
  input[graph.entry] = initial;
  queue.push(graph.entry);
  queued[graph.entry] = 1;
  const maxSteps = options.maxSteps ?? 50 * n + 1000;
  let steps = 0;
  while (head < queue.length) {
    if (++steps > maxSteps || (options.deadline !== undefined && (steps & 255) === 0 && Date.now() > options.deadline)) {
      return { input, complete: false };
    }
    const node = queue[head++]!;
    queued[node] = 0;
    // Compact the queue now and then so that it does not grow without bound.
    if (head > 4096 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    const state = input[node];
    if (state === undefined) continue;
    const outs = transfer(node, state);
    const succ = graph.succ[node] ?? [];
    for (let i = 0; i < succ.length; i++) {
      const out = outs[i];
      const to = succ[i];
      if (out === undefined || to === undefined || to < 0) continue;
      const old = input[to];
      let merged = old === undefined ? out : lattice.join(old, out);
      if (old === undefined || !lattice.equals(old, merged)) {
        if (old !== undefined && lattice.widen && ++changes[to]! > WIDEN_AFTER) merged = lattice.widen(old, merged);
        input[to] = merged;
        if (!queued[to]) {
          queued[to] = 1;
          queue.push(to);
        }
      }
    }
  }
  return { input, complete: true };
}
