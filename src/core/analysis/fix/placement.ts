import type { LineIndex } from '../edits';
import type { TextEdit } from '../types';

/**
 * Where fix text goes in a source text, for every language: line starts and ends, the indentation
 * of a line, whether a token starts its line, and the text's own line ending. Languages decide
 * what to insert and before which statement; the layout questions are answered here, once.
 */
export class Placement {
  private eolMemo: string | undefined;

  constructor(readonly text: string, readonly lines: LineIndex) {}

  /** The text's dominant line ending (`\r\n` when most lines end so), for multi-line insertions. */
  get eol(): string {
    if (this.eolMemo === undefined) {
      let crlf = 0;
      let lf = 0;
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) {
        if (this.text.charCodeAt(i - 1) === 13) crlf++;
        else lf++;
      }
      this.eolMemo = crlf > lf ? '\r\n' : '\n';
    }
    return this.eolMemo;
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

  withEol(s: string): string {
    return this.eol === '\n' ? s : s.replace(/\r?\n/g, this.eol);
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
}
