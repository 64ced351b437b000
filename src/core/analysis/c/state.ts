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
 *
 * States are copy-on-write: the sets are never changed once stored (a change stores a new set),
 * so cloning a state copies only its maps and states along a path share most of their sets.
 */
export type ValueSet = ReadonlySet<string>;

/**
 * Indexed by the function's location table (see FunctionAnalysis): `vars[i]` is what location i
 * may hold (undefined: nothing assigned, i.e. {`?U`}); `status[i]` the pipe tokens it reports on.
 */
export interface State {
  readonly vars: (ValueSet | undefined)[];
  readonly status: (ValueSet | undefined)[];
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

export function emptyState(size: number): State {
  return { vars: new Array<ValueSet | undefined>(size).fill(undefined), status: new Array<ValueSet | undefined>(size).fill(undefined) };
}

export function cloneState(s: State): State {
  return { vars: s.vars.slice(), status: s.status.slice() };
}

export function tokensOf(set: ReadonlySet<string> | undefined): string[] {
  const out: string[] = [];
  if (set) for (const v of set) if (isToken(v)) out.push(v);
  return out;
}

export function hasToken(set: ReadonlySet<string> | undefined): boolean {
  if (set) for (const v of set) if (isToken(v)) return true;
  return false;
}

const UNSET_ONLY: ValueSet = new Set([UNSET]);
const NOTHING: ValueSet = new Set();

function subset(a: ValueSet, b: ValueSet): boolean {
  if (a.size > b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function joinSets(va: ValueSet | undefined, vb: ValueSet | undefined, absent: ValueSet): ValueSet | undefined {
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
  const status = new Array<ValueSet | undefined>(n);
  for (let i = 0; i < n; i++) {
    const v = joinSets(a.vars[i], b.vars[i], UNSET_ONLY);
    vars[i] = v && v.size === 1 && v.has(UNSET) ? undefined : v;
    const st = joinSets(a.status[i], b.status[i], NOTHING);
    status[i] = st && st.size ? st : undefined;
  }
  return { vars, status };
}

export function setsEqual(a: ValueSet | undefined, b: ValueSet | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export function statesEqual(a: State, b: State): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.vars.length; i++) {
    if (!setsEqual(a.vars[i], b.vars[i]) || !setsEqual(a.status[i], b.status[i])) return false;
  }
  return true;
}

/** Does any location other than those in `except` hold `token`? */
export function heldElsewhere(s: State, token: string, except: ReadonlySet<number>): boolean {
  for (let i = 0; i < s.vars.length; i++) if (!except.has(i) && s.vars[i]?.has(token)) return true;
  return false;
}
