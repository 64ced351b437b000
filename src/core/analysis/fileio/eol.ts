/**
 * A file's line-ending style: the fixes are written with "\n" line breaks, and a file that uses
 * CRLF (or CR) gets its own style in the lines a fix inserts.
 */
export type Eol = '\n' | '\r\n' | '\r';

/** The most frequent line ending of `text` ("\n" when there is none, or on a tie with it). */
export function dominantEol(text: string): Eol {
  let lf = 0;
  let crlf = 0;
  let cr = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) lf++;
    else if (ch === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      } else cr++;
    }
  }
  if (crlf > lf && crlf >= cr) return '\r\n';
  if (cr > lf && cr > crlf) return '\r';
  return '\n';
}

/** `text` with every "\n" that is not already part of a "\r\n" written as `eol`. */
export function withEol(text: string, eol: Eol): string {
  if (eol === '\n') return text;
  let out = '';
  let from = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) continue;
    out += text.slice(from, i) + eol;
    from = i + 1;
  }
  return out + text.slice(from);
}
