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
}

export interface SocketJson {
  readonly fd: number | null;
  readonly inode: string;
  readonly protocol: string;
  readonly state: string;
  readonly local: string;
  readonly remote: string | null;
  readonly txQueue: number;
  readonly rxQueue: number;
}

/** `addr:port` with IPv6 in brackets and the numeric port (0 when unbound); a UNIX socket's path as it is. */
export function endpointText(e: Endpoint, protocol: Protocol): string {
  if (protocol === 'unix') return e.address;
  return `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
}

export function socketToJson(s: Socket): SocketJson {
  return {
    fd: s.fd ?? null,
    inode: s.inode,
    protocol: s.protocol,
    state: s.state,
    local: endpointText(s.local, s.protocol),
    remote: s.remote ? endpointText(s.remote, s.protocol) : null,
    txQueue: s.txQueue,
    rxQueue: s.rxQueue,
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
  };
}
