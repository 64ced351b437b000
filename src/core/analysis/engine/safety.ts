import type { FunctionAnalysis } from './analysis';
import type { Token, ValueSet } from './values';

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
