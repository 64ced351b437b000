// Socket origins of one process: its recorder's file (if `sockscope run` started it), checked to be
// this very process: the record stream of the Node.js, Python or Java recorder (frames as the runtime
// gave them), else the native recorder's table with its stacks symbolized; or why there are none.
import { promises as fs } from 'fs';
import type { OriginRecord } from './recordFile';
import { parseOriginRecord } from './recordFile';
import { mapsCopyPath, recordPath, recordsDir, streamPath, throwIfRefused } from './recordsDir';
import type { OriginStream } from './streamFile';
import { parseOriginStream } from './streamFile';
import { parseMaps } from './procMaps';
import { readElfInfo, untraceableReason } from './elfInfo';
import { Addr2lineCache } from './addr2line';
import type { Origin } from './symbolize';
import { symbolizeStacks } from './symbolize';

export type ProcessOrigins =
  | {
    readonly recorded: true;
    /** Which recorder wrote it: 'native' (LD_PRELOAD), 'node', 'python' or 'java'. */
    readonly runtime?: 'native' | OriginStream['runtime'];
    readonly record: OriginRecord;
    readonly origins: ReadonlyMap<number, Origin>;
    originOf(fd: number | undefined, inode: string): { stack: number; origin: Origin } | undefined;
  }
  | { readonly recorded: false; readonly reason: string };

export interface OriginsOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly addr2line?: Addr2lineCache;
  readonly proc?: string;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), read after the command name's last ')'. */
export function startTicksOf(statText: string): bigint | undefined {
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  const v = fields[19];
  return v !== undefined && v !== '' && /^\d+$/.test(v) ? BigInt(v) : undefined;
}

/** The records folder, only when it is a directory of ours that no one else may read or write (recordsDir.ts). */
async function safeDir(dir: string): Promise<string | undefined> {
  const st = await fs.lstat(dir).catch(() => undefined);
  if (!st) return undefined;
  throwIfRefused(dir, st, process.geteuid?.() ?? st.uid);
  return dir;
}

export function notRecordedMessage(cmdline: string): string {
  const command = cmdline.trim() ? `sockscope run -- ${cmdline.trim()}` : 'sockscope run -- COMMAND';
  return `origins unknown — restart it with \`${command}\``;
}

/** The record stream of a runtime recorder for this very process (pid and start time), if there is one. */
async function readStream(dir: string, pid: number, ticks: bigint | undefined): Promise<OriginStream | undefined> {
  const text = await fs.readFile(streamPath(dir, pid), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const stream = parseOriginStream(text);
    return stream.pid === pid && stream.startTicks === ticks ? stream : undefined;
  } catch {
    return undefined;
  }
}

function recordedOrigins(runtime: 'native' | OriginStream['runtime'], record: OriginRecord, origins: ReadonlyMap<number, Origin>): ProcessOrigins {
  return {
    recorded: true, runtime, record, origins,
    originOf(fd, inode) {
      if (fd === undefined) return undefined;
      const r = record.live.get(fd);
      // The inode must match: a descriptor closed or replaced behind the recorder's back has no origin.
      if (!r || r.inode !== inode || r.stack === undefined) return undefined;
      const origin = origins.get(r.stack);
      return origin ? { stack: r.stack, origin } : undefined;
    },
  };
}

export async function readProcessOrigins(pid: number, options: OriginsOptions = {}): Promise<ProcessOrigins> {
  const proc = options.proc ?? '/proc';
  const dir = await safeDir(recordsDir(options.env ?? process.env));
  const stat = await fs.readFile(`${proc}/${pid}/stat`, 'latin1').catch(() => '');
  const ticks = startTicksOf(stat);
  const stream = dir ? await readStream(dir, pid, ticks) : undefined;
  if (stream) {
    const record: OriginRecord = {
      pid, startTicks: stream.startTicks, stacks: new Map(), counts: stream.counts, live: stream.live,
      stacksDropped: stream.sitesDropped, logCapacity: 0, logUsed: 0, logDropped: 0,
    };
    const origins = new Map([...stream.sites].map(([id, frames]) => [id, { frames }] as const));
    return recordedOrigins(stream.runtime, record, origins);
  }
  const buf = dir ? await fs.readFile(recordPath(dir, pid)).catch(() => undefined) : undefined;
  const record = buf ? parseOriginRecord(buf) : undefined;
  if (!dir || !record || record.pid !== pid || record.startTicks !== ticks) {
    const reason = untraceableReason(await readElfInfo(`${proc}/${pid}/exe`));
    if (reason) return { recorded: false, reason: `origins not traceable: ${reason}` };
    const cmdline = (await fs.readFile(`${proc}/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean).join(' ');
    return { recorded: false, reason: notRecordedMessage(cmdline) };
  }
  const captured = await fs.readFile(mapsCopyPath(dir as string, pid), 'latin1').catch(() => '');
  const origins = await symbolizeStacks(record.stacks, {
    maps: parseMaps(captured),
    liveMaps: async () => parseMaps(await fs.readFile(`${proc}/${pid}/maps`, 'latin1')),
    addr2line: options.addr2line ?? new Addr2lineCache(),
  });
  return recordedOrigins('native', record, origins);
}
