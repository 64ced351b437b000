// The Linux socket source: reads /proc directly (no external tool).
//
// A process's sockets are the `socket:[inode]` links of /proc/<pid>/fd, looked up in the net tables
// of the process's OWN network namespace (/proc/<pid>/net/*), so containers and namespaces show
// right. Sockets of the tables that no fd of the process holds (other processes', TIME_WAIT
// leftovers with inode 0) are not listed. Cost is linear: one readdir, one readlink per fd (bounded
// slices), one read of each table, lookups by inode in a Map.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ProcessInfo, Snapshot, Socket, SocketFdAccount, TimeWaitCounts } from '../../model';
import { plural } from '../../model/plural';
import type { PortOwner, ProcessSummary, SocketSource } from '../source';
import { SourceError } from '../source';
import { validPid } from '../pid';
import type { InetProtocol } from './netTables';
import { parseInetTable, parseUnixTable, tableInodes } from './netTables';
import type { ProcStat } from './procFiles';
import { fdLimitFrom, formatCmdline, parseCmdline, parseIds, parseLimits, parsePasswd, parseSocketLink, parseStat, parseStatus } from './procFiles';
import { errnoOf, isDenied, isGone, mapLimit, readLinks, readSmallProcFile, readTableSync, readTextOrUndefined } from './procIo';
import type { PortRange } from '../../sampler/portRange';
import { LINUX_DEFAULT_PORT_RANGE, parsePortRange } from '../../sampler/portRange';
import type { HelperFds } from './netlinkAnswer';
import { parseHelperAnswer } from './netlinkAnswer';
import { NetlinkHelper } from './netlinkHelper';
import { accessDeniedReason } from './accessDenied';
import { liveTaskDir } from './liveTask';

export interface LinuxSourceOptions {
  /** Root of the proc filesystem: '/proc', or a fixture tree in tests. */
  readonly procRoot: string;
  /** fd links read per slice before yielding to the event loop (default 1024). */
  readonly linkBatch?: number;
  /** Where user names come from (default /etc/passwd). */
  readonly passwdPath?: string;
  /** Byte order of the net tables (default: this machine's). */
  readonly littleEndian?: boolean;
  /** Path of the sockscope-netlink helper; without it /proc is read. */
  readonly netlinkHelper?: string | undefined;
}

/** What the helper last told about a process; its answers are applied to this. */
interface HelperSession {
  readonly startTime: number;
  fds: HelperFds;
  readonly rows: Map<string, Socket>;
  /** Sockets in no table that are not TCP or UDP, by inode. */
  readonly others: Map<string, { readonly fds: readonly number[]; readonly kind: string }>;
  /** What was handed out: the rows sorted by fd. */
  sockets: readonly Socket[] | undefined;
}

/** Processes whose helper state is kept (the helper keeps as many). */
const HELPER_SESSIONS = 8;
const byFd = (a: Socket, b: Socket): number => (a.fd ?? 0) - (b.fd ?? 0);

const INET_TABLES: readonly InetProtocol[] = ['tcp', 'tcp6', 'udp', 'udp6'];
/** Processes read at once when scanning all of /proc. */
const PROCESS_CONCURRENCY = 16;

function noSuchProcess(pid: number): SourceError {
  return new SourceError('NO_SUCH_PROCESS', `Process ${pid} does not exist (or has exited).`);
}

function checkPid(pid: number): void {
  if (!validPid(pid)) throw new SourceError('BAD_INPUT', `Not a process id: ${String(pid)}.`);
}

/** What to do about EACCES/EPERM on another process's fds (ptrace access rules of procfs). */
function permissionHint(): string {
  return process.getuid?.() === 0
    ? 'the kernel refuses even root here (another user namespace, or a ptrace restriction such as Yama or hidepid).'
    : 'run SockScope as root or as the same user.';
}

const isNumeric = (name: string): boolean => /^\d+$/.test(name);

/** The fds of a process that hold sockets, by socket inode. */
interface SocketFds {
  readonly fdCount: number;
  /** The lowest fd of each socket. */
  readonly fdByInode: Map<string, number>;
  /** Every fd, ascending, of the sockets that several fds hold. */
  readonly sharedFds: Map<string, number[]>;
  /** Socket fds beyond the first for the same socket (dup, inherited). */
  readonly duplicates: number;
}

