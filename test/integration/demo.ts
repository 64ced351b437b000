// Starts the leaking demo server (demo/leaky-server.js) as a child of the extension host.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface Demo {
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
  /** Kills the demo and waits for it to be gone. */
  stop(): Promise<void>;
}

export async function startDemo(args: string[]): Promise<Demo> {
  const ext = vscode.extensions.getExtension('sockscope.sockscope');
  if (!ext) throw new Error('extension not found');
  const script = path.join(ext.extensionPath, 'demo', 'leaky-server.js');
  // Under Electron (test-electron) execPath is the editor binary: run it as plain Node.
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  const { pid, port } = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
    let out = '';
    let port: number | undefined;
    const timer = setTimeout(() => reject(new Error(`demo did not start: ${out}`)), 10000);
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const p = /LISTENING (\d+)/.exec(out);
      const id = /PID (\d+)/.exec(out);
      if (p) port = Number(p[1]);
      if (port !== undefined && id) {
        clearTimeout(timer);
        resolve({ pid: Number(id[1]), port });
      }
    });
  });
  child.stdout?.resume();
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
  };
  return { pid, port, child, stop };
}
