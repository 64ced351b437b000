/**
 * The abstract state of the leak analysis at one program point.
 *
 * `vars` maps each tracked storage location (`fd`, `fds[0]`, `*p`) to the set of things it may
 * hold on the paths reaching the point: token ids (one per acquisition site, `T<offset>`), and
 * markers that say the location may hold no live resource:
 *   `?U`  never assigned on some path (an absent key means exactly {`?U`}),
 *   `?I`  known invalid (-1, NULL, a failed acquisition),
 *   `?R<offset>`  released or handed over by the statement at that offset.
 * A token is live while some location holds it. `status` maps a variable that stores the result
 * of pipe()/socketpair() to the tokens that call acquired (for `rc = pipe(fds); if (rc < 0) ...`).
 * Joining takes unions, so "live on some path" counts as live.
 */
export type ValueSet = Set<string>;

export interface State {
  readonly vars: Map<string, ValueSet>;
  readonly status: Map<string, ValueSet>;
}

export const UNSET = '?U';
export const INVALID = '?I';
export const releasedAt = (offset: number): string => `?R${offset}`;

export function isToken(v: string): boolean {
  return v.charCodeAt(0) !== 63; // '?'
}

export function releaseSite(v: string): number | null {
  return v.startsWith('?R') ? Number(v.slice(2)) : null;
}

export function emptyState(): State {
  return { vars: new Map(), status: new Map() };
}

export function cloneState(s: State): State {
  const vars = new Map<string, ValueSet>();
  for (const [k, v] of s.vars) vars.set(k, new Set(v));
  const status = new Map<string, ValueSet>();
  for (const [k, v] of s.status) status.set(k, new Set(v));
  return { vars, status };
}

export function tokensOf(set: ReadonlySet<string> | undefined): string[] {
  const out: string[] = [];
  if (set) for (const v of set) if (isToken(v)) out.push(v);
  return out;
}

const UNSET_ONLY: ReadonlySet<string> = new Set([UNSET]);

function joinMaps(a: Map<string, ValueSet>, b: Map<string, ValueSet>, absent: ReadonlySet<string>): Map<string, ValueSet> {
  const out = new Map<string, ValueSet>();
  for (const [k, va] of a) {
    const vb = b.get(k) ?? absent;
    const u = new Set(va);
    for (const x of vb) u.add(x);
    out.set(k, u);
  }
  for (const [k, vb] of b) {
    if (a.has(k)) continue;
    const u = new Set(absent);
    for (const x of vb) u.add(x);
    out.set(k, u);
  }
  return out;
}

export function joinStates(a: State, b: State): State {
  const vars = joinMaps(a.vars, b.vars, UNSET_ONLY);
  for (const [k, v] of vars) if (v.size === 1 && v.has(UNSET)) vars.delete(k);
  return { vars, status: joinMaps(a.status, b.status, new Set()) };
}

function mapsEqual(a: Map<string, ValueSet>, b: Map<string, ValueSet>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, va] of a) {
    const vb = b.get(k);
    if (!vb || vb.size !== va.size) return false;
    for (const x of va) if (!vb.has(x)) return false;
  }
  return true;
}

export function statesEqual(a: State, b: State): boolean {
  return mapsEqual(a.vars, b.vars) && mapsEqual(a.status, b.status);
}

/** Does any location other than those in `except` hold `token`? */
export function heldElsewhere(s: State, token: string, except: ReadonlySet<string>): boolean {
  for (const [k, v] of s.vars) if (!except.has(k) && v.has(token)) return true;
  return false;
}
