import type { FunctionAnalysis } from './analysis';
import { UNSET, type AbstractValue, type Token, type ValueSet } from './values';

/**
 * Whether inserting a release of `variable` just before a node is proven safe. The engine gives
 * the proof; each language only decides where the text goes. A release is safe when, on every
 * path reaching the node:
 * - the variable holds one of the function's own resources, still open and still owned here: it
 *   was not released, handed over, given to a function that may have closed it, or found equal to
 *   something the function does not own, and it is not uninitialised;
 * - or it holds the invalid value (-1, NULL) on some paths, and then the release must be guarded;
 * - and the statement the release goes before does not read a location holding the resource: when
 *   it does (`return send(fd, …)`), `readBy` names it, and the language must evaluate what the
 *   statement reads before the release (or offer nothing).
 * A release assigns nothing, so no later read changes; it is never offered for a parameter.
 */
export type ReleaseProof =
  | { readonly safe: true; readonly guarded: boolean; readonly readBy: string | null }
  | { readonly safe: false; readonly reason: string };

export function proveRelease(analysis: FunctionAnalysis, node: number, variable: string, value: ValueSet, position: (offset: number) => number): ReleaseProof {
  let guarded = false;
  const own = new Set<Token>();
  for (const v of value) {
    switch (v.kind) {
      case 'token':
        if (v.param >= 0) return { safe: false, reason: `\`${variable}\` may be the caller's` };
        own.add(v);
        break;
      case 'invalid':
        guarded = true;
        break;
      case 'unset':
        return { safe: false, reason: `\`${variable}\` may be uninitialised here` };
      case 'foreign':
        return { safe: false, reason: `\`${variable}\` may hold a descriptor this function does not own` };
      case 'released':
        return { safe: false, reason: `\`${variable}\` may already be closed (line ${position(v.at) + 1})` };
      case 'escaped':
        return { safe: false, reason: `\`${variable}\` may already be handed over (line ${position(v.at) + 1})` };
      case 'lent':
        return { safe: false, reason: `\`${variable}\` was passed to a function that may close or keep it (line ${position(v.at) + 1})` };
    }
  }
  if (!own.size) return { safe: false, reason: `\`${variable}\` holds no open resource here` };
  const ir = analysis.ir.nodes[node];
  if (ir && ir.reads.length) {
    const holders = new Set(analysis.holdersAt(node, own));
    const read = ir.reads.find((r) => holders.has(r) || [...holders].some((h) => h.startsWith(`${r}[`) || h === `*${r}`));
    if (read !== undefined) return { safe: true, guarded, readBy: read };
  }
  return { safe: true, guarded, readBy: null };
}

/**
 * Whether releasing `variable` wherever control leaves a region is proven safe (a scoped release:
 * Java's try-with-resources, Python's `with`, Go's `defer`). The region is the IR nodes `region`,
 * entered by `binding`, the node that stores the resource in the variable. Safe when, on every
 * edge leaving a node of the region (normal or exceptional; for `binding` only its normal edges,
 * as nothing is released when the acquisition itself throws), the variable holds only the
 * function's own open resources or the invalid value (which a scoped release skips): never one
 * already released (except by the statements at `replaced`, which the fix removes), handed over,
 * given to a function that may close or keep it, foreign, the caller's, or uninitialised.
 * And no node after the region, on a path from it while a location still holds the resource,
 * uses such a location (`uses`): the release would close what a later statement still needs.
 * `exceptionalOnly`: the release runs only where an exception leaves the region (a catch-all
 * handler that releases and rethrows), so only the exceptional edges are checked.
 */
export function proveScopedRelease(
  analysis: FunctionAnalysis, region: Iterable<number>, binding: number, variable: string, replaced: ReadonlySet<number>,
  position: (offset: number) => number, exceptionalOnly = false,
): ReleaseProof {
  const k = analysis.location(variable);
  if (k === undefined) return { safe: false, reason: `\`${variable}\` is not tracked` };
  const own = new Set<Token>();
  const inRegion = new Set(region);
  const after: number[] = [];
  for (const id of inRegion) {
    const outs = analysis.outputsOf(id);
    const node = analysis.ir.nodes[id]!;
    const normal = node.succ.length;
    for (let i = 0; i < outs.length; i++) {
      const s = outs[i];
      if (!s || (id === binding && i >= normal) || (exceptionalOnly && i < normal)) continue;
      for (const v of s.vars[k] ?? [UNSET]) {
        const why = unsafeIn(v, variable, (at) => replaced.has(at), position);
        if (why) return { safe: false, reason: why };
        if (v.kind === 'token') own.add(v);
      }
      const to = i < normal ? node.succ[i] : node.exc;
      if (to !== undefined && to >= 0 && !inRegion.has(to)) after.push(to);
    }
  }
  if (!own.size) return { safe: false, reason: `\`${variable}\` holds no open resource here` };
  if (exceptionalOnly) return { safe: true, guarded: false, readBy: null };
  const use = usedAfter(analysis, after, inRegion, own);
  return use === null ? { safe: true, guarded: false, readBy: null }
    : { safe: false, reason: `\`${use.key}\` still uses it after the release (line ${position(use.at) + 1})` };
}

