import type { Pred } from '../builder';

/** A lexical block of a function: the variables declared in it so far, in order. */
export interface BlockScope {
  readonly vars: readonly string[];
}

/** The variables declared so far in the open scopes from `depth` inward: what a jump out to depth `depth` leaves. */
export function declaredFrom(scopes: readonly BlockScope[], depth: number): string[] {
  const vars: string[] = [];
  for (let i = depth; i < scopes.length; i++) vars.push(...scopes[i]!.vars);
  return vars;
}

/**
 * The end of a block that declared `scope.vars`: where the end is reached (`out`) and the block
 * declared any, the edges go through a scope node (`chain` adds it after `out` and returns the edge
 * out of it) whose `vars`, the variables that go out of scope there, are set to them. Returns the
 * open edges after the block.
 */
export function endOfBlock(nodes: readonly { vars: string[] }[], scope: BlockScope, out: Pred[], chain: (out: Pred[]) => Pred[]): Pred[] {
  if (!scope.vars.length || !out.length) return out;
  const after = chain(out);
  nodes[after[0]!.from]!.vars = [...scope.vars];
  return after;
}

/** Builds (`build`) with `scope` open as the innermost of `scopes`; returns what `build` returns. */
export function inScope<S, T>(scopes: S[], scope: S, build: () => T): T {
  scopes.push(scope);
  try {
    return build();
  } finally {
    scopes.pop();
  }
}
