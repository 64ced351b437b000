// Socket records as the Windows tools describe them. Windows has no per-socket descriptor and no
// socket inode: a connection is identified by protocol and both endpoints.
import type { Endpoint, Socket, TcpState } from '../../model';
import { formatEndpoint } from '../../model';
import { isAnyAddress } from '../darwin/address';

/** A socket together with the pid that owns it (netstat and PowerShell list every process at once). */
export interface OwnedSocket {
  readonly pid: number;
  readonly socket: Socket;
}

export function windowsSocket(tcp: boolean, state: TcpState, local: Endpoint, remote: Endpoint | undefined): Socket {
  const v6 = local.address.includes(':');
  const protocol = tcp ? (v6 ? 'tcp6' : 'tcp') : (v6 ? 'udp6' : 'udp');
  // netstat and PowerShell print an unconnected peer as 0.0.0.0:0 / [::]:0 (UDP: *:*): no peer.
  const peer = remote && !(isAnyAddress(remote.address) && remote.port === 0) ? remote : undefined;
  return {
    protocol, state, local, remote: peer, fd: undefined,
    inode: `${protocol}|${formatEndpoint(local, protocol)}|${formatEndpoint(peer, protocol)}`,
    txQueue: 0, rxQueue: 0,
  };
}

/** Keeps the first socket per key: the same connection can be listed twice (e.g. PowerShell and a dual-stack bind). */
export function uniqueSockets(owned: readonly OwnedSocket[], pid?: number): Socket[] {
  const out = new Map<string, Socket>();
  for (const o of owned) {
    if (pid !== undefined && o.pid !== pid) continue;
    if (!out.has(o.socket.inode)) out.set(o.socket.inode, o.socket);
  }
  return [...out.values()];
}
