/**
 * Writes edits into the raw bytes of a file: only the edited spans change, every other byte (invalid
 * UTF-8, a Latin-1 comment, a BOM, the line endings) is copied as it was. The text a fix inserts is
 * encoded as UTF-8 with the file's own line ending (a CRLF file gets CRLF lines).
 */
import type { OffsetEdit } from '../edits';
import { byteOffsets } from './utf8Offsets';
import { dominantEol, withEol } from './eol';

/**
 * `bytes` with `edits` applied. The edits are sorted, non-overlapping offsets into `text`, which is
 * `bytes` from `textStart` (after a byte order mark) decoded as UTF-8.
 */
export function applyEditsToBytes(bytes: Buffer, textStart: number, text: string, edits: readonly OffsetEdit[]): Buffer {
  if (edits.length === 0) return bytes;
  const body = bytes.subarray(textStart);
  const at = byteOffsets(body, edits.flatMap((e) => [e.start, e.end]));
  const eol = dominantEol(text);
  const parts: Buffer[] = [bytes.subarray(0, textStart)];
  let copied = 0;
  edits.forEach((e, i) => {
    const start = at[2 * i]!;
    const end = at[2 * i + 1]!;
    if (start < copied || end < start) throw new RangeError('edits must be sorted and must not overlap');
    parts.push(body.subarray(copied, start), Buffer.from(withEol(e.newText, eol), 'utf8'));
    copied = end;
  });
  parts.push(body.subarray(copied));
  return Buffer.concat(parts);
}
