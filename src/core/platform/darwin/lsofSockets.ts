// Sockets out of lsof field output (`lsof -nP -p PID -Tqs -F pcfdnPtTs`). Non-socket files (cwd, txt,
// regular files, pipes...) are not sockets and are not counted as skipped; they do count as descriptors.
import type { Endpoint, Protocol, Socket, TcpState } from '../../model';
import { tcpStateFromName } from '../../model';
import type { ParseResult } from '../source';
import { anyAddress, parseHostPort } from './address';
import type { LsofFile, LsofProcess } from './lsofFields';
import { parseLsofFields } from './lsofFields';

export interface LsofSocketsResult extends ParseResult<Socket> {
  /** Numeric descriptors of the process (any kind of file), counted over every file set. */
  readonly fdCount: number;
  /** Pids found in the output (normally the one asked for). */
  readonly pids: number[];
  readonly command: string | undefined;
  readonly truncated: boolean;
}

/** Parses field output; when pid is given only that process's files are read. */
export function parseLsofSockets(text: string, pid?: number): LsofSocketsResult {
  const parsed = parseLsofFields(text);
  const procs = parsed.processes.filter((p) => pid === undefined || p.pid === pid);
  const items: Socket[] = [];
  const seen = new Set<string>();
  let skipped = parsed.skipped;
  let fdCount = 0;
  for (const proc of procs) {
    for (const file of proc.files) {
      if (/^\d+$/.test(file.fd)) fdCount++;
      if (!isSocketFile(file)) continue;
      const socket = lsofFileSocket(proc, file);
      if (!socket) { skipped++; continue; }
      // Two descriptors dup()ed from one socket share its id: list the socket once (lowest fd first).
      if (seen.has(socket.inode)) continue;
      seen.add(socket.inode);
      items.push(socket);
    }
  }
  return {
    items, skipped, fdCount, pids: procs.map((p) => p.pid), command: procs[0]?.command, truncated: parsed.truncated,
  };
}

/** True when a file set is a TCP, UDP or UNIX socket. */
export function isSocketFile(file: LsofFile): boolean {
  return socketProtocol(file) !== undefined;
}

/** The socket a file set describes; undefined when it is no socket or its name cannot be read. */
export function lsofFileSocket(proc: LsofProcess, file: LsofFile): Socket | undefined {
  const kind = socketProtocol(file);
  if (kind === undefined) return undefined;
  return kind === 'unix' ? unixSocket(proc, file) : inetSocket(proc, file, kind);
}

function socketProtocol(file: LsofFile): Protocol | undefined {
  const type = file.fields.get('t');
  if (type === 'unix') return 'unix';
  if (type !== 'IPv4' && type !== 'IPv6') return undefined;
  const proto = file.fields.get('P');
  const v6 = type === 'IPv6';
  if (proto === 'TCP') return v6 ? 'tcp6' : 'tcp';
  if (proto === 'UDP') return v6 ? 'udp6' : 'udp';
  return undefined; // raw/ICMP sockets: not shown
}

function fdNumber(file: LsofFile): number | undefined {
  return /^\d+$/.test(file.fd) ? Number(file.fd) : undefined;
}

/** lsof's device field (a kernel socket address on macOS), else its node, else pid:fd. */
function socketId(proc: LsofProcess, file: LsofFile): string {
  const dev = file.fields.get('d');
  if (dev) return dev;
  const node = file.fields.get('i');
  if (node) return node;
  return `${proc.pid}:${file.fd}`;
}

