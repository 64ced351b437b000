import { readdir, readFile } from 'fs/promises';
import path from 'path';

/** Child pids of a process, oldest first; [] when unknown. */
export type ChildReader = (pid: number) => Promise<readonly number[]>;
/** Short command name of a process (Linux: /proc/<pid>/comm); undefined when unknown. */
export type NameReader = (pid: number) => Promise<string | undefined>;

/** Processes that only launch the debuggee: walk through them (shells, debuggers, launchers). */
const LAUNCHERS = new Set(['sh', 'bash', 'dash', 'zsh', 'fish', 'ksh', 'env', 'sudo', 'pkexec', 'nohup', 'timeout', 'stdbuf',
  'gdb', 'lldb', 'lldb-server', 'gdbserver', 'winpty', 'script']);
/** Helpers a launcher may start next to the debuggee (MIEngine pipes through cat, some scripts sleep). */
const HELPERS = new Set(['cat', 'sleep', 'tee', 'tty']);

/**
 * The debuggee under a terminal's shell (runInTerminal's shellProcessId). Without a name reader it is
 * the shell's newest child; with one, launchers (shells, gdb, env…) are walked through and helpers skipped,
 * e.g. cppdbg's shell → gdb → program. undefined when the shell has no child (yet).
 */
export async function findChildPid(shellPid: number, readChildren: ChildReader, readName?: NameReader, maxDepth = 5): Promise<number | undefined> {
  let current = shellPid;
  for (let depth = 0; depth < maxDepth; depth++) {
    const children = [...(await readChildren(current))];
    let candidate: number | undefined;
    let candidateName: string | undefined;
    for (let i = children.length - 1; i >= 0 && candidate === undefined; i--) {
      const pid = children[i] as number;
      const name = readName ? await readName(pid) : undefined;
      if (name === undefined || !HELPERS.has(name)) [candidate, candidateName] = [pid, name];
    }
    if (candidate === undefined) return current === shellPid ? undefined : current;
    if (!readName || candidateName === undefined || !LAUNCHERS.has(candidateName)) return candidate;
    current = candidate;
  }
  return current === shellPid ? undefined : current;
}

/** Linux: children of every thread of `pid` (/proc/<pid>/task/<tid>/children), oldest first. */
export function linuxChildReader(procRoot = '/proc'): ChildReader {
  return async (pid) => {
    const taskDir = path.join(procRoot, String(pid), 'task');
    let tids: string[];
    try {
      tids = await readdir(taskDir);
    } catch {
      return [];
    }
    const out: number[] = [];
    for (const tid of tids) {
      let text: string;
      try {
        text = await readFile(path.join(taskDir, tid, 'children'), 'utf8');
      } catch {
        continue;
      }
      for (const part of text.split(/\s+/)) {
        const n = Number(part);
        if (part !== '' && Number.isSafeInteger(n) && n > 0 && !out.includes(n)) out.push(n);
      }
    }
    return out;
  };
}

/** Linux: /proc/<pid>/comm. */
export function linuxNameReader(procRoot = '/proc'): NameReader {
  return async (pid) => {
    try {
      return (await readFile(path.join(procRoot, String(pid), 'comm'), 'utf8')).trim() || undefined;
    } catch {
      return undefined;
    }
  };
}
