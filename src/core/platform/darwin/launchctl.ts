// `launchctl limit maxfiles` prints "\tmaxfiles    256            unlimited      ": the soft and hard
// descriptor limits launchd gives new processes (a process may still raise its own soft limit).
import type { FdLimit } from '../../model';

export function parseLaunchctlMaxfiles(text: string): FdLimit | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*maxfiles\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (!m) continue;
    const soft = limitValue(m[1] ?? '');
    const hard = limitValue(m[2] ?? '');
    if (soft === undefined || hard === undefined) return undefined;
    return { soft, hard };
  }
  return undefined;
}

function limitValue(text: string): number | null | undefined {
  if (text === 'unlimited') return null;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
