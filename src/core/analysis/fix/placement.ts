import { LineIndex } from '../edits';
import { dominantEol, withEol, type Eol } from '../fileio/eol';
import type { TextEdit } from '../types';

/**
 * Where fix text goes in a source text, for every language: line starts and ends, the indentation
 * of a line, whether a token starts or ends its line, and the text's own line ending. Languages
 * decide what to insert and before which statement; the layout questions are answered here, once.
 * Fix text is written with `\n`; every edit made here carries the text's own line ending instead.
 */
export class Placement {
  private eolMemo: Eol | undefined;

  constructor(readonly text: string, readonly lines: LineIndex) {}

  /** The placement of `text`, shared by every function of one file (keyed by its line index). */
  static of(text: string, lines: LineIndex): Placement {
    let p = shared.get(lines);
    if (!p || p.text !== text) shared.set(lines, (p = new Placement(text, lines)));
    return p;
  }

  /** The text's dominant line ending (fileio/eol.ts, the same rule the file writer uses). */
  get eol(): Eol {
    return (this.eolMemo ??= dominantEol(this.text));
  }

  /** An insertion of `newText` at `offset`; `\n` in it becomes the text's line ending. */
  insert(offset: number, newText: string): TextEdit {
    const p = this.lines.position(offset);
    return { range: { start: p, end: p }, newText: this.withEol(newText) };
  }

  /** A replacement of `[start, end)` by `newText` (line endings as in `insert`). */
  replace(start: number, end: number, newText: string): TextEdit {
    return { range: this.lines.range(start, end), newText: this.withEol(newText) };
  }

  /** Whole lines (given without indentation) inserted before the line holding `offset`, each prefixed with `indent`. */
  insertLines(offset: number, indent: string, body: readonly string[]): TextEdit {
    return this.insert(this.lineStart(offset), body.map((l) => `${indent}${l}\n`).join(''));
  }

  /** Whole lines inserted after the line holding `offset` (at the start of the next line). */
  insertLinesAfter(offset: number, indent: string, body: readonly string[]): TextEdit {
    const end = this.lineEnd(offset);
    const next = end + (this.text.startsWith('\r\n', end) ? 2 : end < this.text.length ? 1 : 0);
    if (next === end) return this.insert(end, body.map((l) => `\n${indent}${l}`).join(''));
    return this.insert(next, body.map((l) => `${indent}${l}\n`).join(''));
  }

  withEol(s: string): string {
    return withEol(s, this.eol);
  }

  lineStart(offset: number): number {
    return offset - this.lines.position(offset).column;
  }

  /** Offset of the end of the line holding `offset` (before its line break). */
  lineEnd(offset: number): number {
    let i = offset;
    while (i < this.text.length && this.text[i] !== '\n' && this.text[i] !== '\r') i++;
    return i;
  }

  /** The 0-based line holding `offset`. */
  line(offset: number): number {
    return this.lines.position(offset).line;
  }

  /** The leading blanks of the line holding `offset` (up to `offset` itself). */
  indentAt(offset: number): string {
    const start = this.lineStart(offset);
    const limit = Math.min(this.text.length, offset + 1);
    let end = start;
    while (end < limit && (this.text[end] === ' ' || this.text[end] === '\t')) end++;
    return this.text.slice(start, end);
  }

  /** Is `offset` the first non-blank character of its line? */
  firstOnLine(offset: number): boolean {
    for (let i = this.lineStart(offset); i < offset; i++) if (this.text[i] !== ' ' && this.text[i] !== '\t') return false;
    return true;
  }

  /** The text after `offset` up to the end of its line, without surrounding blanks. */
  restOfLine(offset: number): string {
    return this.text.slice(offset, this.lineEnd(offset)).trim();
  }

  /** Is nothing but blanks, or a comment starting with one of `comments`, after `offset` on its line? */
  lastOnLine(offset: number, comments: readonly string[]): boolean {
    const rest = this.restOfLine(offset);
    return rest === '' || comments.some((c) => rest.startsWith(c));
  }

  /** The indentation of the line holding `offset` when `offset` starts it, else null. */
  ownLineIndent(offset: number): string | null {
    return this.firstOnLine(offset) ? this.indentAt(offset) : null;
  }
}

const shared = new WeakMap<LineIndex, Placement>();
