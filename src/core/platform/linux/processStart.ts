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

/** The first field of /proc/uptime: seconds since boot, to the hundredth; undefined when malformed. */
export function parseUptime(procUptime: string): number | undefined {
  const first = procUptime.trim().split(/\s+/)[0] ?? '';
  if (!/^\d+(\.\d+)?$/.test(first)) return undefined;
  return Number(first);
}

/** A start time in clock ticks after boot, as milliseconds since the epoch (boot time in milliseconds). */
export function startedAtMs(startTicks: number, bootTimeMs: number, ticksPerSecond = USER_HZ): number {
  return bootTimeMs + Math.round((startTicks * 1000) / ticksPerSecond);
}

/**
 * The machine's boot time in milliseconds since the epoch, as the wall clock sees it now: `now` minus
 * /proc/uptime (to the clock tick). /proc/stat's `btime` is whole seconds, up to one second early: a
 * process started less than a second after a file was saved would look older than the file. `btime`
 * only where /proc/uptime cannot be read. Read each time (the wall clock may have been adjusted).
 */
export function bootTimeMs(now: number = Date.now(), read: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): number | undefined {
  try {
    const up = parseUptime(read('/proc/uptime'));
    if (up !== undefined) return now - Math.round(up * 1000);
  } catch { /* no /proc/uptime: btime below */ }
  try {
    const btime = parseBootTime(read('/proc/stat'));
    return btime === undefined ? undefined : btime * 1000;
  } catch { return undefined; }
}
