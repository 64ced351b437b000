import type { Snapshot, Socket, StateCounts, TcpState } from '../model';
import { bytesRead, bytesWritten, formatEndpoint, isTcp, isUdp, socketKey, unreadBytes } from '../model';
import type { ProcessStatsSample } from './pidStats';
import { RingBuffer } from './ring';

/** What one sample keeps: counts only, so a long history stays small. */
export interface SampleSummary {
  readonly t: number;
  /** TCP sockets per state. */
  readonly states: StateCounts;
  readonly tcp: number;
  readonly udp: number;
  readonly unix: number;
  readonly total: number;
  readonly fdCount: number | undefined;
  /** Soft descriptor limit: null = unlimited, undefined = unknown. */
  readonly fdLimit: number | null | undefined;
  readonly cpu: number | undefined;
  readonly memory: number | undefined;
  /** TIME_WAIT sockets of the process's connections and of its network namespace, and ephemeral ports in use (Linux). */
  readonly timeWait?: { readonly own: number; readonly netns: number; readonly ephemeralInUse: number } | undefined;
}

/**
 * Per-socket facts the heuristics need, carried from sample to sample. Only sockets of the latest
 * sample that are in CLOSE_WAIT, have a non-empty receive queue or are connected to themselves are kept.
 */
export interface SocketTrack {
  readonly key: string;
  readonly inode: string;
  /** e.g. "fd 7 tcp 127.0.0.1:40312 → 127.0.0.1:8080" */
  readonly label: string;
  /** First sample in which this socket was tracked (continuously since). */
  readonly trackedSince: number;
  readonly state: TcpState;
  readonly txQueue: number;
  readonly rxQueue: number;
  /** Bytes written and read so far (tcp_info; undefined without it). */
  readonly written: number | undefined;
  readonly read: number | undefined;
  /**
   * First sample of the current run in CLOSE_WAIT with nothing moving: the same queues and, where the
   * kernel's progress counters are known, nothing written or read (undefined: not in CLOSE_WAIT).
   */
  readonly idleSince: number | undefined;
  readonly idleSamples: number;
  /**
   * First sample of the current run with unread data (the FIN of a closed peer is not data) and no
   * sign of reading: nothing read by the counters, or, without them, a receive queue that never shrank
   * (undefined: no unread data now).
   */
  readonly rxBusySince: number | undefined;
  readonly rxBusySamples: number;
  readonly selfConnected: boolean;
}

/** The read-only view heuristics work on. */
export interface HistoryView {
  /** Oldest first. */
  readonly samples: readonly SampleSummary[];
  /** Tracked sockets of the latest sample, by socketKey. */
  readonly sockets: ReadonlyMap<string, SocketTrack>;
}

/** Time series for the chart webview (JSON-serializable; null marks an unknown value). */
export interface HistorySeries {
  readonly t: number[];
  /** Every TCP state seen in the window, zero-filled. */
  readonly states: Partial<Record<TcpState, number[]>>;
  readonly udp: number[];
  readonly unix: number[];
  readonly total: number[];
  readonly fd: (number | null)[];
  /** Latest soft limit; null when unlimited or unknown. */
  readonly fdLimit: number | null;
  readonly cpu: (number | null)[];
  readonly memory: (number | null)[];
}

export const DEFAULT_HISTORY_CAPACITY = 600;

/** A bounded history of samples plus the per-socket runs the leak heuristics need. */
export class History implements HistoryView {
  private readonly ring: RingBuffer<SampleSummary>;
  private tracks = new Map<string, SocketTrack>();
  private cachedSamples: SampleSummary[] | undefined;
  /** What the latest socket array held, computed once per distinct array. */
  private scanned: SocketScan | undefined;

