import type { Node } from 'web-tree-sitter';
import { solveForward, type Lattice } from '../../engine/dataflow';
import type { EdgeKind, ExitKind, PyCfg, PyNode } from './cfg';
import type { AcquisitionSite, Effects, Event } from './effects';
import { named, strip } from './syntax';

/**
 * The dataflow over a PyCfg: which acquisitions may still be open, which variables may refer to
 * them, and (once an abrupt edge was taken) why the path is leaving. A may-analysis: an
 * acquisition open at an exit on any path leaks.
 */

/** Why a path loses a resource; resolved to a message by the caller. */
export type Reason =
  | { readonly kind: 'exception'; readonly node: Node }
  | { readonly kind: 'raise'; readonly node: Node }
  | { readonly kind: 'return'; readonly node: Node }
  | { readonly kind: 'end' }
  | { readonly kind: 'reassigned' | 'deleted'; readonly node: Node };

interface Held {
  /** Variables that may refer to the open resource. */
  readonly holders: ReadonlySet<string>;
  /** Reasons (indexes into the reason table) of the abrupt edges that led here. */
  readonly why: ReadonlySet<number>;
}

type State = ReadonlyMap<AcquisitionSite, Held>;

const EMPTY: ReadonlySet<never> = new Set();

/** Reasons kept per resource (on a path and per finding): enough for the related information, and joins stay cheap. */
const MAX_REASONS = 12;

function union<T>(a: ReadonlySet<T>, b: ReadonlySet<T>, cap = Infinity): ReadonlySet<T> {
  if (a === b || b.size === 0 || a.size >= cap) return a;
  if (a.size === 0) return b;
  let out: Set<T> | null = null;
  for (const x of b) {
    if (a.has(x)) continue;
    if ((out?.size ?? a.size) >= cap) break;
    out ??= new Set(a);
    out.add(x);
  }
  return out ?? a;
}

function setEq<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

const lattice: Lattice<State> = {
  join(a, b) {
    if (a === b) return a;
    const out = new Map(a);
    for (const [k, hb] of b) {
      const ha = out.get(k);
      out.set(k, ha ? { holders: union(ha.holders, hb.holders), why: union(ha.why, hb.why, MAX_REASONS) } : hb);
    }
    return out;
  },
  equals(a, b) {
    if (a === b) return true;
    if (a.size !== b.size) return false;
    for (const [k, ha] of a) {
      const hb = b.get(k);
      if (!hb || !setEq(ha.holders, hb.holders) || !setEq(ha.why, hb.why)) return false;
    }
    return true;
  },
};

export interface Leak {
  readonly site: AcquisitionSite;
  readonly reasons: Reason[];
}

export interface FlowResult {
  readonly leaks: Leak[];
  readonly complete: boolean;
}

/** Names known to be None/falsy on the true and false edges of a condition (`s is None`, `not s`, `s`). */
function falsyNames(cond: Node | null, depth = 0): { onTrue: string[]; onFalse: string[] } {
  const res = { onTrue: [] as string[], onFalse: [] as string[] };
  const c = strip(cond);
  // Long `a and b and ...` chains nest: past a few levels nothing useful is learnt.
  if (!c || depth > 16) return res;
  if (c.type === 'identifier') res.onFalse.push(c.text);
  else if (c.type === 'not_operator') {
    const inner = falsyNames(c.childForFieldName('argument'), depth + 1);
    return { onTrue: inner.onFalse, onFalse: inner.onTrue };
  } else if (c.type === 'comparison_operator') {
    const parts = named(c);
    const ops = c.childrenForFieldName('operators').map((o) => o?.text.replace(/\s+/g, ' '));
    const [l, r] = [strip(parts[0] ?? null), strip(parts[1] ?? null)];
    if (parts.length === 2 && l?.type === 'identifier' && r?.type === 'none') {
      if (ops[0] === 'is' || ops[0] === '==') res.onTrue.push(l.text);
      if (ops[0] === 'is not' || ops[0] === '!=') res.onFalse.push(l.text);
    }
  } else if (c.type === 'boolean_operator') {
    const op = c.childForFieldName('operator')?.type;
    const l = falsyNames(c.childForFieldName('left'), depth + 1);
    const r = falsyNames(c.childForFieldName('right'), depth + 1);
    // `a and b` true: both true. `a or b` false: both false.
    if (op === 'and') res.onTrue.push(...l.onTrue, ...r.onTrue);
    if (op === 'or') res.onFalse.push(...l.onFalse, ...r.onFalse);
  }
  return res;
}

export class Flow {
  private readonly reasons: Reason[] = [];
  private readonly reasonIds = new Map<string, number>();
  private readonly leaks = new Map<AcquisitionSite, Set<number>>();
  private recording = false;

  constructor(
    private readonly cfg: PyCfg,
    private readonly effects: Effects,
    /** At the module's top level only reassignments and `del` lose a resource (globals live on). */
    private readonly moduleLevel: boolean,
  ) {}

  private reason(r: Reason): number {
    const key = r.kind === 'end' ? 'end' : `${r.kind}:${r.node.id}`;
    let id = this.reasonIds.get(key);
    if (id === undefined) {
      id = this.reasons.length;
      this.reasons.push(r);
      this.reasonIds.set(key, id);
    }
    return id;
  }

  private leak(site: AcquisitionSite, reasons: Iterable<number>): void {
    if (!this.recording) return;
    let set = this.leaks.get(site);
    if (!set) this.leaks.set(site, (set = new Set()));
    for (const r of reasons) {
      if (set.size >= MAX_REASONS) return;
      set.add(r);
    }
  }

