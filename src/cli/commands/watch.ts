// `sockscope watch <pid> [--interval ms] [--json]`: samples a process's sockets until it exits or Ctrl-C,
// one line per sample with counts per TCP state, descriptors against the limit, and leak warnings.

import type { TcpState } from '../../core/model';
import { TCP_STATES, escapeControl } from '../../core/model';
import { parsePid } from '../../core/platform';
import { cliSocketSource } from '../source';
import type { SocketSource, SourceError } from '../../core/platform';
import type { Clock, LeakWarning, ProcessStats, SampleSummary, SystemFacts } from '../../core/sampler';
import { analyzeHistory, heuristicsConfig, History, PidusageStats, readEphemeralPortRange, realClock, Sampler, samplingCpuTimeMs, WarningTracker, formatDuration } from '../../core/sampler';
import type { CliCommand, CliIo } from '../io';
import { EXIT_OK, EXIT_USAGE } from '../io';

const USAGE = 'Usage: sockscope watch <pid> [--interval ms] [--max-cpu percent] [--close-wait-idle seconds] [--json]';
const MIN_INTERVAL = 100;
/** One hour: longer is not watching, and timers overflow past 2^31 - 1 ms (they would fire at once). */
const MAX_INTERVAL = 3_600_000;
/** Default CPU budget: sampling a huge process stretches the interval rather than burning a core. */
const DEFAULT_MAX_CPU_PERCENT = 2;
/** A CLOSE_WAIT socket idle this long is reported as a leak (the kernel's tcp_fin_timeout). */
const DEFAULT_CLOSE_WAIT_IDLE_SECONDS = 60;

/** What the command needs from the outside world; tests replace parts of it. */
export interface WatchDeps {
  readonly source?: SocketSource;
  readonly clock?: Clock;
  readonly stats?: ProcessStats | null;
  readonly facts?: () => Promise<SystemFacts>;
}

export interface WatchSampleJson {
  readonly event: 'sample';
  readonly t: number;
  readonly pid: number;
  readonly sockets: number;
  readonly tcp: number;
  readonly udp: number;
  readonly unix: number;
  readonly states: Partial<Record<TcpState, number>>;
  readonly fd: number | null;
  readonly fdLimit: number | null;
  readonly cpu: number | null;
  readonly memory: number | null;
  /** How long this sample took, and the delay to the next one (the interval, or longer under the CPU budget). */
  readonly durationMs: number;
  readonly nextIntervalMs: number;
  readonly warnings: LeakWarning[];
  /** Ids of warnings that started with this sample / ended with it. */
  readonly raised: string[];
  readonly cleared: string[];
}

interface Options { pid: number; intervalMs: number; maxCpuPercent: number; closeWaitIdleSeconds: number; json: boolean }

/** An integer option value in [min, max] ('--name v' or '--name=v'); returns [value, next index] or an error text. */
function numberOption(args: string[], i: number, name: string, min: number, max: number, what: string): [number, number] | string {
  const a = args[i] as string;
  const inline = a.startsWith(`${name}=`);
  const v = inline ? a.slice(name.length + 1) : args[i + 1];
  const n = v !== undefined && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) return `${name} needs ${what}${v === undefined ? '' : `, got '${v}'`}`;
  return [n, inline ? i : i + 1];
}

function parseArgs(args: string[]): Options | string {
  let json = false;
  let intervalMs = 1000;
  let maxCpuPercent = DEFAULT_MAX_CPU_PERCENT;
  let closeWaitIdleSeconds = DEFAULT_CLOSE_WAIT_IDLE_SECONDS;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--json') json = true;
    else if (a === '--interval' || a.startsWith('--interval=')) {
      const r = numberOption(args, i, '--interval', MIN_INTERVAL, MAX_INTERVAL, `a number of milliseconds from ${MIN_INTERVAL} to ${MAX_INTERVAL}`);
      if (typeof r === 'string') return r;
      [intervalMs, i] = r;
    } else if (a === '--max-cpu' || a.startsWith('--max-cpu=')) {
      const r = numberOption(args, i, '--max-cpu', 0, 100, 'a whole percentage of one core from 0 to 100 (0: no limit)');
      if (typeof r === 'string') return r;
      [maxCpuPercent, i] = r;
    } else if (a === '--close-wait-idle' || a.startsWith('--close-wait-idle=')) {
      const r = numberOption(args, i, '--close-wait-idle', 1, 86_400, 'a number of seconds from 1 to 86400');
      if (typeof r === 'string') return r;
      [closeWaitIdleSeconds, i] = r;
    } else if (a.startsWith('-')) return `unknown option '${a}'`;
    else positional.push(a);
  }
  const [pidText, extra] = positional;
  if (pidText === undefined) return 'missing <pid>';
  if (extra !== undefined) return `unexpected argument '${extra}'`;
  const pid = parsePid(pidText);
  if (pid === undefined) return `'${pidText}' is not a process id`;
  return { pid, intervalMs, maxCpuPercent, closeWaitIdleSeconds, json };
}

/** One line of text for the terminal: line breaks joined, control characters (from process names) escaped. */
const oneLine = (text: string) => escapeControl(text.replace(/\s*\n\s*/g, ' '));

export function createWatchCommand(deps: WatchDeps = {}): CliCommand {
  return async (args, io) => {
    if (args.includes('-h') || args.includes('--help')) {
      io.out(USAGE + '\n');
      return EXIT_OK;
    }
    const opts = parseArgs(args);
    if (typeof opts === 'string') {
      io.err(`sockscope watch: ${opts}. ${USAGE}\n`);
      return EXIT_USAGE;
    }
    const facts = await (deps.facts ?? defaultFacts)();
    const source = deps.source ?? cliSocketSource();
    const stats = deps.stats === null ? undefined : deps.stats ?? new PidusageStats();
    // With the real clock the budget counts the process's own CPU time; a test's fake clock keeps wall time.
    try {
      return await watch(opts, io, source, facts, deps.clock ?? realClock, stats, deps.clock ? undefined : samplingCpuTimeMs(source));
    } finally {
      if (!deps.source) source.dispose?.();
    }
  };
}

