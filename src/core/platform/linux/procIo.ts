// The little I/O the Linux source needs, kept apart from the parsers: reading /proc text files,
// and reading many fd links with a bounded number of requests in flight.

import * as fs from 'fs';

/** The errno name (ENOENT, EACCES, ...) of a failed fs call, or undefined. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Errors that mean the process (or the fd) is gone: it exited between two reads. */
export function isGone(e: unknown): boolean {
  const code = errnoOf(e);
  // ESRCH: the task exited while its file was open; EINVAL: net/ of a zombie (no namespace left).
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EINVAL';
}

export function isDenied(e: unknown): boolean {
  const code = errnoOf(e);
  return code === 'EACCES' || code === 'EPERM';
}

/**
 * Reads a /proc file as text (latin1: the kernel writes bytes, and paths need not be UTF-8).
 * fs.readFile reads to EOF, which procfs files (size 0 in stat) need; measured on a 25,000-line
 * net/tcp it is also faster than reading in bigger chunks through a FileHandle.
 */
export function readText(file: string): Promise<string> {
  return fs.promises.readFile(file, 'latin1');
}

/** Reused by readTableSync; grows to the largest table seen (a 10,000-socket net/tcp is ~1.5 MB). */
let scratch = Buffer.allocUnsafe(1 << 20);

/**
 * Reads a large /proc table (net/tcp and friends) synchronously into one reused buffer. The kernel
 * hands these out ~4 KB per read(), so the async API pays a thread-pool round trip per 4 KB (about 900
 * for a 10,000-socket table) and stalls whenever the event loop is busy; measured on that table:
 * 39 ms this way, 79 ms with fs.promises.readFile. Throws the fs errors (ENOENT, EACCES, ...) as they are.
 */
export function readTableSync(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    let n = 0;
    for (;;) {
      if (n === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, n);
        scratch = bigger;
      }
      const read = fs.readSync(fd, scratch, n, scratch.length - n, null);
      if (read === 0) break;
      n += read;
    }
    return scratch.toString('latin1', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A small /proc file (stat, status, limits, cmdline) read synchronously: procfs generates it in
 * memory, and the four syscalls cost less than one thread-pool round trip of the async API, which
 * counts when a process is sampled every second. Throws the fs errors as they are.
 */
export function readSmallProcFile(file: string): string {
  return fs.readFileSync(file, 'latin1');
}

/** Like readText, but resolves undefined when the file cannot be read for any reason. */
export function readTextOrUndefined(file: string): Promise<string | undefined> {
  return readText(file).catch(() => undefined);
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. A
 * rejection stops new calls and rejects the whole run.
 */
export function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  return new Promise((resolve, reject) => {
    const results = new Array<R>(items.length);
    let next = 0;
    let done = 0;
    let failed = false;
    if (items.length === 0) { resolve(results); return; }
    const start = (): void => {
      if (failed || next >= items.length) return;
      const i = next++;
      fn(items[i] as T, i).then((r) => {
        results[i] = r;
        if (++done === items.length) resolve(results);
        else start();
      }, (e: unknown) => { failed = true; reject(e); });
    };
    for (let k = 0; k < Math.min(limit, items.length); k++) start();
  });
}

/**
 * Reads the link targets of `names` inside `dir` (e.g. /proc/<pid>/fd). A link that vanished
 * meanwhile (the fd was closed) reads as undefined; other errors reject.
 *
 * The links are read synchronously in slices of `batch`, yielding to the event loop between
 * slices. A readlink on procfs is a ~5 µs syscall, cheaper than the thread-pool round trip of the
 * async API (measured: 10,000 links ~60 ms this way, 100-200 ms as 64 concurrent fs.readlink), and
 * the thread pool stays free to read the net tables at the same time. No slice blocks the event
 * loop for more than a few milliseconds.
 */
export async function readLinks(dir: string, names: readonly string[], batch: number): Promise<(string | undefined)[]> {
  const targets = new Array<string | undefined>(names.length);
  for (let start = 0; start < names.length; start += batch) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const end = Math.min(start + batch, names.length);
    for (let i = start; i < end; i++) {
      try {
        targets[i] = fs.readlinkSync(`${dir}/${names[i] as string}`);
      } catch (e) {
        const code = errnoOf(e);
        if (code !== 'ENOENT' && code !== 'ESRCH') throw e;
        targets[i] = undefined;
      }
    }
  }
  return targets;
}
