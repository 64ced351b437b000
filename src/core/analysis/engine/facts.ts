import type { FactTest, Rel } from '../ir/ir';

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
