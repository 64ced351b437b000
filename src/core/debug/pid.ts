// Finds the pid of the debuggee from Debug Adapter Protocol traffic. Pure: the VS Code layer feeds it the
// messages a DebugAdapterTracker sees and the resolved launch configuration.

/** Where a pid came from, most trusted first (see PID_ORIGIN_TRUST). */
export type PidOrigin =
  | 'process-event' // DAP `process` event, body.systemProcessId (debugpy, dlv-dap, …)
  | 'configuration' // resolved launch configuration's processId / pid (attach)
  | 'java-processid-event' // vscode-java-debug's custom `processid` event
  | 'session-name' // js-debug child session named "script.js [12345]"
  | 'lldb-console' // CodeLLDB console output "Launched process 12345"
  | 'run-in-terminal' // runInTerminal response, body.processId
  | 'run-in-terminal-shell'; // runInTerminal/processid shellProcessId: the debuggee is a descendant of it

export const PID_ORIGIN_TRUST: readonly PidOrigin[] = [
  'process-event', 'configuration', 'java-processid-event', 'session-name', 'lldb-console', 'run-in-terminal', 'run-in-terminal-shell',
];

export interface FoundPid {
  readonly pid: number;
  readonly origin: PidOrigin;
  /** The pid is a terminal's shell: walk to the debuggee with findChildPid(). */
  readonly isShell: boolean;
}

export interface PidFinderInit {
  /** The resolved debug configuration (variables substituted). */
  readonly configuration?: Readonly<Record<string, unknown>> | undefined;
  readonly sessionName?: string | undefined;
  /** The debug adapter's type ("lldb" for CodeLLDB); the configuration's `type` when not given. */
  readonly adapterType?: string | undefined;
}

/**
 * Collects pid evidence from one debug session and answers with the most trusted one. Feed it every
 * adapter→client message (`fromAdapter`) and client→adapter message (`toAdapter`); malformed messages
 * are ignored.
 */
export class PidFinder {
  private readonly found = new Map<PidOrigin, FoundPid>();
  private readonly adapterType: string | undefined;

  constructor(init: PidFinderInit = {}) {
    const config = init.configuration;
    this.adapterType = init.adapterType ?? (typeof config?.type === 'string' ? config.type : undefined);
    if (config) {
      const pid = pidFromConfiguration(config);
      if (pid !== undefined) this.add('configuration', pid);
    }
    if (init.sessionName !== undefined) {
      const pid = pidFromSessionName(init.sessionName);
      if (pid !== undefined) this.add('session-name', pid);
    }
  }

  /** The most trusted pid found so far. */
  get best(): FoundPid | undefined {
    for (const origin of PID_ORIGIN_TRUST) {
      const f = this.found.get(origin);
      if (f) return f;
    }
    return undefined;
  }

  /** Every pid found, most trusted first. */
  get all(): FoundPid[] {
    return PID_ORIGIN_TRUST.flatMap((o) => this.found.get(o) ?? []);
  }

  /** An adapter→client message (event, response or reverse request). Returns the best pid if this message changed it. */
  fromAdapter(message: unknown): FoundPid | undefined {
    const before = this.best;
    const m = asRecord(message);
    if (m?.type === 'event') {
      const body = asRecord(m.body);
      if (m.event === 'process' && body && body.isLocalProcess !== false) {
        this.addIf('process-event', toPid(body.systemProcessId));
      } else if (m.event === 'processid' && body) {
        const pid = toPid(body.processId);
        if (pid !== undefined) this.add('java-processid-event', pid);
        else this.addIf('run-in-terminal-shell', toPid(body.shellProcessId));
      } else if (m.event === 'output' && body && typeof body.output === 'string' && this.isLldbConsole(body) && !this.found.has('lldb-console')) {
        // The first such line only: later console output (an lldb command the user typed) does not move the view.
        this.addIf('lldb-console', pidFromLldbOutput(body.output));
      }
    }
    return changed(before, this.best);
  }

  /** A client→adapter message: requests, and responses to reverse requests such as runInTerminal. */
  toAdapter(message: unknown): FoundPid | undefined {
    const before = this.best;
    const m = asRecord(message);
    if (m?.type === 'response' && m.command === 'runInTerminal' && m.success !== false) {
      const body = asRecord(m.body);
      const pid = toPid(body?.processId);
      if (pid !== undefined) this.add('run-in-terminal', pid);
      else this.addIf('run-in-terminal-shell', toPid(body?.shellProcessId));
    }
    return changed(before, this.best);
  }

  /** A session name seen later (js-debug renames child sessions). */
  sessionName(name: string): FoundPid | undefined {
    const before = this.best;
    this.addIf('session-name', pidFromSessionName(name));
    return changed(before, this.best);
  }

  /**
   * CodeLLDB's own messages: output events of an "lldb" session in the console category (or none, which
   * DAP reads as console). The debuggee's output arrives as stdout/stderr and may print anything.
   */
  private isLldbConsole(body: Record<string, unknown>): boolean {
    return this.adapterType === 'lldb' && (body.category === undefined || body.category === 'console');
  }

  private addIf(origin: PidOrigin, pid: number | undefined): void {
    if (pid !== undefined) this.add(origin, pid);
  }

  private add(origin: PidOrigin, pid: number): void {
    this.found.set(origin, { pid, origin, isShell: origin === 'run-in-terminal-shell' });
  }
}

function changed(before: FoundPid | undefined, after: FoundPid | undefined): FoundPid | undefined {
  return after && (after.pid !== before?.pid || after.origin !== before.origin) ? after : undefined;
}

/**
 * `processId` or `pid` of an attach configuration: a number or numeric string; js-debug's "12345:9229"
 * (pid:inspector port) form too. Unsubstituted leftovers such as "${command:pickProcess}" are ignored.
 */
export function pidFromConfiguration(config: Readonly<Record<string, unknown>>): number | undefined {
  for (const key of ['processId', 'pid']) {
    const v = config[key];
    if (typeof v === 'number') {
      const pid = toPid(v);
      if (pid !== undefined) return pid;
    } else if (typeof v === 'string') {
      const m = /^\s*(\d+)(?::\d+)?\s*$/.exec(v);
      const pid = m ? toPid(Number(m[1])) : undefined;
      if (pid !== undefined) return pid;
    }
  }
  return undefined;
}

/** js-debug names the session of each Node process "<script> [<pid>]". */
export function pidFromSessionName(name: string): number | undefined {
  const m = /\[(\d+)\]\s*$/.exec(name);
  return m ? toPid(Number(m[1])) : undefined;
}

/** CodeLLDB's console lines "Launched process 12345 from '/path'" and "Attached to process 12345". */
export function pidFromLldbOutput(output: string): number | undefined {
  const m = /\b(?:Launched|Attached to) process (\d+)\b/.exec(output);
  return m ? toPid(Number(m[1])) : undefined;
}

function toPid(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