  constructor(capacity = DEFAULT_HISTORY_CAPACITY) {
    this.ring = new RingBuffer(capacity);
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  get length(): number {
    return this.ring.length;
  }

  get samples(): readonly SampleSummary[] {
    return (this.cachedSamples ??= this.ring.toArray());
  }

  get sockets(): ReadonlyMap<string, SocketTrack> {
    return this.tracks;
  }

  get latest(): SampleSummary | undefined {
    return this.ring.at(-1);
  }

  push(snapshot: Snapshot, stats?: ProcessStatsSample): SampleSummary {
    // One pass over the sockets, and none when the source handed out the same array as last time
    // (snapshots never mutate theirs): a steady process with 10,000 sockets then costs nothing here.
    const same = snapshot.sockets === this.scanned?.sockets;
    if (!same) this.scanned = scanSockets(snapshot.sockets);
    const scanned = this.scanned as SocketScan;
    const summary = summarize(snapshot, scanned, stats);
    this.ring.push(summary);
    this.cachedSamples = undefined;
    if (same) extendRuns(this.tracks);
    else this.tracks = updateTracks(this.tracks, scanned.tracked, summary.t);
    return summary;
  }

  clear(): void {
    this.ring.clear();
    this.tracks = new Map();
    this.cachedSamples = undefined;
    this.scanned = undefined;
  }

  toSeries(): HistorySeries {
    const samples = this.samples;
    const seen = new Set<TcpState>();
    for (const s of samples) for (const k of Object.keys(s.states) as TcpState[]) seen.add(k);
    const states: Partial<Record<TcpState, number[]>> = {};
    for (const state of seen) states[state] = samples.map((s) => s.states[state] ?? 0);
    const last = samples[samples.length - 1];
    return {
      t: samples.map((s) => s.t),
      states,
      udp: samples.map((s) => s.udp),
      unix: samples.map((s) => s.unix),
      total: samples.map((s) => s.total),
      fd: samples.map((s) => s.fdCount ?? null),
      fdLimit: last?.fdLimit ?? null,
      cpu: samples.map((s) => s.cpu ?? null),
      memory: samples.map((s) => s.memory ?? null),
    };
  }
}

/** Counts of one socket array, and the sockets the heuristics follow (see SocketTrack). */
interface SocketScan {
  readonly sockets: readonly Socket[];
  readonly states: StateCounts;
  readonly tcp: number;
  readonly udp: number;
  readonly unix: number;
  readonly tracked: readonly Socket[];
}

function scanSockets(sockets: readonly Socket[]): SocketScan {
  let tcp = 0;
  let udp = 0;
  let unix = 0;
  const states: StateCounts = {};
  const tracked: Socket[] = [];
  for (const s of sockets) {
    if (isTcp(s)) {
      tcp++;
      states[s.state] = (states[s.state] ?? 0) + 1;
    } else if (isUdp(s)) udp++;
    else unix++;
    if ((s.state === 'CLOSE_WAIT' && isTcp(s)) || unreadBytes(s) > 0 || isSelfConnected(s)) tracked.push(s);
  }
  return { sockets, states, tcp, udp, unix, tracked };
}

function summarize(snapshot: Snapshot, scan: SocketScan, stats: ProcessStatsSample | undefined): SampleSummary {
  return {
    t: snapshot.takenAt,
    states: { ...scan.states },
    tcp: scan.tcp, udp: scan.udp, unix: scan.unix, total: snapshot.sockets.length,
    fdCount: snapshot.process.fdCount,
    fdLimit: snapshot.process.fdLimit ? snapshot.process.fdLimit.soft : undefined,
    cpu: stats?.cpu,
    memory: stats?.memory,
    ...(snapshot.timeWait ? { timeWait: { own: snapshot.timeWait.own, netns: snapshot.timeWait.netns, ephemeralInUse: snapshot.timeWait.ephemeralInUse } } : {}),
  };
}

export function isSelfConnected(s: Socket): boolean {
  return isTcp(s) && s.remote !== undefined && s.local.port !== 0
    && s.local.port === s.remote.port && s.local.address === s.remote.address;
}

type MutableTrack = { -readonly [K in keyof SocketTrack]: SocketTrack[K] };

/**
 * Carries the runs forward over the sockets worth tracking (CLOSE_WAIT, rx queue, self-connected). Track objects are updated in place (a process may hold 10,000+ CLOSE_WAIT
 * sockets: one allocation per socket per sample adds up); sockets absent from this sample are dropped.
 */
function updateTracks(previous: ReadonlyMap<string, SocketTrack>, tracked: readonly Socket[], t: number): Map<string, SocketTrack> {
  const next = new Map<string, SocketTrack>();
  for (const s of tracked) {
    const closeWait = s.state === 'CLOSE_WAIT' && isTcp(s);
    const selfConnected = isSelfConnected(s);
    const unread = unreadBytes(s) > 0;
    const written = bytesWritten(s);
    const read = bytesRead(s);
    const key = socketKey(s);
    const prev = previous.get(key) as MutableTrack | undefined;
    if (!prev) {
      next.set(key, {
        key, inode: s.inode, label: socketLabel(s), trackedSince: t, state: s.state, txQueue: s.txQueue, rxQueue: s.rxQueue,
        written, read,
        idleSince: closeWait ? t : undefined, idleSamples: closeWait ? 1 : 0,
        rxBusySince: unread ? t : undefined, rxBusySamples: unread ? 1 : 0,
        selfConnected,
      });
      continue;
    }
    // The kernel's counters tell a half-closed connection that keeps sending, and a slow reader that
    // keeps reading; without them (the /proc reader) a receive queue that shrank is a read.
    const moved = written !== prev.written || read !== prev.read;
    const readSome = read !== undefined ? read !== prev.read : s.rxQueue < prev.rxQueue;
    const sameIdleRun = closeWait && prev.idleSince !== undefined && prev.txQueue === s.txQueue && prev.rxQueue === s.rxQueue && !moved;
    const sameRxRun = unread && prev.rxBusySince !== undefined && !readSome;
    prev.idleSince = closeWait ? (sameIdleRun ? prev.idleSince : t) : undefined;
    prev.idleSamples = closeWait ? (sameIdleRun ? prev.idleSamples + 1 : 1) : 0;
    prev.rxBusySince = unread ? (sameRxRun ? prev.rxBusySince : t) : undefined;
    prev.rxBusySamples = unread ? (sameRxRun ? prev.rxBusySamples + 1 : 1) : 0;
    prev.state = s.state;
    prev.txQueue = s.txQueue;
    prev.rxQueue = s.rxQueue;
    prev.written = written;
    prev.read = read;
    prev.selfConnected = selfConnected;
    next.set(key, prev);
  }
  return next;
}

/** updateTracks over the very same sockets: every run goes on one more sample, nothing else moves. */
function extendRuns(tracks: ReadonlyMap<string, SocketTrack>): void {
  for (const t of tracks.values() as Iterable<MutableTrack>) {
    if (t.idleSince !== undefined) t.idleSamples++;
    if (t.rxBusySince !== undefined) t.rxBusySamples++;
  }
}

function socketLabel(s: Socket): string {
  const fd = s.fd !== undefined ? `fd ${s.fd} ` : '';
  const remote = s.remote ? ` → ${formatEndpoint(s.remote, s.protocol)}` : '';
  return `${fd}${s.protocol} ${formatEndpoint(s.local, s.protocol)}${remote}`;
}
