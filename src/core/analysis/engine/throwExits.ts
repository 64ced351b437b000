import type { FunctionAnalysis, LeakRecord } from './analysis';

/**
 * What a finished analysis says about the exits where exceptions leave a function, for a front end
 * whose graph has several of them (Java gives the end of a `finally` run on the exceptional path an
 * exit of its own, so that what that `finally` closes is not joined with what an exception raised
 * elsewhere leaves open).
 */

/**
 * The leak records, each resource reported once among the exits where exceptions leave the function:
 * a resource that leaks at several of them is reported at the likeliest and earliest origin (as one
 * exit would: the first place it can leak). Other records are kept as they are.
 */
export function leaksOnceAtThrowExits(a: FunctionAnalysis): LeakRecord[] {
  const all = [...a.leaks.values()];
  const atExit = (r: LeakRecord): boolean => r.exit.kind === 'throw' && a.ir.nodes[r.node]?.kind === 'exit';
  const rank = (r: LeakRecord): [number, number] => [r.origin?.unlikely ? 1 : r.origin ? 0 : 2, r.origin?.at ?? Infinity];
  const best = new Map<string, LeakRecord>();
  for (const r of all) {
    if (!atExit(r)) continue;
    for (const t of r.tokens) {
      const key = `${r.variable}\0${t.key}`;
      const b = best.get(key);
      const [x, y] = rank(r);
      if (!b || x < rank(b)[0] || (x === rank(b)[0] && y < rank(b)[1])) best.set(key, r);
    }
  }
  const out: LeakRecord[] = [];
  for (const r of all) {
    if (!atExit(r)) {
      out.push(r);
      continue;
    }
    const tokens = new Set([...r.tokens].filter((t) => best.get(`${r.variable}\0${t.key}`) === r));
    if (tokens.size === r.tokens.size) out.push(r);
    else if (tokens.size) out.push({ ...r, tokens });
  }
  return out;
}

/**
 * Whether every exception that reaches the function's throw exits comes from a call that practically
 * never throws (an origin marked `unlikely` at each of its raises), and at least one does: a caller
 * may then treat a call of the function as an unlikely origin too.
 */
export function throwsOnlyUnlikely(a: FunctionAnalysis): boolean {
  const unlikely = new Map<number, boolean>();
  for (const node of a.ir.nodes) {
    for (const op of node.program.ops) {
      if (op.op !== 'raise') continue;
      unlikely.set(op.origin.at, (unlikely.get(op.origin.at) ?? true) && !!op.origin.unlikely);
    }
  }
  let any = false;
  for (let id = 0; id < a.ir.nodes.length; id++) {
    const node = a.ir.nodes[id]!;
    const s = a.input[id];
    if (node.kind !== 'exit' || node.exit?.kind !== 'throw' || !s) continue;
    if (!s.exc?.size) return false;
    for (const at of s.exc) {
      if (!unlikely.get(at)) return false;
      any = true;
    }
  }
  return any;
}
