/**
 * What a file was when it was read: which inode, how big, when last modified, with which mode and
 * owner. A writer compares it with the file it is about to replace, so it never replaces a file that
 * changed (or was swapped for another one, or for a symbolic link) in the meantime.
 */
import type * as fs from 'fs';

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** Permission bits (and set-id / sticky bits) to give the replacement. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
}

export function identityOf(st: fs.Stats): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, nlink: st.nlink };
}

/** Same inode, same size and same modification time: the file has not been replaced or written since. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
