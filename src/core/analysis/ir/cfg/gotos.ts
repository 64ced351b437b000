import type { Pred } from '../builder';

/** A lexical scope of the function, as a goto sees it: its identity and the variables declared in it so far. */
export interface GotoScope {
  readonly id: number;
  readonly vars: readonly string[];
}

interface Label {
  /** The join node the label stands for (made on first mention: a goto may come before its label). */
  readonly node: number;
  /** The ids of the scopes open at the label, once it is seen. */
  scopes: number[] | null;
}

interface PendingGoto {
  /** The goto's node, where the variables of the scopes it leaves die. */
  readonly node: number;
  readonly label: string;
  readonly scopes: readonly GotoScope[];
  /** The variables each of those scopes had declared when the goto was reached. */
  readonly declared: readonly (readonly string[])[];
}

/**
 * `goto label` and `label:` of one function. A goto leaves the scopes it is in that do not also
 * enclose its label: the variables declared in them so far die at the goto's node. Labels may come
 * after their gotos, so what dies is known only once the whole body is built (`resolve`).
 */
export class GotoLabels {
  private readonly labels = new Map<string, Label>();
  private readonly gotos: PendingGoto[] = [];

  /** `join` adds the (join) node of a label not mentioned before. */
  constructor(private readonly join: () => number, private readonly connect: (preds: readonly Pred[], to: number) => void) {}

  /** The node of `label`. */
  node(label: string): number {
    let l = this.labels.get(label);
    if (!l) {
      l = { node: this.join(), scopes: null };
      this.labels.set(label, l);
    }
    return l.node;
  }

  /** A goto to `label` whose node `node` is reached from its statement, inside the open `scopes` (outermost first). */
  jump(node: number, label: string, scopes: readonly GotoScope[]): void {
    this.connect([{ from: node, slot: -1 }], this.node(label));
    this.gotos.push({ node, label, scopes: [...scopes], declared: scopes.map((s) => [...s.vars]) });
  }

  /** `label:` reached from `preds`, inside the open `scopes`: returns the open edge after the label. */
  define(label: string, preds: readonly Pred[], scopes: readonly GotoScope[]): Pred[] {
    const node = this.node(label);
    this.labels.get(label)!.scopes = scopes.map((s) => s.id);
    this.connect(preds, node);
    return [{ from: node, slot: -1 }];
  }

  /** Once the body is built: `setDying(node, vars)` for each goto (the function's own scope, the first, never dies). */
  resolve(setDying: (node: number, vars: string[]) => void): void {
    for (const g of this.gotos) {
      const target = new Set(this.labels.get(g.label)?.scopes ?? []);
      const vars: string[] = [];
      g.scopes.forEach((s, i) => {
        if (!target.has(s.id) && i > 0) vars.push(...(g.declared[i] ?? []));
      });
      setDying(g.node, vars);
    }
  }
}
