// When a process started, as wall-clock time: /proc/<pid>/stat gives its start in clock ticks after
// boot (field 22), /proc/stat the boot time (`btime`, seconds since the epoch). Used to tell whether a
// source file changed after the process that runs it started (it then runs the code from before).
import * as fs from 'fs';

/** USER_HZ: the unit of /proc's clock-tick fields, 100 on every Linux architecture in use. */
export const USER_HZ = 100;

/** The `btime` line of /proc/stat: boot time in seconds since the epoch; undefined when absent or malformed. */
export function parseBootTime(procStat: string): number | undefined {
  for (const line of procStat.split('\n')) {
    const m = /^btime\s+(\d+)\s*$/.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** A start time in clock ticks after boot, as milliseconds since the epoch. */
export function startedAtMs(startTicks: number, bootTimeSec: number, ticksPerSecond = USER_HZ): number {
  return bootTimeSec * 1000 + Math.round((startTicks * 1000) / ticksPerSecond);
}

let bootTime: number | undefined | null = null;

/** The machine's boot time (seconds since the epoch), read once; undefined where there is no /proc/stat. */
export function bootTimeSec(): number | undefined {
  if (bootTime === null) {
    try { bootTime = parseBootTime(fs.readFileSync('/proc/stat', 'utf8')); } catch { bootTime = undefined; }
  }
  return bootTime;
}
