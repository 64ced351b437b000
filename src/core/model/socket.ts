import type { TcpState } from './tcpState';

export type Protocol = 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix';

export interface Endpoint {
  /** IPv4 dotted quad, IPv6 in RFC 5952 form (v4-mapped as ::ffff:a.b.c.d), or a UNIX path ('' when unnamed). */
  readonly address: string;
  /** 0 for UNIX sockets and for an unconnected remote side. */
  readonly port: number;
}

export interface Socket {
  readonly protocol: Protocol;
  /** TCP state; for UDP the kernel reports CLOSE (unconnected) or ESTABLISHED (connected); UNIX sockets use LISTEN/ESTABLISHED/CLOSE. */
  readonly state: TcpState;
  readonly local: Endpoint;
  /** undefined when there is no peer (listening/unconnected). */
  readonly remote: Endpoint | undefined;
  /** The descriptor number in the owning process, when known (the lowest, when several hold the socket). */
  readonly fd: number | undefined;
  /** Every descriptor of the process holding the socket, ascending, when there are several (dup, inherited). */
  readonly fds?: readonly number[] | undefined;
  /** Kernel inode (Linux) or another stable per-socket id (other platforms); unique within a snapshot. */
  readonly inode: string;
  readonly txQueue: number;
  readonly rxQueue: number;
  /**
   * Linux extras; undefined where the platform does not report them. Through the netlink helper the
   * timer's countdown (jiffies) is the one of the socket's last other change: a ticking timer alone is
   * not sent again.
   */
  readonly timer?: { readonly active: number; readonly jiffies: number } | undefined;
  readonly retransmits?: number | undefined;
  readonly uid?: number | undefined;
  /** UNIX sockets: 'stream' | 'dgram' | 'seqpacket'. */
  readonly unixType?: string | undefined;
  /** UNIX sockets: the inode of the connected peer socket (Linux, through the netlink helper). */
  readonly peerInode?: string | undefined;
  /**
   * Held by a descriptor but in none of the kernel's socket tables: a TCP connection that was reset or
   * finished its close handshake, a socket never bound or connected. Its state is CLOSE; no address or
   * queue is known.
   */
  readonly detached?: boolean | undefined;
  /** TCP progress counters from the kernel's tcp_info (Linux, through the netlink helper). */
  readonly progress?: TcpProgress | undefined;
}

/**
 * What a TCP connection has moved so far. bytesAcked + txQueue is what the process has written;
 * bytesReceived − rxQueue is what it has read (the peer's FIN counts as one byte in both).
 */
export interface TcpProgress {
  readonly bytesAcked: number;
  readonly bytesReceived: number;
  /** When data was last sent / received (ms since the epoch). */
  readonly lastDataSentAt: number;
  readonly lastDataRecvAt: number;
}

/** Bytes the process has written to a TCP socket so far; undefined without tcp_info. */
export function bytesWritten(s: Socket): number | undefined {
  return s.progress ? s.progress.bytesAcked + s.txQueue : undefined;
}

/** Bytes the process has read from a TCP socket so far; undefined without tcp_info. */
export function bytesRead(s: Socket): number | undefined {
  return s.progress ? s.progress.bytesReceived - s.rxQueue : undefined;
}

/**
 * Unread data in the receive queue. A TCP socket that received the peer's FIN (CLOSE_WAIT, LAST_ACK,
 * CLOSING) counts the FIN as one byte of its queue until the process reads the end of the stream:
 * that byte is not data.
 */
export function unreadBytes(s: Socket): number {
  const finReceived = isTcp(s) && (s.state === 'CLOSE_WAIT' || s.state === 'LAST_ACK' || s.state === 'CLOSING');
  return finReceived ? Math.max(0, s.rxQueue - 1) : s.rxQueue;
}

/** Formats `address:port`, bracketing IPv6 addresses; UNIX paths print as they are ('(unnamed)' when empty). */
export function formatEndpoint(e: Endpoint | undefined, protocol: Protocol): string {
  if (!e) return '*';
  if (protocol === 'unix') return e.address || '(unnamed)';
  if (e.address === '') return '(no address: out of the kernel\'s tables)';
  const host = e.address.includes(':') ? `[${e.address}]` : e.address;
  return `${host}:${e.port === 0 ? '*' : e.port}`;
}

/** A key that identifies one connection across snapshots, whatever its state (used by SnapshotDiff). */
export function socketKey(s: Socket): string {
  return `${s.protocol}|${s.inode}`;
}

const sameEndpoint = (a: Endpoint | undefined, b: Endpoint | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.address === b.address && a.port === b.port);

/** Whether two readings of a socket say the same thing, field by field. */
export function sameSocket(a: Socket, b: Socket): boolean {
  return a === b || (a.protocol === b.protocol && a.inode === b.inode && a.state === b.state && a.fd === b.fd
    && a.txQueue === b.txQueue && a.rxQueue === b.rxQueue && a.retransmits === b.retransmits && a.uid === b.uid
    && a.unixType === b.unixType && a.timer?.active === b.timer?.active && a.timer?.jiffies === b.timer?.jiffies
    && a.peerInode === b.peerInode && a.detached === b.detached && sameFds(a.fds, b.fds)
    && a.progress?.bytesAcked === b.progress?.bytesAcked && a.progress?.bytesReceived === b.progress?.bytesReceived
    && sameEndpoint(a.local, b.local) && sameEndpoint(a.remote, b.remote));
}

function sameFds(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((fd, i) => fd === b[i]));
}

export function isTcp(s: Socket): boolean {
  return s.protocol === 'tcp' || s.protocol === 'tcp6';
}
export function isUdp(s: Socket): boolean {
  return s.protocol === 'udp' || s.protocol === 'udp6';
}
