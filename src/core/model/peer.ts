import type { Socket } from './socket';
import { formatEndpoint, isTcp, isUdp } from './socket';

export type PeerKind = 'accepted' | 'outgoing';

/** Who is at the other end of a connection, as the view groups it. */
export interface Peer {
  /** Stable id, e.g. 'accepted|8303|127.0.0.1' or 'outgoing|10.0.0.5|443'. */
  readonly key: string;
  readonly kind: PeerKind;
  /** "accepted on :8303 from 127.0.0.1" or "to 10.0.0.5:443": says it all, for messages and reports. */
  readonly label: string;
  /** "on :8303 from 127.0.0.1" or "to 10.0.0.5:443": the tree row, short enough for a narrow sidebar. */
  readonly short: string;
  /** The remote side as copied: the host for accepted connections, host:port for outgoing ones. */
  readonly remote: string;
  /** Accepted: the local port the process listens on. */
  readonly localPort?: number | undefined;
}

export type PeerOf = (s: Socket) => Peer | undefined;

const hostText = (address: string): string => (address.includes(':') ? `[${address}]` : address);

/**
 * Works out each connection's peer from one process's sockets. A TCP connection was accepted when
 * its local port is one the process listens on, or one that several of its connections share (a
 * listener closed since, or held by another process of the same server): outgoing connections each
 * get their own ephemeral port. Accepted connections are grouped by listening port and remote host
 * (their remote ports are all different); outgoing ones by remote host:port. Sockets without a
 * remote side (listeners, unconnected UDP, UNIX sockets) have no peer.
 */
export function peerResolver(sockets: readonly Socket[]): PeerOf {
  const serverPorts = new Set<number>();
  const connectedPorts = new Map<number, number>();
  for (const s of sockets) {
    if (!isTcp(s)) continue;
    if (s.state === 'LISTEN') serverPorts.add(s.local.port);
    else if (hasRemote(s)) connectedPorts.set(s.local.port, (connectedPorts.get(s.local.port) ?? 0) + 1);
  }
  for (const [port, n] of connectedPorts) if (n > 1 && port !== 0) serverPorts.add(port);
  const cache = new Map<string, Peer>();
  const intern = (key: string, make: () => Peer): Peer => {
    let p = cache.get(key);
    if (!p) cache.set(key, (p = make()));
    return p;
  };
  return (s) => {
    if (!hasRemote(s) || !(isTcp(s) || isUdp(s)) || !s.remote) return undefined;
    const remote = s.remote;
    if (isTcp(s) && serverPorts.has(s.local.port)) {
      const port = s.local.port;
      return intern(`accepted|${port}|${remote.address}`, () => ({
        key: `accepted|${port}|${remote.address}`, kind: 'accepted', label: `accepted on :${port} from ${hostText(remote.address)}`,
        short: `on :${port} from ${hostText(remote.address)}`,
        remote: remote.address, localPort: port,
      }));
    }
    const endpoint = formatEndpoint(remote, s.protocol);
    return intern(`outgoing|${remote.address}|${remote.port}`, () => ({
      key: `outgoing|${remote.address}|${remote.port}`, kind: 'outgoing', label: `to ${endpoint}`, short: `to ${endpoint}`, remote: endpoint,
    }));
  };
}

/** A TCP or UDP socket connected to a remote port. */
function hasRemote(s: Socket): boolean {
  return s.remote !== undefined && s.remote.port !== 0;
}
