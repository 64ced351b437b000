// Source lines for addresses of one module, with binutils' addr2line run through execFile (one call
// per module and batch, cached per module and address).
import { execFile } from 'child_process';

export interface LineInfo {
  /** undefined when addr2line knows no such symbol ('??'). */
  readonly function: string | undefined;
  /** undefined when the module has no line information (not built with -g). */
  readonly file: string | undefined;
  readonly line: number | undefined;
}

export type Addr2lineRun = (module: string, addresses: readonly string[]) => Promise<string>;

const runAddr2line: Addr2lineRun = (module, addresses) => new Promise((resolve, reject) => {
  execFile('addr2line', ['-f', '-C', '-e', module, ...addresses], { maxBuffer: 16 * 1024 * 1024, timeout: 30000 }, (err, stdout) => {
    if (err) reject(new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'addr2line not found: install binutils to see socket origins' : `addr2line failed on ${module}: ${err.message}`));
    else resolve(String(stdout));
  });
});

/** Parses addr2line -f output: a function line, then `file:line` (maybe with ` (discriminator N)`), per address. */
export function parseAddr2line(text: string, count: number): LineInfo[] {
  const lines = text.split('\n');
  const out: LineInfo[] = [];
  for (let i = 0; i < count; i++) {
    const fn = lines[2 * i] ?? '??';
    let where = lines[2 * i + 1] ?? '??:0';
    const disc = where.indexOf(' (discriminator');
    if (disc >= 0) where = where.slice(0, disc);
    const colon = where.lastIndexOf(':');
    const file = colon > 0 ? where.slice(0, colon) : where;
    const line = colon > 0 ? Number(where.slice(colon + 1)) : NaN;
    const known = file !== '??' && Number.isInteger(line) && line > 0;
    out.push({ function: fn === '??' ? undefined : fn, file: known ? file : undefined, line: known ? line : undefined });
  }
  return out;
}

export class Addr2lineCache {
  private readonly modules = new Map<string, Map<bigint, LineInfo>>();

  constructor(private readonly run: Addr2lineRun = runAddr2line) {}

  /** Line info for link-time addresses of a module; one addr2line call for those not cached yet. */
  async lookup(module: string, addresses: readonly bigint[]): Promise<Map<bigint, LineInfo>> {
    let cache = this.modules.get(module);
    if (!cache) this.modules.set(module, (cache = new Map()));
    const missing = [...new Set(addresses.filter((a) => !cache.has(a)))];
    if (missing.length > 0) {
      const text = await this.run(module, missing.map((a) => `0x${a.toString(16)}`));
      parseAddr2line(text, missing.length).forEach((info, i) => cache.set(missing[i] as bigint, info));
    }
    return new Map(addresses.map((a) => [a, cache.get(a) as LineInfo]));
  }
}
