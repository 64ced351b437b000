import type { Snapshot } from './snapshot';
import type { Socket } from './socket';
import type { Endpoint, Protocol } from './socket';

/** The JSON shape of a snapshot shared by `sockscope sockets --json`, "Copy as JSON" and "Export Snapshot". */
export interface SnapshotJson {
  readonly pid: number;
  readonly name: string;
  readonly fdCount: number | null;
  readonly fdLimit: { readonly soft: number | null; readonly hard: number | null } | null;
  readonly sockets: readonly SocketJson[];
  /**
   * Every socket descriptor accounted for (null where the platform does not tell): socketFds =
   * the fds of the sockets listed + the sockets of other kinds, not listed.
   */
  readonly socketFds: number | null;
  /** Sockets not listed, by kind (NETLINK, RAW, …; "unknown" where it cannot be told). */
  readonly otherSockets: Readonly<Record<string, number>> | null;
  /** Descriptors beyond the first for the same socket (dup, inherited): listed in the sockets' fds. */
  readonly duplicateFds: number | null;
  readonly timeWait: { readonly own: number; readonly netns: number; readonly ephemeralInUse: number; readonly ephemeralRange: string } | null;
}

export interface SocketJson {
  /** The lowest fd holding the socket; `fds` lists them all. */
  readonly fd: number | null;
  readonly fds: readonly number[];
  readonly inode: string;
  readonly protocol: string;
  readonly state: string;
  readonly local: string;
  readonly remote: string | null;
  readonly txQueue: number;
  readonly rxQueue: number;
  /** Held by a descriptor but in no kernel table (e.g. a TCP connection that was reset): no address is known. */
  readonly detached?: true;
  /** TCP: bytes acknowledged by the peer and received (Linux, through the netlink helper). */
  readonly bytesAcked?: number;
  readonly bytesReceived?: number;
}

/** `addr:port` with IPv6 in brackets and the numeric port (0 when unbound); a UNIX socket's path as it is; '' when no address is known. */
export function endpointText(e: Endpoint, protocol: Protocol): string {
  if (protocol === 'unix' || e.address === '') return e.address;
  return `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
}

export function socketToJson(s: Socket): SocketJson {
  return {
    fd: s.fd ?? null,
    fds: s.fds ?? (s.fd === undefined ? [] : [s.fd]),
    inode: s.inode,
    protocol: s.protocol,
    state: s.state,
    local: endpointText(s.local, s.protocol),
    remote: s.remote ? endpointText(s.remote, s.protocol) : null,
    txQueue: s.txQueue,
    rxQueue: s.rxQueue,
    ...(s.detached ? { detached: true as const } : {}),
    ...(s.progress ? { bytesAcked: s.progress.bytesAcked, bytesReceived: s.progress.bytesReceived } : {}),
  };
}

export function snapshotToJson(snapshot: Snapshot): SnapshotJson {
  const p = snapshot.process;
  return {
    pid: p.pid,
    name: p.name,
    fdCount: p.fdCount ?? null,
    fdLimit: p.fdLimit ? { soft: p.fdLimit.soft, hard: p.fdLimit.hard } : null,
    sockets: snapshot.sockets.map(socketToJson),
    socketFds: snapshot.socketFds?.fds ?? null,
    otherSockets: snapshot.socketFds ? { ...snapshot.socketFds.otherKinds } : null,
    duplicateFds: snapshot.socketFds?.duplicates ?? null,
    timeWait: snapshot.timeWait
      ? { own: snapshot.timeWait.own, netns: snapshot.timeWait.netns, ephemeralInUse: snapshot.timeWait.ephemeralInUse, ephemeralRange: `${snapshot.timeWait.range.low}-${snapshot.timeWait.range.high}` }
      : null,
  };
}