const TABLES = [...INET_TABLES, 'unix'] as const;
type NetTableTexts = { readonly protocol: (typeof TABLES)[number]; readonly text: string | undefined }[];

/** Socket inodes of an fd listing: `names` are the fd numbers, `targets` their link targets. */
function socketFdsOf(names: readonly string[], targets: readonly (string | undefined)[]): SocketFds {
  const fdByInode = new Map<string, number>();
  const sharedFds = new Map<string, number[]>();
  let duplicates = 0;
  targets.forEach((target, i) => {
    const inode = target === undefined ? undefined : parseSocketLink(target);
    if (inode === undefined) return;
    const fd = Number(names[i]);
    const prev = fdByInode.get(inode);
    if (prev === undefined) fdByInode.set(inode, fd);
    else {
      duplicates++;
      const list = sharedFds.get(inode);
      if (list) list.push(fd); else sharedFds.set(inode, [prev, fd]);
      if (fd < prev) fdByInode.set(inode, fd);
    }
  });
  for (const list of sharedFds.values()) list.sort((a, b) => a - b);
  return { fdCount: names.length, fdByInode, sharedFds, duplicates };
}

/** TIME_WAIT sockets and ephemeral ports seen in a pass over a namespace's TCP tables. */
class PortTally {
  readonly timeWaitPorts: number[] = [];
  readonly used = new Uint8Array(65536 / 8);
  readonly add = (state: number, port: number): void => {
    if (state === LINUX_TIME_WAIT) this.timeWaitPorts.push(port);
    this.used[port >> 3] = (this.used[port >> 3] as number) | (1 << (port & 7));
  };

  has(port: number): boolean {
    return ((this.used[port >> 3] as number) & (1 << (port & 7))) !== 0;
  }

  /** `ownPorts`: local ports of the process's TCP sockets, its listeners' included. */
  counts(ownPorts: ReadonlySet<number>, range: PortRange): TimeWaitCounts {
    let own = 0;
    for (const p of this.timeWaitPorts) if (ownPorts.has(p)) own++;
    let ephemeralInUse = 0;
    for (let p = range.low; p <= range.high; p++) if (this.has(p)) ephemeralInUse++;
    return { own, netns: this.timeWaitPorts.length, ephemeralInUse, range };
  }
}

const LINUX_TIME_WAIT = 6;

/** Looks the process's socket inodes up in its tables; what cannot be shown becomes notes. */
/**
 * The other /proc/net tables with sockets in them, and how the kernel names their protocol (the fd's
 * system.sockprotoname, which the netlink helper reads).
 */
const OTHER_TABLES: readonly (readonly [string, string, 'inet' | 'last'])[] = [
  ['netlink', 'NETLINK', 'last'], ['packet', 'PACKET', 'last'], ['raw', 'RAW', 'inet'], ['raw6', 'RAWv6', 'inet'],
  ['icmp', 'PING', 'inet'], ['icmp6', 'PINGv6', 'inet'], ['udplite', 'UDP-Lite', 'inet'], ['udplite6', 'UDPLITEv6', 'inet'],
];

