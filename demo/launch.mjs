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
