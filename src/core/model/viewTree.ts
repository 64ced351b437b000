import type { SocketFilter } from './filter';
import { matchesFilter } from './filter';
import type { SocketGroup } from './grouping';
import { groupByState } from './grouping';
import { SUSPICIOUS_STATES } from './tcpState';
import type { Peer, PeerOf } from './peer';
import { peerResolver } from './peer';
import type { Socket } from './socket';
import type { AgeOf, StateAge } from './stateAge';
import { olderAge } from './stateAge';

export const GROUP_BY = ['peer', 'state', 'origin', 'none'] as const;
/** peer: state → peer → sockets; state: state → sockets; origin: creation site → state → sockets; none: one flat list. */
export type GroupBy = (typeof GROUP_BY)[number];
export const SORT_BY = ['age', 'fd'] as const;
/** age: longest in its state first; fd: by descriptor number. */
export type SortBy = (typeof SORT_BY)[number];

export interface ViewTreeOptions {
  readonly groupBy: GroupBy;
  readonly sortBy: SortBy;
  readonly filter?: SocketFilter | undefined;
  readonly ageOf?: AgeOf | undefined;
  /** Where each socket was created (groupBy 'origin'); without it 'origin' groups by state. */
  readonly siteOf?: SiteOf | undefined;
  /** With siteOf: a socket without a site whose record has not been read yet (grouped apart from those without one). */
  readonly pendingOf?: ((s: Socket) => boolean) | undefined;
}

/** A socket's creation site as the tree groups it (see src/core/origins/siteLabel.ts). */
export interface SocketSite {
  /** Stable id of the site. */
  readonly key: string;
  /** `client.c:17 send_message`. */
  readonly label: string;
}

export type SiteOf = (s: Socket) => SocketSite | undefined;

export interface SiteBranch {
  /**
   * Unique in the tree: 'site:' and the site's key; 'site:pending' for sockets whose record has not been
   * read yet; 'site:none' for sockets without a recorded origin.
   */
  readonly key: string;
  /** undefined for the sockets without a recorded origin. */
  readonly site: SocketSite | undefined;
  readonly label: string;
  readonly sockets: readonly Socket[];
  /** How many of them are in a suspicious state (CLOSE_WAIT, FIN_WAIT_2, …): the order of the sites. */
  readonly suspicious: number;
  /** The site's sockets by state (no peer level). */
  readonly states: readonly StateBranch[];
  readonly oldest: StateAge | undefined;
}

export interface PeerBranch {
  /** Unique in the tree: the state group's key and the peer's. */
  readonly key: string;
  /** undefined for the sockets of a state group that have no remote side. */
  readonly peer: Peer | undefined;
  /** The peer's short label. */
  readonly label: string;
  readonly sockets: readonly Socket[];
  readonly oldest: StateAge | undefined;
}

export interface StateBranch {
  /** The state group with the sockets that pass the filter, in the chosen order. */
  readonly group: SocketGroup;
  /** Grouped by peer and the group has connections: one branch per peer, largest first. */
  readonly peers: readonly PeerBranch[] | undefined;
  readonly oldest: StateAge | undefined;
}

export interface ViewTree {
  readonly groupBy: GroupBy;
  /** Empty when groupBy is 'none', or 'origin' with a siteOf. */
  readonly branches: readonly StateBranch[];
  /** groupBy 'origin' with a siteOf: one branch per creation site, most suspicious first (empty otherwise). */
  readonly sites: readonly SiteBranch[];
  /** groupBy 'none': every socket shown, in the chosen order (empty otherwise). */
  readonly flat: readonly Socket[];
  /** Sockets that pass the filter, and all of them. */
  readonly shown: number;
  readonly total: number;
  readonly peerOf: PeerOf;
}

