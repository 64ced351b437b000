import { Edit, type Parser, type Point, type Tree } from 'web-tree-sitter';
import { lastAtOrBefore } from './edits';

/** A replacement of `text[start, end)`, offsets in UTF-16 code units of the text before any replacement. */
export interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * The tree of `text`, which is `oldText` (the text `old` describes) with `replacements` made (sorted,
 * not overlapping), by tree-sitter's incremental parse: a copy of `old` is told of each replacement and
 * re-parsed, which reuses the subtrees no replacement touched. `old` itself is left as it was. The
 * caller owns (and deletes) the tree returned; null when the parser gives none.
 */
export function reparse(parser: Parser, old: Tree, oldText: string, replacements: readonly Replacement[], text: string): Tree | null {
  const copy = old.copy();
  try {
    const points = new PointIndex(oldText);
    // Back to front: each edit's offsets and points are still those of `oldText` when it is told.
    for (let i = replacements.length - 1; i >= 0; i--) {
      const r = replacements[i]!;
      const startPosition = points.at(r.start);
      copy.edit(new Edit({
        startIndex: r.start,
        oldEndIndex: r.end,
        newEndIndex: r.start + r.text.length,
        startPosition,
        oldEndPosition: points.at(r.end),
        newEndPosition: pointAfter(startPosition, r.text),
      }));
    }
    return parser.parse(text, copy);
  } finally {
    copy.delete();
  }
}

/** Points as tree-sitter counts them: rows are '\n's before the offset, columns UTF-16 code units after the last. */
class PointIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  at(offset: number): Point {
    const row = lastAtOrBefore(this.starts, offset);
    return { row, column: offset - this.starts[row]! };
  }
}

/** The point reached from `start` by writing `inserted`. */
export function pointAfter(start: Point, inserted: string): Point {
  const last = inserted.lastIndexOf('\n');
  if (last < 0) return { row: start.row, column: start.column + inserted.length };
  let rows = 0;
  for (let i = inserted.indexOf('\n'); i >= 0; i = inserted.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: inserted.length - last - 1 };
}

/** Equal characters between two changed ones at most, for both to be one replacement. */
const JOIN_GAP = 32;

/**
 * The replacements that make `to` of `from` when both have the same length (a build configuration
 * blanks parts of a file's text): one for each run of changed characters, runs closer than JOIN_GAP
 * joined. Null when the lengths differ.
 */
export function sameLengthReplacements(from: string, to: string): Replacement[] | null {
  if (from.length !== to.length) return null;
  const out: Replacement[] = [];
  let i = 0;
  const n = from.length;
  while (i < n) {
    if (from.charCodeAt(i) === to.charCodeAt(i)) {
      i++;
      continue;
    }
    const start = i;
    let end = i + 1;
    for (let j = end; j < n && j - end <= JOIN_GAP; j++) if (from.charCodeAt(j) !== to.charCodeAt(j)) end = j + 1;
    out.push({ start, end, text: to.slice(start, end) });
    i = end;
  }
  return out;
}
