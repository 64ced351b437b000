/** TCP states as SockScope names them on every platform (Linux names, with FIN_WAIT_1/2 spelled out). */
export const TCP_STATES = [
  'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSE',
  'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'BOUND', 'UNKNOWN',
] as const;
export type TcpState = (typeof TCP_STATES)[number];

/** Linux `st` field of /proc/net/tcp (include/net/tcp_states.h). */
const LINUX_STATE_BY_CODE: Record<number, TcpState> = {
  0x01: 'ESTABLISHED', 0x02: 'SYN_SENT', 0x03: 'SYN_RECV', 0x04: 'FIN_WAIT_1', 0x05: 'FIN_WAIT_2',
  0x06: 'TIME_WAIT', 0x07: 'CLOSE', 0x08: 'CLOSE_WAIT', 0x09: 'LAST_ACK', 0x0a: 'LISTEN',
  0x0b: 'CLOSING', 0x0c: 'NEW_SYN_RECV',
};

export function tcpStateFromLinuxCode(code: number): TcpState {
  return LINUX_STATE_BY_CODE[code] ?? 'UNKNOWN';
}

/**
 * Maps a state name as printed by lsof, netstat, ss or PowerShell (any case, with or without
 * underscores/dashes/spaces, e.g. "FIN_WAIT2", "FinWait2", "CLOSE-WAIT", "Listen") to a TcpState.
 */
export function tcpStateFromName(name: string): TcpState {
  const key = name.trim().toUpperCase().replace(/[\s_-]/g, '');
  return STATE_BY_KEY.get(key) ?? 'UNKNOWN';
}
const STATE_BY_KEY = new Map<string, TcpState>([
  ...TCP_STATES.map((s) => [s.replace(/_/g, ''), s] as [string, TcpState]),
  ['SYNRECEIVED', 'SYN_RECV'], ['SYNRCVD', 'SYN_RECV'], ['ESTAB', 'ESTABLISHED'], ['CLOSED', 'CLOSE'],
  ['LISTENING', 'LISTEN'], ['CLOSEWAIT', 'CLOSE_WAIT'], ['FINWAIT1', 'FIN_WAIT_1'], ['FINWAIT2', 'FIN_WAIT_2'],
  ['TIMEWAIT', 'TIME_WAIT'], ['LASTACK', 'LAST_ACK'], ['SYNSENT', 'SYN_SENT'], ['IDLE', 'CLOSE'], ['UNCONN', 'CLOSE'],
  ['DELETETCB', 'CLOSE'],
]);

/** States that deserve attention first in the tree (sorted before the others when non-empty). */
export const SUSPICIOUS_STATES: readonly TcpState[] = ['CLOSE_WAIT', 'FIN_WAIT_2', 'LAST_ACK', 'CLOSING', 'FIN_WAIT_1'];

/** Plain-words explanation of each state, shown in tooltips. */
export const STATE_EXPLANATIONS: Record<TcpState, string> = {
  ESTABLISHED: 'Open connection: both sides can send and receive.',
  SYN_SENT: 'This side sent a connection request (SYN) and waits for the peer to answer.',
  SYN_RECV: 'A connection request arrived and was answered; waiting for the final ACK of the handshake.',
  NEW_SYN_RECV: 'A half-open connection request waiting in the listener\'s SYN queue.',
  FIN_WAIT_1: 'This process closed its side and waits for the peer to acknowledge.',
  FIN_WAIT_2: 'This process closed its side; the peer acknowledged but has not closed its own side yet. The kernel times this state out (net.ipv4.tcp_fin_timeout).',
  TIME_WAIT: 'Closed here first; the kernel keeps the port reserved for a short while (about 60 s) so stray packets die out. Not held by any descriptor.',
  CLOSE: 'Closed or not connected (UDP sockets and unconnected TCP sockets show this). A TCP socket shown as "fd still held" was reset by its peer or finished closing, yet the process never closed its descriptor: like CLOSE_WAIT, a leak until it does.',
  CLOSE_WAIT: 'The peer closed the connection, but this process has not called close() on its descriptor. The kernel never times this out: only the process can close it. A growing, idle CLOSE_WAIT population is a descriptor leak — look for a code path that returns without close().',
  LAST_ACK: 'The peer closed, then this process closed too; waiting for the peer\'s final ACK.',
  LISTEN: 'Waiting for incoming connections.',
  CLOSING: 'Both sides closed at the same time; waiting for the final ACK.',
  BOUND: 'Bound to a local address but neither listening nor connected.',
  UNKNOWN: 'A state SockScope does not recognise.',
};
