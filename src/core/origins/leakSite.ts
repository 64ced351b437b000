// The creation site a leak warning's sockets mostly come from, and the warning worded with it:
// "1,987 idle CLOSE_WAIT sockets, 99 % created at client.c:17 in send_message".
import { formatCount } from '../model/count';
import type { LeakWarning } from '../sampler/heuristics';
import type { Origin } from './symbolize';
import { siteInSentence } from './siteLabel';

export interface SiteShare {
  /** The site most of the sockets come from. */
  readonly origin: Origin;
  readonly key: string;
  /** Sockets of the warning created there, and all the warning's sockets. */
  readonly count: number;
  readonly total: number;
}

/** The site that created most of `inodes` (ties: the first seen), or undefined when none has a recorded origin. */
export function topSite(inodes: readonly string[], siteOf: (inode: string) => { key: string; origin: Origin } | undefined): SiteShare | undefined {
  const counts = new Map<string, { origin: Origin; count: number }>();
  let best: { key: string; origin: Origin; count: number } | undefined;
  for (const inode of inodes) {
    const site = siteOf(inode);
    if (!site) continue;
    const entry = counts.get(site.key) ?? { origin: site.origin, count: 0 };
    entry.count++;
    counts.set(site.key, entry);
    if (!best || entry.count > best.count) best = { key: site.key, origin: entry.origin, count: entry.count };
  }
  return best && { origin: best.origin, key: best.key, count: best.count, total: inodes.length };
}

/** "99 %": rounded down, so that a share is never overstated (100 % only when every socket is). */
export function sharePercent(count: number, total: number): string {
  return `${total > 0 ? Math.floor((100 * count) / total) : 0} %`;
}

/** A warning, with the creation site it names (what a click on it opens) when its sockets have recorded origins. */
export type SitedWarning = LeakWarning & { readonly site?: Origin };

/**
 * The warning with its top creation site in the title; the heuristics' own title moves to the front of
 * the detail. A warning whose sockets have no recorded origin stays as it is.
 */
export function withTopSite(warning: LeakWarning, siteOf: (inode: string) => { key: string; origin: Origin } | undefined): SitedWarning {
  if (!warning.sockets?.length) return warning;
  const top = topSite(warning.sockets, siteOf);
  if (!top) return warning;
  const where = `${sharePercent(top.count, top.total)} created at ${siteInSentence(top.origin)}`;
  const n = warning.sockets.length;
  const title = warning.id === 'close-wait-growth'
    ? `${formatCount(n)} idle CLOSE_WAIT socket${n === 1 ? '' : 's'}, ${where}`
    : `${warning.title}, ${where}`;
  return { ...warning, title, detail: `${warning.title}. ${warning.detail}`, site: top.origin };
}
