// Pure parsers for /proc/<pid>/net/{tcp,tcp6,udp,udp6,unix}. They never do I/O and never throw:
// lines that do not have the expected shape are counted in `skipped`.

import type { Endpoint, Protocol, Socket, TcpState } from '../../model';
import { tcpStateFromLinuxCode } from '../../model';
import type { ParseResult } from '../source';
import type { DecodeOptions } from './address';
import { isUnspecified, parseHexEndpoint } from './address';

export type InetProtocol = Exclude<Protocol, 'unix'>;

export interface NetTableOptions extends DecodeOptions {
  /**
   * When given, only the sockets whose inode is a key are returned, with `fd` set to the value;
   * other lines are dropped before being decoded (not counted as skipped). This is how a process's
   * own sockets are picked out of a namespace-wide table of possibly 100,000 lines.
   */
  readonly fdByInode?: ReadonlyMap<string, number>;
  /**
   * Called for every socket line of the table, the process's or not (TIME_WAIT sockets and those of
   * other processes included): its state code and local port, for the TIME_WAIT and port accounting.
   */
  readonly everyLine?: (state: number, localPort: number) => void;
}

/**
 * One line of a tcp/udp table up to the inode: sl, local, remote, st, tx:rx, tr:when, retrnsmt,
 * uid, timeout, inode. A single regex: on tables of 100,000 lines it is several times faster than
 * splitting fields and checking each one.
 */
const INET_LINE = /^\s*(\d+):\s+([0-9A-Fa-f]+:[0-9A-Fa-f]+)\s+([0-9A-Fa-f]+:[0-9A-Fa-f]+)\s+([0-9A-Fa-f]{1,2})\s+([0-9A-Fa-f]+):([0-9A-Fa-f]+)\s+([0-9A-Fa-f]+):([0-9A-Fa-f]+)\s+([0-9A-Fa-f]+)\s+(\d+)\s+-?\d+\s+(\d+)(?:\s|$)/;

/** Blank lines and the column header are neither items nor skipped lines. */
function isBlankOrHeader(line: string, header: string): boolean {
  const t = line.trimStart();
  return t === '' || t.startsWith(header);
}

/**
 * Parses a /proc/net/{tcp,tcp6,udp,udp6} table. Each line reads
 * `sl: local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...`; trailing
 * fields vary by protocol and kernel and are ignored.
 */
export function parseInetTable(text: string, protocol: InetProtocol, options: NetTableOptions = {}): ParseResult<Socket> {
  return parseInetLines(text.split('\n'), protocol, options);
}

/** parseInetTable over lines already split (the netlink helper's answer is split once, by its parser). */
export function parseInetLines(lines: readonly string[], protocol: InetProtocol, options: NetTableOptions = {}): ParseResult<Socket> {
  const items: Socket[] = [];
  let skipped = 0;
  const addressDigits = protocol.endsWith('6') ? 32 : 8;
  const fdByInode = options.fdByInode;
  // Few distinct addresses appear in a table (every connection to one listener shares its
  // address): decode each address once and only parse the port per line.
  const addresses = new Map<string, string | undefined>();
  const endpoint = (t: string): Endpoint | undefined => {
    const colon = t.indexOf(':');
    const hex = t.slice(0, colon);
    let address = addresses.get(hex);
    if (address === undefined && !addresses.has(hex)) {
      address = colon === addressDigits ? parseHexEndpoint(`${hex}:0`, options)?.address : undefined;
      addresses.set(hex, address);
    }
    const port = t.length - colon - 1 <= 4 ? parseInt(t.slice(colon + 1), 16) : NaN;
    return address === undefined || Number.isNaN(port) ? undefined : { address, port };
  };
  for (const line of lines) {
    const m = INET_LINE.exec(line);
    if (!m) {
      if (!isBlankOrHeader(line, 'sl ')) skipped++;
      continue;
    }
    const inode = m[11] as string;
    if (options.everyLine) {
      const l = m[2] as string;
      options.everyLine(parseInt(m[4] as string, 16), parseInt(l.slice(l.indexOf(':') + 1), 16));
    }
    const fd = fdByInode?.get(inode);
    if (fdByInode && fd === undefined) continue;
    const local = endpoint(m[2] as string);
    const remote = endpoint(m[3] as string);
    if (!local || !remote) { skipped++; continue; }
    items.push({
      protocol,
      state: tcpStateFromLinuxCode(parseInt(m[4] as string, 16)),
      local,
      remote: isUnspecified(remote) ? undefined : remote,
      fd,
      inode,
      txQueue: parseInt(m[5] as string, 16),
      rxQueue: parseInt(m[6] as string, 16),
      timer: { active: parseInt(m[7] as string, 16), jiffies: parseInt(m[8] as string, 16) },
      retransmits: parseInt(m[9] as string, 16),
      uid: Number(m[10]),
    });
  }
  return { items, skipped };
}

