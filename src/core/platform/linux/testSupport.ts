// Support for the Linux source and `sockscope sockets` tests (not used by the extension): fixture
// paths, and a child process (test/fixtures/sockets/holder.js) holding a known set of sockets.

import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The repository root, found from this file whether it runs from src/ or from the transpiled out/. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = up;
  }
  return dir;
}

export function fixturePath(...parts: string[]): string {
  return path.join(repoRoot(), 'test', 'fixtures', ...parts);
}

/** A /proc fixture file as the kernel's bytes (latin1, like the source reads them). */
export function readFixture(...parts: string[]): string {
  return fs.readFileSync(fixturePath(...parts), 'latin1');
}

export interface TcpEnd { readonly fd: number; readonly localPort: number; readonly remotePort: number }

/** What holder.js prints about the sockets it holds. */
export interface HolderDescription {
  readonly pid: number;
  /** stdio descriptors that are sockets (node's spawn uses socketpairs for 'pipe' stdio). */
  readonly stdioSockets: number[];
  readonly listeners: { fd: number; port: number }[];
  readonly established: TcpEnd[];
  readonly closeWait: TcpEnd[];
  readonly udp: { fd: number; port: number }[];
  readonly unix: { fd: number; path: string }[];
}

export interface Holder {
  readonly child: ChildProcess;
  readonly held: HolderDescription;
  /** Kills the child and waits until it has exited (and been reaped). */
  stop(): Promise<void>;
}

export interface HolderOptions {
  readonly pairs?: number;
  readonly closeWait?: number;
  readonly udp?: boolean;
  readonly unixPath?: string;
  readonly timeoutMs?: number;
}

/** Starts holder.js and resolves once it has printed what it holds. */
export function startHolder(options: HolderOptions = {}): Promise<Holder> {
  const args = ['--no-deprecation', fixturePath('sockets', 'holder.js'),
    '--pairs', String(options.pairs ?? 0), '--close-wait', String(options.closeWait ?? 0), '--ttl', '600'];
  if (options.udp) args.push('--udp');
  if (options.unixPath) args.push('--unix', options.unixPath);
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { void stop(); reject(new Error('holder.js did not report in time')); }, options.timeoutMs ?? 20000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve({ child, held: JSON.parse(out.slice(0, nl)) as HolderDescription, stop });
      } catch (e) {
        void stop();
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`holder.js exited early (code ${code})`)); });
  });
}

/** test/fixtures/sockets/changer.py: a process whose sockets change on command. */
export class Changer {
  private buffered = '';
  private readonly waiting: ((line: string) => void)[] = [];
  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      this.buffered += d;
      let nl;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.shift()?.(line);
      }
    });
  }
  static async start(): Promise<{ changer: Changer; pid: number }> {
    const changer = new Changer(spawn('python3', [fixturePath('sockets', 'changer.py')]));
    const hello = await changer.next();
    return { changer, pid: (hello as { pid: number }).pid };
  }
  private next(): Promise<Record<string, number>> {
    return new Promise((resolve) => this.waiting.push((line) => resolve(JSON.parse(line) as Record<string, number>)));
  }
  do(command: string): Promise<Record<string, number>> {
    const answer = this.next();
    this.child.stdin.write(command + '\n');
    return answer;
  }
  stop(): void {
    this.child.kill('SIGKILL');
  }
}
