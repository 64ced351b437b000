/**
 * Edits made in several rounds (each against the text the previous round left), expressed as one
 * set of edits against the original text. The current text is kept as pieces, each either a span of
 * the original or inserted text; the spans of the original that survive are exactly the parts no
 * edit touched, so a writer can copy those from the original bytes and encode only the rest.
 */
import type { OffsetEdit } from './edits';

type Piece = { readonly from: number; readonly to: number } | { readonly text: string };

const length = (p: Piece) => ('text' in p ? p.text.length : p.to - p.from);

export class EditTrail {
  private pieces: Piece[];

  constructor(private readonly originalLength: number) {
    this.pieces = originalLength > 0 ? [{ from: 0, to: originalLength }] : [];
  }

  /** Records one round: `edits` are sorted, non-overlapping offsets into the current text (resolveEdits). */
  apply(edits: readonly OffsetEdit[]): void {
    const total = this.currentLength();
    const out: Piece[] = [];
    const push = (p: Piece) => {
      if (length(p) === 0) return;
      const last = out[out.length - 1];
      if (last && 'text' in last && 'text' in p) out[out.length - 1] = { text: last.text + p.text };
      else out.push(p);
    };
    let pi = 0;
    let inPiece = 0;
    let pos = 0;
    /** Moves to current offset `to`, keeping (or dropping) what lies in between. */
    const advance = (to: number, keep: boolean) => {
      while (pos < to) {
        const p = this.pieces[pi];
        if (!p) throw new RangeError(`edit at ${to} is past the end of the text`);
        const n = Math.min(length(p) - inPiece, to - pos);
        if (keep) push('text' in p ? { text: p.text.slice(inPiece, inPiece + n) } : { from: p.from + inPiece, to: p.from + inPiece + n });
        inPiece += n;
        pos += n;
        if (inPiece === length(p)) {
          pi++;
          inPiece = 0;
        }
      }
    };
    for (const e of edits) {
      if (e.start < pos || e.end < e.start) throw new RangeError('edits must be sorted and must not overlap');
      advance(e.start, true);
      push({ text: e.newText });
      advance(e.end, false);
    }
    advance(total, true);
    this.pieces = out;
  }

  currentLength(): number {
    return this.pieces.reduce((n, p) => n + length(p), 0);
  }

  /** Everything recorded, as sorted, non-overlapping edits against the original text. */
  edits(): OffsetEdit[] {
    const edits: OffsetEdit[] = [];
    let pos = 0;
    let pending: { start: number; text: string } | undefined;
    const flush = (end: number) => {
      if (pending || end > pos) edits.push({ start: pending?.start ?? pos, end, newText: pending?.text ?? '' });
      pending = undefined;
    };
    for (const p of this.pieces) {
      if ('text' in p) {
        pending ??= { start: pos, text: '' };
        pending.text += p.text;
      } else {
        flush(p.from);
        pos = p.to;
      }
    }
    flush(this.originalLength);
    return edits;
  }
}
