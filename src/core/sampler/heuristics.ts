import { formatDuration, plural } from './format';
import type { HistoryView, SampleSummary, SocketTrack } from './history';
import type { PortRange } from './portRange';
import { LINUX_DEFAULT_PORT_RANGE, portRangeSize } from './portRange';

export type WarningKind = 'close-wait-growth' | 'fd-exhaustion' | 'time-wait-pressure' | 'self-connect' | 'recv-queue-stuck';
export type WarningSeverity = 'info' | 'warning' | 'critical';

export interface LeakWarning {
  /** Stable per kind, so the UI can tell a continuing episode from a new one. */
  readonly id: WarningKind;
  readonly severity: WarningSeverity;
  readonly title: string;
  /** Plain words: what it means and what to look for in the code. */
  readonly detail: string;
  /** Time (ms) the condition started, as far as the history shows. */
  readonly since: number;
  /** Inodes of the sockets involved, when the warning is about particular sockets. */
  readonly sockets?: readonly string[];
}

/** Facts about the machine that some checks compare against. */
export interface SystemFacts {
  /** net.ipv4.ip_local_port_range; Linux's default is assumed when absent. */
  readonly ephemeralPorts?: PortRange | undefined;
}

export interface HeuristicsConfig {
  readonly closeWait: {
    /** A CLOSE_WAIT socket counts as idle after this long with unchanged queues (default 10 s)… */
    readonly idleMs: number;
    /** …seen in at least this many samples (default 3). */
    readonly minIdleSamples: number;
    /** Warn when at least this many idle CLOSE_WAIT sockets (default 3)… */
    readonly minIdleSockets: number;
    /** …and the CLOSE_WAIT count rose by at least this much above its minimum in the history (default 3). */
    readonly minGrowth: number;
    /** Warn regardless of growth at this many idle CLOSE_WAIT sockets (default 50). */
    readonly largeIdleCount: number;
    /**
     * A CLOSE_WAIT socket idle this long is a leak by itself, growth or not, and the warning stands as
     * long as one is held (default 60 s: the kernel's tcp_fin_timeout, after which even the other side
     * of a closed connection is gone; setting sockscope.warnings.closeWaitIdleSeconds).
     */
    readonly leakIdleMs: number;
  };
  readonly fdExhaustion: {
    /** Fit the descriptor count over this recent window (default 120 s)… */
    readonly windowMs: number;
    /**
     * …needing this many samples (default 5) spanning at least minSpanMs (default 30 s): growth that
     * lasts, since a pool filling up in a burst grows fast for a few seconds and then stops.
     */
    readonly minSamples: number;
    readonly minSpanMs: number;
    /** Net growth over the window, in descriptors (default 5). */
    readonly minGrowth: number;
    /** Coefficient of determination of the linear fit: how steady the growth must be (default 0.8). */
    readonly minR2: number;
    /**
     * The count must have risen in each of this many equal parts of the window (default 4): growth that
     * goes on, not a step in the past (a connection pool that filled up and stays full is no leak).
     */
    readonly segments: number;
    /** Warn when the limit would be reached within this time (default 1 h)… */
    readonly horizonMs: number;
    /** …critical within this time (default 5 min). */
    readonly criticalMs: number;
  };
  readonly timeWait: {
    /** Warn when TIME_WAIT sockets reach this fraction of the ephemeral port range (default 0.2)… */
    readonly ratio: number;
    /** …and keep warning until they fall below ratio × releaseFactor (default 0.8), so a count hovering near the threshold raises one episode. */
    readonly releaseFactor: number;
  };
  readonly recvQueue: {
    /** A receive queue that stays non-empty this long (default 10 s)… */
    readonly minMs: number;
    /** …over at least this many samples (default 3). */
    readonly minSamples: number;
  };
}

export const DEFAULT_HEURISTICS: HeuristicsConfig = {
  closeWait: { idleMs: 10_000, minIdleSamples: 3, minIdleSockets: 3, minGrowth: 3, largeIdleCount: 50, leakIdleMs: 60_000 },
  fdExhaustion: { windowMs: 120_000, minSamples: 5, minSpanMs: 30_000, minGrowth: 5, minR2: 0.8, segments: 4, horizonMs: 3_600_000, criticalMs: 300_000 },
  timeWait: { ratio: 0.2, releaseFactor: 0.8 },
  recvQueue: { minMs: 10_000, minSamples: 3 },
};

