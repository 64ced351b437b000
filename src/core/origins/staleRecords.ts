// Removes the records of processes that have exited from the origins folder (called by `sockscope run`).
import { promises as fs } from 'fs';
import * as path from 'path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function removeStaleRecords(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const dot = name.indexOf('.');
    const ext = name.slice(dot + 1);
    const pid = Number(name.slice(0, dot));
    if (!['origins', 'maps', 'stream', 'stream.tmp'].includes(ext) || !Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
