/**
 * Fix-safety suite (tests only): runs a compiler or a driver program in a folder (execFile with an
 * argument array, no shell). A missing tool is reported as such, so that the caller can skip.
 */
import { execFile } from 'child_process';

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the program was killed by its timeout. */
  readonly timedOut: boolean;
}

export class ToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed`);
    this.name = 'ToolMissingError';
  }
}

export function runTool(tool: string, args: readonly string[], cwd: string, timeoutMs = 30000, env?: NodeJS.ProcessEnv): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(tool, [...args], { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: env ?? process.env },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string }) | null;
        if (e && e.code === 'ENOENT') {
          reject(new ToolMissingError(tool));
          return;
        }
        const code = !e ? 0 : typeof e.code === 'number' ? e.code : 128;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (e?.signal ? `\n(killed by ${e.signal})` : ''), timedOut: !!e?.killed });
      });
  });
}

/** Is `tool` installed (it runs with `versionArgs`)? */
export async function hasTool(tool: string, versionArgs: readonly string[]): Promise<boolean> {
  try {
    await runTool(tool, versionArgs, process.cwd(), 20000);
    return true;
  } catch (e) {
    if (e instanceof ToolMissingError) return false;
    throw e;
  }
}

/** Runs `jobs` with at most `limit` of them at a time; results in the order of `jobs`. */
export async function inParallel<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}
