import * as vscode from 'vscode';
import type { ProcessInfo, Snapshot, Socket, StateCounts } from '../core/model';
import { countTcpStates, processLabel } from '../core/model';
import type { SocketSource } from '../core/platform/source';
import { SourceError } from '../core/platform/source';
import type { HeuristicsConfig, LeakWarning, PortRange, SystemFacts, WarningUpdate } from '../core/sampler';
import { analyzeHistory, heuristicsConfig, History, PidusageStats, Sampler, samplingCpuTimeMs, StateAges, WarningTracker } from '../core/sampler';
import type { ComponentLog } from './log';
import type { LiveSite } from '../core/origins/liveOrigins';
import { LiveOrigins } from '../core/origins/liveOrigins';
import type { ProcessOrigins } from '../core/origins/processOrigins';
import { withTopSite, type SitedWarning } from '../core/origins/leakSite';

export type AttachmentStatus =
  | { readonly kind: 'starting' }
  | { readonly kind: 'live' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'exited'; readonly message: string };

/** A snapshot and its TCP sockets per state. */
export interface Sample {
  readonly snapshot: Snapshot;
  readonly states: StateCounts;
}

export interface AttachmentOptions {
  readonly intervalMs: number;
  /** Fraction of one core sampling may use (0.02 = 2 %); 0 = no cap. */
  readonly cpuBudget: number;
  readonly historyLength: number;
  readonly ephemeralPorts: PortRange | undefined;
  /** A CLOSE_WAIT socket idle this long is a leak by itself (sockscope.warnings.closeWaitIdleSeconds). */
  readonly closeWaitIdleSeconds?: number;
  /** Label of what attached (e.g. a debug session name), shown in the view message. */
  readonly origin?: string;
  /** false: do not read socket origins (default: read them on Linux). */
  readonly origins?: boolean;
}

/**
 * One attached process: its sampler, history and warnings live in this disposable scope and stop
 * together on detach, when the process exits, or when the owning view goes away.
 */
