import type { AcquireSite } from '../ir/ir';

/**
 * What a storage location may hold at a program point: a set of abstract values. A `token` is one
 * resource (one per acquisition site, or per parameter in summary mode); the others say the
 * location holds no live resource of this function on that path, and why.
 *
 * Values are interned per analysis (`ValueTable`), so sets compare them by identity.
 */
export type AbstractValue = Token | Unset | Invalid | Foreign | Released | Escaped | Lent;

export interface Token {
  readonly kind: 'token';
  /** Unique per analysis: `T<offset>`, `T<offset>:<i>` for pairs, `P<i>` for parameters. */
  readonly key: string;
  readonly site: AcquireSite;
  /** The location that first held it (`fd`, `fds[1]`). */
  readonly origin: string;
  /** Parameter index for a parameter's token (summary mode), -1 for an acquisition. */
  readonly param: number;
}
/** Never assigned on some path. */
export interface Unset { readonly kind: 'unset' }
/** Known to hold no resource (-1, NULL, a failed acquisition). */
export interface Invalid { readonly kind: 'invalid' }
/** Found equal to something the function does not own (a standard stream, another resource). */
export interface Foreign { readonly kind: 'foreign' }
/** Released by the statement at `at`. */
export interface Released { readonly kind: 'released'; readonly at: number }
/** Handed over (stored, returned, given to an owner) by the statement at `at`. */
export interface Escaped { readonly kind: 'escaped'; readonly at: number }
/** Given to a function the analysis does not know, at `at`: the resource may or may not still be open. */
export interface Lent { readonly kind: 'lent'; readonly at: number }

export type ValueSet = ReadonlySet<AbstractValue>;

export const UNSET: Unset = { kind: 'unset' };
export const INVALID: Invalid = { kind: 'invalid' };
export const FOREIGN: Foreign = { kind: 'foreign' };

export const UNSET_ONLY: ValueSet = new Set<AbstractValue>([UNSET]);
export const INVALID_ONLY: ValueSet = new Set<AbstractValue>([INVALID]);
export const FOREIGN_ONLY: ValueSet = new Set<AbstractValue>([FOREIGN]);

export function isToken(v: AbstractValue): v is Token {
  return v.kind === 'token';
}

export function tokensOf(set: ValueSet | undefined): Token[] {
  const out: Token[] = [];
  if (set) for (const v of set) if (v.kind === 'token') out.push(v);
  return out;
}

export function hasToken(set: ValueSet | undefined): boolean {
  if (set) for (const v of set) if (v.kind === 'token') return true;
  return false;
}

/** The interned values of one analysis: markers per offset and tokens per key. */
export class ValueTable {
  private readonly released = new Map<number, Released>();
  private readonly escaped = new Map<number, Escaped>();
  private readonly lent = new Map<number, Lent>();
  readonly tokens = new Map<string, Token>();

  releasedAt(at: number): Released {
    let v = this.released.get(at);
    if (!v) this.released.set(at, (v = { kind: 'released', at }));
    return v;
  }

  escapedAt(at: number): Escaped {
    let v = this.escaped.get(at);
    if (!v) this.escaped.set(at, (v = { kind: 'escaped', at }));
    return v;
  }

  lentAt(at: number): Lent {
    let v = this.lent.get(at);
    if (!v) this.lent.set(at, (v = { kind: 'lent', at }));
    return v;
  }

  token(key: string, site: AcquireSite, origin: string, param = -1): Token {
    let t = this.tokens.get(key);
    if (!t) this.tokens.set(key, (t = { kind: 'token', key, site, origin, param }));
    return t;
  }
}

/** A parameter's pseudo-site: the caller's value may be a descriptor or a pointer. */
export function paramSite(start: number, end: number): AcquireSite {
  return { start, end, call: '', resource: 'param', validity: 'any' };
}
