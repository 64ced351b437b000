// The few facts about an ELF file that socket origins need: its load segments (to turn a file offset
// into the address addr2line expects), whether it has a program interpreter (dynamically linked, so
// LD_PRELOAD applies) and whether it is a Go binary (Go makes its socket system calls itself).
import { promises as fs } from 'fs';

export interface LoadSegment { readonly offset: bigint; readonly vaddr: bigint; readonly fileSize: bigint }

export interface ElfInfo {
  readonly loads: readonly LoadSegment[];
  readonly dynamicallyLinked: boolean;
  readonly go: boolean;
}

const PT_LOAD = 1;
const PT_INTERP = 3;

export async function readElfInfo(file: string): Promise<ElfInfo | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const read = async (at: bigint | number, size: number): Promise<Buffer> => {
      const b = Buffer.alloc(size);
      const { bytesRead } = await handle!.read(b, 0, size, Number(at));
      return b.subarray(0, bytesRead);
    };
    const head = await read(0, 64);
    if (head.length < 64 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return undefined; // 64-bit little-endian only
    const phoff = head.readBigUInt64LE(32);
    const shoff = head.readBigUInt64LE(40);
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const shentsize = head.readUInt16LE(58);
    const shnum = head.readUInt16LE(60);
    const shstrndx = head.readUInt16LE(62);
    const ph = await read(phoff, phentsize * phnum);
    const loads: LoadSegment[] = [];
    let dynamicallyLinked = false;
    for (let i = 0; i + 56 <= ph.length && i < phentsize * phnum; i += phentsize) {
      const type = ph.readUInt32LE(i);
      if (type === PT_INTERP) dynamicallyLinked = true;
      if (type === PT_LOAD) loads.push({ offset: ph.readBigUInt64LE(i + 8), vaddr: ph.readBigUInt64LE(i + 16), fileSize: ph.readBigUInt64LE(i + 32) });
    }
    let go = false;
    if (shoff > 0n && shnum > 0 && shstrndx < shnum) {
      const sh = await read(shoff, shentsize * shnum);
      const strAt = shstrndx * shentsize;
      if (strAt + 64 <= sh.length) {
        const names = await read(sh.readBigUInt64LE(strAt + 24), Number(sh.readBigUInt64LE(strAt + 32)) & 0xfffff);
        for (let i = 0; i + 64 <= sh.length; i += shentsize) {
          const at = sh.readUInt32LE(i);
          const end = names.indexOf(0, at);
          const name = names.toString('latin1', at, end < 0 ? names.length : end);
          if (name === '.go.buildinfo' || name === '.note.go.buildid' || name === '.gopclntab') go = true;
        }
      }
    }
    return { loads, dynamicallyLinked, go };
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** The link-time address of a byte at `offset` in the file, as addr2line wants it. */
export function offsetToAddress(info: ElfInfo, offset: bigint): bigint {
  const seg = info.loads.find((s) => offset >= s.offset && offset < s.offset + s.fileSize);
  return seg ? offset - seg.offset + seg.vaddr : offset;
}

/** Why `sockscope run` cannot record this program's socket origins, or undefined when it can. */
export function untraceableReason(info: ElfInfo | undefined): string | undefined {
  if (!info) return undefined;
  if (info.go) return 'a Go program makes its socket system calls itself, past the C library, so LD_PRELOAD cannot see them';
  if (!info.dynamicallyLinked) return 'it is statically linked, so LD_PRELOAD cannot load the recorder into it';
  return undefined;
}
