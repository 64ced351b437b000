/**
 * "Close it on all paths" from the per-exit fixes, for every language: the fix of every leaking
 * exit, or null when one of them has none (then no all-paths fix is offered: a close on some paths
 * only would leave the others leaking behind a fix that looks complete).
 */
export function everyExit<R, T>(records: Iterable<R>, fixOf: (r: R) => T | null): T[] | null {
  const out: T[] = [];
  for (const r of records) {
    const f = fixOf(r);
    if (f === null) return null;
    out.push(f);
  }
  return out;
}