function queue(file: LsofFile, key: string): number {
  const v = file.tcpInfo.get(key);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

/** Name text without a trailing " (STATE)", which lsof appends when it prints names for people. */
function splitStateSuffix(name: string): { name: string; state: string | undefined } {
  const m = /^(.*\S)\s+\(([A-Z_0-9]+)\)$/.exec(name);
  return m ? { name: m[1] ?? name, state: m[2] } : { name, state: undefined };
}

function inetSocket(proc: LsofProcess, file: LsofFile, protocol: Protocol): Socket | undefined {
  const raw = file.fields.get('n');
  if (raw === undefined) return undefined;
  const { name, state: suffixState } = splitStateSuffix(raw.trim());
  const v6 = protocol === 'tcp6' || protocol === 'udp6';
  const arrow = name.indexOf('->');
  const local = toEndpoint(arrow >= 0 ? name.slice(0, arrow) : name, v6);
  if (!local) return undefined;
  let remote: Endpoint | undefined;
  if (arrow >= 0) {
    const hp = parseHostPort(name.slice(arrow + 2));
    if (!hp) return undefined;
    remote = hp.host === '*' ? undefined : { address: hp.host, port: hp.port };
  }
  const tcp = protocol === 'tcp' || protocol === 'tcp6';
  const stateName = file.tcpInfo.get('ST') ?? suffixState;
  let state: TcpState;
  if (tcp) state = stateName ? tcpStateFromName(stateName) : 'UNKNOWN';
  else state = remote ? 'ESTABLISHED' : 'CLOSE';
  return {
    protocol, state, local, remote, fd: fdNumber(file), inode: socketId(proc, file),
    txQueue: queue(file, 'QS'), rxQueue: queue(file, 'QR'),
  };
}

function toEndpoint(text: string, v6: boolean): Endpoint | undefined {
  const hp = parseHostPort(text);
  if (!hp) return undefined;
  return { address: hp.host === '*' ? anyAddress(v6) : hp.host, port: hp.port };
}

/** UNIX socket states as lsof on Linux prints them (macOS prints none). */
const UNIX_STATES: Record<string, TcpState> = {
  LISTEN: 'LISTEN', CONNECTED: 'ESTABLISHED', UNCONNECTED: 'CLOSE', CONNECTING: 'SYN_SENT', DISCONNECTING: 'CLOSING',
};

/**
 * Names seen: "/var/run/sock" (bound), "->0xabc..." (macOS: connected, peer's kernel address),
 * "/tmp/x.sock type=STREAM" and "type=DGRAM" (Linux lsof), "->INO=123 45,proc,7" (Linux lsof +E).
 */
function unixSocket(proc: LsofProcess, file: LsofFile): Socket {
  let name = (file.fields.get('n') ?? '').trim();
  let unixType: string | undefined;
  const typeMatch = /(?:^|\s)type=([A-Z]+)/.exec(name);
  if (typeMatch) {
    unixType = typeMatch[1]?.toLowerCase();
    name = (name.slice(0, typeMatch.index) + name.slice(typeMatch.index + typeMatch[0].length)).trim();
  }
  const arrow = name.indexOf('->');
  const localText = (arrow >= 0 ? name.slice(0, arrow) : name).trim();
  const peerText = arrow >= 0 ? name.slice(arrow + 2).trim() : undefined;
  // A kernel address (0x...) names no file: the socket itself is unnamed.
  const local: Endpoint = { address: localText.startsWith('0x') ? '' : localText, port: 0 };
  const remote: Endpoint | undefined = peerText === undefined
    ? undefined
    : { address: peerText.startsWith('/') ? peerText : '', port: 0 };
  const st = file.tcpInfo.get('ST');
  let state: TcpState;
  if (st !== undefined) state = UNIX_STATES[st.toUpperCase()] ?? tcpStateFromName(st);
  // macOS reports no state: a peer means connected; a bound name without a peer is, in practice, a listener.
  else if (remote) state = 'ESTABLISHED';
  else state = local.address ? 'LISTEN' : 'CLOSE';
  return {
    protocol: 'unix', state, local, remote, fd: fdNumber(file), inode: socketId(proc, file),
    txQueue: queue(file, 'QS'), rxQueue: queue(file, 'QR'), unixType,
  };
}
