/**
 * A tiny tmpfs for tests that need a really full disk (Linux, as root). `tmpfsUnavailable` is the
 * reason a test is skipped elsewhere (it is undefined where mounting works).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

function probe(): string | undefined {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return undefined;
  } catch (e) {
    return `cannot mount a tmpfs here (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  } finally {
    fs.rmdirSync(dir);
  }
}

export const tmpfsUnavailable: string | undefined = probe();

/** Runs `fn` with a fresh tmpfs of `kib` KiB mounted on a temporary folder, and unmounts it afterwards. */
export async function withTmpfs<T>(kib: number, fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]);
  try {
    return await fn(dir);
  } finally {
    execFileSync('umount', [dir]);
    fs.rmdirSync(dir);
  }
}

/** Fills the file system under `dir` to the last byte (a file `filler` that grows until ENOSPC). */
export function fillDisk(dir: string): void {
  const fd = fs.openSync(path.join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(1024, 0x2e);
  try {
    for (;;) {
      try {
        fs.writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        break;
      }
    }
    // A partial last KiB: write the bytes that still fit, one at a time.
    for (;;) {
      try {
        if (fs.writeSync(fd, chunk, 0, 1) === 0) break;
      } catch {
        break;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
