import type { Node } from 'web-tree-sitter';
import { walk } from '../syntax';
import type { Placement } from './placement';

/**
 * Fixes that wrap a run of statements in a new block (Python's `with` and `try`, a try/catch)
 * rewrite whole lines: the statements' lines indented one level deeper, except blank lines and
 * the continuation lines of multi-line strings, whose text is part of a value and must not change.
 * For every language; the language says which nodes are strings.
 */
export class RegionLines {
  /** The region's original lines, without line breaks. */
  readonly all: string[];
  /** The 0-based line number of `all[0]`. */
  readonly firstLine: number;

  constructor(
    place: Placement,
    /** Offsets of the region: from the start of the line holding `start` to the end of the line holding `end`. */
    start: number,
    end: number,
    /** Lines (0-based) whose text must stay as it is (see `continuationLines`). */
    private readonly frozen: ReadonlySet<number>,
    /** One level of indentation. */
    private readonly unit: string,
  ) {
    this.all = place.text.slice(place.lineStart(start), place.lineEnd(end)).split(/\r?\n|\r/);
    this.firstLine = place.line(start);
  }

  /** Lines [from, to] (absolute numbers) as they are. */
  keep(from: number, to: number): string[] {
    return this.all.slice(from - this.firstLine, to - this.firstLine + 1);
  }

  /**
   * Lines [from, to] (absolute numbers), indented by one unit (blank lines and frozen lines kept).
   * `before` adds a line before some lines; `replace` swaps a line for another text (both given
   * with their indentation as in the original, the unit is added) or drops it (null).
   */
  indented(from: number, to: number, before?: ReadonlyMap<number, string>, replace?: ReadonlyMap<number, string | null>): string[] {
    const out: string[] = [];
    for (let l = from; l <= to; l++) {
      const swapped = replace?.get(l);
      if (swapped === null) continue;
      const line = swapped ?? this.all[l - this.firstLine] ?? '';
      const extra = before?.get(l);
      if (extra !== undefined) out.push(this.unit + extra);
      out.push(line.trim() === '' || this.frozen.has(l) ? line : this.unit + line);
    }
    return out;
  }
}

/**
 * The lines (0-based) that continue a multi-line string (a node for which `isString` holds) in
 * the statements from `first` to the one starting at or before `lastStart` (siblings of `first`).
 */
export function continuationLines(place: Placement, first: Node, lastStart: number, isString: (n: Node) => boolean): Set<number> {
  const out = new Set<number>();
  for (let n: Node | null = first; n && n.startIndex <= lastStart; n = n.nextNamedSibling) {
    walk(n, (x) => {
      if (!isString(x)) return true;
      const a = place.line(x.startIndex);
      const b = place.line(x.endIndex);
      for (let l = a + 1; l <= b; l++) out.add(l);
      return false;
    });
  }
  return out;
}

/**
 * The statement of `stmts` (one block's statements, in order) that holds `n`, by binary search
 * (tree-sitter finds a node's parent by walking down from the root, so climbing parents is slow
 * on deep trees); null when none holds it whole.
 */
export function statementHolding(stmts: readonly Node[], n: Node): Node | null {
  let lo = 0;
  let hi = stmts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = stmts[mid]!;
    if (n.endIndex <= c.startIndex) hi = mid - 1;
    else if (n.startIndex >= c.endIndex) lo = mid + 1;
    else return c.startIndex <= n.startIndex && n.endIndex <= c.endIndex ? c : null;
  }
  return null;
}
