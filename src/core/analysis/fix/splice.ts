import type { OffsetEdit } from '../edits';
import type { Placement } from './placement';

/**
 * Fixes that replace a whole region (Java's try-with-resources, a try/catch around statements)
 * and also insert or remove statements inside it build the region's new text from the original
 * with those smaller edits spliced in, for every language.
 */

/** The text between `start` and `end` with `edits` applied (edits outside the span, or overlapping an earlier one, are skipped). */
export function splice(text: string, start: number, end: number, edits: readonly OffsetEdit[]): string {
  let out = '';
  let at = start;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    if (e.start < at || e.start > end) continue;
    out += text.slice(at, e.start) + e.newText;
    at = Math.min(e.end, end);
  }
  return out + text.slice(at, end);
}

/**
 * Removes the statement `[start, end)`, together with its line when it is alone on it (its
 * indentation and line break go too); else only the statement.
 */
export function statementRemoval(place: Placement, start: number, end: number): OffsetEdit {
  const t = place.text;
  if (!place.firstOnLine(start)) return { start, end, newText: '' };
  let e = end;
  while (e < t.length && (t[e] === ' ' || t[e] === '\t')) e++;
  if (t[e] === '\r') e++;
  if (t[e] !== '\n') return { start, end, newText: '' };
  return { start: place.lineStart(start), end: e + 1, newText: '' };
}
