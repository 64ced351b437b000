import type { Node } from 'web-tree-sitter';
import { firstKid } from '../../syntax';
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

/** How a language builds the parts of a tree-sitter `if_statement` (fields `condition`, `consequence`, `alternative`). */
export interface IfStatementSpec {
  /** Builds the condition of the `if` statement `arm`, reached from `preds`. */
  condition(arm: Node, preds: Pred[]): Branches;
  /** Builds a consequence or else statement `stmt` of the `if` statement `owner` from `preds`. */
  statement(stmt: Node, preds: Pred[], owner: Node): Pred[];
  /**
   * Whether an `else if` is another arm of the chain (its condition built here) or a statement of
   * its own built by `statement` (Go: its initializer opens a scope of its own).
   */
  readonly elseIfArms: boolean;
}

/**
 * A tree-sitter `if_statement` as an if / else-if chain (`ifChain`): the consequence is built with the
 * `if` as its owner; the alternative (a statement, or an `else_clause` holding one, which then owns
 * it) is the next arm when it is an `if_statement` and `spec.elseIfArms`, else the final `else`.
 */
export function ifStatementChain(first: Node, preds: Pred[], spec: IfStatementSpec): Pred[] {
  return ifChain<Node, { readonly stmt: Node; readonly owner: Node }>(first, preds, {
    condition: (arm, cur) => spec.condition(arm, cur),
    consequence: (arm, t) => {
      const cons = arm.childForFieldName('consequence');
      return cons ? spec.statement(cons, t, arm) : t;
    },
    next: (arm) => {
      const alt = arm.childForFieldName('alternative');
      const stmt = alt?.type === 'else_clause' ? firstKid(alt) : alt;
      if (!alt || !stmt) return null;
      return spec.elseIfArms && stmt.type === 'if_statement' ? { arm: stmt } : { otherwise: { stmt, owner: alt.type === 'else_clause' ? alt : arm } };
    },
    otherwise: (e, f) => spec.statement(e.stmt, f, e.owner),
  });
}
