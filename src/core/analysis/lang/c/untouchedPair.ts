import type { Node } from 'web-tree-sitter';
import type { Token } from '../../engine/values';

/**
 * A pipe or socket pair the function makes and then never touches: after the `pipe(fds)` /
 * `socketpair(…, fds)` call, the function's body never names the array again (no read, write, test,
 * close, hand-off, store or return of either end), on any path.
 *
 * Such descriptors can serve only by being open: a function that makes a pair on purpose and leaves it
 * (redsocks's `/debug/pipe` endpoint, which holds one more pipe per request to measure what open pipes
 * cost; a probe of the descriptor limit) does exactly this, while a forgotten `close` leaves descriptors
 * that the function uses and then drops: a pair it writes to, reads from, gives to a child or tests
 * still names the array after the call, and stays a warning. A pair never touched is deliberate or dead
 * code, and not proof of a leak: it is reported below warning severity, saying so.
 *
 * Only arrays (`fds` of `fds[0]`), whose every use is a mention of the name; a pair stored through a
 * pointer or a field (`p->fds`) may be reached through another name and is not looked at.
 */
const PAIR_CALLS: ReadonlySet<string> = new Set(['pipe', 'pipe2', 'socketpair']);

export function untouchedPair(fn: Node, tokens: readonly Token[]): boolean {
  if (!tokens.length) return false;
  let base: string | null = null;
  let after = -1;
  for (const t of tokens) {
    if (t.param >= 0 || !PAIR_CALLS.has(t.site.call)) return false;
    const b = /^([A-Za-z_]\w*)\[[01]\]$/.exec(t.origin)?.[1];
    if (!b || (base !== null && b !== base)) return false;
    base = b;
    after = Math.max(after, t.site.end);
  }
  if (base === null) return false;
  const body = fn.childForFieldName('body');
  if (!body) return false;
  for (const id of body.descendantsOfType('identifier')) {
    if (id && id.startIndex >= after && id.text === base) return false;
  }
  return true;
}