  run(deadline: number | undefined): FlowResult {
    const graph = { succ: this.cfg.nodes.map((n) => n.succ), entry: this.cfg.entry };
    const transfer = (id: number, s: State) => this.transfer(this.cfg.nodes[id]!, s);
    const sol = solveForward<State>(graph, new Map(), lattice, transfer, deadline === undefined ? {} : { deadline });
    // Second pass over the fixpoint: record the losses once, from each node's final input.
    this.recording = true;
    sol.input.forEach((s, id) => {
      if (s) transfer(id, s);
    });
    this.recording = false;
    const leaks: Leak[] = [];
    for (const [site, ids] of this.leaks) leaks.push({ site, reasons: [...ids].sort((a, b) => a - b).map((i) => this.reasons[i]!) });
    return { leaks, complete: sol.complete };
  }

  private transfer(node: PyNode, input: State): (State | undefined)[] {
    if (node.kind === 'exit') {
      this.exit(node.exit!, input);
      return [];
    }
    const outs = this.outputs(node, input);
    // Exits are not joined by the solver (hundreds of paths may end there): losses are recorded per edge.
    return outs.map((s, i) => {
      const to = this.cfg.nodes[node.succ[i] ?? -1];
      if (!to || to.kind !== 'exit') return s;
      if (s) this.exit(to.exit!, s);
      return undefined;
    });
  }

  private outputs(node: PyNode, input: State): (State | undefined)[] {
    if (node.kind === 'caught') {
      // The exception was handled: the path is no longer leaving.
      const cleared = new Map<AcquisitionSite, Held>();
      for (const [k, h] of input) cleared.set(k, { holders: h.holders, why: EMPTY });
      return node.succ.map(() => cleared);
    }
    let after: State | null = null;
    let bodyState: State | null = null;
    const cond = node.kind === 'cond' ? falsyNames(node.ast) : null;
    return node.edges.map((edge: EdgeKind) => {
      switch (edge) {
        case 'exc':
          return this.abrupt(this.apply(this.effects.early(node), input), this.reason({ kind: 'exception', node: node.raiser! }));
        case 'raise':
          return this.abrupt(input, this.reason({ kind: 'raise', node: node.raiser! }));
        case 'ret':
          after ??= this.apply(this.effects.of(node), input);
          return this.abrupt(after, this.reason({ kind: 'return', node: node.ast! }));
        case 'body':
          bodyState ??= this.apply(this.effects.of(node, true), input);
          return bodyState;
        case 'true':
        case 'false':
          after ??= this.apply(this.effects.of(node), input);
          return this.forget(after, edge === 'true' ? cond!.onTrue : cond!.onFalse);
        default:
          after ??= this.apply(this.effects.of(node), input);
          return after;
      }
    });
  }

  /** Leaving by an abrupt edge: every open resource now leaks for this reason unless caught or closed on the way. */
  private abrupt(s: State, reason: number): State {
    if (s.size === 0) return s;
    const why = new Set([reason]);
    const out = new Map<AcquisitionSite, Held>();
    for (const [k, h] of s) out.set(k, { holders: h.holders, why });
    return out;
  }

  private exit(_kind: ExitKind, s: State): void {
    if (this.moduleLevel) return;
    for (const [site, h] of s) {
      if (h.why.size > 0) this.leak(site, h.why);
      else this.leak(site, [this.reason({ kind: 'end' })]);
    }
  }

  /** On this edge the names are None: they hold nothing. */
  private forget(s: State, names: readonly string[]): State {
    if (names.length === 0 || s.size === 0) return s;
    const out = new Map(s);
    for (const v of names) this.removeHolder(out, v, null);
    return out;
  }

  /** Removes `v` as a holder; a resource left without holders is lost (`lost` given) or just forgotten. */
  private removeHolder(s: Map<AcquisitionSite, Held>, v: string, lost: number | null): void {
    for (const [k, h] of s) {
      if (!h.holders.has(v)) continue;
      if (h.holders.size === 1) {
        s.delete(k);
        if (lost !== null) this.leak(k, [lost]);
      } else {
        const holders = new Set(h.holders);
        holders.delete(v);
        s.set(k, { holders, why: h.why });
      }
    }
  }

  /** Closes (or hands on) whatever `v` may refer to: through any alias. */
  private dropAll(s: Map<AcquisitionSite, Held>, v: string): void {
    for (const [k, h] of s) if (h.holders.has(v)) s.delete(k);
  }

  private apply(events: readonly Event[], input: State): State {
    if (events.length === 0) return input;
    const s = new Map(input);
    for (const e of events) {
      switch (e.t) {
        case 'release':
        case 'escape':
          this.dropAll(s, e.v);
          break;
        case 'drop':
          this.removeHolder(s, e.v, this.reason({ kind: e.how, node: e.at }));
          break;
        case 'acquire':
          this.removeHolder(s, e.v, this.reason({ kind: 'reassigned', node: e.site.statement ?? e.site.call }));
          s.set(e.site, { holders: new Set([e.v]), why: EMPTY });
          break;
        case 'alias': {
          if (e.v === e.from) break;
          this.removeHolder(s, e.v, this.reason({ kind: 'reassigned', node: e.at }));
          for (const [k, h] of s) {
            if (h.holders.has(e.from)) s.set(k, { holders: new Set([...h.holders, e.v]), why: h.why });
          }
          break;
        }
      }
    }
    return s;
  }
}
