// Pure parser of the answers of the sockscope-netlink helper (native/sockscope-netlink.c, where the
// format is described). Every field of a record is a number, a keyword or an escaped name, so a
// record is one line whatever a socket's name holds. Never throws: an answer that does not have the
// expected shape parses to undefined, and the caller then reads /proc instead.

import type { Endpoint, Socket, TimeWaitCounts } from '../../model';
import { tcpStateFromLinuxCode } from '../../model';
import type { DecodeOptions } from './address';
import { isUnspecified, parseHexEndpoint } from './address';
import type { InetProtocol } from './netTables';
import { UNIX_TYPES } from './netTables';

export interface HelperFds {
  /** Open descriptors of the process. */
  readonly count: number;
  /** Descriptors of it that hold a socket. */
  readonly sockets: number;
}

export interface HelperAnswer {
  readonly pid: number;
  /** errno name (ENOENT, EACCES, ...), NETNS (another network namespace) or NETLINK (sock_diag failed). */
  readonly error?: { readonly code: string; readonly detail: string } | undefined;
  /** The new fd counts; undefined when the helper kept the fd map it used before. */
  readonly fds?: HelperFds | undefined;
  /** Drop every row known for the pid before applying `rows`. */
  readonly reset: boolean;
  /** Rows that are new or changed. */
  readonly rows: Socket[];
  /** Sockets in no table, by inode: the kernel's name of their protocol (TCP, NETLINK, …) and fds. */
  readonly others: { readonly inode: string; readonly fds: readonly number[]; readonly kind: string }[];
  /** Inodes of rows that are gone. */
  readonly gone: string[];
  readonly timeWait?: TimeWaitCounts | undefined;
  /** Malformed row lines. */
  readonly skipped: number;
}

const INET: ReadonlySet<string> = new Set<InetProtocol>(['tcp', 'tcp6', 'udp', 'udp6']);
const DIGITS = /^\d+$/;
const FDS = /^\d+(?:,\d+)*$/;
const HEX_WORDS = /^(?:[0-9A-F]{8}|[0-9A-F]{32})$/;
/** TCP and UDP as system.sockprotoname names them: sockets that left their table. */
const DETACHED: Readonly<Record<string, InetProtocol>> = { TCP: 'tcp', TCPv6: 'tcp6', UDP: 'udp', UDPv6: 'udp6' };

