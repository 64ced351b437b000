// Starts test/fixtures/sockets/holder.js (a process holding a known set of sockets) as a child of the
// extension host and reads what it holds from its one line of JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface HeldEnd { readonly fd: number; readonly localPort: number; readonly remotePort: number }
export interface Holder {
  readonly pid: number;
  readonly listeners: readonly { readonly fd: number; readonly port: number }[];
  readonly established: readonly HeldEnd[];
  readonly closeWait: readonly HeldEnd[];
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export async function startHolder(args: string[]): Promise<Holder> {
  const ext = vscode.extensions.getExtension('sockscope.sockscope');
  if (!ext) throw new Error('extension not found');
  const script = path.join(ext.extensionPath, 'test', 'fixtures', 'sockets', 'holder.js');
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  const held = await new Promise<Omit<Holder, 'child' | 'stop'>>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`holder did not start: ${out}`)), 60000);
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}: ${out}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Omit<Holder, 'child' | 'stop'>);
      }
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
  };
  return { ...held, child, stop };
}