/** `Num: RefCount Protocol Flags Type St Inode [Path]`; the path is everything after one space and may hold spaces. */
const UNIX_LINE = /^\s*[0-9A-Fa-f]+:\s+[0-9A-Fa-f]{8}\s+[0-9A-Fa-f]{8}\s+([0-9A-Fa-f]{8})\s+([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+(\d+)(?: (.*))?$/;

/** __SO_ACCEPTCON in the Flags column: the socket is listening. */
const SO_ACCEPTCON = 0x10000;
/** socket_state of include/uapi/linux/net.h. */
const SS_CONNECTED = 3;
export const UNIX_TYPES: Readonly<Record<number, string>> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };

function unixState(flags: number, st: number): TcpState {
  if (flags & SO_ACCEPTCON) return 'LISTEN';
  return st === SS_CONNECTED ? 'ESTABLISHED' : 'CLOSE';
}

/**
 * Parses /proc/net/unix. Unnamed sockets have no path (address ''); abstract names start with '@'
 * (the kernel prints their NUL bytes as '@').
 *
 * The kernel prints names as they are, newlines included, so anyone may plant a line that looks like
 * a socket of another process in the table (the netlink helper's answer has no such ambiguity).
 * Such a line always follows a line that holds a name. One row per inode: when an inode appears on
 * several lines, the line that cannot be the tail of a name wins; if none, the first, and the
 * others count as skipped.
 */
export function parseUnixTable(text: string, options: Pick<NetTableOptions, 'fdByInode'> = {}): ParseResult<Socket> {
  const fdByInode = options.fdByInode;
  const items: Socket[] = [];
  /** Index in items, and whether that line may be the tail of a name. */
  const byInode = new Map<string, { index: number; mayBeTail: boolean }>();
  let skipped = 0;
  let afterName = false;
  for (const line of text.split('\n')) {
    const m = UNIX_LINE.exec(line);
    const mayBeTail = afterName;
    afterName = m ? m[5] !== undefined : !isBlankOrHeader(line, 'Num ');
    if (!m) {
      if (!isBlankOrHeader(line, 'Num ')) skipped++;
      continue;
    }
    const inode = m[4] as string;
    const fd = fdByInode?.get(inode);
    if (fdByInode && fd === undefined) continue;
    const type = parseInt(m[2] as string, 16);
    const socket: Socket = {
      protocol: 'unix',
      state: unixState(parseInt(m[1] as string, 16), parseInt(m[3] as string, 16)),
      local: { address: m[5] ?? '', port: 0 },
      remote: undefined,
      fd,
      inode,
      txQueue: 0,
      rxQueue: 0,
      unixType: UNIX_TYPES[type] ?? `type ${type}`,
    };
    const prev = byInode.get(inode);
    skipped += prev ? 1 : 0;
    if (!prev) {
      byInode.set(inode, { index: items.length, mayBeTail });
      items.push(socket);
    } else if (prev.mayBeTail && !mayBeTail) {
      items[prev.index] = socket;
      byInode.set(inode, { index: prev.index, mayBeTail });
    }
  }
  return { items, skipped };
}

/**
 * The socket inodes of one of the other /proc/net tables: `inet` for the tcp-like format of raw,
 * icmp and udplite (the inode is the tenth column), `last` for netlink and packet (the last column).
 */
export function tableInodes(text: string, format: 'inet' | 'last'): Set<string> {
  const inodes = new Set<string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const inode = format === 'inet' ? f[9] : f[f.length - 1];
    if (inode !== undefined && /^\d+$/.test(inode) && inode !== '0') inodes.add(inode);
  }
  return inodes;
}
