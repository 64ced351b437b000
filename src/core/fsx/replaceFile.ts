/**
 * Replaces a file's content all at once: the new bytes go to a temporary file in the same folder,
 * which is flushed to disk (fsync), given the original's mode (and owner, where allowed) and renamed
 * over the original (a file with several hard links would lose them: the caller decides). Whatever fails (a full disk, a read-only file system, a file that changed or
 * became a symbolic link since it was read), the original is left as it was and the temporary file
 * is removed; the error is thrown as a ReplaceFileError with one line to show.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { FileIdentity } from './fileIdentity';
import { identityOf, sameFile } from './fileIdentity';

export class ReplaceFileError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'ReplaceFileError';
  }
}

/** The writing steps, injectable so a test can make one of them fail (a full disk, an fsync error). */
export interface ReplaceFileOps {
  writeSync(fd: number, data: Buffer, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  renameSync(from: string, to: string): void;
}
const REAL_OPS: ReplaceFileOps = {
  writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
};

const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

function describe(e: unknown): string {
  const code = errorCode(e);
  switch (code) {
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    case 'EROFS': return 'read-only file system';
    case 'EACCES': case 'EPERM': return `permission denied (${code})`;
    default: return code ?? (e instanceof Error ? e.message : String(e));
  }
}

/** Throws unless `file` is still the very regular file (not a symbolic link) that was read as `expected`, and writable. */
function checkStillTheSame(file: string, expected: FileIdentity): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    throw new ReplaceFileError(`cannot write (${describe(e)})`, errorCode(e));
  }
  if (st.isSymbolicLink()) throw new ReplaceFileError('it is a symbolic link', 'ELOOP');
  if (!st.isFile()) throw new ReplaceFileError('not a regular file');
  if (!sameFile(identityOf(st), expected)) throw new ReplaceFileError('the file changed since it was read');
}

function checkWritable(file: string, expected: FileIdentity): void {
  // Renaming would replace a read-only file as long as its folder is writable; a file nobody may write stays as it is.
  if ((expected.mode & 0o222) === 0) throw new ReplaceFileError('the file is read-only', 'EACCES');
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch (e) {
    throw new ReplaceFileError(describe(e), errorCode(e));
  }
}

function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY);
    fs.fsyncSync(fd);
  } catch {
    // Not every platform can fsync a folder (Windows); the rename itself has happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Replaces `file` by `data`. `expected` is the identity of the file when its content was read
 * (readRegularFile): the file is replaced only if it is still that regular file.
 */
export function replaceFile(file: string, data: Buffer, expected: FileIdentity, ops: ReplaceFileOps = REAL_OPS): void {
  checkStillTheSame(file, expected);
  checkWritable(file, expected);
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file).slice(0, 100)}.sockscope-${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  let renamed = false;
  try {
    fd = fs.openSync(temp, CREATE_FLAGS, 0o600);
    for (let at = 0; at < data.length;) {
      const n = ops.writeSync(fd, data, at, data.length - at);
      if (n <= 0) throw new ReplaceFileError('cannot write (short write)');
      at += n;
    }
    if (process.platform !== 'win32') {
      try {
        fs.fchownSync(fd, expected.uid, expected.gid);
      } catch {
        // Only root may give a file away; an ordinary user's file is theirs already.
      }
    }
    fs.fchmodSync(fd, expected.mode);
    ops.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    checkStillTheSame(file, expected);
    ops.renameSync(temp, file);
    renamed = true;
  } catch (e) {
    if (e instanceof ReplaceFileError) throw e;
    throw new ReplaceFileError(`cannot write (${describe(e)}); the file is unchanged`, errorCode(e));
  } finally {
    if (fd !== undefined) {
      try { fs.closeSync(fd); } catch { /* already failing */ }
    }
    if (!renamed) {
      try { fs.unlinkSync(temp); } catch { /* never created */ }
    }
  }
  syncFolder(dir);
}
