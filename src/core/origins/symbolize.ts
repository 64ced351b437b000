// Turns recorded creation stacks (return addresses) into frames of the program's own code:
// address -> module and file offset through /proc/<pid>/maps, offset -> link-time address through the
// module's load segments, then addr2line. Frames in the C library, the loader and the recorder are left
// out, so frames[0] is the innermost frame in the program's code.
import * as path from 'path';
import type { Mapping } from './procMaps';
import { findMapping } from './procMaps';
import type { ElfInfo } from './elfInfo';
import { offsetToAddress, readElfInfo } from './elfInfo';
import type { Addr2lineCache } from './addr2line';

export interface OriginFrame {
  readonly file: string | null;
  readonly line: number | null;
  readonly function: string | null;
  readonly module: string;
}

export interface Origin {
  readonly frames: readonly OriginFrame[];
  /** Set when the innermost program frame has no line information. */
  readonly note?: string;
}

export const NO_DEBUG_INFO = 'no debug info: build with -g';

/** Modules whose frames are not the program's code: the C library, the dynamic loader, the unwinder, the recorder. */
export function isRuntimeModule(file: string): boolean {
  const base = path.basename(file);
  return ['libc.so', 'libc-', 'ld-linux', 'ld-musl', 'ld64.so', 'libpthread', 'libdl.so', 'libgcc_s', 'libsockscope-origins']
    .some((p) => base.startsWith(p));
}

export interface SymbolizeContext {
  /** Mappings to try first (the recorder's copy at start), then `liveMaps` for addresses they miss. */
  readonly maps: readonly Mapping[];
  readonly liveMaps: () => Promise<readonly Mapping[]>;
  readonly addr2line: Addr2lineCache;
  readonly elf?: (file: string) => Promise<ElfInfo | undefined>;
}

export async function symbolizeStacks(stacks: ReadonlyMap<number, readonly bigint[]>, ctx: SymbolizeContext): Promise<Map<number, Origin>> {
  const elfCache = new Map<string, Promise<ElfInfo | undefined>>();
  const elf = (f: string): Promise<ElfInfo | undefined> => {
    let p = elfCache.get(f);
    if (!p) elfCache.set(f, (p = (ctx.elf ?? readElfInfo)(f)));
    return p;
  };
  let live: readonly Mapping[] | undefined;
  const where = new Map<bigint, { module: string; address: bigint } | null>();
  for (const pcs of stacks.values()) {
    for (const pc of pcs) {
      if (where.has(pc)) continue;
      let m = findMapping(ctx.maps, pc);
      if (!m) {
        live ??= await ctx.liveMaps().catch(() => []);
        m = findMapping(live, pc);
      }
      if (!m) { where.set(pc, null); continue; }
      const info = await elf(m.path);
      // A return address points after the call: look up the byte before it.
      const offset = pc - 1n - m.start + m.offset;
      where.set(pc, { module: m.path, address: info ? offsetToAddress(info, offset) : offset });
    }
  }
  const byModule = new Map<string, bigint[]>();
  for (const w of where.values()) {
    if (!w || isRuntimeModule(w.module)) continue;
    const list = byModule.get(w.module) ?? [];
    list.push(w.address);
    byModule.set(w.module, list);
  }
  const lines = new Map<string, Map<bigint, { function: string | undefined; file: string | undefined; line: number | undefined }>>();
  for (const [module, addresses] of byModule) lines.set(module, await ctx.addr2line.lookup(module, addresses));

  const out = new Map<number, Origin>();
  for (const [id, pcs] of stacks) {
    const frames: OriginFrame[] = [];
    for (const pc of pcs) {
      const w = where.get(pc);
      if (!w || isRuntimeModule(w.module)) continue;
      const info = lines.get(w.module)?.get(w.address);
      frames.push({ file: info?.file ?? null, line: info?.line ?? null, function: info?.function ?? null, module: w.module });
    }
    const first = frames[0];
    out.set(id, first && first.file === null ? { frames, note: NO_DEBUG_INFO } : { frames });
  }
  return out;
}
