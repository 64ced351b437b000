import { Parser, type Node } from 'web-tree-sitter';
import type { CMacroDefinition } from '../../types';
import type { Rewrite } from './macroRewrites';
import { blankRewrite, lineEnd } from './preproc';

/**
 * Repairs, by trial, of the top-level items that still do not parse once the file's configuration
 * is chosen and the macros with known meaning are rewritten (macroRewrites.ts). What is left is
 * mostly macros the workspace does not define or whose definition does not say what they are:
 *
 * - a macro in front of (or after) a declaration's type or name, such as an attribute or an export
 *   macro defined in a generated or system header (`UNUSED bool x;`, `JEMALLOC_EXPORT int f(void)`,
 *   `size_t head ALIGNED(64);`, `int f(__X509_NAME_CONST__ X509_NAME *a)`): the macro, with its
 *   arguments, is blanked;
 * - an operator passed to a macro (`timespeccmp(&a, &b, <)`), blanked with its comma;
 * - a statement or declaration macro used without a `;` (`QUARTERROUND(a, b, c, d)` then the next
 *   statement on the next line; `TYPED_LIST(list, item_t, link)` at file scope): a `;` is put after it,
 *   in the blanks before the next token, so the macro stays one call statement the analysis sees.
 *
 * Each candidate is tried on the item alone, parsed by tree-sitter: the first that makes it parse
 * without errors is kept; else those that lessen its errors are combined, each kept only when it
 * still lessens them, and kept only when together they make the item parse without any error. Rewrites keep every offset and line (see macroRewrites.ts). Blanked names are
 * only names a macro could have: ones the file or workspace defines as macros, names in capitals, and
 * names reserved to the implementation (`__unused`); a call's name only when the call is not in a
 * function's body (there, a macro call parses as a call and may stand for a close).
 */

type Table = ReadonlyMap<string, CMacroDefinition>;

/** Trials (parses of an item) at most per file, the characters they parse at most, and the longest item tried. */
const MAX_TRIALS = 600;
const MAX_PARSED = 4_000_000;
const MAX_ITEM = 200_000;
/** Candidates at most per item. */
const MAX_CANDIDATES = 150;

interface Candidate {
  readonly rewrites: Rewrite[];
  /** A `;` first, then known macros, reserved names and misplaced definitions, then the others; each in source order. */
  readonly rank: number;
}

export function syntaxRepairs(root: Node, text: string, table: Table): Rewrite[] {
  if (!root.hasError) return [];
  const parser = new Parser();
  const out: Rewrite[] = [];
  try {
    parser.setLanguage(root.tree.language);
    const budget = { trials: MAX_TRIALS, chars: MAX_PARSED };
    for (let i = 0; i < root.childCount && budget.trials > 0 && budget.chars > 0; i++) {
      const item = root.child(i);
      if (!item || !(item.hasError || item.isMissing || item.type === 'ERROR')) continue;
      if (item.endIndex - item.startIndex > MAX_ITEM) continue;
      out.push(...repairItem(parser, item, text, table, budget));
    }
  } finally {
    parser.delete();
  }
  return out.sort((a, b) => a.start - b.start);
}

