import type { Socket } from './socket';
import { isTcp, socketKey } from './socket';
import type { TcpState } from './tcpState';

export interface FdLimit {
  /** null means "unlimited". */
  readonly soft: number | null;
  readonly hard: number | null;
}

export interface ProcessInfo {
  readonly pid: number;
  readonly name: string;
  readonly cmdline: string;
  readonly uid?: number | undefined;
  /** Open descriptors of any kind; undefined when it could not be read (permissions). */
  readonly fdCount: number | undefined;
  readonly fdLimit: FdLimit | undefined;
  /** Process start time in clock ticks since boot (Linux /proc/<pid>/stat field 22): detects pid reuse. */
  readonly startTime?: number | undefined;
}

export interface Snapshot {
  readonly takenAt: number;
  readonly process: ProcessInfo;
  /**
   * Never mutated once a snapshot holds it. A source may hand out the very same array (and Socket
   * objects) again when nothing changed, and consumers may rely on identity to skip work.
   */
  readonly sockets: readonly Socket[];
  /** Human-readable notes about partial data (e.g. "3 malformed lines skipped in net/tcp6", "no permission to read fds"). */
  readonly notes: readonly string[];
}

export interface SnapshotDiff {
  readonly opened: readonly Socket[];
  readonly closed: readonly Socket[];
  /** Same socket, different state: [before, after]. */
  readonly changed: readonly (readonly [Socket, Socket])[];
}

export function diffSnapshots(before: Snapshot, after: Snapshot): SnapshotDiff {
  // Sources that reuse the objects of unchanged sockets (the Linux netlink reader) make most of a
  // sample's diff a matter of identity: skip the common head and tail of the two lists, where the
  // very same objects sit at the same places (keys are unique in a snapshot, so they are unchanged).
  const a = before.sockets;
  const b = after.sockets;
  if (a === b) return { opened: [], closed: [], changed: [] };
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let endA = a.length;
  let endB = b.length;
  while (endA > head && endB > head && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const old = new Map<string, Socket>();
  for (let i = head; i < endA; i++) old.set(socketKey(a[i] as Socket), a[i] as Socket);
  const opened: Socket[] = [];
  const changed: [Socket, Socket][] = [];
  for (let i = head; i < endB; i++) {
    const s = b[i] as Socket;
    const prev = old.get(socketKey(s));
    if (!prev) opened.push(s);
    else {
      old.delete(socketKey(prev));
      if (prev.state !== s.state) changed.push([prev, s]);
    }
  }
  return { opened, closed: [...old.values()], changed };
}

export type StateCounts = Partial<Record<TcpState, number>>;

/** Counts of TCP sockets per state (UDP and UNIX sockets are not counted here). */
export function countTcpStates(sockets: readonly Socket[]): StateCounts {
  const counts: StateCounts = {};
  for (const s of sockets) if (isTcp(s)) counts[s.state] = (counts[s.state] ?? 0) + 1;
  return counts;
}