/** A name field: '-' is none, \xHH is the byte HH (names are bytes; latin1 keeps them one char each, as /proc's text does). */
export function unescapeField(field: string): string {
  if (field === '-') return '';
  if (!field.includes('\\')) return field;
  return field.replace(/\\x([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const num = (text: string | undefined): number | undefined => (text !== undefined && DIGITS.test(text) ? Number(text) : undefined);

function fdList(text: string | undefined): number[] | undefined {
  return text !== undefined && FDS.test(text) ? text.split(',').map(Number) : undefined;
}

/** fd, and fds when there are several. */
function fdFields(fds: readonly number[]): Pick<Socket, 'fd' | 'fds'> {
  return fds.length > 1 ? { fd: fds[0], fds } : { fd: fds[0] };
}

export function parseHelperAnswer(text: string, options: DecodeOptions = {}): HelperAnswer | undefined {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const first = lines[0]?.split(' ');
  if (first?.length !== 2 || first[0] !== 'begin' || !DIGITS.test(first[1] ?? '') || lines[lines.length - 1] !== 'end') return undefined;
  const pid = Number(first[1]);
  const rows: Socket[] = [];
  const others: { inode: string; fds: number[]; kind: string }[] = [];
  const gone: string[] = [];
  let fds: HelperFds | undefined;
  let sawFds = false;
  let reset = false;
  let skipped = 0;
  let timeWait: TimeWaitCounts | undefined;
  const endpoints = new Map<string, Endpoint | undefined>();
  const endpoint = (hex: string | undefined, port: number | undefined): Endpoint | undefined => {
    if (hex === undefined || port === undefined || port > 65535 || !HEX_WORDS.test(hex)) return undefined;
    let address = endpoints.get(hex);
    if (address === undefined && !endpoints.has(hex)) {
      address = parseHexEndpoint(`${hex}:0`, options);
      endpoints.set(hex, address);
    }
    return address && { address: address.address, port };
  };
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i] as string;
    const f = line.split(' ');
    const word = f[0] as string;
    if (INET.has(word)) {
      const s = inetRow(word as InetProtocol, f, endpoint);
      if (s) rows.push(s); else skipped++;
      continue;
    }
    switch (word) {
      case 'unix': {
        const s = unixRow(f);
        if (s) rows.push(s); else skipped++;
        break;
      }
      case 'sock': {
        const list = fdList(f[2]);
        if (f.length !== 4 || !DIGITS.test(f[1] ?? '') || !list) { skipped++; break; }
        const kind = unescapeField(f[3] as string) || 'unknown';
        const protocol = DETACHED[kind];
        if (protocol) {
          rows.push({ protocol, state: 'CLOSE', local: { address: '', port: 0 }, remote: undefined, ...fdFields(list), inode: f[1] as string, txQueue: 0, rxQueue: 0, detached: true });
        } else others.push({ inode: f[1] as string, fds: list, kind });
        break;
      }
      case 'error':
        return { pid, error: { code: f[1] ?? 'EIO', detail: f.slice(2).join(' ') }, reset: false, rows: [], others: [], gone: [], skipped: 0 };
      case 'fds': {
        sawFds = true;
        if (f[1] === 'kept' && f.length === 2) break;
        const count = num(f[1]);
        const sockets = num(f[2]);
        if (f.length !== 3 || count === undefined || sockets === undefined) return undefined;
        fds = { count, sockets };
        break;
      }
      case 'reset':
        reset = true;
        break;
      case 'gone':
        if (f.length !== 2 || !DIGITS.test(f[1] ?? '')) return undefined;
        gone.push(f[1] as string);
        break;
      case 'tw': {
        const [own, netns, ephemeralInUse, low, high] = f.slice(1).map(num);
        if (f.length !== 6 || own === undefined || netns === undefined || ephemeralInUse === undefined || low === undefined || high === undefined) return undefined;
        timeWait = { own, netns, ephemeralInUse, range: { low, high } };
        break;
      }
      default:
        return undefined;
    }
  }
  if (!sawFds) return undefined;
  return { pid, fds, reset, rows, others, gone, timeWait, skipped };
}

// tcp <inode> <fds> <state> <local hex> <lport> <remote hex> <rport> <tx> <rx> <timer> <expires> <retrans> <uid> <progress>
function inetRow(protocol: InetProtocol, f: readonly string[], endpoint: (hex: string | undefined, port: number | undefined) => Endpoint | undefined): Socket | undefined {
  if (f.length !== 15) return undefined;
  const inode = f[1] as string;
  const list = fdList(f[2]);
  const [state, lport, rport, tx, rx, timer, expires, retrans, uid] = [3, 5, 7, 8, 9, 10, 11, 12, 13].map((i) => num(f[i]));
  const local = endpoint(f[4], lport);
  const remote = endpoint(f[6], rport);
  if (!DIGITS.test(inode) || !list || state === undefined || !local || !remote || tx === undefined || rx === undefined
    || timer === undefined || expires === undefined || retrans === undefined || uid === undefined) return undefined;
  let progress: Socket['progress'];
  if (f[14] !== '-') {
    const p = (f[14] as string).split(',').map(num);
    if (p.length !== 4 || p.some((v) => v === undefined)) return undefined;
    const [bytesAcked, bytesReceived, lastDataSentAt, lastDataRecvAt] = p as number[];
    progress = { bytesAcked: bytesAcked as number, bytesReceived: bytesReceived as number, lastDataSentAt: lastDataSentAt as number, lastDataRecvAt: lastDataRecvAt as number };
  }
  return {
    protocol,
    state: tcpStateFromLinuxCode(state),
    local,
    remote: isUnspecified(remote) ? undefined : remote,
    ...fdFields(list),
    inode,
    txQueue: tx,
    rxQueue: rx,
    timer: { active: timer, jiffies: expires },
    retransmits: retrans,
    uid,
    ...(progress ? { progress } : {}),
  };
}

/** sk_state of a UNIX socket, as /proc/net/unix's reader names it: listening, connected, or neither. */
function unixState(code: number): Socket['state'] {
  return code === 10 ? 'LISTEN' : code === 1 ? 'ESTABLISHED' : 'CLOSE';
}

// unix <inode> <fds> <type> <state> <rx> <tx> <peer inode> <name>
function unixRow(f: readonly string[]): Socket | undefined {
  if (f.length !== 9) return undefined;
  const inode = f[1] as string;
  const list = fdList(f[2]);
  const [type, state, rx, tx, peer] = [3, 4, 5, 6, 7].map((i) => num(f[i]));
  if (!DIGITS.test(inode) || !list || type === undefined || state === undefined || rx === undefined || tx === undefined || peer === undefined) return undefined;
  return {
    protocol: 'unix',
    state: unixState(state),
    local: { address: unescapeField(f[8] as string), port: 0 },
    remote: undefined,
    ...fdFields(list),
    inode,
    txQueue: tx,
    rxQueue: rx,
    unixType: UNIX_TYPES[type] ?? `type ${type}`,
    ...(peer > 0 ? { peerInode: String(peer) } : {}),
  };
}
