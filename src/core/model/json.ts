import type { Snapshot } from './snapshot';
import type { Socket } from './socket';
import { formatEndpoint } from './socket';

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

export function socketToJson(s: Socket): SocketJson {
  return {
    fd: s.fd ?? null,
    inode: s.inode,
    protocol: s.protocol,
    state: s.state,
    local: formatEndpoint(s.local, s.protocol),
    remote: s.remote ? formatEndpoint(s.remote, s.protocol) : null,
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
