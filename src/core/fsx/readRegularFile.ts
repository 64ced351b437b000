/**
 * Reads a file only if it is a regular file, and never more than a limit. The file is opened with
 * O_NONBLOCK (so a FIFO or a device cannot block the open) and checked with fstat on the open
 * descriptor (so what is checked is what is read); then at most `maxBytes + 1` bytes are read, which
 * tells "too big" apart without reading, say, /dev/zero or a growing log to the end.
 */
import * as fs from 'fs';
import type { FileIdentity } from './fileIdentity';
import { identityOf } from './fileIdentity';

export type ReadOutcome =
  | { readonly ok: true; readonly bytes: Buffer; readonly identity: FileIdentity }
  /** `not-regular`: a FIFO, socket, device or folder; `too-big`: more than maxBytes (`size` is what fstat said, or maxBytes + 1). */
  | { readonly ok: false; readonly reason: 'not-regular' | 'too-big'; readonly size: number };

const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);
/** First buffer size for files whose fstat size is 0 (e.g. /proc files). */
const FIRST_CHUNK = 64 * 1024;

/** Where the bytes go: grows (up to maxBytes + 1) when the file is longer than fstat said. */
class BoundedBuffer {
  buf: Buffer;
  length = 0;
  constructor(sizeHint: number, private readonly cap: number) {
    this.buf = Buffer.allocUnsafe(Math.min(cap, Math.max(sizeHint + 1, 1)));
  }
  /** Room left in the current buffer, after growing it if it is full and below the cap; 0 at the cap. */
  room(): number {
    if (this.length === this.buf.length && this.buf.length < this.cap) {
      const bigger = Buffer.allocUnsafe(Math.min(this.cap, Math.max(FIRST_CHUNK, this.buf.length * 2)));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    return this.buf.length - this.length;
  }
}

function finish(into: BoundedBuffer, st: fs.Stats, maxBytes: number): ReadOutcome {
  if (into.length > maxBytes) return { ok: false, reason: 'too-big', size: Math.max(st.size, into.length) };
  return { ok: true, bytes: into.buf.subarray(0, into.length), identity: identityOf(st) };
}

function precheck(st: fs.Stats, maxBytes: number): ReadOutcome | undefined {
  if (!st.isFile()) return { ok: false, reason: 'not-regular', size: st.size };
  if (st.size > maxBytes) return { ok: false, reason: 'too-big', size: st.size };
  return undefined;
}

/** Reads `file` (following symbolic links) if it is a regular file of at most `maxBytes` bytes. I/O errors throw. */
export function readRegularFileSync(file: string, maxBytes: number): ReadOutcome {
  const fd = fs.openSync(file, OPEN_FLAGS);
  try {
    const st = fs.fstatSync(fd);
    const refused = precheck(st, maxBytes);
    if (refused) return refused;
    const into = new BoundedBuffer(st.size, maxBytes + 1);
    for (let room = into.room(); room > 0; room = into.room()) {
      const n = fs.readSync(fd, into.buf, into.length, room, null);
      if (n === 0) break;
      into.length += n;
    }
    return finish(into, st, maxBytes);
  } finally {
    fs.closeSync(fd);
  }
}

/** readRegularFileSync without blocking the event loop. */
export async function readRegularFile(file: string, maxBytes: number): Promise<ReadOutcome> {
  const handle = await fs.promises.open(file, OPEN_FLAGS);
  try {
    const st = await handle.stat();
    const refused = precheck(st, maxBytes);
    if (refused) return refused;
    const into = new BoundedBuffer(st.size, maxBytes + 1);
    for (let room = into.room(); room > 0; room = into.room()) {
      const { bytesRead } = await handle.read(into.buf, into.length, room, null);
      if (bytesRead === 0) break;
      into.length += bytesRead;
    }
    return finish(into, st, maxBytes);
  } finally {
    await handle.close();
  }
}
