import type { FactProgram, FactTest, Rel } from '../ir/ir';

/**
 * Facts about plain values (a flag, a loop cursor, `strcmp(path, "-")`) that hold on every path
 * reaching a point, so that two branches on the same value are correlated: the value's range is
 * known from an assignment of a constant or from a branch taken, until something may change it.
 * The state keeps the facts of the path and, per live resource, the facts of the paths on which
 * it is live: a branch that contradicts a resource's facts is a path on which it is not held.
 */

/** The values a key may have: `lo..hi` without the values in `ne`. */
export interface Range {
  readonly lo: number;
  readonly hi: number;
  readonly ne: readonly number[];
}

export type Facts = ReadonlyMap<string, Range>;

export const NO_FACTS: Facts = new Map();

/** The most values a range excludes one by one (a chain of `x == 0 … x == 999` tests stays linear). */
const MAX_EXCLUDED = 16;

const ANY: Range = { lo: -Infinity, hi: Infinity, ne: [] };

function narrow(r: Range, rel: Rel, c: number): Range | null {
  let { lo, hi } = r;
  let ne = r.ne;
  switch (rel) {
    case '==': lo = Math.max(lo, c); hi = Math.min(hi, c); break;
    // Past MAX_EXCLUDED values the oldest exclusion is forgotten (fewer paths pruned, never a wrong one).
    case '!=': if (!ne.includes(c)) ne = [...(ne.length < MAX_EXCLUDED ? ne : ne.slice(1)), c]; break;
    case '<': hi = Math.min(hi, c - 1); break;
    case '<=': hi = Math.min(hi, c); break;
    case '>': lo = Math.max(lo, c + 1); break;
    case '>=': lo = Math.max(lo, c); break;
  }
  // Excluded values at the ends shrink the range (integers).
  while (lo <= hi && ne.includes(lo)) lo++;
  while (lo <= hi && ne.includes(hi)) hi--;
  if (lo > hi) return null;
  return { lo, hi, ne: ne.filter((x) => x > lo && x < hi) };
}

function hull(a: Range, b: Range): Range {
  const lo = Math.min(a.lo, b.lo);
  const hi = Math.max(a.hi, b.hi);
  // A value stays excluded when neither side may have it.
  const excluded = (r: Range, x: number) => x < r.lo || x > r.hi || r.ne.includes(x);
  const ne = [...new Set([...a.ne, ...b.ne])].filter((x) => excluded(a, x) && excluded(b, x));
  return { lo, hi, ne };
}

function rangesEqual(a: Range, b: Range): boolean {
  return a.lo === b.lo && a.hi === b.hi && a.ne.length === b.ne.length && a.ne.every((x) => b.ne.includes(x));
}

/** What holds on either of two paths: the keys known on both, each with the hull of its ranges. */
export function joinFacts(a: Facts, b: Facts): Facts {
  if (a === b) return a;
  if (!a.size || !b.size) return NO_FACTS;
  const out = new Map<string, Range>();
  for (const [k, ra] of a) {
    const rb = b.get(k);
    if (!rb) continue;
    const h = hull(ra, rb);
    if (h.lo !== -Infinity || h.hi !== Infinity || h.ne.length) out.set(k, h);
  }
  return out;
}

export function factsEqual(a: Facts, b: Facts): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, r] of a) {
    const o = b.get(k);
    if (!o || !rangesEqual(r, o)) return false;
  }
  return true;
}

/**
 * Widening for a loop: a range that grew from `old` to `merged` is open on the side it grew
 * (`0..1`, `0..2`, … becomes `0..`), so that a counter stepped in a loop settles. Keys only `merged` has stay as they are.
 */
export function widenFacts(old: Facts, merged: Facts): Facts {
  if (old === merged) return merged;
  let out: Map<string, Range> | undefined;
  for (const [k, r] of merged) {
    const o = old.get(k);
    if (!o || rangesEqual(o, r)) continue;
    const lo = r.lo < o.lo ? -Infinity : r.lo;
    const hi = r.hi > o.hi ? Infinity : r.hi;
    if (lo === r.lo && hi === r.hi) continue;
    out ??= new Map(merged);
    const ne = r.ne.filter((x) => x > lo && x < hi);
    if (lo === -Infinity && hi === Infinity && !ne.length) out.delete(k);
    else out.set(k, { lo, hi, ne });
  }
  return out ?? merged;
}

/** Forgets the keys a node may change. */
export function dropFacts(f: Facts, keys: readonly string[]): Facts {
  if (!keys.some((k) => f.has(k))) return f;
  const out = new Map(f);
  for (const k of keys) out.delete(k);
  return out;
}

/** Records `key == c` after an assignment. */
export function setFact(f: Facts, key: string, c: number): Facts {
  const out = new Map(f);
  out.set(key, { lo: c, hi: c, ne: [] });
  return out;
}

/** `key += by` (`n--`): a known range moves with it (an unknown one stays unknown). */
export function shiftFact(f: Facts, key: string, by: number): Facts {
  const r = f.get(key);
  if (!r) return f;
  const out = new Map(f);
  out.set(key, { lo: r.lo + by, hi: r.hi + by, ne: r.ne.map((x) => x + by) });
  return out;
}