/** The default configuration with the settings users can change. */
export function heuristicsConfig(options: { readonly closeWaitIdleSeconds?: number | undefined } = {}): HeuristicsConfig {
  const seconds = options.closeWaitIdleSeconds;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return DEFAULT_HEURISTICS;
  return { ...DEFAULT_HEURISTICS, closeWait: { ...DEFAULT_HEURISTICS.closeWait, leakIdleMs: seconds * 1000 } };
}

/**
 * Runs every check over the history; warnings come most severe first. `active` are the warnings that
 * stood after the previous sample (WarningTracker.active): a leak warning holds while its cause does.
 */
export function analyzeHistory(history: HistoryView, facts: SystemFacts = {}, config: HeuristicsConfig = DEFAULT_HEURISTICS, active: readonly LeakWarning[] = []): LeakWarning[] {
  const latest = history.samples[history.samples.length - 1];
  if (!latest) return [];
  const tracks = [...history.sockets.values()];
  const found = [
    checkCloseWait(history.samples, tracks, latest, config.closeWait, active.some((w) => w.id === 'close-wait-growth')),
    checkFdExhaustion(history.samples, latest, config.fdExhaustion),
    checkTimeWait(history.samples, facts.ephemeralPorts ?? LINUX_DEFAULT_PORT_RANGE, config.timeWait),
    checkSelfConnect(tracks),
    checkRecvQueue(tracks, latest, config.recvQueue),
  ].filter((w): w is LeakWarning => w !== undefined);
  const rank: Record<WarningSeverity, number> = { critical: 0, warning: 1, info: 2 };
  return found.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

export function checkCloseWait(samples: readonly SampleSummary[], tracks: readonly SocketTrack[], latest: SampleSummary, c: HeuristicsConfig['closeWait'], wasActive = false): LeakWarning | undefined {
  // A leak threshold below the idle time (a short closeWaitIdleSeconds) counts as idle sooner.
  const idleMs = Math.min(c.idleMs, c.leakIdleMs);
  const idle = tracks.filter((s) => s.idleSince !== undefined && latest.t - s.idleSince >= idleMs && s.idleSamples >= c.minIdleSamples);
  const counts = samples.map((s) => s.states.CLOSE_WAIT ?? 0);
  const now = counts[counts.length - 1] ?? 0;
  const low = minOf(counts);
  const growing = now - low >= c.minGrowth;
  const oldest = latest.t - minOf(idle.map((s) => s.idleSince ?? latest.t));
  // Idle past the threshold is the leak itself: no growth needed. And a warning that stands holds while
  // the idle sockets do: growth is only seen while the low count is still in the history.
  const stale = oldest >= c.leakIdleMs;
  const holds = wasActive && idle.length >= c.minIdleSockets;
  if (!(idle.length >= c.minIdleSockets && growing) && idle.length < c.largeIdleCount && !stale && !holds) return undefined;
  const since = minOf(idle.map((s) => s.trackedSince));
  const staleCount = stale ? idle.filter((s) => latest.t - (s.idleSince ?? latest.t) >= c.leakIdleMs).length : 0;
  return {
    id: 'close-wait-growth',
    severity: idle.length >= c.largeIdleCount ? 'critical' : 'warning',
    // The growth is of every CLOSE_WAIT socket, the idle ones a part of them: "88 idle …, up from 89 to 95"
    // would read as 88 having grown from 89.
    title: `${plural(idle.length, 'idle CLOSE_WAIT socket')}${growing ? ` (CLOSE_WAIT total up from ${low} to ${now})` : `, the oldest for ${formatDuration(oldest)}`}`,
    detail: `The peer closed these connections, but this process never called close() on them: ${plural(idle.length, 'socket')} `
      + `sat in CLOSE_WAIT with no data moving (the oldest for ${formatDuration(oldest)}`
      + `${staleCount > 0 ? `; ${staleCount} for longer than ${formatDuration(c.leakIdleMs)}, which no working connection does` : ''}). `
      + 'The kernel never times CLOSE_WAIT out, '
      + 'so each one keeps a descriptor until the process exits or runs out of descriptors. Look for a path that leaves without '
      + 'close(): an early return on an error after connect(), write() or recv(), or a read that returned 0 (end of stream) and was not followed by close(). '
      + '(A half-closed connection that is still sending is legal: with the netlink helper its byte counters show it, and it is not counted here.)',
    since,
    sockets: idle.map((s) => s.inode),
  };
}

export function checkFdExhaustion(samples: readonly SampleSummary[], latest: SampleSummary, c: HeuristicsConfig['fdExhaustion']): LeakWarning | undefined {
  const limit = latest.fdLimit;
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0) return undefined;
  const points = samples.filter((s) => s.fdCount !== undefined && latest.t - s.t <= c.windowMs).map((s) => ({ x: s.t, y: s.fdCount as number }));
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last || points.length < c.minSamples || last.x - first.x < c.minSpanMs) return undefined;
  if (last.y - first.y < c.minGrowth || !risesThroughout(points, c.segments)) return undefined;
  const fit = linearFit(points);
  if (fit.slope <= 0 || fit.r2 < c.minR2) return undefined;
  const remaining = limit - last.y;
  const eta = remaining / fit.slope;
  if (eta > c.horizonMs) return undefined;
  const perMinute = fit.slope * 60_000;
  const rate = perMinute >= 10 ? Math.round(perMinute) : Math.round(perMinute * 10) / 10;
  const when = remaining <= 0 ? 'has been reached' : `is reached in ~${formatDuration(eta)}`;
  return {
    id: 'fd-exhaustion',
    severity: eta <= c.criticalMs ? 'critical' : 'warning',
    title: remaining <= 0 ? `Descriptor limit (${limit}) reached` : `Descriptor limit (${limit}) reached in ~${formatDuration(eta)} at this rate`,
    detail: `Open descriptors grew from ${first.y} to ${last.y} over the last ${formatDuration(last.x - first.x)} (about ${rate} per minute). `
      + `At this rate the ${limit}-descriptor limit ${when}; then socket(), accept() and open() fail with EMFILE ("Too many open files"). `
      + 'Look for sockets, files or pipes opened on a path that never closes them.',
    since: first.x,
  };
}