function repairItem(parser: Parser, item: Node, text: string, table: Table, budget: { trials: number; chars: number }): Rewrite[] {
  const start = item.startIndex;
  // Up to the next item: tokens the grammar leaves at the top level (a struct's `;`, an empty statement) go with it.
  let after = item.nextSibling;
  while (after && (!after.isNamed || (after.type === 'expression_statement' && after.namedChildCount === 0))) after = after.nextSibling;
  // And the next item itself when it parsed: an error can split one declaration in two items
  // (`ALIGNED(64)` then `size_t tab[8];` on the next line reads as `ALIGNED(64) size_t` and `tab[8];`).
  let end = !after ? text.length : after.hasError || after.type === 'ERROR' ? after.startIndex : after.endIndex;
  if (after && end === after.endIndex) {
    for (let t = after.nextSibling; t && !t.isNamed; t = t.nextSibling) end = t.endIndex;
  }
  let current = text.slice(start, end);
  const count = (t: string): number => {
    budget.trials--;
    budget.chars -= t.length;
    return countErrors(parser, t);
  };
  let errors = count(current);
  if (errors === 0) return [];
  const all = candidatesOf(item, text, table).sort((a, b) => a.rank - b.rank || a.rewrites[0]!.start - b.rewrites[0]!.start).slice(0, MAX_CANDIDATES);
  // First one candidate that is enough on its own; else, of those that help on their own, each one
  // that still helps with those kept before it.
  const original = current;
  const helping: Candidate[] = [];
  for (const c of all) {
    if (budget.trials <= 0 || budget.chars <= 0) return [];
    const e = count(applyLocal(original, c.rewrites, start));
    if (e === 0) return c.rewrites;
    if (e < errors) helping.push(c);
  }
  const kept: Rewrite[] = [];
  for (const c of helping) {
    if (errors === 0 || budget.trials <= 0 || budget.chars <= 0) break;
    if (c.rewrites.some((r) => kept.some((k) => r.start < k.end && k.start < r.end))) continue;
    const next = applyLocal(current, c.rewrites, start);
    const e = count(next);
    if (e < errors) {
      errors = e;
      current = next;
      kept.push(...c.rewrites);
    }
  }
  return errors === 0 ? kept : [];
}

function applyLocal(itemText: string, rewrites: readonly Rewrite[], offset: number): string {
  let s = itemText;
  for (const r of rewrites) s = s.slice(0, r.start - offset) + r.text + s.slice(r.end - offset);
  return s;
}

/** ERROR and MISSING nodes of the text parsed alone. */
function countErrors(parser: Parser, text: string): number {
  const tree = parser.parse(text);
  if (!tree) return Number.MAX_SAFE_INTEGER;
  try {
    let n = 0;
    const stack: Node[] = [tree.rootNode];
    while (stack.length) {
      const x = stack.pop()!;
      if (x.type === 'ERROR' || x.isMissing) {
        n++;
        if (x.type === 'ERROR') continue;
      }
      if (!x.hasError) continue;
      for (let i = 0; i < x.childCount; i++) {
        const c = x.child(i);
        if (c) stack.push(c);
      }
    }
    return n;
  } finally {
    tree.delete();
  }
}

/** The rows of the item's errors (an error's own rows and the row before it). */
function errorRows(item: Node): Set<number> {
  const rows = new Set<number>();
  const stack: Node[] = [item];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === 'ERROR' || x.isMissing) {
      const last = Math.min(x.endPosition.row, x.startPosition.row + 2);
      for (let r = Math.max(0, x.startPosition.row - 1); r <= last; r++) rows.add(r);
      if (x.type === 'ERROR' && x.endPosition.row > last) rows.add(x.endPosition.row);
    }
    if (!x.hasError && x.type !== 'ERROR') continue;
    for (let i = 0; i < x.childCount; i++) {
      const c = x.child(i);
      if (c) stack.push(c);
    }
  }
  return rows;
}

/** Never blanked: what they say is read by the analysis (`__attribute__((cleanup(f)))`) or is code. */
const KEPT: ReadonlySet<string> = new Set(['__attribute__', '__attribute', '__declspec', '__asm__', '__asm', '__typeof__', '__typeof', '__extension__', '__builtin_expect']);

const OPERATORS: ReadonlySet<string> = new Set(['<', '>', '<=', '>=', '==', '!=', '+', '-', '*', '/', '%', '&', '|', '^', '&&', '||', '<<', '>>',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '=']);

const ALIGNOF: ReadonlySet<string> = new Set(['__alignof__', '__alignof', '_Alignof', 'alignof']);

const NAME_TOKENS: ReadonlySet<string> = new Set(['identifier', 'type_identifier', 'field_identifier']);

