// Test doubles for the sampler's dependencies: an in-memory SocketSource that plays a script, and a
// builder for synthetic sockets. Used by unit tests (here and in the VS Code layer); not by product code.
import type { ProcessInfo, Snapshot, Socket, TcpState } from '../model';
import type { PortOwner, ProcessSummary, SocketSource } from '../platform/source';
import { SourceError } from '../platform/source';
import type { Clock } from './clock';

/** What the script returns for one call: sockets (and optional process facts), or an error to throw. */
export type ScriptStep = { sockets: readonly Socket[]; process?: Partial<ProcessInfo> } | SourceError;

/**
 * A SocketSource whose snapshots come from a function of the call number and the clock's time.
 * `gate` (when set) makes snapshot() wait until the test calls `release()`, to simulate a slow source.
 */
export class ScriptedSource implements SocketSource {
  readonly platform = 'scripted';
  calls: number[] = [];
  private waiting: (() => void)[] = [];
  gate = false;
  /** Fake time each snapshot takes: the clock is advanced by this much inside snapshot(). */
  costMs = 0;

  constructor(private readonly clock: Clock, private readonly script: (call: number, now: number) => ScriptStep, private readonly pid = 4242) {}

  listProcesses(): Promise<ProcessSummary[]> {
    return Promise.resolve([{ pid: this.pid, name: 'scripted', cmdline: 'scripted' }]);
  }

  socketCount(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  findPortOwners(): Promise<PortOwner[]> {
    return Promise.resolve([]);
  }

  async snapshot(pid: number): Promise<Snapshot> {
    const call = this.calls.length;
    const takenAt = this.clock.now();
    this.calls.push(takenAt);
    if (this.gate) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.costMs > 0 && 'advance' in this.clock && typeof this.clock.advance === 'function') (this.clock.advance as (ms: number) => void)(this.costMs);
    const step = this.script(call, takenAt);
    if (step instanceof SourceError) throw step;
    return {
      takenAt,
      process: { pid, name: 'scripted', cmdline: 'scripted', fdCount: step.sockets.length + 3, fdLimit: { soft: 1024, hard: 4096 }, startTime: 1000, ...step.process },
      sockets: step.sockets,
      notes: [],
    };
  }

  /** Lets every snapshot waiting on the gate finish. */
  release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const resolve of w) resolve();
  }
}

export interface SocketSpec {
  inode: string | number;
  state?: TcpState;
  local?: readonly [string, number];
  remote?: readonly [string, number];
  tx?: number;
  rx?: number;
  fd?: number;
  protocol?: Socket['protocol'];
}

/** A TCP socket (or another protocol) with sensible defaults for what the spec leaves out. */
export function sock(spec: SocketSpec): Socket {
  const [la, lp] = spec.local ?? ['127.0.0.1', 40000 + (Number(spec.inode) % 20000)];
  return {
    protocol: spec.protocol ?? 'tcp',
    state: spec.state ?? 'ESTABLISHED',
    local: { address: la, port: lp },
    remote: spec.remote ? { address: spec.remote[0], port: spec.remote[1] } : spec.state === 'LISTEN' ? undefined : { address: '127.0.0.1', port: 8080 },
    fd: spec.fd,
    inode: String(spec.inode),
    txQueue: spec.tx ?? 0,
    rxQueue: spec.rx ?? 0,
  };
}

/**
 * `source` with every snapshot stamped with `clock`'s time instead of the wall clock: a real process,
 * read for real, on a fake clock that the test moves one sampling interval at a time.
 */
export function onClock(source: SocketSource, clock: Clock): SocketSource {
  return {
    platform: source.platform,
    listProcesses: () => source.listProcesses(),
    socketCount: (pid) => source.socketCount(pid),
    findPortOwners: (port) => source.findPortOwners(port),
    snapshot: async (pid) => {
      const takenAt = clock.now();
      return { ...await source.snapshot(pid), takenAt };
    },
  };
}