/**
 * TIME_WAIT sockets have no descriptor: the ones counted are those on the process's own ports (its
 * listeners and the local ports it was seen using) and, as a second signal, the ephemeral ports taken
 * in its network namespace. Without those counts (other platforms) the TIME_WAIT sockets of the
 * snapshot are used.
 */
export function checkTimeWait(samples: readonly SampleSummary[], range: PortRange, c: HeuristicsConfig['timeWait']): LeakWarning | undefined {
  const size = portRangeSize(range);
  const threshold = c.ratio * size;
  const release = threshold * c.releaseFactor;
  const own = (s: SampleSummary): number => s.timeWait?.own ?? s.states.TIME_WAIT ?? 0;
  const ports = (s: SampleSummary): number => s.timeWait?.ephemeralInUse ?? 0;
  // Hysteresis without state: walk back over the current run above the release level; warn if it reached the threshold.
  let peak = 0;
  let start: number | undefined;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i] as SampleSummary;
    const n = Math.max(own(s), ports(s));
    if (n < release) break;
    peak = Math.max(peak, n);
    start = s.t;
  }
  const latest = samples[samples.length - 1];
  if (start === undefined || peak < threshold || !latest) return undefined;
  const now = own(latest);
  const inUse = ports(latest);
  const ownShare = Math.round((now / size) * 100);
  const portShare = Math.round((inUse / size) * 100);
  const mine = now >= release;
  return {
    id: 'time-wait-pressure',
    severity: Math.max(now, inUse) >= size * 0.8 ? 'critical' : 'warning',
    title: mine ? `${now} sockets in TIME_WAIT: ${ownShare}% of the ephemeral ports` : `${portShare}% of the ephemeral ports in use (${plural(latest.timeWait?.netns ?? 0, 'socket')} in TIME_WAIT)`,
    detail: (mine
      ? `${plural(now, 'connection')} of this process (on its listening ports or local ports it used) were closed and wait in TIME_WAIT, out of ${size} ephemeral ports (${range.low}–${range.high}). `
      : `${inUse} of the ${size} ephemeral ports (${range.low}–${range.high}) of this network namespace are taken, ${plural(latest.timeWait?.netns ?? 0, 'socket')} in TIME_WAIT among them; connections this process closed after they were seen are not told apart. `)
      + 'Each recently closed connection keeps its port for about a minute; when the range runs out, connect() fails with '
      + 'EADDRNOTAVAIL. Look for a connection opened per request: reuse connections (keep-alive, a pool) instead.',
    since: start,
  };
}

