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
 * declared any, the edges go through a node (`dies` adds it after `out` and returns the edge out of
 * it) where those variables go out of scope. Returns the open edges after the block.
 */
export function endOfBlock(scope: BlockScope, out: Pred[], dies: (out: Pred[], vars: string[]) => Pred[]): Pred[] {
  if (!scope.vars.length || !out.length) return out;
  return dies(out, [...scope.vars]);
}
