// A process whose main thread has exited (pthread_exit) while other threads run on is alive, but
// /proc/<pid> shows its leader: a zombie with no fd entries, no net/ directory and an empty cmdline.
// The process's files are still there under the task directory of any thread that lives.

import * as fs from 'fs';
import * as path from 'path';
import { parseStat } from './procFiles';
import { readSmallProcFile } from './procIo';

/** /proc/<pid>/task/<tid> of a thread of `pid` that is not a zombie; undefined when none is left (the process is gone). */
export function liveTaskDir(procRoot: string, pid: number): string | undefined {
  const tasks = path.join(procRoot, String(pid), 'task');
  let tids: string[];
  try {
    tids = fs.readdirSync(tasks);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    if (tid === String(pid)) continue;
    try {
      const stat = parseStat(readSmallProcFile(path.join(tasks, tid, 'stat'))).items[0];
      if (stat && stat.state !== 'Z' && stat.state !== 'X') return path.join(tasks, tid);
    } catch {
      // that thread exited meanwhile: try the next
    }
  }
  return undefined;
}
