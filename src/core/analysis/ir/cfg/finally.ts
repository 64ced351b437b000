import type { Pred } from '../builder';

/**
 * A `finally` block (or another clean-up that runs however its block is left) is copied once per
 * way of leaving, so that each copy goes on where its path was going: falling out of the block, an
 * exception, a `return`, a `break`, a `continue`. Two ways to build the copies:
 * - `FinallyCopies`: the abrupt paths are collected by kind while the try body is built, and one copy
 *   per kind is built after it (Python);
 * - `throughFinallies`: a jump builds its copies where it happens, innermost first (Java).
 */

/** The abrupt paths that reached one finally block, collected by kind `K` until the block is copied for them. */
export class FinallyCopies<K> {
  private readonly pending = new Map<K, Pred[]>();

  /** Open edges of a path of kind `kind` (an exception, a return, a break…) that leaves through the block. */
  pend(kind: K, preds: readonly Pred[]): void {
    const list = this.pending.get(kind);
    if (list) list.push(...preds);
    else this.pending.set(kind, [...preds]);
  }

  /**
   * Once the try statement is built (and its frame closed): for each kind, in the order first
   * reached, `copy` builds one copy of the block from that kind's edges and `route` sends the copy's
   * end on to where that kind of path goes.
   */
  replay(copy: (preds: Pred[]) => Pred[], route: (kind: K, after: Pred[]) => void): void {
    for (const [kind, preds] of this.pending) {
      if (preds.length === 0) continue;
      route(kind, copy(preds));
    }
  }
}

/** The stack of frames a jump passes, innermost last; `frames` is swapped while a finally block is copied. */
export interface FrameStack<F> {
  get(): F[];
  set(frames: F[]): void;
}

/**
 * A jump from `preds` to the frame at index `target` (-1: out of the function) runs the finally
 * blocks of the frames above it, innermost first: `copyOf` gives a frame's copy builder (null: no
 * finally). Each copy is built with only the frames outside it open (a jump or an exception inside
 * a finally block does not run that block again). Stops when a copy does not complete. Returns the
 * open edges after the last copy.
 */
export function throughFinallies<F>(stack: FrameStack<F>, target: number, preds: Pred[], copyOf: (f: F) => ((preds: Pred[]) => Pred[]) | null): Pred[] {
  let cur = preds;
  for (let i = stack.get().length - 1; i > target && cur.length; i--) {
    const copy = copyOf(stack.get()[i]!);
    if (!copy) continue;
    const saved = stack.get();
    stack.set(saved.slice(0, i));
    try {
      cur = copy(cur);
    } finally {
      stack.set(saved);
    }
  }
  return cur;
}