/** What the Sockets view shows of one snapshot: filtered, grouped and ordered (see ViewTreeOptions). */
export function buildViewTree(sockets: readonly Socket[], options: ViewTreeOptions): ViewTree {
  const peerOf = peerResolver(sockets);
  const filter = options.filter;
  const kept = filter ? sockets.filter((s) => matchesFilter(s, filter, peerOf)) : sockets;
  const ageOf: AgeOf = options.ageOf ?? (() => undefined);
  const order = (list: readonly Socket[]): Socket[] => (options.sortBy === 'age' ? byAge(list, ageOf) : [...list]);
  const base = { groupBy: options.groupBy, shown: kept.length, total: sockets.length, peerOf };
  if (options.groupBy === 'none') {
    const flat = groupByState(kept).flatMap((g) => g.sockets);
    return { ...base, branches: [], sites: [], flat: options.sortBy === 'age' ? byAge(flat, ageOf) : flat };
  }
  const stateBranches = (list: readonly Socket[], keyPrefix: string): StateBranch[] => groupByState(list).map((g): StateBranch => {
    const ordered = order(g.sockets);
    const group: SocketGroup = { ...g, key: keyPrefix + g.key, sockets: ordered };
    const oldest = oldestOf(ordered, ageOf);
    const hasPeers = options.groupBy === 'peer' && (g.kind === 'suspicious' || g.kind === 'tcp' || g.kind === 'udp') && ordered.some((s) => peerOf(s));
    return { group, oldest, peers: hasPeers ? peerBranches(group.key, ordered, peerOf, ageOf) : undefined };
  });
  if (options.groupBy === 'origin' && options.siteOf) {
    return { ...base, branches: [], sites: siteBranches(kept, options.siteOf, options.pendingOf, stateBranches, ageOf), flat: [] };
  }
  return { ...base, branches: stateBranches(kept, ''), sites: [], flat: [] };
}

/**
 * Creation site → state → sockets: the sites with the most sockets in suspicious states first; then the
 * sockets whose record has not been read yet; sockets without a recorded origin last.
 */
function siteBranches(sockets: readonly Socket[], siteOf: SiteOf, pendingOf: ((s: Socket) => boolean) | undefined, stateBranches: (list: readonly Socket[], keyPrefix: string) => StateBranch[], ageOf: AgeOf): SiteBranch[] {
  const bySite = new Map<string, { site: SocketSite | undefined; sockets: Socket[] }>();
  for (const s of sockets) {
    const site = siteOf(s);
    const key = site ? `site:${site.key}` : pendingOf?.(s) ? PENDING_SITE_KEY : 'site:none';
    const entry = bySite.get(key);
    if (entry) entry.sockets.push(s); else bySite.set(key, { site, sockets: [s] });
  }
  const suspicious = new Set(SUSPICIOUS_STATES);
  return [...bySite.entries()]
    .map(([key, { site, sockets: list }]): SiteBranch => ({
      key, site, label: site?.label ?? (key === PENDING_SITE_KEY ? 'origin not read yet' : 'no recorded origin'), sockets: list,
      suspicious: list.filter((s) => suspicious.has(s.state)).length,
      states: stateBranches(list, `${key}/`), oldest: oldestOf(list, ageOf),
    }))
    .sort((a, b) => rank(a) - rank(b) || b.suspicious - a.suspicious || b.sockets.length - a.sockets.length || a.label.localeCompare(b.label));
}

/** The key of the branch of sockets whose record has not been read yet. */
export const PENDING_SITE_KEY = 'site:pending';

/** Sites first, then the sockets whose record is to be read, then those without one. */
function rank(b: SiteBranch): number {
  return b.site ? 0 : b.key === PENDING_SITE_KEY ? 1 : 2;
}

function peerBranches(groupKey: string, sockets: readonly Socket[], peerOf: PeerOf, ageOf: AgeOf): PeerBranch[] {
  const byPeer = new Map<string, { peer: Peer | undefined; sockets: Socket[] }>();
  for (const s of sockets) {
    const peer = peerOf(s);
    const key = peer?.key ?? '';
    const entry = byPeer.get(key);
    if (entry) entry.sockets.push(s); else byPeer.set(key, { peer, sockets: [s] });
  }
  return [...byPeer.values()]
    .map(({ peer, sockets: list }): PeerBranch => ({
      key: `${groupKey}/${peer?.key ?? 'no-peer'}`, peer, label: peer?.short ?? 'no remote side', sockets: list, oldest: oldestOf(list, ageOf),
    }))
    .sort((a, b) => b.sockets.length - a.sockets.length || (a.peer ? 0 : 1) - (b.peer ? 0 : 1) || a.label.localeCompare(b.label));
}

function oldestOf(sockets: readonly Socket[], ageOf: AgeOf): StateAge | undefined {
  let oldest: StateAge | undefined;
  for (const s of sockets) oldest = olderAge(oldest, ageOf(s));
  return oldest;
}

/** Longest in its state first; unknown ages last; then by fd (stable input order breaks the rest). */
function byAge(sockets: readonly Socket[], ageOf: AgeOf): Socket[] {
  const since = new Map<Socket, number>();
  for (const s of sockets) since.set(s, ageOf(s)?.since ?? Number.POSITIVE_INFINITY);
  return [...sockets].sort((a, b) => {
    const d = (since.get(a) as number) - (since.get(b) as number);
    if (d !== 0 && !Number.isNaN(d)) return d;
    return (a.fd ?? Number.MAX_SAFE_INTEGER) - (b.fd ?? Number.MAX_SAFE_INTEGER);
  });
}