export class Attachment implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly sampler: Sampler;
  private readonly tracker = new WarningTracker();
  private readonly facts: SystemFacts;
  private heuristics: HeuristicsConfig;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly warningsChanged = new vscode.EventEmitter<WarningUpdate>();
  readonly history: History;
  /** How long each socket has been in its current state (first seen in it). */
  readonly ages = new StateAges();
  /** Fires after every sample and on status changes. */
  readonly onDidChange = this.changed.event;
  /** Fires when warnings are raised or cleared (not on every sample). */
  readonly onDidChangeWarnings = this.warningsChanged.event;
  /** The latest snapshot and its TCP sockets per state (counted once, for the badge and the status bar), replaced together. */
  private latest: Sample | undefined;
  /** What could still be read when the sockets could not (e.g. another user's process). */
  private partialInfo: ProcessInfo | undefined;
  private state: AttachmentStatus = { kind: 'starting' };
  /** Set while the CPU cap stretches the interval: the interval actually used. */
  private stretchedTo: number | undefined;
  private disposed = false;
  /** Where the sockets were created (Linux: recorded when the process was started with SockScope). */
  private readonly liveOrigins: LiveOrigins | undefined;
  private originsError: string | undefined;

  constructor(source: SocketSource, readonly pid: number, private readonly options: AttachmentOptions, private readonly log: ComponentLog) {
    this.history = new History(options.historyLength);
    this.facts = { ephemeralPorts: options.ephemeralPorts };
    this.heuristics = heuristicsConfig({ closeWaitIdleSeconds: options.closeWaitIdleSeconds });
    // The cap counts SockScope's own CPU time (this process's while it samples, and the helper's), not
    // elapsed time, which other load on the machine stretches; the extension host's other work is not ours.
    this.sampler = new Sampler(source, pid, {
      intervalMs: options.intervalMs, stats: new PidusageStats(),
      ...(options.cpuBudget > 0 ? { cpuBudget: options.cpuBudget, cpuTimeMs: samplingCpuTimeMs(source), cpuScope: 'sample' as const } : {}),
    });
    this.disposables.push(this.changed, this.warningsChanged, this.sampler);
    this.liveOrigins = options.origins === false || process.platform !== 'linux' ? undefined : new LiveOrigins(pid);
    this.sampler.on('sample', (sample) => {
      const { snapshot, stats, nextIntervalMs, stretchedByBudget } = sample;
      // The history's summary already counts the TCP states: no second pass over the sockets.
      this.ages.update(snapshot);
      this.latest = { snapshot, states: this.history.push(snapshot, stats).states };
      this.stretchedTo = stretchedByBudget ? nextIntervalMs : undefined;
      const wasLive = this.state.kind === 'live';
      this.state = { kind: 'live' };
      if (!wasLive) this.log.info(`attached to ${processLabel(snapshot.process)} (pid ${pid}): ${snapshot.sockets.length} sockets`);
      else if (this.log.tracing) {
        const { opened, closed } = sample.diff;
        if (opened.length || closed.length) this.log.trace(`pid ${pid}: +${opened.length} -${closed.length} sockets`);
      }
      const update = this.tracker.update(analyzeHistory(this.history, this.facts, this.heuristics, this.tracker.active));
      this.changed.fire();
      if (update.raised.length || update.cleared.length) this.warningsChanged.fire(update);
      this.updateOrigins(snapshot);
    });
    this.sampler.on('error', (e) => {
      if (e.partial) this.partialInfo = e.partial;
      this.state = { kind: 'error', message: e.message };
      this.log.warn(`pid ${pid}: ${e.message}`);
      this.changed.fire();
    });
    this.sampler.on('exited', (e) => {
      this.state = { kind: 'exited', message: e.reason };
      this.log.info(`pid ${pid}: ${e.reason}`);
      const update = this.tracker.update([]);
      this.changed.fire();
      if (update.cleared.length) this.warningsChanged.fire(update);
    });
    this.sampler.start();
  }

  private setSnapshot(snapshot: Snapshot): void {
    this.ages.update(snapshot);
    this.latest = { snapshot, states: countTcpStates(snapshot.sockets) };
    this.updateOrigins(snapshot);
  }

  /** Reads the recorder's file again when the snapshot has sockets it has not seen; fires a change when attribution changed. */
  private updateOrigins(snapshot: Snapshot): void {
    const live = this.liveOrigins;
    if (!live) return;
    live.update(snapshot.sockets).then((changed) => {
      if (this.originsError !== undefined) { this.originsError = undefined; changed = true; }
      if (changed && !this.disposed) this.changed.fire();
    }, (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      if (message !== this.originsError) this.log.warn(`pid ${this.pid}: socket origins: ${message}`);
      this.originsError = message;
      if (!this.disposed) this.changed.fire();
    });
  }

  /** The socket origins as last read: recorded (with sites), not recorded (with the reason), or undefined (not read yet, or not on Linux). */
  get origins(): ProcessOrigins | undefined {
    if (this.originsError !== undefined) return { recorded: false, reason: `socket origins could not be read: ${this.originsError}` };
    return this.liveOrigins?.origins;
  }

  /** The creation site of a socket of the latest snapshot, when recorded. */
  siteOf(inode: string): LiveSite | undefined {
    return this.liveOrigins?.siteOf(inode);
  }

  /** A socket without a site yet only because the recorder's file was not read since it appeared. */
  originPending(s: Socket): boolean {
    return this.liveOrigins?.pending(s) ?? false;
  }

  /** TCP sockets in CLOSE_WAIT in the latest snapshot. */
  get closeWaitCount(): number {
    return this.latest?.states.CLOSE_WAIT ?? 0;
  }

  get snapshot(): Snapshot | undefined {
    return this.latest?.snapshot;
  }

  /** The latest snapshot with its state counts: one object, so that what is shown of both agrees. */
  get sample(): Sample | undefined {
    return this.latest;
  }

  /** The interval in use when the CPU cap had to stretch it, else undefined. */
  get stretchedIntervalMs(): number | undefined {
    return this.stretchedTo;
  }

  get partial(): ProcessInfo | undefined {
    return this.latest ? undefined : this.partialInfo;
  }

  get status(): AttachmentStatus {
    return this.state;
  }

  /** The active warnings; with recorded origins, those about particular sockets name the site most of them come from. */
  get warnings(): readonly SitedWarning[] {
    return this.liveOrigins ? this.tracker.active.map((w) => this.withOrigin(w)) : this.tracker.active;
  }

  /** The warning worded with the creation site of most of its sockets, when recorded. */
  withOrigin(w: LeakWarning): SitedWarning {
    return withTopSite(w, (inode) => this.siteOf(inode));
  }

  /** The raw active warnings (without origins), for joining with the code. */
  get activeWarnings(): readonly LeakWarning[] {
    return this.tracker.active;
  }

  get origin(): string | undefined {
    return this.options.origin;
  }

  /** The process's short name ("node leaky-server.js") once known, else "pid N". */
  get name(): string {
    const p = this.latest?.snapshot.process ?? this.partialInfo;
    return p ? processLabel(p) : `pid ${this.pid}`;
  }

  /** The process name once known, else "pid N". */
  get title(): string {
    const p = this.latest?.snapshot.process ?? this.partialInfo;
    return p ? `${processLabel(p)} (pid ${p.pid})` : `pid ${this.pid}`;
  }

  setIntervalMs(ms: number): void {
    this.sampler.setIntervalMs(ms);
  }

  /** Applies from the next sample on. */
  setCloseWaitIdleSeconds(seconds: number): void {
    this.heuristics = heuristicsConfig({ closeWaitIdleSeconds: seconds });
  }

  /** Resolves with the next sample (or the error that replaced it); used by Refresh and by tests. */
  async refresh(source: SocketSource): Promise<void> {
    if (this.state.kind === 'exited') return;
    try {
      const snapshot = await source.snapshot(this.pid);
      if (this.disposed) return;
      this.setSnapshot(snapshot);
      this.changed.fire();
    } catch (e) {
      if (e instanceof SourceError && e.code === 'NO_SUCH_PROCESS') {
        this.state = { kind: 'exited', message: e.message };
        this.sampler.dispose();
        this.changed.fire();
        return;
      }
      throw e;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