/** The facts where `test` has the value `branch`, or null when the facts contradict it (no such path). */
export function assume(f: Facts, test: FactTest, branch: boolean): Facts | null {
  switch (test.f) {
    case 'none':
      return f;
    case 'not':
      return assume(f, test.a, !branch);
    case 'and':
    case 'or': {
      if ((test.f === 'and') === branch) {
        // Both sides hold.
        const a = assume(f, test.a, branch);
        return a && assume(a, test.b, branch);
      }
      // Either side decides: `a` alone, or `a` the other way and then `b`.
      const first = assume(f, test.a, branch);
      const other = assume(f, test.a, !branch);
      const second = other && assume(other, test.b, branch);
      if (!first) return second;
      if (!second) return first;
      return joinFacts(first, second);
    }
    case 'cmp': {
      const rel = branch ? test.rel : NEGATE[test.rel];
      const r = narrow(f.get(test.key) ?? ANY, rel, test.c);
      if (!r) return null;
      const out = new Map(f);
      out.set(test.key, r);
      return out;
    }
  }
}

const NEGATE: Record<Rel, Rel> = { '<': '>=', '>=': '<', '>': '<=', '<=': '>', '==': '!=', '!=': '==' };

/** The keys a fact test compares. */
export function testKeys(t: FactTest): Set<string> {
  const out = new Set<string>();
  const stack: FactTest[] = [t];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.f === 'not') stack.push(x.a);
    else if (x.f === 'and' || x.f === 'or') stack.push(x.a, x.b);
    else if (x.f === 'cmp') out.add(x.key);
  }
  return out;
}

export const NO_FACT: FactTest = { f: 'none' };

/** The test with the comparisons that `keep` rejects (key, compares an assigned value) made `none`. */
function prune(t: FactTest, keep: (key: string, assigned: boolean) => boolean): FactTest {
  switch (t.f) {
    case 'none': return t;
    case 'not': {
      const a = prune(t.a, keep);
      return a.f === 'none' ? a : { f: 'not', a };
    }
    case 'and': case 'or': {
      const a = prune(t.a, keep);
      const b = prune(t.b, keep);
      return a.f === 'none' && b.f === 'none' ? NO_FACT : { f: t.f, a, b };
    }
    case 'cmp':
      return keep(t.key, t.assigned === true) ? { f: 'cmp', key: t.key, rel: t.rel, c: t.c } : NO_FACT;
  }
}

/** What a front end read of one function's plain values, node by node (the IR's nodes), for factPrograms. */
export interface FactSources {
  /** Each node's condition over candidate keys (cond nodes), else null. */
  readonly tests: readonly (FactTest | null)[];
  /** The variables each candidate key is computed from (`good` of `good`, `path` of `strcmp(path, "-")`). */
  readonly ids: ReadonlyMap<string, readonly string[]>;
  /** Variables that may change where no node says (their address is taken, or they are written outside every node). */
  readonly volatile: ReadonlySet<string>;
  /** Per node: the variables it may change. */
  readonly writes: readonly ReadonlySet<string>[];
  /** Per node: the constants it surely assigns (`x = 1;` as its whole statement). */
  readonly sets: readonly (readonly { readonly key: string; readonly c: number }[])[];
  /** Per node: the steps it surely takes (`n--;` as its whole statement). */
  readonly shifts: readonly (readonly { readonly key: string; readonly by: number }[])[];
  /** Per node: the pointer variables it surely dereferences (`p->f`): not NULL afterwards, unless the node also changes them. */
  readonly derefs?: readonly (readonly string[])[];
}

/**
 * Each node's fact program (undefined: it does nothing to the followed values), or null when the
 * function has none. A key is followed only when it is referred to at least twice (tested twice, or
 * assigned a constant and tested) and none of its variables is volatile.
 */
export function factPrograms(src: FactSources): (FactProgram | undefined)[] | null {
  const { tests, ids, volatile, writes, sets, shifts } = src;
  const uses = new Map<string, number>();
  const count = (k: string) => uses.set(k, (uses.get(k) ?? 0) + 1);
  tests.forEach((t) => t && testKeys(t).forEach(count));
  sets.forEach((list) => list.forEach((x) => ids.has(x.key) && count(x.key)));
  const kept = new Set<string>();
  for (const [k, names] of ids) if ((uses.get(k) ?? 0) >= 2 && !names.some((x) => volatile.has(x))) kept.add(k);
  if (!kept.size) return null;
  let any = false;
  const out = tests.map((test0, id): FactProgram | undefined => {
    const w = writes[id]!;
    const moved = shifts[id]!.filter((x) => kept.has(x.key));
    const drops = w.size ? [...kept].filter((k) => ids.get(k)!.some((x) => w.has(x)) && !moved.some((x) => x.key === k)) : [];
    const mine = sets[id]!.filter((x) => kept.has(x.key));
    // A value the condition itself changes (`n--`, `f(&x)`) is not known from it; `(x = ...) == c` is.
    const t = test0 ? prune(test0, (k, assigned) => kept.has(k) && (assigned || !drops.includes(k))) : null;
    const test = t && t.f !== 'none' ? t : undefined;
    // A dereferenced pointer the node does not change is not NULL after it (a NULL dereference faults).
    const nonNull = (src.derefs?.[id] ?? []).filter((k) => kept.has(k) && ids.get(k)!.length === 1 && ids.get(k)![0] === k && !w.has(k));
    if (!drops.length && !mine.length && !moved.length && !test && !nonNull.length) return undefined;
    any = true;
    return {
      ...(drops.length ? { drops } : {}), ...(moved.length ? { shifts: moved } : {}), ...(mine.length ? { sets: mine } : {}),
      ...(nonNull.length ? { nonNull } : {}), ...(test ? { test } : {}),
    };
  });
  return any ? out : null;
}
