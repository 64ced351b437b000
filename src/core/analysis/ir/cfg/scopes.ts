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

/**
 * The lexical scopes of a function as a tree, each with an id (creation order; 0 the function's own)
 * and the names declared in it, for a language whose variables are told apart by the scope that
 * declares them (Go: `x := …` in an inner block is another `x`). The builder keeps the open scopes,
 * innermost last; the lowering resolves a name used in a scope by walking up `parent` to the
 * scope that declares it.
 */
export class ScopeTree {
  /** The parent of each scope (-1 for the outermost). */
  readonly parent: number[] = [];
  /** The names declared in each scope. */
  readonly declared: Set<string>[] = [];
  private readonly open: number[] = [];

  /** The innermost open scope (0 once none is open). */
  get current(): number {
    return this.open[this.open.length - 1] ?? 0;
  }

  /** How many scopes are open. */
  get depth(): number {
    return this.open.length;
  }

  /** Opens a new scope inside the current one; returns its id. */
  push(): number {
    const id = this.parent.length;
    this.parent.push(this.open.length ? this.current : -1);
    this.declared.push(new Set());
    this.open.push(id);
    return id;
  }

  /** Closes the innermost scope; returns its id. */
  pop(): number {
    return this.open.pop()!;
  }

  /** Declares `names` in the innermost open scope. */
  declare(names: Iterable<string>): void {
    const set = this.declared[this.current]!;
    for (const n of names) set.add(n);
  }

  /** The open scopes from `depth` inward that declared anything: what a jump out to depth `depth` leaves. */
  declaringFrom(depth: number): number[] {
    return this.open.slice(depth).filter((s) => this.declared[s]!.size > 0);
  }

}

/**
 * The end of the innermost scope of `tree`: it closes, and where the end is reached (`out`) and the
 * scope declared anything, the edges go through a scope node (`chain` adds it after `out` and returns
 * the edge out of it) whose `scopes` are set to that one. Returns the open edges after it.
 */
export function endOfTreeScope(tree: ScopeTree, nodes: readonly { scopes: number[] }[], out: Pred[], chain: (out: Pred[]) => Pred[]): Pred[] {
  const id = tree.pop();
  if (tree.declared[id]!.size === 0 || out.length === 0) return out;
  const after = chain(out);
  nodes[after[0]!.from]!.scopes = [id];
  return after;
}
