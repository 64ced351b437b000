// Pure parsers for /proc/<pid>/net/{tcp,tcp6,udp,udp6,unix}. They never do I/O and never throw:
// lines that do not have the expected shape are counted in `skipped`.

import type { Protocol, Socket, TcpState } from '../../model';
import { tcpStateFromLinuxCode } from '../../model';
import type { ParseResult } from '../source';
import type { DecodeOptions } from './address';
import { isUnspecified, parseHexEndpoint } from './address';

export type InetProtocol = Exclude<Protocol, 'unix'>;

export interface NetTableOptions extends DecodeOptions {
  /**
   * Called with each line's inode before the rest of the line is decoded; lines it rejects are
   * dropped (not counted as skipped). Lets a caller keep only its own sockets out of a huge table.
   */
  readonly keep?: (inode: string) => boolean;
}

const SLOT = /^\d+:$/;
const HEX_PAIR = /^([0-9A-Fa-f]+):([0-9A-Fa-f]+)$/;
const HEX = /^[0-9A-Fa-f]+$/;
const DEC = /^\d+$/;

function isHeader(fields: readonly string[]): boolean {
  return fields[0] === 'sl' || fields[0] === 'Num';
}

/**
 * Parses a /proc/net/{tcp,tcp6,udp,udp6} table. Each line reads
 * `sl: local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...`; trailing
 * fields vary by protocol and kernel and are ignored.
 */
export function parseInetTable(text: string, protocol: InetProtocol, options: NetTableOptions = {}): ParseResult<Socket> {
  const items: Socket[] = [];
  let skipped = 0;
  const addressDigits = protocol.endsWith('6') ? 32 : 8;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const f = trimmed.split(/\s+/);
    if (isHeader(f)) continue;
    if (f.length < 10) { skipped++; continue; }
    const [slot, localText, remoteText, st, queues, timer, retransmits, uid, , inode] = f as [string, string, string, string, string, string, string, string, string, string];
    if (!DEC.test(inode)) { skipped++; continue; }
    if (options.keep && !options.keep(inode)) continue;
    const local = localText.indexOf(':') === addressDigits ? parseHexEndpoint(localText, options) : undefined;
    const remote = remoteText.indexOf(':') === addressDigits ? parseHexEndpoint(remoteText, options) : undefined;
    const q = HEX_PAIR.exec(queues);
    const t = HEX_PAIR.exec(timer);
    if (!SLOT.test(slot) || !local || !remote || !q || !t || !HEX.test(st) || st.length > 2
      || !HEX.test(retransmits) || !DEC.test(uid)) {
      skipped++;
      continue;
    }
    items.push({
      protocol,
      state: tcpStateFromLinuxCode(parseInt(st, 16)),
      local,
      remote: isUnspecified(remote) ? undefined : remote,
      fd: undefined,
      inode,
      txQueue: parseInt(q[1] as string, 16),
      rxQueue: parseInt(q[2] as string, 16),
      timer: { active: parseInt(t[1] as string, 16), jiffies: parseInt(t[2] as string, 16) },
      retransmits: parseInt(retransmits, 16),
      uid: Number(uid),
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
const UNIX_TYPES: Record<number, string> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };

function unixState(flags: number, st: number): TcpState {
  if (flags & SO_ACCEPTCON) return 'LISTEN';
  return st === SS_CONNECTED ? 'ESTABLISHED' : 'CLOSE';
}

/**
 * Parses /proc/net/unix. Unnamed sockets have no path (address ''); abstract names start with '@'
 * (the kernel prints their NUL bytes as '@').
 */
export function parseUnixTable(text: string, options: Pick<NetTableOptions, 'keep'> = {}): ParseResult<Socket> {
  const items: Socket[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('Num ')) continue;
    const m = UNIX_LINE.exec(line);
    if (!m) { skipped++; continue; }
    const inode = m[4] as string;
    if (options.keep && !options.keep(inode)) continue;
    const type = parseInt(m[2] as string, 16);
    items.push({
      protocol: 'unix',
      state: unixState(parseInt(m[1] as string, 16), parseInt(m[3] as string, 16)),
      local: { address: m[5] ?? '', port: 0 },
      remote: undefined,
      fd: undefined,
      inode,
      txQueue: 0,
      rxQueue: 0,
      unixType: UNIX_TYPES[type] ?? `type ${type}`,
    });
  }
  return { items, skipped };
}
