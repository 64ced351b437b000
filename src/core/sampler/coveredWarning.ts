// Which raised warnings deserve a notification of their own. A warning whose sockets all belong to the
// standing idle-CLOSE_WAIT leak tells nothing new in a pop-up: the unread data left in a leaked
// socket (a reply that did not fit the buffer, say) is part of that leak. The view and the status bar
// still list it; only the second notification about the same sockets is left out.
import type { LeakWarning } from './heuristics';

/** True when `warning` is not the CLOSE_WAIT leak itself and every one of its sockets is in that leak's warning among `active`. */
export function coveredByCloseWaitLeak(warning: LeakWarning, active: readonly LeakWarning[]): boolean {
  if (warning.id === 'close-wait-growth' || !warning.sockets?.length) return false;
  const leak = active.find((w) => w.id === 'close-wait-growth');
  if (!leak?.sockets?.length) return false;
  const leaked = new Set(leak.sockets);
  return warning.sockets.every((inode) => leaked.has(inode));
}
