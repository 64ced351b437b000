// The I/O side of the sockscope-netlink helper: one long-lived child process, one request in
// flight at a time, the answer read up to its `end` line. Any failure (missing or foreign binary,
// crash, timeout, garbage) marks the helper broken for good, and the Linux source reads /proc.

import type { ChildProcess } from 'child_process';
import { spawn } from 'child_process';
import { statFields } from './procFiles';
import { readSmallProcFile } from './procIo';

export class HelperUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelperUnavailable';
  }
}

interface Pending {
  readonly resolve: (text: string) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const unref = (stream: unknown): void => (stream as { unref?: () => void } | null)?.unref?.();

export class NetlinkHelper {
  private child: ChildProcess | undefined;
  private brokenBecause: string | undefined;
  private pending: Pending | undefined;
  private buffer = '';
  private queue: Promise<unknown> = Promise.resolve();
  private lastCpuMs = 0;

  constructor(private readonly file: string, private readonly timeoutMs = 10_000) {}

  /** Why the helper is not used any more; undefined while it is usable. */
  get broken(): string | undefined {
    return this.brokenBecause;
  }

  /** The raw answer text for one request (see native/sockscope-netlink.c). Rejects HelperUnavailable. */
  request(pid: number, mode: 'full' | 'delta'): Promise<string> {
    return this.requestLine(`${pid} ${mode}\n`);
  }

  /** The raw answer to one request line as it is (tests send malformed ones). */
  requestLine(line: string): Promise<string> {
    const run = this.queue.then(() => this.send(line));
    this.queue = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    this.fail('disposed');
  }

  /**
   * CPU time the helper has used so far (user + system, ms), for CPU budgets: it is a live child, so
   * the parent's own CPU time and its reaped-children time do not include it.
   */
  cpuMs(): number {
    const pid = this.child?.pid;
    if (pid === undefined) return this.lastCpuMs;
    try {
      const f = statFields(readSmallProcFile(`/proc/${pid}/stat`));
      // utime and stime (fields 14, 15) are in USER_HZ ticks, 100 per second on Linux.
      const ms = (Number(f[14 - 3]) + Number(f[15 - 3])) * 10;
      if (Number.isFinite(ms)) this.lastCpuMs = Math.max(this.lastCpuMs, ms);
    } catch {
      // it exited: keep the last reading
    }
    return this.lastCpuMs;
  }

  private send(line: string): Promise<string> {
    if (this.brokenBecause !== undefined) return Promise.reject(new HelperUnavailable(this.brokenBecause));
    const child = this.child ?? this.start();
    return new Promise<string>((resolve, reject) => {
      // The timer is the one handle that keeps node alive while an answer is due: the child and its
      // pipes are unref'ed, so an idle helper never holds up the exit of the CLI.
      const timer = setTimeout(() => this.fail(`no answer within ${this.timeoutMs} ms`), this.timeoutMs);
      this.pending = { resolve, reject, timer };
      this.buffer = '';
      child.stdin?.write(line);
    });
  }

  private start(): ChildProcess {
    const child = spawn(this.file, [], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    child.stdout?.setEncoding('latin1');
    child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    child.on('error', (e) => this.fail(`cannot run ${this.file}: ${e.message}`));
    child.on('exit', (code, signal) => this.fail(`${this.file} exited (${signal ?? `code ${String(code)}`})`));
    child.stdin?.on('error', (e) => this.fail(`cannot write to ${this.file}: ${e.message}`));
    child.unref();
    unref(child.stdin);
    unref(child.stdout);
    return child;
  }

  private onData(chunk: string): void {
    if (!this.pending) {
      this.fail('it wrote without being asked');
      return;
    }
    this.buffer += chunk;
    if (this.buffer.length > 256 * 1024 * 1024) {
      this.fail('its answer is too large');
      return;
    }
    if (this.buffer.endsWith('\nend\n')) {
      const { resolve, timer } = this.pending;
      const text = this.buffer;
      this.pending = undefined;
      this.buffer = '';
      clearTimeout(timer);
      resolve(text);
    }
  }

  private fail(reason: string): void {
    if (this.brokenBecause === undefined) this.brokenBecause = reason;
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(new HelperUnavailable(reason));
    }
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