async function defaultFacts(): Promise<SystemFacts> {
  return { ephemeralPorts: process.platform === 'linux' ? await readEphemeralPortRange() : undefined };
}

function watch(opts: Options, io: CliIo, source: SocketSource, facts: SystemFacts, clock: Clock, stats: ProcessStats | undefined, cpuTimeMs: (() => number) | undefined): Promise<number> {
  const history = new History();
  const tracker = new WarningTracker();
  const config = heuristicsConfig({ closeWaitIdleSeconds: opts.closeWaitIdleSeconds });
  const sampler = new Sampler(source, opts.pid, { intervalMs: opts.intervalMs, clock, stats, cpuBudget: opts.maxCpuPercent / 100, ...(cpuTimeMs ? { cpuTimeMs } : {}) });
  let sampled = false;
  let stretchedNoted = false;
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      sampler.dispose();
      resolve(code);
    };
    const fail = (message: string) => {
      io.err(`sockscope watch: ${oneLine(message)}\n`);
      finish(EXIT_USAGE);
    };
    sampler.on('sample', ({ snapshot, stats: st, durationMs, nextIntervalMs, stretchedByBudget }) => {
      sampled = true;
      const summary = history.push(snapshot, st);
      const update = tracker.update(analyzeHistory(history, facts, config, tracker.active));
      if (opts.json) {
        io.out(JSON.stringify(sampleJson(opts.pid, summary, durationMs, nextIntervalMs, update.active, update.raised, update.cleared)) + '\n');
        return;
      }
      io.out(sampleLine(summary, update.active) + '\n');
      // Say once why samples come less often than asked (the budget is measured, so it can flicker).
      if (stretchedByBudget && !stretchedNoted && sampler.sampleCostMs !== undefined) {
        stretchedNoted = true;
        const cost = `${cpuTimeMs ? 'uses' : 'takes'} ~${Math.round(sampler.sampleCostMs)} ms${cpuTimeMs ? ' of CPU' : ''}`;
        io.out(`  note: one sample ${cost}; sampling every ~${formatDuration(nextIntervalMs)} to stay under ${opts.maxCpuPercent}% of a core (--max-cpu 0: no limit)\n`);
      }
      for (const w of update.raised) io.out(`  ! ${w.severity}: ${oneLine(w.title)}\n    ${oneLine(w.detail)}\n`);
      for (const w of update.cleared) io.out(`  cleared: ${oneLine(w.title)}\n`);
    });
    sampler.on('error', (e: SourceError) => {
      // Nothing sampled yet: the process cannot be watched at all (e.g. another user's process).
      if (!sampled) return fail(e.message);
      const retry = formatDuration(sampler.effectiveIntervalMs);
      if (opts.json) io.out(JSON.stringify({ event: 'error', code: e.code, message: e.message, retryInMs: sampler.effectiveIntervalMs }) + '\n');
      else io.err(`sockscope watch: ${oneLine(e.message)} (retrying in ${retry})\n`);
    });
    sampler.on('exited', (e) => {
      if (!sampled) return fail(e.reason);
      if (opts.json) io.out(JSON.stringify({ event: 'exited', pid: e.pid, code: e.code, reason: e.reason }) + '\n');
      else io.out(`watch ended: ${oneLine(e.reason)}\n`);
      finish(EXIT_OK);
    });
    void io.interrupted.then(() => finish(EXIT_OK));
    sampler.start();
  });
}

function sampleJson(pid: number, s: SampleSummary, durationMs: number, nextIntervalMs: number, active: LeakWarning[], raised: LeakWarning[], cleared: LeakWarning[]): WatchSampleJson {
  return {
    event: 'sample', t: s.t, pid, sockets: s.total, tcp: s.tcp, udp: s.udp, unix: s.unix, states: s.states,
    fd: s.fdCount ?? null, fdLimit: s.fdLimit ?? null, cpu: s.cpu ?? null, memory: s.memory ?? null,
    durationMs: Math.round(durationMs), nextIntervalMs, warnings: active, raised: raised.map((w) => w.id), cleared: cleared.map((w) => w.id),
  };
}

/** "14:03:07  sockets 42 (tcp 40 udp 1 unix 1)  ESTABLISHED 30 CLOSE_WAIT 10  fd 57/1024  cpu 3.1% rss 41 MB  ! close-wait-growth" */
export function sampleLine(s: SampleSummary, active: readonly LeakWarning[]): string {
  const d = new Date(s.t);
  const time = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const states = TCP_STATES.filter((k) => (s.states[k] ?? 0) > 0).map((k) => `${k} ${s.states[k]}`).join(' ');
  const limit = s.fdLimit === undefined ? '?' : s.fdLimit === null ? 'unlimited' : String(s.fdLimit);
  const parts = [
    time,
    `sockets ${s.total} (tcp ${s.tcp} udp ${s.udp} unix ${s.unix})`,
    states || 'no TCP',
    `fd ${s.fdCount ?? '?'}/${limit}`,
  ];
  if (s.cpu !== undefined && s.memory !== undefined) parts.push(`cpu ${s.cpu.toFixed(1)}% rss ${Math.round(s.memory / (1024 * 1024))} MB`);
  if (active.length > 0) parts.push(`! ${active.map((w) => w.id).join(', ')}`);
  return parts.join('  ');
}

export const watchCommand: CliCommand = createWatchCommand();
