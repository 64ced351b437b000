// Pure parser of the answers of the sockscope-netlink helper (native/sockscope-netlink.c, where the
// format is described). Socket rows are /proc/net lines with the fd in the slot column, so they go
// through the same parser as the /proc tables. Never throws: an answer that does not have the
// expected shape parses to undefined, and the caller then reads /proc instead.

import type { Socket } from '../../model';
import type { InetProtocol } from './netTables';
import { parseInetLines } from './netTables';

export interface HelperFds {
  /** Open descriptors of the process. */
  readonly count: number;
  /** Socket fds beyond the first for the same socket (dup, inherited). */
  readonly duplicates: number;
  /** Socket fds that are not TCP/UDP (UNIX, netlink, ...), by inode: to be looked up in net/unix. */
  readonly other: Map<string, number>;
}

export interface HelperAnswer {
  readonly pid: number;
  /** errno name (ENOENT, EACCES, ...), NETNS (another network namespace) or NETLINK (sock_diag failed). */
  readonly error?: { readonly code: string; readonly detail: string } | undefined;
  /** The new fd map; undefined when the helper kept the one it sent before. */
  readonly fds?: HelperFds | undefined;
  /** Drop every row known for the pid before applying `rows`. */
  readonly reset: boolean;
  /** Rows that are new or changed. */
  readonly rows: Socket[];
  /** Inodes of rows that are gone. */
  readonly gone: string[];
  /** Malformed row lines. */
  readonly skipped: number;
}

const TABLES: ReadonlySet<string> = new Set<InetProtocol>(['tcp', 'tcp6', 'udp', 'udp6']);
const DIGITS = /^\d+$/;

export function parseHelperAnswer(text: string, options: { readonly littleEndian?: boolean } = {}): HelperAnswer | undefined {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const first = lines[0]?.split(' ');
  if (first?.[0] !== 'begin' || !DIGITS.test(first[1] ?? '') || lines[lines.length - 1] !== 'end') return undefined;
  const pid = Number(first[1]);
  const byTable = new Map<InetProtocol, string[]>();
  const gone: string[] = [];
  let fds: { count: number; duplicates: number; other: Map<string, number> } | undefined;
  let sawFds = false;
  let reset = false;
  let skipped = 0;
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i] as string;
    const space = line.indexOf(' ');
    const word = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    if (TABLES.has(word)) {
      const list = byTable.get(word as InetProtocol);
      if (list) list.push(rest); else byTable.set(word as InetProtocol, [rest]);
      continue;
    }
    const f = rest.split(' ');
    switch (word) {
      case 'error':
        return { pid, error: { code: f[0] ?? 'EIO', detail: f.slice(1).join(' ') }, reset: false, rows: [], gone: [], skipped: 0 };
      case 'fds':
        sawFds = true;
        if (f[1] === 'kept') break;
        if (f[1] !== 'rescanned' || !DIGITS.test(f[0] ?? '') || !DIGITS.test(f[2] ?? '')) return undefined;
        fds = { count: Number(f[0]), duplicates: Number(f[2]), other: new Map() };
        break;
      case 'f':
        if (!fds || !DIGITS.test(f[0] ?? '') || !DIGITS.test(f[1] ?? '')) return undefined;
        fds.other.set(f[1] as string, Number(f[0]));
        break;
      case 'reset':
        reset = true;
        break;
      case 'gone':
        if (!DIGITS.test(rest)) return undefined;
        gone.push(rest);
        break;
      default:
        return undefined;
    }
  }
  if (!sawFds) return undefined;
  const rows: Socket[] = [];
  for (const [protocol, list] of byTable) {
    const t = parseInetLines(list, protocol, { fdInSlot: true, littleEndian: options.littleEndian });
    skipped += t.skipped;
    for (const s of t.items) rows.push(s);
  }
  return { pid, fds, reset, rows, gone, skipped };
}
