import type { Socket } from './socket';
import { isTcp, isUdp } from './socket';
import type { TcpState } from './tcpState';
import { SUSPICIOUS_STATES, TCP_STATES } from './tcpState';

export type SocketGroupKind = 'suspicious' | 'tcp' | 'listen' | 'udp' | 'unix';

export interface SocketGroup {
  /** Stable id, e.g. 'tcp:CLOSE_WAIT', 'tcp:LISTEN', 'udp', 'unix'. */
  readonly key: string;
  /** What the tree/CLI prints as the group heading: the TCP state name, 'UDP' or 'UNIX'. */
  readonly label: string;
  readonly kind: SocketGroupKind;
  /** Set for TCP groups. */
  readonly state: TcpState | undefined;
  /** Sorted by fd (sockets without an fd last), then inode. */
  readonly sockets: readonly Socket[];
}

/** TCP states other than the suspicious ones and LISTEN, in the order of TCP_STATES (ESTABLISHED first). */
const OTHER_TCP_STATES = TCP_STATES.filter((s) => !SUSPICIOUS_STATES.includes(s) && s !== 'LISTEN');

function byFd(a: Socket, b: Socket): number {
  const fa = a.fd ?? Number.MAX_SAFE_INTEGER;
  const fb = b.fd ?? Number.MAX_SAFE_INTEGER;
  return fa - fb || a.inode.localeCompare(b.inode);
}

/**
 * Groups sockets for display, only non-empty groups, in this order: the suspicious TCP states
 * (CLOSE_WAIT first, in SUSPICIOUS_STATES order), the other TCP states (ESTABLISHED, SYN_SENT, …),
 * LISTEN, then UDP, then UNIX.
 */
export function groupByState(sockets: readonly Socket[]): SocketGroup[] {
  const tcp = new Map<TcpState, Socket[]>();
  const udp: Socket[] = [];
  const unix: Socket[] = [];
  const held: Socket[] = [];
  for (const s of sockets) {
    if (isTcp(s) && s.detached) held.push(s);
    else if (isTcp(s)) {
      const list = tcp.get(s.state);
      if (list) list.push(s); else tcp.set(s.state, [s]);
    } else if (isUdp(s)) udp.push(s);
    else unix.push(s);
  }
  const groups: SocketGroup[] = [];
  const addTcp = (state: TcpState, kind: SocketGroupKind): void => {
    const list = tcp.get(state);
    if (list) groups.push({ key: `tcp:${state}`, label: state, kind, state, sockets: list.sort(byFd) });
  };
  for (const state of SUSPICIOUS_STATES) addTcp(state, 'suspicious');
  // Closed (reset, or done with the close handshake) and out of the kernel's tables, yet a descriptor still holds them.
  if (held.length > 0) groups.push({ key: 'tcp:CLOSE:held', label: 'TCP CLOSE (fd still held)', kind: 'suspicious', state: 'CLOSE', sockets: held.sort(byFd) });
  for (const state of OTHER_TCP_STATES) addTcp(state, 'tcp');
  addTcp('LISTEN', 'listen');
  if (udp.length > 0) groups.push({ key: 'udp', label: 'UDP', kind: 'udp', state: undefined, sockets: udp.sort(byFd) });
  if (unix.length > 0) groups.push({ key: 'unix', label: 'UNIX', kind: 'unix', state: undefined, sockets: unix.sort(byFd) });
  return groups;
}
