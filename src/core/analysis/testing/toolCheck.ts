/**
 * Test support: checking a source text with a real toolchain (gcc, javac, python3 -m py_compile, go vet)
 * the way the corpus and fix tests do. Used by tests only; nothing in the extension or the CLI imports it.
 */
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileRunner } from '../../platform/commandRunner';
import { SourceError } from '../../platform/source';

/** The verdict of a toolchain check; 'missing' when the tool is not installed (the check is skipped). */
export type ToolCheck = { status: 'ok' } | { status: 'error'; output: string } | { status: 'missing'; tool: string };

/** Runs `use(dir)` on a fresh temporary folder (named `<prefix>…`), which is removed afterwards. */
export async function inTempDir<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return await use(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `text` to a temporary file named like `nameHint` and runs `tool` with `args(file, dir)` on it
 * (execFile, no shell): ok on exit code 0, else an error with the tool's output (stderr, or stdout
 * when stderr is empty).
 */
export function checkWithTool(prefix: string, text: string, nameHint: string, tool: string,
  args: (file: string, dir: string) => string[], timeoutMs: number): Promise<ToolCheck> {
  return inTempDir(prefix, async (dir) => {
    const file = path.join(dir, path.basename(nameHint));
    fs.writeFileSync(file, text);
    try {
      const r = await execFileRunner.run(tool, args(file, dir), { timeoutMs });
      return r.code === 0 ? { status: 'ok' } : { status: 'error', output: r.stderr || r.stdout };
    } catch (e) {
      if (e instanceof SourceError && e.code === 'TOOL_MISSING') return { status: 'missing', tool };
      throw e;
    }
  });
}

/**
 * Asserts that a check passed, showing the tool's output and the checked code otherwise. False (and,
 * given a test context, a skip) when the tool is missing.
 */
export function assertToolAccepts(r: ToolCheck, what: string, text: string, t?: { skip(msg: string): void }): boolean {
  if (r.status === 'missing') {
    t?.skip(`${r.tool} is not installed`);
    return false;
  }
  assert.equal(r.status, 'ok', `${what} is not accepted by the toolchain:\n${r.status === 'error' ? r.output : ''}\n--- code ---\n${text}`);
  return true;
}
