/**
 * Where a position of decoded text lies in the raw bytes. A source file is analysed as the string
 * Buffer.toString('utf8') gives, where each malformed byte sequence became one U+FFFD (the WHATWG
 * "maximal subpart" rule). To edit the bytes rather than re-encode the string, the positions of the
 * edits (UTF-16 code units) are walked back to byte offsets by decoding the bytes the same way.
 */

/** Bytes taken and UTF-16 units produced by the character that starts at `i` (a malformed sequence: one U+FFFD). */
function step(bytes: Uint8Array, i: number): { bytes: number; units: number } {
  const b = bytes[i]!;
  const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
  if (need <= 0) return { bytes: 1, units: 1 };
  let lower = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
  let upper = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
  for (let j = 1; j <= need; j++) {
    const c = bytes[i + j];
    if (c === undefined || c < lower || c > upper) return { bytes: j, units: 1 };
    lower = 0x80;
    upper = 0xbf;
  }
  return { bytes: need + 1, units: need === 3 ? 2 : 1 };
}

/**
 * The byte offset in `bytes` of each UTF-16 offset of the decoded text (the text's length maps to
 * bytes.length). Throws a RangeError for an offset past the end or inside a surrogate pair.
 */
export function byteOffsets(bytes: Uint8Array, unitOffsets: readonly number[]): number[] {
  const order = unitOffsets.map((_, i) => i).sort((a, b) => unitOffsets[a]! - unitOffsets[b]!);
  const result: number[] = new Array<number>(unitOffsets.length);
  let k = 0;
  let units = 0;
  let i = 0;
  const answer = (upTo: number, at: number) => {
    for (; k < order.length && unitOffsets[order[k]!]! <= upTo; k++) {
      if (unitOffsets[order[k]!]! !== units) throw new RangeError(`offset ${unitOffsets[order[k]!]} is inside a character`);
      result[order[k]!] = at;
    }
  };
  while (i < bytes.length && k < order.length) {
    const s = step(bytes, i);
    answer(units + s.units - 1, i);
    units += s.units;
    i += s.bytes;
  }
  answer(units, i);
  if (k < order.length) throw new RangeError(`offset ${unitOffsets[order[k]!]} is past the end of the text`);
  return result;
}
