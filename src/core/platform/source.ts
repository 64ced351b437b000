import type { ProcessInfo, Snapshot } from '../model';

/** A process as the picker shows it. socketCount is filled in later (it is costly to compute). */
export interface ProcessSummary {
  readonly pid: number;
  readonly name: string;
  readonly cmdline: string;
  readonly user?: string | undefined;
}

export interface PortOwner {
  readonly pid: number;
  readonly name: string;
  readonly protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  readonly port: number;
  readonly state: string;
}

export type SourceErrorCode =
  | 'NO_SUCH_PROCESS' // unknown pid, or it exited
  | 'PERMISSION' // EACCES/EPERM: another user's process
  | 'PID_REUSED' // the pid now names another process than the one attached
  | 'TOOL_MISSING' // lsof/netstat/powershell not found
  | 'TOOL_FAILED'
  | 'UNSUPPORTED'
  | 'BAD_INPUT';

/**
 * The one error type sources throw; `message` is a complete sentence for the user. `partial` carries
 * what could still be read about the process (e.g. name and command line on PERMISSION), for the UI
 * to show next to the message.
 */
export class SourceError extends Error {
  constructor(readonly code: SourceErrorCode, message: string, readonly detail?: string, readonly partial?: ProcessInfo) {
    super(message);
    this.name = 'SourceError';
  }
}

export interface SocketSource {
  readonly platform: string;
  /** Processes this user can inspect (others may be included; snapshot() then says why it cannot read them). */
  listProcesses(): Promise<ProcessSummary[]>;
  /** Number of sockets of a process, cheaper than a snapshot; undefined if it cannot be known. */
  socketCount(pid: number): Promise<number | undefined>;
  /** A full snapshot. Throws SourceError (never anything else) when the process cannot be read at all. */
  snapshot(pid: number): Promise<Snapshot>;
  /** Processes owning a local TCP/UDP port (listening or bound). */
  findPortOwners(port: number): Promise<PortOwner[]>;
  /** Stops helper processes the source started, if any. */
  dispose?(): void;
  /** CPU time (ms) its helper processes have used, to add to the caller's own in CPU budgets. */
  helperCpuMs?(): number;
}

/** The result of every text parser: malformed lines are counted, never thrown. */
export interface ParseResult<T> {
  readonly items: T[];
  readonly skipped: number;
}

/** Runs an external tool with an argument array (never a shell string). Injected so sources can be tested. */
export interface CommandRunner {
  run(file: string, args: readonly string[], options?: { timeoutMs?: number; maxBuffer?: number }): Promise<{ stdout: string; stderr: string; code: number }>;
}
