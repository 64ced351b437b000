// Reads the record stream the Node.js, Python and Java recorders keep for one process,
// <dir>/<pid>.stream (the native recorder keeps a mapped table instead, see recordFile.ts). One event
// per line, fields separated by tabs; a last line without its newline is still being written and is
// left out, and so is everything from the first NUL byte (a recorder that maps the file preallocates
// it zero-filled):
//   SSSTREAM  1  <runtime>  <pid>  <start ticks>        the header (first line)
//   S  <site>  <frames JSON>                             a creation site, once: [[file, line, function, module?], …],
//                                                        innermost frame of the program's own code first
//   O  <fd>  <inode>  <site>  <time ms>  <thread>        a socket got descriptor fd (site -1: site table full)
//   C  <fd>  <site>                                      the program closed fd
//   N  <site>  <opens>  <closes>                         counts carried over when the recorder compacted the file
//   D  <sites dropped>
// Replaying the lines in order gives the live table: an fd is attributed to its last O unless a later C
// closed it. When the file grows past its cap the recorder rewrites it (header, S, N, and O for the
// live descriptors only) and renames it over the old one, so the file stays bounded and counts survive.
import type { OriginFrame } from './symbolize';
import type { RecordedSocket } from './recordFile';
import { RecordFormatError } from './recordFile';

export const STREAM_MAGIC = 'SSSTREAM';

export type StreamRuntime = 'node' | 'python' | 'java';

export interface OriginStream {
  readonly runtime: StreamRuntime;
  readonly pid: number;
  readonly startTicks: bigint;
  readonly sites: ReadonlyMap<number, readonly OriginFrame[]>;
  readonly counts: ReadonlyMap<number, { readonly opens: number; readonly closes: number }>;
  readonly live: ReadonlyMap<number, RecordedSocket>;
  readonly sitesDropped: number;
}

function frameOf(raw: unknown, runtime: StreamRuntime): OriginFrame | undefined {
  if (!Array.isArray(raw)) return undefined;
  const [file, line, fn, module] = raw as unknown[];
  return {
    file: typeof file === 'string' && file ? file : null,
    line: typeof line === 'number' && Number.isInteger(line) && line > 0 ? line : null,
    function: typeof fn === 'string' && fn ? fn : null,
    module: typeof module === 'string' && module ? module : runtime,
  };
}

const int = (s: string | undefined): number => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : NaN);

export function parseOriginStream(whole: string): OriginStream {
  const nul = whole.indexOf('\0');
  const text = nul < 0 ? whole : whole.slice(0, nul);
  const end = text.lastIndexOf('\n');
  const lines = end < 0 ? [] : text.slice(0, end).split('\n');
  const head = (lines[0] ?? '').split('\t');
  if (head[0] !== STREAM_MAGIC) throw new RecordFormatError('not a SockScope origins stream');
  if (head[1] !== '1') throw new RecordFormatError(`origins stream version ${head[1]} is not supported`);
  const runtime = head[2];
  if (runtime !== 'node' && runtime !== 'python' && runtime !== 'java') throw new RecordFormatError(`origins stream of an unknown runtime '${runtime}'`);
  const pid = int(head[3]);
  const startTicks = /^\d+$/.test(head[4] ?? '') ? BigInt(head[4] as string) : -1n;

  const sites = new Map<number, OriginFrame[]>();
  const counts = new Map<number, { opens: number; closes: number }>();
  const live = new Map<number, RecordedSocket>();
  let sitesDropped = 0;
  const count = (site: number) => {
    let c = counts.get(site);
    if (!c) counts.set(site, (c = { opens: 0, closes: 0 }));
    return c;
  };
  for (let i = 1; i < lines.length; i++) {
    const f = (lines[i] as string).split('\t');
    switch (f[0]) {
      case 'S': {
        const site = int(f[1]);
        let raw: unknown;
        try { raw = JSON.parse(f.slice(2).join('\t')); } catch { continue; }
        if (!Number.isInteger(site) || site < 0 || !Array.isArray(raw)) continue;
        sites.set(site, raw.map((r) => frameOf(r, runtime)).filter((x): x is OriginFrame => x !== undefined));
        break;
      }
      case 'O': {
        const fd = int(f[1]);
        const inode = f[2] ?? '';
        const site = int(f[3]);
        if (!Number.isInteger(fd) || fd < 0 || !/^\d+$/.test(inode)) continue;
        if (site >= 0) count(site).opens++;
        live.set(fd, { fd, inode, stack: site >= 0 ? site : undefined, createdMs: int(f[4]) || 0, tid: int(f[5]) || 0 });
        break;
      }
      case 'C': {
        const fd = int(f[1]);
        const site = int(f[2]);
        if (site >= 0) count(site).closes++;
        live.delete(fd);
        break;
      }
      case 'N': {
        const c = count(int(f[1]));
        c.opens += int(f[2]) || 0;
        c.closes += int(f[3]) || 0;
        break;
      }
      case 'D':
        sitesDropped = int(f[1]) || 0;
        break;
      default:
        break; // a kind of line a later version adds: skipped
    }
  }
  return { runtime, pid, startTicks, sites, counts, live, sitesDropped };
}
