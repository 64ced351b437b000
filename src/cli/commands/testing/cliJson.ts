// Test support: running a CLI command in-process and reading `sockscope sockets PID --json`.
import assert from 'node:assert/strict';
import type { CliIo } from '../../io';
import { EXIT_OK } from '../../io';
import { socketsCommand } from '../sockets';

export interface FrameJson { file: string | null; line: number | null; function: string | null; module: string }
export interface SocketJson { fd: number | null; inode: string; protocol: string; state: string; origin?: { frames: FrameJson[]; note?: string } }

/** Runs a command with these arguments, collecting what it prints. */
export async function cliRun(command: typeof socketsCommand, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => { out += t; }, err: (t) => { err += t; }, interrupted: new Promise(() => undefined) };
  const code = await command(args, io);
  return { code, out, err };
}

/** The process's sockets as `sockscope sockets PID --json` gives them. */
export async function socketsOf(pid: number): Promise<SocketJson[]> {
  const r = await cliRun(socketsCommand, [String(pid), '--json']);
  assert.equal(r.code, EXIT_OK, r.err);
  return (JSON.parse(r.out) as { sockets: SocketJson[] }).sockets;
}

/**
 * The process's sockets once `ready` holds for them (the kernel may be a moment behind, and the runtime
 * recorders write in batches, at most ~200 ms late), or after ~5 s.
 */
export async function socketsWhen(pid: number, ready: (sockets: SocketJson[]) => boolean): Promise<SocketJson[]> {
  let sockets = await socketsOf(pid);
  for (let i = 0; i < 50 && !ready(sockets); i++) {
    await new Promise((r) => setTimeout(r, 100));
    sockets = await socketsOf(pid);
  }
  return sockets;
}
