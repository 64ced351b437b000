import type { Summary } from './analysis';

/**
 * The summary of a call that may run any one of several functions the analysis can see (every
 * method of that name, when the receiver's type is not known). An argument is consumed when every
 * candidate releases or hands on its parameter: released when every one releases it, else handed
 * on (a new owner may hold it: a deferred close would close what it keeps). A parameter a candidate
 * closes on some paths only counts as handed on: the caller cannot tell which path was taken, so it
 * stays silent. Nothing else is assumed (no result, no exception).
 */
export function joinCandidates(each: readonly Summary[]): Summary {
  const n = Math.max(0, ...each.map((s) => s.releases.length));
  const consumed = Array.from({ length: n }, (_, i) => each.every((s) => !!s.releases[i] || !!s.escapes[i] || !!s.releasesSometimes?.[i]));
  const releases = consumed.map((c, i) => c && each.every((s) => !!s.releases[i]));
  return { releases, escapes: consumed.map((c, i) => c && !releases[i]) };
}
