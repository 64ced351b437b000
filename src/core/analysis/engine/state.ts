import { NO_FACTS, factsEqual, joinFacts, widenFacts, type Facts } from './facts';
import { UNSET, UNSET_ONLY, tokensOf, type AbstractValue, type Token, type ValueSet } from './values';

/**
 * The abstract state at one program point, indexed by the function's location table:
 * `vars[i]` is what location i may hold on the paths reaching the point (undefined: nothing
 * assigned, i.e. {unset}); `status[i]` the pair tokens whose success location i reports
 * (`rc = pipe(fds)`). Joining takes unions, so "live on some path" counts as live.
 *
 * States are copy-on-write: a set is never changed once stored (a change stores a new set), so
 * cloning a state copies only its arrays and states along a path share most of their sets.
 */
export interface State {
  readonly vars: (ValueSet | undefined)[];
  readonly status: (ReadonlySet<Token> | undefined)[];
  /** On exceptional paths: the offsets (`ExceptionOrigin.at`) the pending exception may come from. */
  exc: ReadonlySet<number> | undefined;
  /** What is known of the followed plain values on every path reaching the point (engine/facts.ts). */
  facts: Facts;
  /** Per own resource, what is known of them on every path on which it is live (absent: nothing). */
  tf: ReadonlyMap<Token, Facts> | undefined;
}

export function emptyState(size: number): State {
  return { vars: new Array<ValueSet | undefined>(size).fill(undefined), status: new Array<ReadonlySet<Token> | undefined>(size).fill(undefined), exc: undefined, facts: NO_FACTS, tf: undefined };
}

export function cloneState(s: State): State {
  return { vars: s.vars.slice(), status: s.status.slice(), exc: s.exc, facts: s.facts, tf: s.tf };
}

const NOTHING: ReadonlySet<never> = new Set();

function subset<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  if (a.size > b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function joinSets<T>(va: ReadonlySet<T> | undefined, vb: ReadonlySet<T> | undefined, absent: ReadonlySet<T>): ReadonlySet<T> | undefined {
  if (va === vb) return va;
  const a = va ?? absent;
  const b = vb ?? absent;
  if (subset(b, a)) return va ?? absent;
  if (subset(a, b)) return vb ?? absent;
  const u = new Set(a);
  for (const x of b) u.add(x);
  return u;
}

export function joinStates(a: State, b: State): State {
  if (a === b) return a;
  const n = a.vars.length;
  const vars = new Array<ValueSet | undefined>(n);
  const status = new Array<ReadonlySet<Token> | undefined>(n);
  for (let i = 0; i < n; i++) {
    const v = joinSets<AbstractValue>(a.vars[i], b.vars[i], UNSET_ONLY);
    vars[i] = v && v.size === 1 && v.has(UNSET) ? undefined : v;
    const st = joinSets<Token>(a.status[i], b.status[i], NOTHING);
    status[i] = st && st.size ? st : undefined;
  }
  const exc = joinSets<number>(a.exc, b.exc, NOTHING);
  return { vars, status, exc: exc && exc.size ? exc : undefined, facts: joinFacts(a.facts, b.facts), tf: joinTokenFacts(a, b) };
}

/**
 * `merged` (a node's input after a join changed it again) with its facts widened against `old`
 * (engine/facts.ts widenFacts): the values are finite sets and need no widening.
 */
export function widenStates(old: State, merged: State): State {
  const facts = widenFacts(old.facts, merged.facts);
  let tf = merged.tf;
  if (tf && old.tf) {
    let out: Map<Token, Facts> | undefined;
    for (const [t, f] of tf) {
      const o = old.tf.get(t);
      const w = o ? widenFacts(o, f) : f;
      if (w === f) continue;
      out ??= new Map(tf);
      if (w.size) out.set(t, w);
      else out.delete(t);
    }
    if (out) tf = out.size ? out : undefined;
  }
  return facts === merged.facts && tf === merged.tf ? merged : { ...merged, facts, tf };
}

/** The tokens some location holds. */
export function liveTokens(s: State): Set<Token> {
  const out = new Set<Token>();
  for (const set of s.vars) for (const t of tokensOf(set)) out.add(t);
  return out;
}

/** A resource's facts after a join: those of the paths on which it is live, on either side. */
function joinTokenFacts(a: State, b: State): ReadonlyMap<Token, Facts> | undefined {
  if (!a.tf && !b.tf) return undefined;
  if (a.tf === b.tf) return a.tf;
  const liveA = liveTokens(a);
  const liveB = liveTokens(b);
  const out = new Map<Token, Facts>();
  for (const t of new Set([...(a.tf?.keys() ?? []), ...(b.tf?.keys() ?? [])])) {
    const inA = liveA.has(t);
    const inB = liveB.has(t);
    const f = inA && inB ? joinFacts(a.tf?.get(t) ?? NO_FACTS, b.tf?.get(t) ?? NO_FACTS) : inA ? a.tf?.get(t) : inB ? b.tf?.get(t) : undefined;
    if (f && f.size) out.set(t, f);
  }
  return out.size ? out : undefined;
}

function tokenFactsEqual(a: ReadonlyMap<Token, Facts> | undefined, b: ReadonlyMap<Token, Facts> | undefined): boolean {
  if (a === b) return true;
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [t, f] of a ?? []) {
    const o = b?.get(t);
    if (!o || !factsEqual(f, o)) return false;
  }
  return true;
}

export function setsEqual<T>(a: ReadonlySet<T> | undefined, b: ReadonlySet<T> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export function statesEqual(a: State, b: State): boolean {
  if (a === b) return true;
  if (!setsEqual(a.exc, b.exc) || !factsEqual(a.facts, b.facts) || !tokenFactsEqual(a.tf, b.tf)) return false;
  for (let i = 0; i < a.vars.length; i++) {
    if (!setsEqual(a.vars[i], b.vars[i]) || !setsEqual(a.status[i], b.status[i])) return false;
  }
  return true;
}

/** Does any location other than those in `except` hold `token`? */
export function heldElsewhere(s: State, token: Token, except: ReadonlySet<number>): boolean {
  for (let i = 0; i < s.vars.length; i++) if (!except.has(i) && s.vars[i]?.has(token)) return true;
  return false;
}
