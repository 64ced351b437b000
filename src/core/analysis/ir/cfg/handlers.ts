import type { Pred } from '../builder';

/**
 * The catch clauses (or Python's except clauses) of a try statement: whichever raised, each is taken
 * to catch it (their exception types are not resolved here), so every clause is entered from the
 * handler's entry node `entry`. `body` builds a clause from its entry edges. Returns the clauses'
 * ends, in order.
 */
export function catchClauses<C>(entry: number, clauses: Iterable<C>, body: (clause: C, preds: Pred[]) => Pred[]): Pred[] {
  const out: Pred[] = [];
  for (const c of clauses) out.push(...body(c, [{ from: entry, slot: -1 }]));
  return out;
}
