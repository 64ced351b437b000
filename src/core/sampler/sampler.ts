import type { Snapshot, SnapshotDiff } from '../model';
import { diffSnapshots } from '../model';
import type { SocketSource } from '../platform/source';
import { SourceError } from '../platform/source';
import type { Clock, TimerHandle } from './clock';
import { realClock } from './clock';
import type { Disposable } from './emitter';
import { Emitter } from './emitter';
import type { ProcessStats, ProcessStatsSample } from './pidStats';

export interface SampleEvent {
  readonly snapshot: Snapshot;
  /** Against the previous sample; the first sample reports every socket as opened. Computed on first read. */
  readonly diff: SnapshotDiff;
  readonly stats: ProcessStatsSample | undefined;
  /** Ticks skipped since the previous sample because a snapshot was still running. */
  readonly skippedTicks: number;
  /** Wall time the snapshot (and stats) took, by the sampler's clock. */
  readonly durationMs: number;
  /** The delay to the next sample: the interval, stretched by the CPU budget or error back-off. */
  readonly nextIntervalMs: number;
  /** The CPU budget made nextIntervalMs longer than the interval asked for. */
  readonly stretchedByBudget: boolean;
}

export interface ExitedEvent {
  readonly pid: number;
  readonly code: 'NO_SUCH_PROCESS' | 'PID_REUSED';
  /** A complete sentence for the user. */
  readonly reason: string;
}

export interface SamplerEvents {
  sample: SampleEvent;
  /** A failed sample; the sampler keeps going, more slowly while errors repeat. */
  error: SourceError;
  /** The process is gone (or its pid was reused); the sampler has stopped. */
  exited: ExitedEvent;
}

export interface SamplerOptions {
  /** Time between samples (default 1000 ms, from 50 ms to 2^31 - 1 ms, the longest timer). */
  readonly intervalMs?: number;
  readonly clock?: Clock;
  /** CPU/memory provider asked next to each snapshot; the sampler disposes it when it stops. */
  readonly stats?: ProcessStats;
  /** After each consecutive failed sample the interval is multiplied by this (default 2)… */
  readonly errorBackoffFactor?: number;
  /** …up to this delay (default 30 s). */
  readonly maxErrorIntervalMs?: number;
  /**
   * Largest share of one core sampling may use, e.g. 0.02 for 2 % (default: no limit). The interval is
   * stretched to (smoothed cost of a sample) / budget: a process with 10,000 sockets whose sample costs
   * ~350 ms is then sampled every ~18 s instead of every second. The first sample (warm-up) is not
   * counted. The cost is CPU time when cpuTimeMs is given, else wall time, which also counts the time
   * spent waiting for a CPU on a busy machine (and then stretches the interval for nothing).
   */
  readonly cpuBudget?: number;
  /**
   * CPU time SockScope has used so far, in ms: this process's (process.cpuUsage()) plus its helper
   * processes' (see samplingCpuTimeMs). When given, the budget counts CPU time instead of wall time.
   */
  readonly cpuTimeMs?: () => number;
  /**
   * Which CPU time counts against the budget (with cpuTimeMs):
   * - 'process' (default): all of it from one sample to the next (snapshot, history, heuristics, output,
   *   and work on libuv's threads). Right where sampling is all the process does, as in `sockscope watch`.
   * - 'sample': only what is spent while a sample is taken and while its listeners run. Right in a
   *   process shared with other work, such as VS Code's extension host, whose other CPU is not ours.
   */
  readonly cpuScope?: 'process' | 'sample';
}

const MIN_INTERVAL_MS = 50;
/** Node's timers take at most 2^31 - 1 ms; a longer delay overflows and fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Polls `source.snapshot(pid)` at a fixed rate. Samples never overlap: a tick that comes while the
 * previous snapshot is still running is skipped (and counted). Stops by itself when the process exits.
 */
export class Sampler {
  private readonly emitter = new Emitter<SamplerEvents>();
  private readonly clock: Clock;
  private baseInterval: number;
  private consecutiveErrors = 0;
  private timer: TimerHandle | undefined;
  private busy = false;
  private skipped = 0;
  private stopped = false;
  private started = false;
  private previous: Snapshot | undefined;
  private firstStartTime: number | undefined;
  /** cpuTimeMs() at the start of the previous sample. */
  private cpuMark: number | undefined;
  /** CPU the listeners of the previous sample took (cpuScope 'sample'): part of the next sample's cost. */
  private listenerCpuMs = 0;
  /** Exponentially smoothed duration of a sample, ms (the first sample is warm-up and not counted). */
  private costMs: number | undefined;
  private attempts = 0;

  constructor(private readonly source: SocketSource, readonly pid: number, private readonly options: SamplerOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.baseInterval = clampInterval(options.intervalMs ?? 1000);
  }

  on<K extends keyof SamplerEvents>(name: K, listener: (value: SamplerEvents[K]) => void): Disposable {
    return this.emitter.on(name, listener);
  }

  /** Takes the first sample now, then one per interval. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.tick();
  }

  get running(): boolean {
    return this.started && !this.stopped;
  }

  get intervalMs(): number {
    return this.baseInterval;
  }

  /** The delay actually used now: the interval, stretched while errors repeat and by the CPU budget. */
  get effectiveIntervalMs(): number {
    return Math.min(MAX_TIMER_MS, Math.max(this.backoffIntervalMs(), this.budgetIntervalMs()));
  }

  /** Smoothed cost of one sample: CPU time with cpuTimeMs, else wall time (undefined before the second). */
  get sampleCostMs(): number | undefined {
    return this.costMs;
  }

