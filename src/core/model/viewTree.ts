import type { SocketFilter } from './filter';
import { matchesFilter } from './filter';
import type { SocketGroup } from './grouping';
import { groupByState } from './grouping';
import type { Peer, PeerOf } from './peer';
import { peerResolver } from './peer';
import type { Socket } from './socket';
import type { AgeOf, StateAge } from './stateAge';
import { olderAge } from './stateAge';

export const GROUP_BY = ['peer', 'state', 'none'] as const;
/** peer: state → peer → sockets; state: state → sockets; none: one flat list. */
export type GroupBy = (typeof GROUP_BY)[number];
export const SORT_BY = ['age', 'fd'] as const;
/** age: longest in its state first; fd: by descriptor number. */
export type SortBy = (typeof SORT_BY)[number];

export interface ViewTreeOptions {
  readonly groupBy: GroupBy;
  readonly sortBy: SortBy;
  readonly filter?: SocketFilter | undefined;
  readonly ageOf?: AgeOf | undefined;
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
  /** Empty when groupBy is 'none'. */
  readonly branches: readonly StateBranch[];
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
    return { ...base, branches: [], flat: options.sortBy === 'age' ? byAge(flat, ageOf) : flat };
  }
  const branches = groupByState(kept).map((g): StateBranch => {
    const ordered = order(g.sockets);
    const group: SocketGroup = { ...g, sockets: ordered };
    const oldest = oldestOf(ordered, ageOf);
    const hasPeers = options.groupBy === 'peer' && (g.kind === 'suspicious' || g.kind === 'tcp' || g.kind === 'udp') && ordered.some((s) => peerOf(s));
    return { group, oldest, peers: hasPeers ? peerBranches(g.key, ordered, peerOf, ageOf) : undefined };
  });
  return { ...base, branches, flat: [] };
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
