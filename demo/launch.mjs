// Start demo/leaky-server.js as a child process and wait for its `LISTENING <port>` / `PID <pid>`
// lines. Used by `npm start` (scripts/start.mjs) and the integration tests (scripts/test-integration.mjs).
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const DEMO_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'leaky-server.js');

/**
 * @param {{ args?: string[], onLine?: (line: string) => void, timeoutMs?: number }} [options]
 *   args: extra flags for leaky-server.js (--interval, --bad-every, --max, --quiet);
 *   onLine: receives the demo's stdout lines after the two header lines.
 * @returns {Promise<{ pid: number, port: number, child: import('node:child_process').ChildProcess, stop: () => Promise<void> }>}
 */
export function startDemo({ args = [], onLine = () => {}, timeoutMs = 10000 } = {}) {
  // stdin is an IPC-free pipe we never write to; the demo also exits when this process goes away.
  const child = spawn(process.execPath, [DEMO_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => { child.kill('SIGKILL'); }, 3000).unref();
  });
  return new Promise((resolve, reject) => {
    let port;
    let pid;
    const timer = setTimeout(() => { void stop(); reject(new Error(`demo did not print LISTENING/PID within ${timeoutMs} ms`)); }, timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(new Error(`could not start the demo: ${e.message}`)); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`demo exited early (${signal || code})`)); // no-op once resolved
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^(LISTENING|PID) (\d+)$/.exec(line);
      if (m && port === undefined && m[1] === 'LISTENING') port = Number(m[2]);
      else if (m && pid === undefined && m[1] === 'PID') pid = Number(m[2]);
      else onLine(line);
      if (port !== undefined && pid !== undefined) {
        clearTimeout(timer);
        resolve({ pid, port, child, stop });
      }
    });
  });
}

export const CLIENT_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'leaky_client.c');

/**
 * Builds the C demo client (demo/leaky_client.c, or the copy at `source`) with `cc -g` into `outDir`
 * and runs it under `sockscope run` (the CLI at `cli`) against the demo server's `port`, so that
 * SockScope knows where each of its sockets was created. Debug info names `source` as given: pass the
 * copy in the workspace that VS Code opens, so that a click on a creation site opens that file.
 * @returns {Promise<{ pid: number, child: import('node:child_process').ChildProcess, stop: () => Promise<void> } | { skipped: string }>}
 */
export async function startCClient({ port, source = CLIENT_SOURCE, outDir, cli, args = [], onLine = () => {}, timeoutMs = 10000 }) {
  if (process.platform !== 'linux') return { skipped: 'socket origins are recorded on Linux only' };
  const { execFileSync } = await import('node:child_process');
  const cc = [process.env.CC, 'cc', 'gcc', 'clang'].find((c) => {
    if (!c) return false;
    try { execFileSync(c, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
  });
  if (!cc) return { skipped: 'no C compiler: install one (Debian/Ubuntu: sudo apt-get install gcc) to see socket origins in the demo' };
  const binary = path.join(outDir, 'leaky_client');
  execFileSync(cc, ['-g', '-O0', '-o', binary, source], { stdio: 'inherit' });
  const child = spawn(process.execPath, [cli, 'run', '--', binary, '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM'); // sockscope run passes it on to the client
    setTimeout(() => { child.kill('SIGKILL'); }, 3000).unref();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error(`the C demo client did not start within ${timeoutMs} ms`)); }, timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(new Error(`could not start the C demo client: ${e.message}`)); });
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`the C demo client exited early (${signal || code})`)); });
    readline.createInterface({ input: child.stderr }).on('line', (line) => { if (!/^sockscope run: pid \d+$/.test(line)) onLine(line); });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^PID (\d+)$/.exec(line);
      if (m) { clearTimeout(timer); resolve({ pid: Number(m[1]), child, stop }); } else onLine(line);
    });
  });
}
