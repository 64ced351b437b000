import type { PeerOf } from './peer';
import { peerResolver } from './peer';
import type { Socket } from './socket';
import type { SnapshotDiff } from './snapshot';
import type { TcpState } from './tcpState';

/** One kind of change between two snapshots: "4,700 ESTABLISHED → CLOSE_WAIT". */
export interface Transition {
  /** 'opened': not in the earlier snapshot. */
  readonly from: TcpState | 'opened';
  /** 'closed': gone from the later snapshot. */
  readonly to: TcpState | 'closed';
  readonly count: number;
  /** Largest first; sockets without a remote side count under 'no remote side'. */
  readonly byPeer: readonly { readonly label: string; readonly count: number }[];
}

/**
 * The changes of a diff by transition, largest first: state changes, sockets opened (by the state
 * they are in now) and closed (by the state they were last in), each split by peer. Peers are worked
 * out in the snapshot that holds the socket (`after` for state changes and new sockets).
 */
export function summarizeTransitions(diff: SnapshotDiff, before: readonly Socket[], after: readonly Socket[]): Transition[] {
  const peerBefore = peerResolver(before);
  const peerAfter = peerResolver(after);
  const table = new Map<string, { from: Transition['from']; to: Transition['to']; peers: Map<string, number>; count: number }>();
  const add = (from: Transition['from'], to: Transition['to'], s: Socket, peerOf: PeerOf): void => {
    const key = `${from}>${to}`;
    let row = table.get(key);
    if (!row) table.set(key, (row = { from, to, peers: new Map(), count: 0 }));
    row.count++;
    const peer = peerOf(s)?.label ?? 'no remote side';
    row.peers.set(peer, (row.peers.get(peer) ?? 0) + 1);
  };
  for (const [was, now] of diff.changed) add(was.state, now.state, now, peerAfter);
  for (const s of diff.opened) add('opened', s.state, s, peerAfter);
  for (const s of diff.closed) add(s.state, 'closed', s, peerBefore);
  return [...table.values()]
    .map((r): Transition => ({
      from: r.from, to: r.to, count: r.count,
      byPeer: [...r.peers].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
    }))
    .sort((a, b) => b.count - a.count || `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`));
}

/** "ESTABLISHED → CLOSE_WAIT", "opened in CLOSE_WAIT", "closed from ESTABLISHED". */
export function transitionLabel(t: Pick<Transition, 'from' | 'to'>): string {
  if (t.from === 'opened') return `opened in ${t.to}`;
  if (t.to === 'closed') return `closed from ${t.from}`;
  return `${t.from} → ${t.to}`;
}
