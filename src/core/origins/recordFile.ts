// Reads the file the origins recorder (native/sockscope-origins.c) keeps for one process: header,
// per-site counts, the table of distinct stacks and the live descriptor table. Keep in step with the
// layout described at the top of the C file.

const HEADER_BYTES = 4096;
const COUNT_BYTES = 8;
const STACK_BYTES = 144;
const SLOT_BYTES = 32;
const NO_STACK = 0xffffffff;
const MAGIC = 'SSORIG01';

export interface RecordedSocket {
  readonly fd: number;
  readonly inode: string;
  /** Index into `stacks`, or undefined when the stack table was full. */
  readonly stack: number | undefined;
  readonly createdMs: number;
  readonly tid: number;
}

export interface OriginRecord {
  readonly pid: number;
  /** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  readonly startTicks: bigint;
  /** Return addresses of each distinct creation stack, innermost first. */
  readonly stacks: ReadonlyMap<number, readonly bigint[]>;
  /** Sockets created and closed per stack since the process started (kept when the log is full). */
  readonly counts: ReadonlyMap<number, { readonly opens: number; readonly closes: number }>;
  /** The recorded descriptors that are open now, by fd. */
  readonly live: ReadonlyMap<number, RecordedSocket>;
  readonly stacksDropped: number;
  readonly logCapacity: number;
  readonly logUsed: number;
  readonly logDropped: number;
  /** How the recorder read its stacks: `slow` by backtrace() (its cached rules did not follow them);
   *  with SOCKSCOPE_ORIGINS_CHECK_UNWIND=1, `checked` read both ways and `mismatch` of them differed.
   *  Only the native recorder reads stacks this way. */
  readonly unwind?: { readonly slow: number; readonly checked: number; readonly mismatch: number };
}

export class RecordFormatError extends Error {}

export function parseOriginRecord(buf: Buffer): OriginRecord {
  if (buf.length < HEADER_BYTES || buf.toString('latin1', 0, 8) !== MAGIC) throw new RecordFormatError('not a SockScope origins record');
  const version = buf.readUInt32LE(8);
  if (version !== 1) throw new RecordFormatError(`origins record version ${version} is not supported`);
  const pid = buf.readUInt32LE(12);
  const startTicks = buf.readBigUInt64LE(16);
  const fdSlots = buf.readUInt32LE(24);
  const maxStacks = buf.readUInt32LE(28);
  const maxDepth = buf.readUInt32LE(32);
  const logCapacity = buf.readUInt32LE(36);
  const logNext = Number(buf.readBigUInt64LE(40));
  const logDropped = Number(buf.readBigUInt64LE(48));
  const stacksDropped = buf.readUInt32LE(60);
  const highestFd = buf.readUInt32LE(64);
  if (maxDepth !== (STACK_BYTES - 16) / 8) throw new RecordFormatError('origins record with an unexpected stack depth');
  const countsAt = HEADER_BYTES;
  const stacksAt = countsAt + maxStacks * COUNT_BYTES;
  const slotsAt = stacksAt + maxStacks * STACK_BYTES;
  if (buf.length < slotsAt + Math.min(highestFd + 1, fdSlots) * SLOT_BYTES) throw new RecordFormatError('origins record is truncated');

  const stacks = new Map<number, bigint[]>();
  const counts = new Map<number, { opens: number; closes: number }>();
  for (let i = 0; i < maxStacks; i++) {
    const at = stacksAt + i * STACK_BYTES;
    if (buf.readBigUInt64LE(at) === 0n || buf.readUInt32LE(at + 12) !== 1) continue;
    const depth = Math.min(buf.readUInt32LE(at + 8), maxDepth);
    const pcs: bigint[] = [];
    for (let k = 0; k < depth; k++) pcs.push(buf.readBigUInt64LE(at + 16 + k * 8));
    stacks.set(i, pcs);
    counts.set(i, { opens: buf.readUInt32LE(countsAt + i * COUNT_BYTES), closes: buf.readUInt32LE(countsAt + i * COUNT_BYTES + 4) });
  }

  const live = new Map<number, RecordedSocket>();
  for (let fd = 0; fd <= highestFd && fd < fdSlots; fd++) {
    const at = slotsAt + fd * SLOT_BYTES;
    const seq = buf.readUInt32LE(at);
    const inode = buf.readBigUInt64LE(at + 8);
    // An odd sequence is a slot being written while we read: skip it rather than guess.
    if (inode === 0n || seq % 2 === 1 || buf.readUInt32LE(at + 28) !== pid) continue;
    const stack = buf.readUInt32LE(at + 4);
    live.set(fd, {
      fd, inode: inode.toString(), stack: stack === NO_STACK ? undefined : stack,
      createdMs: Number(buf.readBigUInt64LE(at + 16) / 1000000n), tid: buf.readUInt32LE(at + 24),
    });
  }
  const unwind = { slow: buf.readUInt32LE(72), checked: buf.readUInt32LE(76), mismatch: buf.readUInt32LE(80) };
  return { pid, startTicks, stacks, counts, live, stacksDropped, logCapacity, logUsed: Math.min(logNext, logCapacity), logDropped, unwind };
}
