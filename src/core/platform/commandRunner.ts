import { execFile } from 'child_process';
import type { CommandRunner } from './source';
import { SourceError } from './source';

/** Runs a tool with execFile and an argument array: no shell, so no quoting or injection problems. */
export const execFileRunner: CommandRunner = {
  run(file, args, options = {}) {
    return new Promise((resolve, reject) => {
      execFile(file, [...args], { timeout: options.timeoutMs ?? 15000, maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024, windowsHide: true },
        (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
          if (e && e.code === 'ENOENT') {
            reject(new SourceError('TOOL_MISSING', `${file} not found: install it or set its path in the SockScope settings.`));
            return;
          }
          if (e && typeof e.code !== 'number') {
            reject(new SourceError('TOOL_FAILED', `${file} failed: ${e.message}`, String(stderr)));
            return;
          }
          resolve({ stdout: String(stdout), stderr: String(stderr), code: e ? Number(e.code) : 0 });
        });
    });
  },
};
