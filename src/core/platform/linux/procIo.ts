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
 * Reads a /proc file as text. (fs.readFile reads to EOF; copy/stat-size based reads do not work on
 * procfs, whose files report size 0.)
 */
export function readText(file: string): Promise<string> {
  return fs.promises.readFile(file, 'latin1');
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
 * Reads the link targets of `names` inside `dir` (e.g. /proc/<pid>/fd), `limit` at a time. A link
 * that vanished meanwhile (the fd was closed) reads as undefined; other errors reject.
 */
export function readLinks(dir: string, names: readonly string[], limit: number): Promise<(string | undefined)[]> {
  return mapLimit(names, limit, (name) => new Promise<string | undefined>((resolve, reject) => {
    fs.readlink(`${dir}/${name}`, (err, target) => {
      if (!err) resolve(target);
      else if (err.code === 'ENOENT' || err.code === 'ESRCH') resolve(undefined);
      else reject(err);
    });
  }));
}
