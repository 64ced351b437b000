// Pure parsers for the per-process files of /proc: limits, stat, status, cmdline and fd links.
// Single-record files still return a ParseResult (0 or 1 items) so every parser reports bad input
// the same way.

import type { FdLimit } from '../../model';
import type { ParseResult } from '../source';

export interface ProcLimit {
  /** e.g. "Max open files". */
  readonly name: string;
  /** null means "unlimited". */
  readonly soft: number | null;
  readonly hard: number | null;
  readonly units: string;
}

const LIMIT_VALUE = /^(?:\d+|unlimited)$/;

function limitValue(text: string): number | null {
  return text === 'unlimited' ? null : Number(text);
}

/**
 * /proc/<pid>/limits: a header, then `Name (may hold spaces)  Soft  Hard  [Units]` in columns. The
 * name is taken as the words before the first value token, so column widths do not matter.
 */
export function parseLimits(text: string): ParseResult<ProcLimit> {
  const items: ProcLimit[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('Limit ')) continue;
    const words = line.trim().split(/\s+/);
    const first = words.findIndex((w) => LIMIT_VALUE.test(w));
    const soft = words[first];
    const hard = words[first + 1];
    if (first < 1 || soft === undefined || hard === undefined || !LIMIT_VALUE.test(hard)) { skipped++; continue; }
    items.push({ name: words.slice(0, first).join(' '), soft: limitValue(soft), hard: limitValue(hard), units: words.slice(first + 2).join(' ') });
  }
  return { items, skipped };
}

/** RLIMIT_NOFILE out of parsed limits; undefined when the line is missing. */
export function fdLimitFrom(limits: readonly ProcLimit[]): FdLimit | undefined {
  const l = limits.find((x) => x.name === 'Max open files');
  return l ? { soft: l.soft, hard: l.hard } : undefined;
}

export interface ProcStat {
  readonly pid: number;
  /** The command name (at most 15 bytes; may hold spaces and parentheses). */
  readonly comm: string;
  /** One letter: R, S, D, Z (zombie), X (dead), T, t, I, ... */
  readonly state: string;
  readonly ppid: number;
  /** Field 22: start time in clock ticks after boot. Same pid + different startTime = another process. */
  readonly startTime: number;
}

/**
 * /proc/<pid>/stat: `pid (comm) state ppid ... starttime ...`. comm may contain spaces and ')',
 * so it runs to the LAST ')' of the line.
 */
export function parseStat(text: string): ParseResult<ProcStat> {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const pid = text.slice(0, Math.max(open, 0)).trim();
  if (open < 1 || close < open || !/^\d+$/.test(pid)) return { items: [], skipped: 1 };
  const rest = statFields(text);
  const state = rest[0];
  const ppid = rest[1];
  const startTime = rest[19];
  if (!state || !ppid || !startTime || !/^\d+$/.test(ppid) || !/^\d+$/.test(startTime)) return { items: [], skipped: 1 };
  return { items: [{ pid: Number(pid), comm: text.slice(open + 1, close), state, ppid: Number(ppid), startTime: Number(startTime) }], skipped: 0 };
}

/** The fields of a /proc/<pid>/stat line after comm: field 3 (state) first, so field n is at n - 3. */
export function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 1).trim().split(/\s+/);
}

export interface ProcStatus {
  readonly name: string | undefined;
  /** Real and effective user ids (the `Uid:` line: real, effective, saved, filesystem). */
  readonly uid: number;
  readonly euid: number;
}

/** /proc/<pid>/status: `Key:\tvalue` lines; only Name and Uid are used. */
export function parseStatus(text: string): ParseResult<ProcStatus> {
  let name: string | undefined;
  let uids: number[] | undefined;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'Name') name = value;
    else if (key === 'Uid') {
      const parts = value.split(/\s+/);
      if (parts.length >= 2 && parts.every((p) => /^\d+$/.test(p))) uids = parts.map(Number);
    }
  }
  if (!uids) return { items: [], skipped: 1 };
  return { items: [{ name, uid: uids[0] as number, euid: uids[1] as number }], skipped: 0 };
}

/** The `Uid:` and `Gid:` lines of /proc/<pid>/status (real, effective, saved, filesystem); undefined when either is missing. */
export function parseIds(text: string): { readonly uids: number[]; readonly gids: number[] } | undefined {
  const ids = (key: string): number[] | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${key}:`));
    const parts = line?.slice(key.length + 1).trim().split(/\s+/) ?? [];
    return parts.length === 4 && parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : undefined;
  };
  const uids = ids('Uid');
  const gids = ids('Gid');
  return uids && gids ? { uids, gids } : undefined;
}

/**
 * /proc/<pid>/cmdline: arguments separated (and ended) by NUL. Empty for kernel threads and zombies.
 * A process that rewrote its title (Node's process.title, setproctitle) leaves its old argv area padded
 * with NULs: a run of two or more trailing empty arguments is that padding and is dropped, while a
 * single empty last argument (`prog x ""`) and empty arguments in the middle are kept.
 */
export function parseCmdline(text: string): ParseResult<string[]> {
  if (text === '') return { items: [[]], skipped: 0 };
  const args = text.split('\0');
  if (args[args.length - 1] === '') args.pop(); // the terminator
  let end = args.length;
  while (end > 0 && args[end - 1] === '') end--;
  if (args.length - end >= 2) args.length = end;
  return { items: [args], skipped: 0 };
}

/** Joins arguments for display, quoting those that are empty or hold whitespace. */
export function formatCmdline(args: readonly string[]): string {
  return args.map((a) => (a === '' || /\s/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

/** The inode of an fd link target `socket:[12345]`; undefined for anything else (files, pipes, anon inodes). */
export function parseSocketLink(target: string): string | undefined {
  if (!target.startsWith('socket:[') || !target.endsWith(']')) return undefined;
  const inode = target.slice(8, -1);
  return /^\d+$/.test(inode) ? inode : undefined;
}

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
}

/** /etc/passwd (`name:x:uid:gid:gecos:home:shell`), to show user names in the process picker. */
export function parsePasswd(text: string): ParseResult<PasswdEntry> {
  const items: PasswdEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [name, , uid] = line.split(':');
    if (!name || uid === undefined || !/^\d+$/.test(uid)) { skipped++; continue; }
    items.push({ name, uid: Number(uid) });
  }
  return { items, skipped };
}