/** Could this name be a macro's? (defined as one, in capitals, or reserved to the implementation) */
function macroLike(name: string, table: Table): 0 | 1 | null {
  if (table.has(name) || /^__[A-Za-z0-9_]*$/.test(name)) return 0;
  if (/^[A-Z][A-Z0-9_]*$/.test(name) && name.length > 1 && /[A-Z]/.test(name.slice(1))) return 1;
  return null;
}

function candidatesOf(item: Node, text: string, table: Table): Candidate[] {
  const rows = errorRows(item);
  const out: Candidate[] = [];
  const stack: Node[] = [item];
  const leaves: Node[] = [];
  const first = Math.min(...rows);
  const last = Math.max(...rows);
  while (stack.length) {
    const x = stack.pop()!;
    if (x.endPosition.row < first || x.startPosition.row > last) continue;
    if (x.type === 'comment') continue;
    if (x.childCount === 0) {
      if (rows.has(x.startPosition.row) && !x.isMissing) leaves.push(x);
      continue;
    }
    for (let i = x.childCount - 1; i >= 0; i--) {
      const c = x.child(i);
      if (c) stack.push(c);
    }
  }
  leaves.sort((a, b) => a.startIndex - b.startIndex);
  for (let k = 0; k < leaves.length; k++) {
    const leaf = leaves[k]!;
    // An operator given to a macro as its last argument (`timespeccmp(&a, &b, <)`): blanked with its comma.
    // (In error recovery `==` can come as two `=` tokens.)
    if (leaf.type === ',') {
      let j = k + 1;
      while (j < leaves.length && j <= k + 2 && (OPERATORS.has(leaves[j]!.type) || leaves[j]!.type === '!')) j++;
      if (j > k + 1 && leaves[j]?.type === ')') out.push({ rewrites: [blankRewrite(text, leaf.startIndex, leaves[j - 1]!.endIndex)], rank: 0 });
      continue;
    }
    // A definition where the grammar takes none (`#define EV_NEW (1 << 0)` between the elements of an array's initializer).
    if (isDefinition(leaf)) {
      const end = lineEnd(text, leaf.endIndex);
      out.push({ rewrites: [blankRewrite(text, leaf.startIndex, end)], rank: 0.3 });
      // With the definitions right after it, together (one error can span them all).
      let groupEnd = end;
      let j = k + 1;
      for (;;) {
        while (j < leaves.length && leaves[j]!.startIndex < groupEnd) j++;
        const d = leaves[j];
        if (!d || !isDefinition(d) || text.slice(groupEnd, d.startIndex).trim() !== '') break;
        groupEnd = lineEnd(text, d.endIndex);
      }
      if (groupEnd > end) out.push({ rewrites: [blankRewrite(text, leaf.startIndex, groupEnd)], rank: 0.2 });
      continue;
    }
    // GNU case ranges (`case 'a' ... 'z':`): the range's end goes, the case keeps its first value.
    if (leaf.type === '...' && leaves[k - 1] && leaves[k - 2]?.type === 'case') {
      const colon = leaves.findIndex((l, j) => j > k && l.type === ':');
      if (colon > k && leaves[colon]!.startPosition.row === leaf.startPosition.row) {
        out.push({ rewrites: [blankRewrite(text, leaf.startIndex, leaves[colon - 1]!.endIndex)], rank: 0 });
      }
      continue;
    }
    // `__alignof__(*p)`: the grammar takes only a type there; `sizeof` reads an expression as well.
    if (ALIGNOF.has(leaf.type) && leaf.endIndex - leaf.startIndex >= 6 && leaves[k + 1]?.type === '(') {
      out.push({ rewrites: [{ start: leaf.startIndex, end: leaf.endIndex, text: 'sizeof'.padEnd(leaf.endIndex - leaf.startIndex) }], rank: 0 });
      continue;
    }
    if (!NAME_TOKENS.has(leaf.type)) continue;
    const name = leaf.text;
    const next = leaves[k + 1];
    const call = next?.type === '(' && next.startIndex >= leaf.endIndex ? closingParen(leaves, k + 1) : -1;
    // A statement macro without its `;`: the call ends its line and the next line goes on with a statement.
    if (call >= 0) {
      const semi = semicolonAfter(leaves, call, text);
      if (semi) out.push({ rewrites: [semi], rank: -1 });
    }
    const rank = macroLike(name, table);
    // A cleanup attribute closes the variable it is on: its macro stays (macros.ts reads it).
    if (rank === null || KEPT.has(name) || table.get(name)?.value.includes('cleanup')) continue;
    if (call >= 0) {
      // In a function's body only after a declared name (`int fd SILENCE_INIT(-1);`), where no call can stand.
      const before = leaves[k - 1];
      const afterName = !!before && before.endPosition.row === leaf.startPosition.row && (NAME_TOKENS.has(before.type) || before.type === ']');
      if (insideFunctionBody(leaf) && !afterName) continue;
      const close = leaves[call]!;
      out.push({ rewrites: [blankRewrite(text, leaf.startIndex, close.endIndex)], rank });
      // A declaration macro standing as a member of a struct (`ALWAYS_ALIGN(64);`): with its `;`.
      if (leaves[call + 1]?.type === ';' && !insideFunctionBody(leaf)) out.push({ rewrites: [blankRewrite(text, leaf.startIndex, leaves[call + 1]!.endIndex)], rank: rank + 0.5 });
    } else {
      out.push({ rewrites: [blankRewrite(text, leaf.startIndex, leaf.endIndex)], rank });
    }
  }
  return out;
}

