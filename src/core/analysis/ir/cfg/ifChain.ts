import type { Pred } from '../builder';

/** The open edges out of a condition: where it holds (`t`) and where it does not (`f`). */
export interface Branches {
  readonly t: Pred[];
  readonly f: Pred[];
}

/**
 * How a language's `if` statement maps to an if / else-if / else chain. An arm is one tested
 * condition with its consequence (`if`, `else if`, `elif`); `E` is a final `else`.
 */
export interface IfChainSpec<A, E> {
  /** Builds the arm's condition, reached from `preds`. */
  condition(arm: A, preds: Pred[]): Branches;
  /** Builds the arm's consequence, reached where the condition holds. */
  consequence(arm: A, preds: Pred[]): Pred[];
  /** What is tried where the arm's condition does not hold: another arm, a final `else`, or nothing. */
  next(arm: A): { readonly arm: A } | { readonly otherwise: E } | null;
  /** Builds the final `else`. */
  otherwise(e: E, preds: Pred[]): Pred[];
}

/**
 * An if / else-if chain: each arm's condition is reached where the previous one does not hold.
 * Returns the open edges out of the chain: the consequences' ends in order, then the final else's
 * (or, without one, the last condition's false edge). The chain is walked in a loop, so a long
 * chain does not deepen the recursion.
 */
export function ifChain<A, E>(first: A, preds: Pred[], spec: IfChainSpec<A, E>): Pred[] {
  const out: Pred[] = [];
  let arm = first;
  let cur = preds;
  for (;;) {
    const { t, f } = spec.condition(arm, cur);
    out.push(...spec.consequence(arm, t));
    const next = spec.next(arm);
    if (!next) return [...out, ...f];
    if ('otherwise' in next) return [...out, ...spec.otherwise(next.otherwise, f)];
    arm = next.arm;
    cur = f;
  }
}
