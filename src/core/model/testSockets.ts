import type { Protocol, Socket } from './socket';
import type { TcpState } from './tcpState';

let nextInode = 1000;

/** A socket for tests: `tcp('CLOSE_WAIT', '127.0.0.1:8303', '127.0.0.1:40000', 7)`. */
export function tcp(state: TcpState, local: string, remote: string | undefined, fd?: number, protocol: Protocol = 'tcp'): Socket {
  const ep = (text: string) => {
    const i = text.lastIndexOf(':');
    return { address: text.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(text.slice(i + 1)) };
  };
  return { protocol, state, local: ep(local), remote: remote === undefined ? undefined : ep(remote), fd, inode: String(nextInode++), txQueue: 0, rxQueue: 0 };
}