export function checkSelfConnect(tracks: readonly SocketTrack[]): LeakWarning | undefined {
  const self = tracks.filter((s) => s.selfConnected);
  if (self.length === 0) return undefined;
  return {
    id: 'self-connect',
    severity: 'warning',
    title: `${plural(self.length, 'TCP socket')} connected to ${self.length === 1 ? 'itself' : 'themselves'}`,
    detail: `${self.map((s) => s.label).slice(0, 3).join('; ')}: local and remote address are the same. This happens when a program `
      + 'connects to a local port in the ephemeral range while nothing listens there: the kernel may pick that very port as the source '
      + 'and the connection "succeeds" against itself. Look for a connect() retry loop to localhost, and use a port outside the ephemeral range.',
    since: minOf(self.map((s) => s.trackedSince)),
    sockets: self.map((s) => s.inode),
  };
}

export function checkRecvQueue(tracks: readonly SocketTrack[], latest: SampleSummary, c: HeuristicsConfig['recvQueue']): LeakWarning | undefined {
  const stuck = tracks.filter((s) => s.rxBusySince !== undefined && latest.t - s.rxBusySince >= c.minMs && s.rxBusySamples >= c.minSamples);
  if (stuck.length === 0) return undefined;
  const since = minOf(stuck.map((s) => s.rxBusySince ?? latest.t));
  const largest = maxOf(stuck.map((s) => s.rxQueue));
  const listeners = stuck.filter((s) => s.state === 'LISTEN').length;
  return {
    id: 'recv-queue-stuck',
    severity: 'warning',
    title: `${plural(stuck.length, 'socket')} with unread data for ${formatDuration(latest.t - since)}`,
    detail: `The receive queue of ${plural(stuck.length, 'socket')} has not been empty for ${formatDuration(latest.t - since)} (largest: ${largest}). `
      + 'The process is not reading them: look for a blocked or dead reader thread, an event that is ignored, or a socket that was forgotten.'
      + (listeners > 0 ? ` For ${plural(listeners, 'listening socket')} the queue holds connections waiting for accept().` : ''),
    since,
    sockets: stuck.map((s) => s.inode),
  };
}

/**
 * Whether y rose in each of `segments` equal time slices of the points (the last value at or before each
 * slice's end above the one before): sustained growth, as opposed to a step that is over.
 */
export function risesThroughout(points: readonly { x: number; y: number }[], segments: number): boolean {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return false;
  const n = Math.max(1, Math.floor(segments));
  const step = (last.x - first.x) / n;
  let previous = first.y;
  let i = 0;
  for (let k = 1; k <= n; k++) {
    const end = k === n ? last.x : first.x + k * step;
    while (i + 1 < points.length && (points[i + 1] as { x: number }).x <= end) i++;
    const y = (points[i] as { y: number }).y;
    if (y <= previous) return false;
    previous = y;
  }
  return true;
}

/** Least-squares line y = a + slope·x and its R² (1 for a perfect line; 0 when y does not vary). */
export function linearFit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number; r2: number } {
  const n = points.length;
  if (n < 2) return { slope: 0, intercept: points[0]?.y ?? 0, r2: 0 };
  let sx = 0, sy = 0;
  for (const p of points) { sx += p.x; sy += p.y; }
  const mx = sx / n, my = sy / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (const p of points) {
    const dx = p.x - mx, dy = p.y - my;
    sxx += dx * dx; sxy += dx * dy; syy += dy * dy;
  }
  if (sxx === 0) return { slope: 0, intercept: my, r2: 0 };
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}

/** Smallest value (Infinity for none); a loop, since spreading 100,000 sockets into Math.min overflows the stack. */
function minOf(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}

function maxOf(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}
