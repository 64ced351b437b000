import type { Fix, Position, Range, TextEdit } from './types';

/** Offsets of the first character of every line of `text` (line 0 starts at 0). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) starts.push(i + 1);
    else if (ch === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

/** Converts 0-based positions and offsets (UTF-16 code units) for one text. */
/** Index of the last element of ascending `sorted` that is <= x, or -1 when there is none. */
export function lastAtOrBefore(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return idx;
}

export class LineIndex {
  private readonly starts: number[];
  constructor(private readonly text: string) {
    this.starts = lineStarts(text);
  }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = Math.max(0, lastAtOrBefore(this.starts, o));
    return { line, column: o - (this.starts[line] ?? 0) };
  }
  offset(pos: Position): number {
    if (pos.line < 0) return 0;
    const start = this.starts[pos.line];
    if (start === undefined) return this.text.length;
    const next = this.starts[pos.line + 1] ?? this.text.length + 1;
    return Math.min(start + Math.max(0, pos.column), next - 1, this.text.length);
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

export class OverlappingEditsError extends Error {
  constructor(a: TextEdit, b: TextEdit) {
    const fmt = (e: TextEdit) => `${e.range.start.line + 1}:${e.range.start.column + 1}-${e.range.end.line + 1}:${e.range.end.column + 1}`;
    super(`overlapping edits at ${fmt(a)} and ${fmt(b)}`);
    this.name = 'OverlappingEditsError';
  }
}

/** An edit as UTF-16 offsets into the text it applies to. */
export interface OffsetEdit {
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/**
 * `edits` (ranges against `text`) as offsets, sorted and without duplicates. Several insertions at one
 * position keep the order given; an identical edit (same range and text) given twice is kept once, so
 * fixes that share an edit (an added `#include`, a brace) can be combined. Edits whose ranges overlap
 * throw OverlappingEditsError.
 */
export function resolveEdits(text: string, edits: readonly TextEdit[]): OffsetEdit[] {
  const index = new LineIndex(text);
  const seen = new Set<string>();
  const resolved: { start: number; end: number; newText: string; order: number; edit: TextEdit }[] = [];
  edits.forEach((edit, order) => {
    const start = index.offset(edit.range.start);
    const end = index.offset(edit.range.end);
    if (end < start) throw new RangeError(`edit range ends before it starts at line ${edit.range.start.line + 1}`);
    const key = `${start}:${end}:${edit.newText}`;
    if (seen.has(key)) return;
    seen.add(key);
    resolved.push({ start, end, newText: edit.newText, order, edit });
  });
  // Insertions at a position go before a replacement starting there.
  resolved.sort((a, b) => a.start - b.start || (a.end - a.start) - (b.end - b.start) || a.order - b.order);
  for (let i = 1; i < resolved.length; i++) {
    const prev = resolved[i - 1]!;
    const cur = resolved[i]!;
    if (cur.start < prev.end) throw new OverlappingEditsError(prev.edit, cur.edit);
  }
  return resolved.map(({ start, end, newText }) => ({ start, end, newText }));
}

/** Applies edits from resolveEdits to the text they were resolved against. */
export function applyOffsetEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return out + text.slice(at);
}

/** Applies `edits` (ranges against the original `text`, see resolveEdits) and returns the new text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return applyOffsetEdits(text, resolveEdits(text, edits));
}

/** "Close it on all paths" for a variable: every one of its exit fixes combined (edits shared by several kept once). */
export function combineExitFixes(variable: string, fixes: readonly Fix[]): Fix | null {
  if (!fixes.length) return null;
  const seen = new Set<string>();
  const edits: TextEdit[] = [];
  for (const f of fixes) {
    for (const e of f.edits) {
      const key = `${e.range.start.line}:${e.range.start.column}:${e.range.end.line}:${e.range.end.column}:${e.newText}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edits.push(e);
    }
  }
  return { title: `Close \`${variable}\` on all paths`, scope: 'all-paths', isPreferred: true, edits };
}