/** A node reachable from `start` (outside `region`) that uses a location holding one of `tokens` there, or null. */
function usedAfter(analysis: FunctionAnalysis, start: readonly number[], region: ReadonlySet<number>, tokens: ReadonlySet<Token>): { key: string; at: number } | null {
  const seen = new Set<number>();
  const stack = [...start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || region.has(id)) continue;
    seen.add(id);
    const node = analysis.ir.nodes[id]!;
    for (const u of node.uses ?? []) {
      for (const v of analysis.valueAt(id, u) ?? []) if (v.kind === 'token' && tokens.has(v)) return { key: u, at: node.anchor };
    }
    stack.push(...node.succ.filter((x) => x >= 0));
    if (node.exc !== undefined && node.exc >= 0) stack.push(node.exc);
  }
  return null;
}

function unsafeIn(v: AbstractValue, variable: string, replaced: (at: number) => boolean, position: (offset: number) => number): string | null {
  switch (v.kind) {
    case 'token': return v.param >= 0 ? `\`${variable}\` may be the caller's` : null;
    case 'invalid': return null;
    case 'unset': return `\`${variable}\` may be uninitialised here`;
    case 'foreign': return `\`${variable}\` may hold a resource this function does not own`;
    case 'released': return replaced(v.at) ? null : `\`${variable}\` may already be closed (line ${position(v.at) + 1})`;
    case 'escaped': return `\`${variable}\` may already be handed over (line ${position(v.at) + 1})`;
    case 'lent': return `\`${variable}\` was passed to a function that may close or keep it (line ${position(v.at) + 1})`;
  }
}

/**
 * Whether a release wherever control leaves a region is safe, judged on the states at the
 * region's nodes (`nodes`, the language picks them: Python's `with` and `finally` bodies, or only
 * their exceptional branches): at every one the variable holds only the function's own resources
 * (never the caller's), or the invalid value (then the release is guarded), or, where
 * `unsetAllowed`, no value yet; a released value only where `released(at)` accepts it (a close the
 * fix removes, or a close that may be repeated); never one handed over, lent or foreign.
 */
export function proveHeldThroughout(
  analysis: FunctionAnalysis, nodes: Iterable<number>, variable: string, position: (offset: number) => number,
  unsetAllowed: boolean, released: (at: number) => boolean,
): ReleaseProof {
  let guarded = false;
  for (const id of nodes) {
    for (const v of analysis.valueAt(id, variable) ?? [UNSET]) {
      if (v.kind === 'invalid') guarded = true;
      else if (v.kind === 'unset' && unsetAllowed) continue;
      const why = unsafeIn(v, variable, released, position);
      if (why) return { safe: false, reason: why };
    }
  }
  return { safe: true, guarded, readBy: null };
}

/**
 * Whether registering a release at a node that runs at every later exit (Go's `defer x.Close()`)
 * is proven safe: the release must be safe at the node (proveRelease), and none of the resources
 * the variable holds there may be handed over (stored, returned, transferred) on any path of the
 * function, or the deferred release would close what its new owner holds. What the node reads
 * does not matter: the release runs later.
 */
export function proveDeferredRelease(analysis: FunctionAnalysis, node: number, variable: string, value: ValueSet, position: (offset: number) => number): ReleaseProof {
  const proof = proveRelease(analysis, node, variable, value, position);
  if (!proof.safe) return proof;
  for (const v of value) {
    if (v.kind !== 'token') continue;
    const at = analysis.handedOff.get(v);
    if (at !== undefined) return { safe: false, reason: `\`${variable}\` is handed over on some path (line ${position(at) + 1})` };
  }
  return { safe: true, guarded: proof.guarded, readBy: null };
}
