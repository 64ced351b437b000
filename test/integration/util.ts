// Helpers for integration tests running in the extension host.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** True when a harness that can take screenshots (scripts/code-server-harness.mjs) runs the tests. */
export function screenshotsAvailable(): boolean {
  return Boolean(process.env.VSCODE_TEST_SCREENSHOT_DIR);
}

/**
 * Ask the harness for a screenshot of the whole workbench page; resolves to the PNG's path.
 * Handshake: write `<name>.request` (by rename, so the harness never sees a partial file) into
 * $VSCODE_TEST_SCREENSHOT_DIR; the harness writes `<name>.png` and then `<name>.done` ("ok" or
 * "error: ..."). Rejects when no harness is there, on a harness error, or after `timeoutMs`.
 */
export async function screenshot(name: string, timeoutMs = 15000): Promise<string> {
  const dir = await askHarness(name, 'request', String(Date.now()), timeoutMs);
  return path.join(dir, `${name}.png`);
}

/**
 * Ask the harness for the innerText of every visible element of the workbench page that matches the
 * CSS `selector` (what the user sees, e.g. a row of VS Code's own Running Extensions editor).
 */
export async function pageText(name: string, selector: string, timeoutMs = 15000): Promise<string[]> {
  const dir = await askHarness(name, 'text-request', selector, timeoutMs);
  const file = path.join(dir, `${name}.json`);
  const texts = JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  fs.rmSync(file, { force: true });
  return texts;
}

/** The file handshake shared by screenshot() and pageText(); resolves to the exchange folder. */
async function askHarness(name: string, kind: 'request' | 'text-request', body: string, timeoutMs: number): Promise<string> {
  const dir = process.env.VSCODE_TEST_SCREENSHOT_DIR;
  if (!dir) throw new Error(`${name}: needs the code-server harness (VSCODE_TEST_SCREENSHOT_DIR is not set)`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/.test(name)) throw new Error(`bad request name: "${name}"`);
  const done = path.join(dir, `${name}.done`);
  fs.rmSync(done, { force: true });
  if (kind === 'request') fs.rmSync(path.join(dir, `${name}.png`), { force: true });
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, body);
  fs.renameSync(tmp, path.join(dir, `${name}.${kind}`));

  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`"${name}": no answer from the harness after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const status = fs.readFileSync(done, 'utf8');
  fs.rmSync(done, { force: true });
  if (status !== 'ok') throw new Error(`"${name}" failed: ${status}`);
  return dir;
}

/** Poll `check` until it returns a truthy value (returned) or `timeoutMs` passes (rejects with `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * TCP sockets that `pid` holds a descriptor of, in /proc's hex state `state` (05: FIN_WAIT_2, 08:
 * CLOSE_WAIT), read straight from /proc: the ground truth a view must match.
 */
export function heldTcpSockets(pid: number, state: string): number {
  return heldTcpInodes(pid, state).size;
}

/** The inodes of the TCP sockets in `state` (hex, as in /proc/net/tcp: '08' is CLOSE_WAIT) that `pid` holds. */
export function heldTcpInodes(pid: number, state: string): Set<string> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch { /* closed meanwhile */ }
  }
  const held = new Set<string>();
  for (const table of ['tcp', 'tcp6']) {
    for (const line of fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === state && f[9] !== undefined && inodes.has(f[9])) held.add(f[9]);
    }
  }
  return held;
}