  private backoffIntervalMs(): number {
    if (this.consecutiveErrors === 0) return this.baseInterval;
    const factor = this.options.errorBackoffFactor ?? 2;
    const max = Math.max(this.baseInterval, this.options.maxErrorIntervalMs ?? 30_000);
    return Math.min(max, this.baseInterval * factor ** this.consecutiveErrors);
  }

  private budgetIntervalMs(): number {
    const budget = this.options.cpuBudget;
    if (!budget || budget <= 0 || this.costMs === undefined) return 0;
    return Math.round(this.costMs / Math.min(1, budget));
  }

  /** Whether the CPU budget, not the interval asked for (nor an error back-off), sets the delay now. */
  get stretchedByBudget(): boolean {
    const budgeted = this.budgetIntervalMs();
    return budgeted > this.baseInterval && budgeted >= this.backoffIntervalMs();
  }

  private get scopeIsSample(): boolean {
    return this.options.cpuTimeMs !== undefined && this.options.cpuScope === 'sample';
  }

  /** Changes the interval; the next sample is due one new interval from now. */
  setIntervalMs(ms: number): void {
    this.baseInterval = clampInterval(ms);
    if (this.running) this.schedule();
  }

  dispose(): void {
    this.stop();
    this.emitter.clear();
  }

  private stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.options.stats?.dispose();
  }

  private schedule(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.tick(), this.effectiveIntervalMs);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.schedule();
    if (this.busy) {
      this.skipped++;
      return;
    }
    this.busy = true;
    void this.sampleOnce().finally(() => { this.busy = false; });
  }

  private async sampleOnce(): Promise<void> {
    const startedAt = this.clock.now();
    const cpuNow = this.options.cpuTimeMs?.();
    // CPU spent over the whole previous cycle (previous sample start → now), when the process CPU is known.
    const cycleCpuMs = cpuNow !== undefined && this.cpuMark !== undefined ? Math.max(0, cpuNow - this.cpuMark) : undefined;
    this.cpuMark = cpuNow;
    const [result, stats] = await Promise.all([
      this.source.snapshot(this.pid).then((s) => ({ ok: true as const, snapshot: s }), (e: unknown) => ({ ok: false as const, error: toSourceError(e) })),
      this.options.stats ? this.options.stats.sample(this.pid).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    if (this.stopped) return;
    const durationMs = Math.max(0, this.clock.now() - startedAt);
    const before = this.effectiveIntervalMs;
    // The first sample pays for JIT warm-up and one-off lookups: it would stretch the interval for nothing.
    // Per scope: this sample's own CPU (plus the previous sample's listeners), the whole previous cycle's, or wall time.
    const sampleCpuMs = this.scopeIsSample && cpuNow !== undefined ? Math.max(0, (this.options.cpuTimeMs?.() ?? cpuNow) - cpuNow) + this.listenerCpuMs : undefined;
    const cost = this.scopeIsSample ? sampleCpuMs : this.options.cpuTimeMs ? cycleCpuMs : durationMs;
    if (this.attempts++ > (this.options.cpuTimeMs && !this.scopeIsSample ? 1 : 0) && cost !== undefined) {
      this.costMs = this.costMs === undefined ? cost : 0.5 * this.costMs + 0.5 * cost;
    }
    if (!result.ok) {
      this.onError(result.error);
      return;
    }
    const snapshot = result.snapshot;
    const startTime = snapshot.process.startTime;
    if (this.firstStartTime === undefined) this.firstStartTime = startTime;
    else if (startTime !== undefined && startTime !== this.firstStartTime) {
      this.exit('PID_REUSED', `pid ${this.pid} now belongs to another process (${snapshot.process.name || 'unknown'}): the watched process has exited.`);
      return;
    }
    this.consecutiveErrors = 0;
    // Fixed rate while nothing stretches the interval; otherwise the next sample is one (new) interval from now.
    if (this.effectiveIntervalMs !== before || this.effectiveIntervalMs !== this.baseInterval) this.schedule();
    const previous = this.previous ?? { takenAt: snapshot.takenAt, process: snapshot.process, sockets: [], notes: [] };
    this.previous = snapshot;
    const skippedTicks = this.skipped;
    this.skipped = 0;
    // The diff is worked out when a listener reads it: most samples nobody does.
    let diff: SnapshotDiff | undefined;
    const listenersFrom = this.scopeIsSample ? this.options.cpuTimeMs?.() : undefined;
    this.emitter.emit('sample', {
      snapshot, stats, skippedTicks, durationMs, nextIntervalMs: this.effectiveIntervalMs, stretchedByBudget: this.stretchedByBudget,
      get diff() { return (diff ??= diffSnapshots(previous, snapshot)); },
    });
    if (listenersFrom !== undefined) this.listenerCpuMs = Math.max(0, (this.options.cpuTimeMs?.() ?? listenersFrom) - listenersFrom);
  }

  private onError(error: SourceError): void {
    if (error.code === 'NO_SUCH_PROCESS' || error.code === 'PID_REUSED') {
      this.exit(error.code, error.message);
      return;
    }
    this.consecutiveErrors++;
    this.schedule();
    this.emitter.emit('error', error);
  }

  private exit(code: ExitedEvent['code'], reason: string): void {
    this.stop();
    this.emitter.emit('exited', { pid: this.pid, code, reason });
  }
}

function clampInterval(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_TIMER_MS, Math.max(MIN_INTERVAL_MS, Math.round(ms))) : 1000;
}

/** Sources only throw SourceError; anything else is a bug, reported the same way rather than lost. */
function toSourceError(e: unknown): SourceError {
  if (e instanceof SourceError) return e;
  return new SourceError('TOOL_FAILED', `Reading sockets failed: ${e instanceof Error ? e.message : String(e)}`);
}
