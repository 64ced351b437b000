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
  /** How every socket descriptor of the process is accounted for, where the platform tells (Linux). */
  readonly socketFds?: SocketFdAccount | undefined;
  /** TIME_WAIT sockets and ephemeral ports of the process's network namespace (Linux). */
  readonly timeWait?: TimeWaitCounts | undefined;
}

export interface SocketFdAccount {
  /** Socket descriptors of the process: the sockets listed, the ones counted below, and the extra fds of shared sockets. */
  readonly fds: number;
  /** Sockets not listed, by kind as the kernel names it (NETLINK, RAW, PACKET, …; "unknown" where it cannot be told). */
  readonly otherKinds: Readonly<Record<string, number>>;
  /** Descriptors beyond the first for the same socket (dup, inherited). */
  readonly duplicates: number;
}

export interface TimeWaitCounts {
  /** TIME_WAIT sockets on a local port the process listens on or has used (they have no descriptor). */
  readonly own: number;
  /** Every TIME_WAIT socket of the network namespace. */
  readonly netns: number;
  /** Local ports of the ephemeral range taken by a TCP socket of the namespace (any state, TIME_WAIT included). */
  readonly ephemeralInUse: number;
  readonly range: { readonly low: number; readonly high: number };
}

export interface SnapshotDiff {
  readonly opened: readonly Socket[];
  readonly closed: readonly Socket[];
  /** Same socket, different state: [before, after]. */
  readonly changed: readonly (readonly [Socket, Socket])[];
}

export function diffSnapshots(before: Snapshot, after: Snapshot): SnapshotDiff {
  // A source that found nothing new hands out the very same array (see Snapshot.sockets).
  if (before.sockets === after.sockets) return { opened: [], closed: [], changed: [] };
  const old = new Map<string, Socket>();
  for (const s of before.sockets) old.set(socketKey(s), s);
  const opened: Socket[] = [];
  const changed: [Socket, Socket][] = [];
  for (const s of after.sockets) {
    const key = socketKey(s);
    const prev = old.get(key);
    if (!prev) opened.push(s);
    else {
      old.delete(key);
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