/** Counts by kind of the sockets not in the main tables: `tableText` reads one of OTHER_TABLES; what none lists is "unknown". */
function otherKindsOf(unmatched: ReadonlySet<string>, tableText: (name: string) => string | undefined): Record<string, number> {
  const kinds: Record<string, number> = {};
  const left = new Set(unmatched);
  for (const [table, kind, format] of OTHER_TABLES) {
    if (left.size === 0) break;
    const text = tableText(table);
    if (text === undefined) continue;
    for (const inode of tableInodes(text, format)) {
      if (!left.delete(inode)) continue;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  }
  if (left.size > 0) kinds.unknown = left.size;
  return kinds;
}

function matchSockets(tables: NetTableTexts, fds: SocketFds, littleEndian: boolean, ports: PortTally, tableText: (name: string) => string | undefined): { sockets: Socket[]; notes: string[]; socketFds: SocketFdAccount } {
  const { fdByInode, sharedFds } = fds;
  const sockets: Socket[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const { protocol, text } of tables) {
    if (text === undefined) continue;
    const tcp = protocol === 'tcp' || protocol === 'tcp6';
    const t = protocol === 'unix'
      ? parseUnixTable(text, { fdByInode })
      : parseInetTable(text, protocol, { fdByInode, littleEndian, ...(tcp ? { everyLine: ports.add } : {}) });
    if (t.skipped > 0) notes.push(`${plural(t.skipped, 'malformed line')} skipped in net/${protocol}.`);
    for (const s of t.items) {
      if (seen.has(s.inode)) continue;
      seen.add(s.inode);
      const shared = sharedFds.get(s.inode);
      sockets.push(shared ? { ...s, fds: shared } : s);
    }
  }
  // /proc cannot tell the protocol of a socket in no table (only the fd's xattr or sock_diag can).
  const unmatched = new Set<string>();
  if (seen.size < fdByInode.size) for (const inode of fdByInode.keys()) if (!seen.has(inode)) unmatched.add(inode);
  const otherKinds = unmatched.size > 0 ? otherKindsOf(unmatched, tableText) : {};
  notes.push(...countNotes(otherKinds, fds.duplicates));
  sockets.sort(byFd);
  return { sockets, notes, socketFds: { fds: fdByInode.size + fds.duplicates, otherKinds, duplicates: fds.duplicates } };
}

function countNotes(otherKinds: Readonly<Record<string, number>>, duplicates: number): string[] {
  const notes: string[] = [];
  const kinds = Object.entries(otherKinds).sort((a, b) => b[1] - a[1]);
  const total = kinds.reduce((n, [, k]) => n + k, 0);
  if (total > 0) {
    const unknown = otherKinds.unknown ?? 0;
    const named = kinds.filter(([k]) => k !== 'unknown').map(([k, n]) => `${k} ${n}`);
    if (unknown > 0) named.push(`${unknown} in no /proc table (e.g. a reset TCP connection, a socket never bound, a netlink socket; the netlink helper tells which)`);
    notes.push(`${plural(total, 'socket')} of other kinds not listed: ${named.join(', ')}.`);
  }
  if (duplicates > 0) notes.push(`${plural(duplicates, 'more descriptor')} share a socket shown here (dup or inherited).`);
  return notes;
}

/** The owner of a file, or undefined when stat() fails. */
function ownerOf(file: string): number | undefined {
  try {
    return fs.statSync(file).uid;
  } catch {
    return undefined;
  }
}

/** A net table's text; undefined when the file does not exist (e.g. IPv6 disabled, or the process exited). */
function readTableIfPresent(file: string): string | undefined {
  try {
    return readTableSync(file);
  } catch (e) {
    if (isGone(e)) return undefined;
    throw e;
  }
}

/** Local ports of a process's TCP sockets seen so far (a TIME_WAIT socket on one of them is the process's). */
interface OwnPorts {
  readonly startTime: number;
  readonly ports: Set<number>;
}

export class LinuxSocketSource implements SocketSource {
  readonly platform = 'linux';
  private readonly root: string;
  private readonly linkBatch: number;
  private readonly passwdPath: string;
  private readonly littleEndian: boolean;
  private readonly helper: NetlinkHelper | undefined;
  private readonly sessions = new Map<number, HelperSession>();
  private readonly ownPorts = new Map<number, OwnPorts>();

  constructor(options: LinuxSourceOptions) {
    this.root = options.procRoot;
    this.linkBatch = Math.max(1, options.linkBatch ?? 1024);
    this.passwdPath = options.passwdPath ?? '/etc/passwd';
    this.littleEndian = options.littleEndian ?? os.endianness() === 'LE';
    this.helper = options.netlinkHelper === undefined ? undefined : new NetlinkHelper(options.netlinkHelper);
  }

  /** 'netlink' while snapshots go through the helper, else 'proc' (and why, when the helper failed). */
  get reader(): { readonly kind: 'netlink' | 'proc'; readonly reason?: string | undefined } {
    if (!this.helper) return { kind: 'proc' };
    return this.helper.broken === undefined ? { kind: 'netlink' } : { kind: 'proc', reason: this.helper.broken };
  }

  dispose(): void {
    this.helper?.dispose();
    this.sessions.clear();
    this.ownPorts.clear();
  }

  helperCpuMs(): number {
    return this.helper?.cpuMs() ?? 0;
  }

  private dir(pid: number | string, ...rest: string[]): string {
    return path.join(this.root, String(pid), ...rest);
  }

  async snapshot(pid: number): Promise<Snapshot> {
    checkPid(pid);
    try {
      return await this.readSnapshot(pid);
    } catch (e) {
      throw this.toSourceError(e, pid);
    }
  }

  async socketCount(pid: number): Promise<number | undefined> {
    if (!validPid(pid)) return undefined;
    try {
      const fds = await this.readSocketFds(this.readLive(pid).dir);
      return fds.fdByInode.size + fds.duplicates;
    } catch {
      return undefined;
    }
  }

  async listProcesses(): Promise<ProcessSummary[]> {
    const [names, users] = await Promise.all([this.pidNames(), this.userNames()]);
    const found = await mapLimit(names, PROCESS_CONCURRENCY, async (name): Promise<ProcessSummary | undefined> => {
      const [statText, cmdText, owner] = await Promise.all([
        readTextOrUndefined(this.dir(name, 'stat')),
        readTextOrUndefined(this.dir(name, 'cmdline')),
        fs.promises.stat(this.dir(name)).catch(() => undefined),
      ]);
      const stat = statText === undefined ? undefined : parseStat(statText).items[0];
      // Skip vanished processes, zombies (unless only the main thread has exited) and kernel threads
      // (children of kthreadd, pid 2): no sockets to see.
      if (!stat || stat.pid === 2 || stat.ppid === 2) return undefined;
      const zombie = stat.state === 'Z' || stat.state === 'X';
      const task = zombie ? liveTaskDir(this.root, stat.pid) : undefined;
      if (zombie && task === undefined) return undefined;
      const cmd = task === undefined ? cmdText : await readTextOrUndefined(path.join(task, 'cmdline'));
      const args = cmd === undefined ? [] : parseCmdline(cmd).items[0] ?? [];
      return {
        pid: stat.pid,
        name: stat.comm,
        cmdline: args.length > 0 ? formatCmdline(args) : `[${stat.comm}]`,
        user: owner ? users.get(owner.uid) ?? String(owner.uid) : undefined,
      };
    });
    return found.filter((p): p is ProcessSummary => p !== undefined);
  }

  async findPortOwners(port: number): Promise<PortOwner[]> {
    if (!Number.isSafeInteger(port) || port <= 0 || port > 65535) throw new SourceError('BAD_INPUT', `Not a port number: ${String(port)}.`);
    const names = await this.pidNames();
    // Processes sharing a network namespace share its tables: read them once per namespace.
    // Processes we may not inspect (another user's, when not root) are counted: if the port is
    // bound but no visible process holds it, the answer is "someone we cannot see", not "nobody".
    let unreadable = 0;
    const countDenied = (e: unknown): undefined => { if (isDenied(e)) unreadable++; return undefined; };
    // A process whose main thread has exited has no ns/ of its own: its threads' have.
    const nsOf = await mapLimit(names, PROCESS_CONCURRENCY, (name) => fs.promises.readlink(this.dir(name, 'ns', 'net'))
      .catch((e: unknown) => {
        const task = isGone(e) ? liveTaskDir(this.root, Number(name)) : undefined;
        if (task === undefined) throw e;
        return fs.promises.readlink(path.join(task, 'ns', 'net'));
      })
      .catch(countDenied));
    const byNamespace = new Map<string, string[]>();
    names.forEach((name, i) => {
      const ns = nsOf[i];
      if (ns === undefined) return;
      const list = byNamespace.get(ns);
      if (list) list.push(name); else byNamespace.set(ns, [name]);
    });
    const owners: PortOwner[] = [];
    let bound = 0;
    for (const pids of byNamespace.values()) {
      const wanted = await this.boundSockets(pids, port);
      if (wanted.size === 0) continue;
      bound += wanted.size;
      const found = await mapLimit(pids, PROCESS_CONCURRENCY, async (name) => {
        const pid = Number(name);
        const fds = await Promise.resolve().then(() => this.readSocketFds(this.readLive(pid).dir)).catch(countDenied);
        if (!fds) return [];
        const mine = [...fds.fdByInode.keys()].filter((inode) => wanted.has(inode));
        if (mine.length === 0) return [];
        const stat = await readTextOrUndefined(this.dir(name, 'stat'));
        const comm = (stat === undefined ? undefined : parseStat(stat).items[0]?.comm) ?? '?';
        return mine.map((inode): PortOwner => {
          const s = wanted.get(inode) as Socket;
          return { pid, name: comm, protocol: s.protocol as InetProtocol, port, state: s.state };
        });
      });
      owners.push(...found.flat());
    }
    if (owners.length === 0 && bound > 0 && unreadable > 0) {
      throw new SourceError('PERMISSION', `Port ${port} is in use, but by a process SockScope may not inspect: ${permissionHint()}`);
    }
    return owners.sort((a, b) => a.pid - b.pid || a.protocol.localeCompare(b.protocol));
  }

  // ---- snapshot -------------------------------------------------------------------------------

  private async readSnapshot(pid: number): Promise<Snapshot> {
    // The process's files: /proc/<pid>, or a live thread's when the main thread has exited.
    const { stat, dir } = this.readLive(pid);
    const [cmdText, statusText, limitsText] = ['cmdline', 'status', 'limits'].map((f) => {
      try {
        return readSmallProcFile(path.join(dir, f));
      } catch {
        return undefined;
      }
    });
    const args = cmdText === undefined ? [] : parseCmdline(cmdText).items[0] ?? [];
    const info: ProcessInfo = {
      pid,
      name: stat.comm,
      cmdline: formatCmdline(args),
      uid: statusText === undefined ? undefined : parseStatus(statusText).items[0]?.euid,
      fdCount: undefined,
      fdLimit: limitsText === undefined ? undefined : fdLimitFrom(parseLimits(limitsText).items),
      startTime: stat.startTime,
    };
    // The helper reads /proc/<pid> itself: not for a process seen through a thread.
    const viaHelper = dir === this.dir(pid) ? await this.readViaHelper(pid, stat.startTime) : undefined;
    if (viaHelper) {
      const after = this.readLive(pid).stat;
      if (after.startTime !== stat.startTime) throw noSuchProcess(pid);
      const { fdCount, ...rest } = viaHelper;
      return { ...rest, process: { ...info, fdCount } };
    }
    const fdDir = path.join(dir, 'fd');
    let names: string[];
    try {
      names = await fs.promises.readdir(fdDir);
    } catch (e) {
      if (isDenied(e)) {
        const who = info.uid === undefined ? '' : `, uid ${info.uid}`;
        const reason = accessDeniedReason({
          readerUid: process.geteuid?.(), readerGid: process.getegid?.(),
          ...(statusText === undefined ? {} : parseIds(statusText)),
          fdDirOwner: ownerOf(fdDir),
        });
        throw new SourceError('PERMISSION', `No permission to read the descriptors of process ${pid} (${info.name}${who}): ${reason}`, errnoOf(e), info);
      }
      throw e;
    }
    const takenAt = Date.now();
    // Tables first (read synchronously, see readTableSync), then the fd links in slices.
    const tables = this.readTables(dir);
    const fds = socketFdsOf(names, await readLinks(fdDir, names, this.linkBatch));
    const ports = new PortTally();
    const { sockets, notes, socketFds } = matchSockets(tables, fds, this.littleEndian, ports, (name) => this.readTableOrUndefined(pid, name));
    const timeWait = ports.counts(this.ownPortsOf(pid, stat.startTime, sockets), this.portRange());
    // The pid may have exited (or even been reused) while its files were read.
    const after = this.readLive(pid).stat;
    if (after.startTime !== stat.startTime) throw noSuchProcess(pid);
    return { takenAt, process: { ...info, fdCount: fds.fdCount }, sockets, notes, socketFds, timeWait };
  }

  /** Adds the local ports of the process's TCP sockets to the ones seen before; all of them. */
  private ownPortsOf(pid: number, startTime: number, sockets: readonly Socket[]): ReadonlySet<number> {
    let own = this.ownPorts.get(pid);
    if (!own || own.startTime !== startTime) {
      own = { startTime, ports: new Set() };
      this.ownPorts.delete(pid);
      this.ownPorts.set(pid, own);
      for (const old of this.ownPorts.keys()) {
        if (this.ownPorts.size <= HELPER_SESSIONS) break;
        this.ownPorts.delete(old);
      }
    }
    for (const s of sockets) if ((s.protocol === 'tcp' || s.protocol === 'tcp6') && !s.detached && s.local.port > 0) own.ports.add(s.local.port);
    return own.ports;
  }

  private portRange(): PortRange {
    try {
      return parsePortRange(readSmallProcFile(path.join(this.root, 'sys', 'net', 'ipv4', 'ip_local_port_range'))) ?? LINUX_DEFAULT_PORT_RANGE;
    } catch {
      return LINUX_DEFAULT_PORT_RANGE;
    }
  }

  /**
   * The process's sockets through the helper, applied to what it said before; undefined when /proc
   * must be read instead (no helper, it failed, another network namespace, no permission: the /proc
   * path then says what can be said).
   */
  private async readViaHelper(pid: number, startTime: number): Promise<Omit<Snapshot, 'process'> & { fdCount: number } | undefined> {
    const helper = this.helper;
    if (!helper || helper.broken !== undefined) return undefined;
    const known = this.sessions.get(pid);
    const mode = known && known.startTime === startTime ? 'delta' : 'full';
    const takenAt = Date.now();
    let text: string;
    try {
      text = await helper.request(pid, mode);
    } catch {
      this.sessions.clear();
      return undefined;
    }
    // Applied at once, in the order the answers come: requests are serialised by the helper.
    const answer = parseHelperAnswer(text, { littleEndian: this.littleEndian });
    let session = this.sessions.get(pid);
    if (answer?.error) {
      this.sessions.delete(pid);
      if (answer.error.code === 'ENOENT' || answer.error.code === 'ESRCH') throw noSuchProcess(pid);
      if (answer.error.code === 'NETLINK') helper.dispose(); // the kernel will not answer: /proc from now on
      return undefined;
    }
    if (!answer || answer.pid !== pid || (answer.reset && !answer.fds) || (!answer.reset && (!session || session.startTime !== startTime))) {
      this.sessions.delete(pid);
      return undefined;
    }
    if (answer.reset || !session) session = { startTime, fds: answer.fds as HelperFds, rows: new Map(), others: new Map(), sockets: undefined };
    else if (answer.fds) session.fds = answer.fds;
    // Most recently used last, as the helper keeps its sessions: the oldest goes first.
    this.sessions.delete(pid);
    this.sessions.set(pid, session);
    for (const old of this.sessions.keys()) {
      if (this.sessions.size <= HELPER_SESSIONS) break;
      this.sessions.delete(old);
    }
    for (const inode of answer.gone) {
      session.rows.delete(inode);
      session.others.delete(inode);
    }
    // One row per inode, whatever the answer holds.
    for (const s of answer.rows) {
      session.others.delete(s.inode);
      session.rows.set(s.inode, s);
    }
    for (const o of answer.others) {
      session.rows.delete(o.inode);
      session.others.set(o.inode, o);
    }
    const changed = answer.reset || answer.gone.length > 0 || answer.rows.length > 0 || answer.others.length > 0;

    const notes: string[] = [];
    if (answer.skipped > 0) notes.push(`${plural(answer.skipped, 'malformed line')} skipped in the netlink helper's answer.`);
    const otherKinds: Record<string, number> = {};
    for (const o of session.others.values()) otherKinds[o.kind] = (otherKinds[o.kind] ?? 0) + 1;
    const duplicates = session.fds.sockets - session.rows.size - session.others.size;
    notes.push(...countNotes(otherKinds, duplicates));
    // Nothing changed: the same array as last time, which lets the sampler, the history and the
    // views skip their passes over the sockets.
    if (changed || !session.sockets) session.sockets = [...session.rows.values()].sort(byFd);
    return {
      takenAt,
      sockets: session.sockets,
      notes,
      fdCount: session.fds.count,
      socketFds: { fds: session.fds.sockets, otherKinds, duplicates },
      timeWait: answer.timeWait,
    };
  }

  /**
   * The stat of a running process and the directory its files are read from: /proc/<pid>, or a live
   * thread's /proc/<pid>/task/<tid> when the main thread has exited (a zombie leader while the process
   * runs on); NO_SUCH_PROCESS when it is missing or no thread of it lives.
   */
  private readLive(pid: number): { stat: ProcStat; dir: string } {
    const stat = this.readStat(pid);
    if (stat.state !== 'Z' && stat.state !== 'X') return { stat, dir: this.dir(pid) };
    const dir = liveTaskDir(this.root, pid);
    if (dir === undefined) throw noSuchProcess(pid);
    return { stat, dir };
  }

  /** The main thread's stat (its start time is the process's); NO_SUCH_PROCESS when the pid is gone. */
  private readStat(pid: number): ProcStat {
    let text: string;
    try {
      text = readSmallProcFile(this.dir(pid, 'stat'));
    } catch (e) {
      if (isGone(e)) throw noSuchProcess(pid);
      throw e;
    }
    const stat = parseStat(text).items[0];
    if (!stat) throw new SourceError('TOOL_FAILED', `Unexpected format of ${this.dir(pid, 'stat')}.`, text.slice(0, 200));
    return stat;
  }

  /** The socket fds in the fd directory under `dir` (/proc/<pid> or a task of it). */
  private async readSocketFds(dir: string): Promise<SocketFds> {
    const fdDir = path.join(dir, 'fd');
    const names = await fs.promises.readdir(fdDir);
    return socketFdsOf(names, await readLinks(fdDir, names, this.linkBatch));
  }

  /** The process's own net tables (its network namespace's, under `dir`: /proc/<pid> or a task); a missing table reads as undefined. */
  private readTables(dir: string): NetTableTexts {
    return TABLES.map((protocol) => ({ protocol, text: readTableIfPresent(path.join(dir, 'net', protocol)) }));
  }

  /** A net table's text; undefined when the file does not exist (e.g. IPv6 disabled, or the process exited). */
  private readTable(pid: number | string, protocol: string): string | undefined {
    return readTableIfPresent(this.dir(pid, 'net', protocol));
  }

  /** readTable, with any failure (e.g. EACCES) read as no table. */
  private readTableOrUndefined(pid: number | string, protocol: string): string | undefined {
    try {
      return this.readTable(pid, protocol);
    } catch {
      return undefined;
    }
  }

  private toSourceError(e: unknown, pid: number): SourceError {
    if (e instanceof SourceError) return e;
    if (isGone(e)) return noSuchProcess(pid);
    const message = e instanceof Error ? e.message : String(e);
    if (isDenied(e)) return new SourceError('PERMISSION', `No permission to read the sockets of process ${pid}: ${permissionHint()}`, message);
    return new SourceError('TOOL_FAILED', `Could not read the sockets of process ${pid} from ${this.root}: ${message}`, message);
  }

  // ---- helpers for listProcesses / findPortOwners ---------------------------------------------

  private async pidNames(): Promise<string[]> {
    try {
      return (await fs.promises.readdir(this.root)).filter(isNumeric);
    } catch (e) {
      throw new SourceError('TOOL_FAILED', `Cannot read ${this.root}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async userNames(): Promise<Map<number, string>> {
    const text = await readTextOrUndefined(this.passwdPath);
    const users = new Map<number, string>();
    // First entry wins, as getpwuid does.
    for (const u of text === undefined ? [] : parsePasswd(text).items) if (!users.has(u.uid)) users.set(u.uid, u.name);
    return users;
  }

  /**
   * Sockets bound to `port` in the namespace the given processes share: TCP listeners and UDP
   * sockets (connected or not), by inode. Tables are tried from each process in turn until one is readable.
   */
  private async boundSockets(pids: readonly string[], port: number): Promise<Map<string, Socket>> {
    const found = new Map<string, Socket>();
    for (const name of pids) {
      const texts = INET_TABLES.map((p) => this.readTableOrUndefined(name, p));
      if (texts.every((t) => t === undefined)) continue;
      texts.forEach((text, i) => {
        const protocol = INET_TABLES[i] as InetProtocol;
        if (text === undefined) return;
        for (const s of parseInetTable(text, protocol, { littleEndian: this.littleEndian }).items) {
          const tcp = protocol.startsWith('tcp');
          if (s.local.port === port && s.inode !== '0' && (!tcp || s.state === 'LISTEN')) found.set(s.inode, s);
        }
      });
      return found;
    }
    return found;
  }
}