/** The index of the `)` that closes the `(` at leaves[open], or -1. */
function closingParen(leaves: readonly Node[], open: number): number {
  let depth = 0;
  for (let i = open; i < leaves.length && i < open + 400; i++) {
    const t = leaves[i]!.type;
    if (t === '(') depth++;
    else if (t === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * A `;` after the `)` at leaves[close] when that `)` ends its line and the next token, on a later
 * line, starts a statement or item (a name, a keyword, a `(` cast, a `}`): in the blanks before that
 * token, else in a blank inside the call's line moved to its end.
 */
function semicolonAfter(leaves: readonly Node[], close: number, text: string): Rewrite | null {
  const paren = leaves[close]!;
  const following = nextLeaf(paren, text);
  if (following && following.startPosition.row === paren.endPosition.row) return null;
  if (following && !/^[A-Za-z_(}*]/.test(following.type)) return null;
  const from = paren.endIndex;
  const to = following ? following.startIndex : text.length;
  // A blank after the `)` (up to a comment), or one just before the next token.
  for (let i = from; i < to && /\s/.test(text[i]!); i++) if (text[i] === ' ' || text[i] === '\t') return { start: i, end: i + 1, text: ';' };
  for (let i = to - 1; i >= from && /\s/.test(text[i]!); i--) if (text[i] === ' ' || text[i] === '\t') return { start: i, end: i + 1, text: ';' };
  // No blank there: one inside the call's own line (between two of its tokens) moves to the end.
  for (let k = close; k > 0 && leaves[k - 1]!.endPosition.row === paren.startPosition.row; k--) {
    const a = leaves[k - 1]!;
    const b = leaves[k]!;
    if (b.startIndex > a.endIndex && /^[ \t]+$/.test(text.slice(a.endIndex, b.startIndex))) {
      const gap = a.endIndex;
      return { start: gap, end: from, text: text.slice(gap + 1, from) + ';' };
    }
  }
  return null;
}

/** The first token after `n` that is not a comment (null at the end of the text). */
function nextLeaf(n: Node, text: string): Node | null {
  const root = n.tree.rootNode;
  let i = n.endIndex;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return null;
    const leaf = root.descendantForIndex(i, i + 1);
    if (!leaf || leaf.endIndex <= i) return null;
    if (leaf.type !== 'comment') return leaf;
    i = leaf.endIndex;
  }
}

function isDefinition(leaf: Node): boolean {
  return leaf.type === '#define' || (leaf.type === 'preproc_directive' && /^#\s*undef$/.test(leaf.text));
}

function insideFunctionBody(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'compound_statement') return true;
  return false;
}
