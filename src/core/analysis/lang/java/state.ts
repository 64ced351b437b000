/**
 * The abstract state of the Java leak analysis at one program point.
 *
 * `vars` maps each local to what it may hold on the paths reaching the point: token ids (one per
 * acquisition site, `T<offset>`; `P<i>` for parameter i in summary mode) and markers:
 *   `?U` nothing tracked (unassigned or not a resource; an absent key means exactly {`?U`}),
 *   `?I` null, `?R<offset>` closed by the statement at that offset, `?E<offset>` handed over there.
 * Streams and wrappers of a socket hold the socket's token: closing any of them closes it.
 * `exc` is non-empty only on exceptional paths: the offsets of the calls (or `throw`s) the
 * exception may come from, so a leak found where it leaves the function is reported there.
 * Joining takes unions, so "open on some path" counts as open.
 */
export type ValueSet = Set<string>;

export interface State {
  readonly vars: Map<string, ValueSet>;
  exc: Set<number>;
}

export const UNSET = '?U';
export const NULL = '?I';
export const releasedAt = (offset: number): string => `?R${offset}`;
export const escapedAt = (offset: number): string => `?E${offset}`;

export function isToken(v: string): boolean {
  return v.charCodeAt(0) !== 63; // '?'
}

export function emptyState(): State {
  return { vars: new Map(), exc: new Set() };
}

export function cloneState(s: State): State {
  const vars = new Map<string, ValueSet>();
  for (const [k, v] of s.vars) vars.set(k, new Set(v));
  return { vars, exc: new Set(s.exc) };
}

export function tokensOf(set: ReadonlySet<string> | undefined): string[] {
  const out: string[] = [];
  if (set) for (const v of set) if (isToken(v)) out.push(v);
  return out;
}

export function joinStates(a: State, b: State): State {
  const vars = new Map<string, ValueSet>();
  for (const [k, va] of a.vars) {
    const u = new Set(va);
    for (const x of b.vars.get(k) ?? [UNSET]) u.add(x);
    vars.set(k, u);
  }
  for (const [k, vb] of b.vars) {
    if (a.vars.has(k)) continue;
    vars.set(k, new Set([UNSET, ...vb]));
  }
  for (const [k, v] of vars) if (v.size === 1 && v.has(UNSET)) vars.delete(k);
  return { vars, exc: new Set([...a.exc, ...b.exc]) };
}

export function statesEqual(a: State, b: State): boolean {
  if (a.vars.size !== b.vars.size || a.exc.size !== b.exc.size) return false;
  for (const x of a.exc) if (!b.exc.has(x)) return false;
  for (const [k, va] of a.vars) {
    const vb = b.vars.get(k);
    if (!vb || vb.size !== va.size) return false;
    for (const x of va) if (!vb.has(x)) return false;
  }
  return true;
}

/** Does any location other than those in `except` hold `token`? */
export function heldElsewhere(s: State, token: string, except: ReadonlySet<string>): boolean {
  for (const [k, v] of s.vars) if (!except.has(k) && v.has(token)) return true;
  return false;
}
