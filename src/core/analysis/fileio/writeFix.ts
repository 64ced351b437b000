/**
 * Writes fix-all's edits into a source file without ever damaging it: the edits go into the bytes
 * that were read (everything else stays byte for byte), the file is replaced atomically (replaceFile),
 * and a file reached through a symbolic link, or lying outside the folder it was found under, is never
 * written.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FileIdentity } from '../../fsx/fileIdentity';
import { replaceFile, ReplaceFileError } from '../../fsx/replaceFile';
import type { ReplaceFileOps } from '../../fsx/replaceFile';
import type { OffsetEdit } from '../edits';
import { applyEditsToBytes } from './byteEdits';

/** A file deliberately left alone (a symbolic link, several hard links): the caller reports it as a note, not an error. */
export class FixNotWritten extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FixNotWritten';
  }
}

export interface ReadSource {
  readonly text: string;
  readonly bom: boolean;
  readonly bytes: Buffer;
  readonly identity: FileIdentity;
}

function isWithin(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Writes `edits` (against `source.text`) into `file`. Throws FixNotWritten when the file is left alone
 * on purpose, ReplaceFileError (one line, the original untouched) when writing failed.
 */
export function writeFix(file: string, root: string, source: ReadSource, edits: readonly OffsetEdit[], ops?: ReplaceFileOps): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    throw new ReplaceFileError(`cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (st.isSymbolicLink()) throw new FixNotWritten('it is a symbolic link (fixes are never written through one; fix the file it points to)');
  if (source.identity.nlink > 1) throw new FixNotWritten(`it has ${source.identity.nlink} hard links (replacing it would split them)`);
  let realDir: string;
  let realRoot: string;
  try {
    realDir = fs.realpathSync(path.dirname(file));
    realRoot = fs.realpathSync(root);
  } catch (e) {
    throw new ReplaceFileError(`cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!isWithin(realDir, realRoot)) throw new FixNotWritten(`it lies outside ${root} (a folder on the way is a symbolic link)`);
  const bytes = applyEditsToBytes(source.bytes, source.bom ? 3 : 0, source.text, edits);
  replaceFile(file, bytes, source.identity, ops);
}
