import { createHash } from 'crypto';
import { Parser, type Node } from 'web-tree-sitter';
import { TrialParses } from '../../trialParses';
import type { CMacroDefinition } from '../../types';
import { macroRewrites, type Rewrite } from './macroRewrites';
import { blankRewrite, lineEnd } from './preproc';
import { definitionNodes } from './definitions';

/**
 * Repairs, by trial, of the top-level items that still do not parse once the file's configuration
 * is chosen and the macros with known meaning are rewritten (macroRewrites.ts). What is left is
 * mostly macros the workspace does not define or whose definition does not say what they are:
 *
 * - a macro in front of (or after) a declaration's type or name, such as an attribute or an export
 *   macro defined in a generated or system header (`UNUSED bool x;`, `JEMALLOC_EXPORT int f(void)`,
 *   `size_t head ALIGNED(64);`, `int f(__X509_NAME_CONST__ X509_NAME *a)`): the macro, with its
 *   arguments, is blanked;
 * - an operator passed to a macro (`timespeccmp(&a, &b, <)`, `tt_int_op(n, ==, 2)`), blanked with its comma;
 * - a statement or declaration macro used without a `;` (`QUARTERROUND(a, b, c, d)` then the next
 *   statement on the next line; `TYPED_LIST(list, item_t, link)` at file scope): a `;` is put after it,
 *   in the blanks before the next token, so the macro stays one call statement the analysis sees;
 * - a macro given statements (`IGNORE_DEPRECATION(f(x);)`): its name and parentheses are blanked, the
 *   statements stay;
 * - empty macro arguments (`ENTRY(1, TLS,,,)`): the commas that separate nothing are blanked;
 * - a lower-case qualifier macro right before a type keyword (`z_const char *p`), blanked;
 * - a macro that stands for a type (`LIST_HEAD(name, item) a, b;`): its arguments are blanked;
 * - a macro next to a string literal (`"port " STR(PORT)`): an empty string literal of its length; so are macros
 *   side by side as a whole operand (`make_name(PID_DIR PID_FILE, n)`), each one;
 * - an `__attribute__((…))` where the grammar takes none (not a cleanup); a macro used as a loop
 *   header in a function's body (`LIST_FOR_EACH(it, l) {`) read as `while`; an empty member
 *   declaration's `;`; GNU case ranges whose first value is more than one token (`'a'...'z'`).
 *
 * - an `#include` inside an initializer (a file of the array's elements), blanked like a misplaced definition; a file
 *   that holds only such elements (numbers, braces, commas) is blanked as a whole; a C++ parameter's default `{}`,
 *   which tree-sitter-cpp reads as a compound literal without its type, becomes `0`; a loop macro of any name at a
 *   statement's start with its `{` on its row (a library's foreach macro) is read as `while`.
 *
 * Before them (repairRounds): include and pragma lines whose line break the grammar misses (blanks after the path, or
 * none at the file's end) and pragmas right before an `else` are blanked.
 *
 * An item is tried with the next one when an error split them: a `;` the grammar found missing after an item that
 * parsed (a macro call before a directive), an item that ends with a missing token or is followed on its row by
 * one with errors (`_Static_assert(offsetof(t, a.b) == 8, "…");` at file scope), a function's header and its body.
 *
 * Each candidate is tried on the item alone, parsed by tree-sitter: the first that makes it parse
 * without errors is kept; else those that lessen its errors are combined, each kept only when it
 * still lessens them, and kept only when together they make the item parse without any error. Rewrites keep every offset and line (see macroRewrites.ts). Blanked names are
 * only names a macro could have: ones the file or workspace defines as macros, names in capitals, and
 * names reserved to the implementation (`__unused`, `_CRTIMP`); a call's name only when the call is not in a
 * function's body (there, a macro call parses as a call and may stand for a close).
 *
 * A macro in front of a declaration whose blanking alone repaired an item (`SQLITE_PRIVATE`, defined in the `.c`
 * file that includes the header) is blanked first in the file's other items that start with it, kept when that
 * parses without errors; the definitions an item's initializer holds go all at once before each alone.
 */

type Table = ReadonlyMap<string, CMacroDefinition>;

/** Trials (parses of an item) at most per file, the characters they parse at most, and the longest item tried. */
const MAX_TRIALS = 600;
const MAX_PARSED = 4_000_000;
// Not above 64 KiB: repairing a 100 KB function by trial (OpenVPN's options.c `add_option`, an `else if` chain of
// ~500 options) made tree-sitter's WebAssembly trap ("memory access out of bounds"), which ends its use in the process.
const MAX_ITEM = 65_536;
/** Items at most repaired with the one before them, each after one that ends with a missing token. */
const MAX_JOINED = 8;
/** Candidates at most per item. */
const MAX_CANDIDATES = 150;

interface Candidate {
  readonly rewrites: Rewrite[];
  /** A `;` first, then known macros, reserved names and misplaced definitions, then the others; each in source order. */
  readonly rank: number;
}

/**
 * What repairing an item found, by the item's text and its candidates (offsets from the item's start):
 * the same text with the same candidates goes through the very same trials, so a file's other build
 * configurations (mostly the same items) reuse them. Only repairs whose trials stayed within the
 * budget are kept, with the trials and characters they used.
 */
export type RepairMemo = Map<string, { readonly rewrites: readonly Rewrite[]; readonly trials: number; readonly chars: number }>;

/**
 * The repair rounds of a configuration that does not parse, in order: first the macro uses the grammar
 * cannot read are rewritten (macroRewrites.ts), then what still fails is repaired by trial (syntaxRepairs).
 * Each round's rewrites are parsed from the tree before them. One list for the analysis (index.ts) and
 * for the workspace index's noreturn facts (noReturnFacts.ts), so that both read the same repaired tree.
 */
export function repairRounds(table: Table, memo: RepairMemo): ReadonlyArray<(root: Node, text: string) => Rewrite[]> {
  return [
    unfinishedDirectives,
    (root, text) => macroRewrites(root, text, table),
    (root, text) => syntaxRepairs(root, text, table, memo),
  ];
}

/**
 * The include and pragma lines the grammar read whole but for their line break, which it wants right after the
 * path: `#include "crypto_desc.h" ` with blanks before the break, or on the file's last line without one. Such a
 * directive says nothing the analysis reads in this file (the workspace's macros are read from the headers
 * themselves): it is blanked. A definition stays (it may be read: noreturn and hint macros).
 */
export function unfinishedDirectives(root: Node, text: string): Rewrite[] {
  const out: Rewrite[] = [];
  if (!root.hasError) return out;
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'preproc_include' || n.type === 'preproc_call') {
      if (unfinishedDirective(n, text)) out.push(blankRewrite(text, n.startIndex, n.endIndex));
      continue;
    }
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (c && c.hasError && c.type !== 'ERROR') stack.push(c);
      // A pragma between an `if`'s branch and its `else` (`#pragma clang diagnostic pop` after the branch a
      // `push` wrapped): no directive can stand there for the grammar, and a pragma says nothing the analysis reads.
      else if (c?.type === 'preproc_call' && /^#\s*pragma\b/.test(c.text) && nextLeaf(c, text)?.text === 'else') {
        out.push(blankRewrite(text, c.startIndex, c.endIndex));
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
/** `memo`: the repairs of items already tried for this file (its other configurations), read and added to. */
export function syntaxRepairs(root: Node, text: string, table: Table, memo?: RepairMemo): Rewrite[] {
  if (!root.hasError) return [];
  // A file that holds only the elements of an initializer (`{ 25967493, -14356035, … },` one a line), meant to be
  // included in an array's braces: no declaration nor statement, so no code to analyse. Blanked as a whole.
  if (initializerElements(text)) return [blankRewrite(text, 0, text.length)];
  const parser = new Parser();
  const out: Rewrite[] = [];
  try {
    parser.setLanguage(root.tree.language);
    const budget = { trials: MAX_TRIALS, chars: MAX_PARSED };
    const own = ownDefinitions(root);
    let learned = memo && learnedNames.get(memo);
    if (!learned) {
      learned = new Set();
      if (memo) learnedNames.set(memo, learned);
    }
    for (let i = 0; i < root.childCount && budget.trials > 0 && budget.chars > 0; i++) {
      let item = root.child(i);
      if (!item || !(item.hasError || item.isMissing || item.type === 'ERROR')) continue;
      // A missing `;` the grammar put after an item that parsed (`GEN_LIST(conn)` read as a type, then a
      // directive): it is repaired with that item, which holds the tokens to rewrite.
      let missing: Node | undefined;
      if (item.isMissing && item.startIndex === item.endIndex) {
        const before = item.previousSibling;
        if (!before || before.hasError || before.type === 'ERROR' || before.endIndex !== item.startIndex) continue;
        missing = item;
        item = before;
      }
      if (item.endIndex - item.startIndex > MAX_ITEM) continue;
      const trials = new TrialParses(parser);
      try {
        const took = { end: item.endIndex };
        const rewrites = repairItem(trials, item, text, table, own, budget, learned, memo, missing, took);
        out.push(...rewrites);
        // The next item, with errors too, was repaired with this one: not again.
        if (rewrites.length) while (i + 1 < root.childCount && root.child(i + 1)!.startIndex < took.end) i++;
        // Its leading macro was enough on its own: the file's other items that start with it try that first.
        if (rewrites.length === 1) {
          const lead = leadingMacro(item, text, table, undefined, own);
          if (lead && rewrites[0]!.start === lead.startIndex && rewrites[0]!.end === lead.endIndex) learned.add(lead.text);
        }
      } finally {
        trials.dispose();
      }
    }
  } finally {
    parser.delete();
  }
  return out.sort((a, b) => a.start - b.start);
}

function repairItem(
  trials: TrialParses, item: Node, text: string, table: Table, own: ReadonlyMap<string, string>, budget: { trials: number; chars: number },
  learned: ReadonlySet<string>, memo?: RepairMemo, missing?: Node, took?: { end: number },
): Rewrite[] {
  const start = item.startIndex;
  // Up to the next item: tokens the grammar leaves at the top level (a struct's `;`, an empty statement) go with it.
  let after: Node | null = item.nextSibling;
  while (after && (!after.isNamed || (after.type === 'expression_statement' && after.namedChildCount === 0))) after = after.nextSibling;
  // And the next item itself when it parsed: an error can split one declaration in two items
  // (`ALIGNED(64)` then `size_t tab[8];` on the next line reads as `ALIGNED(64) size_t` and `tab[8];`).
  let end = !after ? text.length : after.hasError || after.type === 'ERROR' ? after.startIndex : after.endIndex;
  // Likewise when the item ends with a token the grammar found missing and the next item has errors too: the rest of
  // the declaration went there (`extern __typeof(f) g` missing its `;`, then `__attribute__((weak, alias("f")));`).
  // And when the next item, with errors too, starts on the row where the item ends: an error split the row
  // (`_Static_assert(offsetof(t, a.b) == 8, "…");` at file scope reads as a declaration, then a string).
  // And a function's body split from its header by an error in the header (`T * __attribute__((pure))` then `f(void)`).
  // (So on, a few items at most: `extern __typeof(f) g1 __attribute__(…);` on each of several rows.)
  const joined: Node[] = [];
  for (let last = item; after && end === after.startIndex && after.endIndex - start <= MAX_ITEM && joined.length < MAX_JOINED
    && (endsMissing(last) || after.startPosition.row === last.endPosition.row || (after.type === 'compound_statement' && last.type === 'ERROR'));) {
    joined.push(after);
    last = after;
    end = after.endIndex;
    let n = after.nextSibling;
    while (n && (!n.isNamed || (n.type === 'expression_statement' && n.namedChildCount === 0))) {
      end = n.endIndex;
      n = n.nextSibling;
    }
    after = n && (n.hasError || n.type === 'ERROR') ? n : null;
    if (after) end = after.startIndex;
  }
  if (after && end === after.endIndex) {
    for (let t = after.nextSibling; t && !t.isNamed; t = t.nextSibling) end = t.endIndex;
  }
  const current = text.slice(start, end);
  if (took) took.end = end;
  // Each trial text is the last text kept with a candidate's rewrites: parsed from that text's tree.
  const count = (t: string, rewrites?: readonly Rewrite[]): number => {
    budget.trials--;
    budget.chars -= t.length;
    return trials.errors(t, rewrites?.map((r) => ({ start: r.start - start, end: r.end - start, text: r.text })));
  };
  // The next item's tokens too when it is part of the slice (`int a[8] ALIGNED();` reads as a declaration, then a call).
  // (The candidates are read from the file's tree, not from a trial: known before the item is parsed alone.)
  const others = end === after?.endIndex ? [...joined, after] : joined;
  const candidates = () => candidatesOf(item, others, text, table, own, missing ? [missing, ...joined] : joined).sort((a, b) => a.rank - b.rank || a.rewrites[0]!.start - b.rewrites[0]!.start).slice(0, MAX_CANDIDATES);
  // A macro that alone repaired an item of the file, here in front of a declaration too: blanked at once, and kept
  // when that parses without errors (the candidates are not read, nor the item parsed as it is). The budget is
  // charged the item's own parse too, as if made: it runs out where it would have.
  const lead = learned.size && budget.trials > 1 && budget.chars > 2 * current.length ? leadingMacro(item, text, table, learned, own) : null;
  if (lead) {
    const blank = [blankRewrite(text, lead.startIndex, lead.endIndex)];
    const key = memo && `${lead.text}\0${createHash('sha1').update(current).digest('hex')}`;
    if (key && memo!.has(key) && budget.trials > 2 && budget.chars > 2 * current.length) {
      budget.trials -= 2;
      budget.chars -= 2 * current.length;
      return blank;
    }
    const trial = applyLocal(current, blank, start);
    if (count(trial) === 0) {
      budget.trials--;
      budget.chars -= current.length;
      if (key && budget.trials > 0 && budget.chars > 0) memo!.set(key, { rewrites: [], trials: 2, chars: 2 * current.length });
      return blank;
    }
  }
  if (!memo) {
    const errors = count(current);
    return errors === 0 ? [] : tryCandidates(trials, current, start, candidates(), errors, count, budget);
  }
  const all = candidates();
  const key = createHash('sha1').update(current).update('\0')
    .update(JSON.stringify(all.map((c) => c.rewrites.map((r) => [r.start - start, r.end - start, r.text])))).digest('hex');
  const known = memo.get(key);
  // A repair of the same text is known (so the text parsed alone had errors, as it has now): its trials are
  // not made again. The item's own parse is counted as if made, so the budget runs out where it would have.
  // Replayed only where the budget left covers every trial it made (then none of its checks could have stopped it sooner).
  if (known && budget.trials - 1 > known.trials && budget.chars - current.length > known.chars) {
    budget.trials -= known.trials + 1;
    budget.chars -= known.chars + current.length;
    return known.rewrites.map((r) => ({ start: r.start + start, end: r.end + start, text: r.text }));
  }
  const errors = count(current);
  if (errors === 0) return [];
  const before = { ...budget };
  const rewrites = tryCandidates(trials, current, start, all, errors, count, budget);
  if (budget.trials > 0 && budget.chars > 0) {
    memo.set(key, { rewrites: rewrites.map((r) => ({ start: r.start - start, end: r.end - start, text: r.text })), trials: before.trials - budget.trials, chars: before.chars - budget.chars });
  }
  return rewrites;
}

/**
 * The trials of one item's candidates (`current`, at `start` in the file, has `errors` errors; `count`
 * parses a trial text): the rewrites that make it parse, or none.
 */
function tryCandidates(trials: TrialParses, current: string, start: number, all: readonly Candidate[], errors: number, count: (t: string, rewrites: readonly Rewrite[]) => number, budget: { trials: number; chars: number }): Rewrite[] {
  // First one candidate that is enough on its own; else, of those that help on their own, each one
  // that still helps with those kept before it.
  const original = current;
  const helping: Candidate[] = [];
  for (const c of all) {
    if (budget.trials <= 0 || budget.chars <= 0) return [];
    const e = count(applyLocal(original, c.rewrites, start), c.rewrites);
    if (e === 0) return c.rewrites;
    if (e < errors) helping.push(c);
  }
  const kept: Rewrite[] = [];
  for (const c of helping) {
    if (errors === 0 || budget.trials <= 0 || budget.chars <= 0) break;
    if (c.rewrites.some((r) => kept.some((k) => r.start < k.end && k.start < r.end))) continue;
    const next = applyLocal(current, c.rewrites, start);
    const e = count(next, c.rewrites);
    if (e < errors) {
      trials.keepLast();
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

/** Rows up from an error to the start of the construct it is in (a call's name, a statement's start), at most. */
const MAX_CONSTRUCT_ROWS = 12;

/**
 * The rows of the item's errors: an error's own rows and the row before it; the rows up from it to the
 * start of the constructs that hold it (a multi-line call whose `;` is missing starts rows above it);
 * and for a missing token, the rows of what it should have closed and of the token after it.
 */
function errorRows(item: Node, text: string, more: readonly Node[]): Set<number> {
  const rows = new Set<number>();
  const stack: Node[] = [item, ...more];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === 'ERROR' || x.isMissing) {
      const last = Math.min(x.endPosition.row, x.startPosition.row + 2);
      for (let r = Math.max(0, x.startPosition.row - 1); r <= last; r++) rows.add(r);
      if (x.type === 'ERROR' && x.endPosition.row > last) rows.add(x.endPosition.row);
      let from = x.startPosition.row;
      for (let owner = x.parent; owner && owner.type !== 'translation_unit' && x.startPosition.row - owner.startPosition.row <= MAX_CONSTRUCT_ROWS; owner = owner.parent) {
        from = Math.min(from, owner.startPosition.row);
      }
      for (let r = from; r < x.startPosition.row; r++) rows.add(r);
      if (x.isMissing) {
        // What the missing token should have closed (a call, whose `;` error recovery put after a comment).
        let before = x.previousSibling;
        while (before?.type === 'comment') before = before.previousSibling;
        if (before) {
          const end = before.endPosition.row;
          for (let r = Math.max(before.startPosition.row, end - MAX_CONSTRUCT_ROWS); r <= end; r++) rows.add(r);
        }
        const following = nextLeaf(x, text);
        if (following && following.startPosition.row - x.startPosition.row <= MAX_CONSTRUCT_ROWS) rows.add(following.startPosition.row);
      }
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

const ATTRIBUTES: ReadonlySet<string> = new Set(['__attribute__', '__attribute']);

const OPERATORS: ReadonlySet<string> = new Set(['<', '>', '<=', '>=', '==', '!=', '+', '-', '*', '/', '%', '&', '|', '^', '&&', '||', '<<', '>>',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '=']);

/** Tokens after which a statement starts. */
const STATEMENT_BOUNDARY: ReadonlySet<string> = new Set([';', '{', '}', 'else', ':']);

const ALIGNOF: ReadonlySet<string> = new Set(['__alignof__', '__alignof', '_Alignof', 'alignof']);

const NAME_TOKENS: ReadonlySet<string> = new Set(['identifier', 'type_identifier', 'field_identifier']);

/** Could this name be a macro's? (defined as one, in capitals, or reserved to the implementation) */
function macroLike(name: string, table: Table): 0 | 1 | null {
  if (table.has(name) || /^(__|_[A-Z])[A-Za-z0-9_]*$/.test(name)) return 0;
  if (/^[A-Z][A-Z0-9_]*$/.test(name) && name.length > 1 && /[A-Z]/.test(name.slice(1))) return 1;
  return null;
}

function candidatesOf(item: Node, others: readonly Node[], text: string, table: Table, own: ReadonlyMap<string, string>, more: readonly Node[]): Candidate[] {
  const rows = errorRows(item, text, more);
  const out: Candidate[] = [];
  const first = Math.min(...rows);
  const last = Math.max(...rows);
  // The tokens on the error rows, but comments (subtrees outside the rows' span are not entered).
  const leaves = [item, ...others].flatMap((n) => leavesOf(n, rows, first, last));
  leaves.sort((a, b) => a.startIndex - b.startIndex);
  const empty = emptyArguments(leaves, text);
  if (empty.length) out.push({ rewrites: empty, rank: 0 });
  const semicolons: Rewrite[] = [];
  const operatorArguments: Rewrite[] = [];
  // The definitions the grammar could not read as directives (in an initializer, a call's arguments).
  const misplaced: Rewrite[] = [];
  for (let k = 0; k < leaves.length; k++) {
    const leaf = leaves[k]!;
    // An operator given to a macro as an argument (`timespeccmp(&a, &b, <)`, `tt_int_op(n, ==, 2)`): blanked
    // with the comma before it; no expression has an operator right before a `,` or `)`.
    // (In error recovery `==` can come as two `=` tokens.)
    if (leaf.type === ',') {
      let j = k + 1;
      while (j < leaves.length && j <= k + 2 && (OPERATORS.has(leaves[j]!.type) || leaves[j]!.type === '!')) j++;
      if (j > k + 1 && (leaves[j]?.type === ')' || leaves[j]?.type === ',')) {
        const blank = blankRewrite(text, leaf.startIndex, leaves[j - 1]!.endIndex);
        out.push({ rewrites: [blank], rank: 0 });
        operatorArguments.push(blank);
      }
      continue;
    }
    // A definition where the grammar takes none (`#define EV_NEW (1 << 0)` between the elements of an array's initializer),
    // or an include there.
    if (isDefinition(leaf)) {
      const end = lineEnd(text, leaf.endIndex);
      const line = blankRewrite(text, leaf.startIndex, end);
      out.push({ rewrites: [line], rank: 0.3 });
      if (!readAsDirective(leaf) && (!misplaced.length || line.start >= misplaced[misplaced.length - 1]!.end)) misplaced.push(line);
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
    // An empty member declaration (`long n; /* count */;` in a struct): the second `;` goes.
    if (leaf.type === ';' && leaves[k - 1]?.type === ';' && leaf.parent?.type === 'ERROR' && leaf.parent.parent?.type === 'field_declaration_list') {
      out.push({ rewrites: [blankRewrite(text, leaf.startIndex, leaf.endIndex)], rank: 0 });
      continue;
    }
    // GNU case ranges (`case 'a' ... 'z':`): the range's end goes, the case keeps its first value.
    // The first value can be several tokens (`case 'a'...'z':`, `case MAX + 1 ... END:`): a `case` before it on the row.
    if (leaf.type === '...' && leaves.slice(Math.max(0, k - 8), k - 1).some((l) => l.type === 'case' && l.startPosition.row === leaf.startPosition.row)) {
      const colon = leaves.findIndex((l, j) => j > k && l.type === ':');
      if (colon > k && leaves[colon]!.startPosition.row === leaf.startPosition.row) {
        out.push({ rewrites: [blankRewrite(text, leaf.startIndex, leaves[colon - 1]!.endIndex)], rank: 0 });
      }
      continue;
    }
    // A C++ parameter's default `{}` (`const std::string& name = {}`): tree-sitter-cpp reads it as a compound literal
    // whose type is missing. A default value is not code of the function's body nor of its callers' (the analysis
    // reads neither): it becomes `0`, which the grammar takes as a default.
    if (leaf.type === '{' && leaf.parent?.type === 'initializer_list' && leaf.parent.startIndex === leaf.startIndex) {
      const literal = leaf.parent.parent;
      if (literal?.type === 'compound_literal_expression' && literal.childForFieldName('type')?.isMissing && literal.parent?.type === 'optional_parameter_declaration'
        && literal.parent.childForFieldName('default_value')?.equals(literal)) {
        const list = leaf.parent;
        out.push({ rewrites: [{ ...blankRewrite(text, list.startIndex, list.endIndex), text: '0' + blankRewrite(text, list.startIndex + 1, list.endIndex).text }], rank: 0 });
      }
      continue;
    }
    // `__alignof__(*p)`: the grammar takes only a type there; `sizeof` reads an expression as well.
    if (ALIGNOF.has(leaf.type) && leaf.endIndex - leaf.startIndex >= 6 && leaves[k + 1]?.type === '(') {
      out.push({ rewrites: [{ start: leaf.startIndex, end: leaf.endIndex, text: 'sizeof'.padEnd(leaf.endIndex - leaf.startIndex) }], rank: 0 });
      continue;
    }
    // An attribute where the grammar takes none (`int x __attribute__((unused)) = 0;`, `enum __attribute__((packed)) e`)
    // goes with its arguments, unless it is a cleanup, which closes the variable it is on (macros.ts reads it).
    if (ATTRIBUTES.has(leaf.text) && (ATTRIBUTES.has(leaf.type) || NAME_TOKENS.has(leaf.type)) && leaves[k + 1]?.type === '(') {
      const close = closingParen(leaves, k + 1);
      if (close > k && !leaves.slice(k, close).some((l) => l.text === 'cleanup' || l.text === '__cleanup__')) {
        out.push({ rewrites: [blankRewrite(text, leaf.startIndex, leaves[close]!.endIndex)], rank: 1 });
      }
      continue;
    }
    if (!NAME_TOKENS.has(leaf.type)) continue;
    // Macros that stand for strings, side by side or next to a string (`make_name(PID_DIR PID_FILE, n)`,
    // `path = RUN_DIR "x.pid";` with the macros defined in a generated header): each becomes a string
    // literal of its length. Only as a whole operand: after `(`, `,`, `=` or `return`, before `)`, `,` or `;`.
    if (!stringRun(leaves, k - 1, table)) {
      const run = stringRun(leaves, k, table);
      if (run) out.push({ rewrites: run.map((l) => ({ start: l.startIndex, end: l.endIndex, text: `"${' '.repeat(l.endIndex - l.startIndex - 2)}"` })), rank: 0 });
    }
    const name = leaf.text;
    const next = leaves[k + 1];
    const call = next?.type === '(' && next.startIndex >= leaf.endIndex ? closingParen(leaves, k + 1) : -1;
    // A statement macro without its `;`: the call ends its line and the next line goes on with a statement.
    if (call >= 0) {
      const semi = semicolonAfter(leaves, k, call, text);
      if (semi) out.push({ rewrites: [semi], rank: -1 });
      // For the run: at file scope, a macro line with no blank for its `;` (`GEN(a)` then `GEN(b)`) goes as a whole.
      const line = semi ?? (macroLike(name, table) !== null && !insideFunctionBody(leaf) && nextLeaf(leaves[call]!, text)?.startPosition.row !== leaves[call]!.endPosition.row
        && leaves[k - 1]?.endPosition.row !== leaf.startPosition.row ? blankRewrite(text, leaf.startIndex, leaves[call]!.endIndex) : null);
      if (line && (!semicolons.length || line.start >= semicolons[semicolons.length - 1]!.end)) semicolons.push(line);
    }
    const rank = macroLike(name, table);
    // A cleanup attribute closes the variable it is on: its macro stays (macros.ts reads it).
    if (KEPT.has(name) || table.get(name)?.value.includes('cleanup') || own.get(name)?.includes('cleanup')) continue;
    // A macro used as a loop header (`LIST_FOR_EACH(it, list) {` in a function's body, where a call cannot
    // be followed by a block): read as `while`, its arguments as the condition. Whatever the name's case where the
    // `{` follows the `)` on its row and the name starts a statement (`cJSON_ArrayForEach(item, array){`,
    // `kmod_list_foreach(l, list) {`, macros of a library's header the workspace does not hold): no call is followed by a block.
    if (call >= 0 && leaves[call + 1]?.type === '{' && leaves[call + 1]!.startPosition.row === leaves[call]!.endPosition.row
      && insideFunctionBody(leaf) && (macroLike(name, table) !== null || STATEMENT_BOUNDARY.has(previousLeaf(leaf, text)?.type ?? '')) && leaf.endIndex - leaf.startIndex >= 5) {
      out.push({ rewrites: [{ start: leaf.startIndex, end: leaf.endIndex, text: 'while'.padEnd(leaf.endIndex - leaf.startIndex) }], rank: 0 });
    }

    // A name right before a type keyword (`z_const char *p`) can only be a qualifier macro, whatever its
    // case; one the file or the workspace defines stays (the macro rewrites left it for a reason).
    if (rank === null && call < 0 && next && next.startPosition.row === leaf.startPosition.row && TYPE_WORDS.has(next.text) && !own.has(name) && !table.has(name)) {
      out.push({ rewrites: [blankRewrite(text, leaf.startIndex, leaf.endIndex)], rank: 1 });
      continue;
    }
    // A macro given statements (`IGNORE_WARNINGS(f(x);)`): it stands for them, and they stay where they are.
    // No function takes a statement, so the name can be any. Its parentheses can span more rows than the
    // errors: they are matched over the item's tokens from the `(` on.
    if (next?.type === '(' && next.startIndex >= leaf.endIndex && (call < 0 || statementsInside(leaves, k + 1, call))) {
      const inside = parenthesized(item, next);
      if (inside && statementsInside(inside, 0, inside.length - 1)) {
        const close = inside[inside.length - 1]!;
        out.push({ rewrites: [blankRewrite(text, leaf.startIndex, next.endIndex), blankRewrite(text, close.startIndex, close.endIndex)], rank: 0 });
      }
    }
    // A macro next to a string literal (`"port " STR(PORT) " in use"`, `QUOTE("x") " is bad"`) stands for
    // a string (no call can stand there): it becomes an empty string literal of its length.
    // (The string after it can start the next row, which the error's rows may not hold.)
    if (call >= 0 && leaves[call]!.endPosition.row === leaf.startPosition.row && leaves[call]!.endIndex - leaf.startIndex >= 2
      && (stringEdge(leaves[k - 1], 'end') || stringEdge(leaves[call + 1] ?? nextLeaf(leaves[call]!, text) ?? undefined, 'start'))) {
      const span = leaves[call]!.endIndex - leaf.startIndex;
      out.push({ rewrites: [{ start: leaf.startIndex, end: leaves[call]!.endIndex, text: `"${' '.repeat(span - 2)}"` }], rank: 0 });
      continue;
    }
    if (rank === null) continue;
    if (call >= 0) {
      // A macro that stands for a type (`LIST_HEAD(name, item) a, b;`, `typedef LIST_HEAD(item) list_t;`):
      // its arguments go, its name stays as the type. In a function's body only for a declaration without
      // an initializer (`CHECK(x) fd = open(…)` may be a statement macro without its `;`).
      // At file scope and in a struct the declared name can be on the next row (`static HT_HEAD(map, entry)`
      // then `table = HT_INITIALIZER();`) or parenthesized (`TAILQ_HEAD(queue, item) (requests);`).
      const outside = !insideFunctionBody(leaf);
      // (A next row can lie outside the error's rows, so past the leaves.)
      let declared = leaves[call + 1] ?? (outside ? nextLeaf(leaves[call]!, text) ?? undefined : undefined);
      if (outside && declared?.type === '(' && NAME_TOKENS.has(leaves[call + 2]?.type ?? '') && leaves[call + 3]?.type === ')') declared = leaves[call + 2];
      if (declared && NAME_TOKENS.has(declared.type) && (declared.startPosition.row === leaves[call]!.endPosition.row || (outside && declared.startPosition.row === leaves[call]!.endPosition.row + 1))
        && (outside || [';', ',', '['].includes(leaves[call + 2]?.type ?? ''))) {
        out.push({ rewrites: [blankRewrite(text, next!.startIndex, leaves[call]!.endIndex)], rank: rank + 0.5 });
      }
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
  // A run of statement macros without their `;` (`PROTO(a)` `PROTO(b)` … one a line): all of them at once first
  // (one error can span the whole run: one fixed alone does not lessen it).
  if (semicolons.length > 1) out.push({ rewrites: semicolons, rank: -2 });
  // Likewise the operator arguments of a test's assertion macros (`tt_int_op(a, ==, b)` on every other line): all at once first.
  if (operatorArguments.length > 1) out.push({ rewrites: operatorArguments, rank: -2 });
  // Likewise the definitions of an initializer's elements (`{ "close", (SYSCALL)close, 0 },` then `#define osClose …`
  // after each): a directive line is no code, and one the grammar could not read as a definition is read by no one
  // in this tree (definitions.ts takes the definitions the grammar read), so all of them go at once, before each alone.
  if (misplaced.length > 1) out.push({ rewrites: misplaced, rank: 0.1 });
  return out;
}

/** The file's own macro definitions that parsed: name and replacement text (the first one wins). */
function ownDefinitions(root: Node): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of definitionNodes(root)) {
    const name = d.childForFieldName('name')?.text;
    if (name && !out.has(name)) out.set(name, d.childForFieldName('value')?.text ?? '');
  }
  return out;
}

/** The keywords that start or make up a type: a name right before one of them is no type nor variable. */
const TYPE_WORDS: ReadonlySet<string> = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'struct', 'union', 'enum']);

/**
 * The names that alone repaired an item of the file (a macro in front of a declaration: `SQLITE_PRIVATE int f(void)`,
 * where the macro is defined in the `.c` file that includes the header), by the file's memo (all its configurations).
 */
const learnedNames = new WeakMap<RepairMemo, Set<string>>();

/** The tokens that can follow a macro in front of a declaration: a type, a qualifier, a storage class. */
const DECLARATION_WORDS: ReadonlySet<string> = new Set([...TYPE_WORDS, 'const', 'volatile', 'static', 'extern', 'inline', 'register']);

/**
 * The item's first token when it is a name a macro could have (one of `names`, when given), followed on its row by
 * a type, a name or a qualifier, with the item's first error on that row: a macro in front of a declaration. Not
 * when another word of the row is a name defined as a macro (`int sqlite3IsOverflow(double);` where
 * `sqlite3IsOverflow(X)` is defined as `0`) or reserved to the implementation: those are candidates tried before it.
 */
function leadingMacro(item: Node, text: string, table: Table, names: ReadonlySet<string> | undefined, own: ReadonlyMap<string, string>): Node | null {
  // The word the item starts with, read from the text first (most items start with none of the names).
  WORD.lastIndex = item.startIndex;
  const word = WORD.exec(text)?.[0];
  if (!word || (names ? !names.has(word) : macroLike(word, table) === null)) return null;
  let first: Node | null = item;
  while (first && first.childCount > 0) first = first.child(0);
  if (!first || !NAME_TOKENS.has(first.type) || first.isMissing) return null;
  const name = first.text;
  if (names ? !names.has(name) : macroLike(name, table) === null) return null;
  const next = nextLeaf(first, text);
  if (!next || next.startPosition.row !== first.startPosition.row) return null;
  if (!NAME_TOKENS.has(next.type) && next.type !== 'primitive_type' && !DECLARATION_WORDS.has(next.text)) return null;
  const row = first.startPosition.row;
  // The row's other words, read from the text (those of a comment or a string too).
  const rowEnd = text.indexOf('\n', first.endIndex);
  for (const m of text.slice(text.lastIndexOf('\n', first.startIndex) + 1, rowEnd < 0 ? text.length : rowEnd).matchAll(WORDS)) {
    if (m[0] !== name && (macroLike(m[0], table) === 0 || own.has(m[0]))) return null;
  }
  const error = firstError(item);
  return error && error.startPosition.row === row ? first : null;
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const WORDS = /[A-Za-z_][A-Za-z0-9_]*/g;

/** Does the item end with a token the grammar found missing (a declaration's `;`)? */
function endsMissing(item: Node): boolean {
  let n: Node | null = item;
  while (n && n.childCount > 0) n = n.child(n.childCount - 1);
  return !!n && n.isMissing;
}

/** The item's first ERROR or MISSING node, in order. */
function firstError(item: Node): Node | null {
  let n: Node | null = item;
  while (n) {
    if (n.type === 'ERROR' || n.isMissing) return n;
    let next: Node | null = null;
    for (let i = 0; i < n.childCount && !next; i++) {
      const c = n.child(i);
      if (c && (c.hasError || c.isMissing || c.type === 'ERROR')) next = c;
    }
    n = next;
  }
  return null;
}

/** Is there a `;` directly inside the parentheses leaves[open] … leaves[close] (a statement given as an argument)? */
function statementsInside(leaves: readonly Node[], open: number, close: number): boolean {
  let depth = 0;
  for (let i = open; i < close; i++) {
    const t = leaves[i]!.type;
    if (t === '(' || t === '{' || t === '[') depth++;
    else if (t === ')' || t === '}' || t === ']') depth--;
    else if (t === ';' && depth === 1) return true;
  }
  return false;
}

/**
 * Empty arguments (`ENTRY(0x13, TLS, AES,,,)`, `M(,x)`), which only a macro takes: the commas that
 * separate nothing are blanked, one comma kept between two arguments that are there.
 */
function emptyArguments(leaves: readonly Node[], text: string): Rewrite[] {
  const out: Rewrite[] = [];
  // Per open parenthesis: has an argument been seen since the last comma kept (or the parenthesis)?
  const seen: boolean[] = [];
  for (let k = 0; k < leaves.length; k++) {
    const t = leaves[k]!.type;
    if (t === '(') {
      if (seen.length) seen[seen.length - 1] = true;
      seen.push(false);
    } else if (t === ')') {
      seen.pop();
      if (seen.length) seen[seen.length - 1] = true;
    } else if (t === ',' && seen.length) {
      const next = leaves[k + 1]?.type;
      if (!seen[seen.length - 1] || next === ',' || next === ')') out.push(blankRewrite(text, leaves[k]!.startIndex, leaves[k]!.endIndex));
      else seen[seen.length - 1] = false;
    } else if (seen.length) seen[seen.length - 1] = true;
  }
  return out;
}

/**
 * The names of the run of string macros and string literals that starts at leaves[k], on one row, when there is one:
 * two tokens at least, a name at least (two when no string is there), as a whole operand (see candidatesOf).
 */
function stringRun(leaves: readonly Node[], k: number, table: Table): Node[] | null {
  if (k < 1) return null;
  const names: Node[] = [];
  let strings = 0;
  let j = k;
  const row = leaves[k]?.startPosition.row;
  for (; j < leaves.length && leaves[j]!.startPosition.row === row; j++) {
    const l = leaves[j]!;
    if (NAME_TOKENS.has(l.type) && l.endIndex - l.startIndex >= 2 && macroLike(l.text, table) !== null && leaves[j + 1]?.type !== '(') names.push(l);
    else if (l.parent?.type === 'string_literal') {
      // The whole literal, its quotes and content.
      strings++;
      while (leaves[j + 1] && leaves[j + 1]!.parent === l.parent) j++;
    } else break;
  }
  if (!names.length || (names.length < 2 && !strings)) return null;
  const before = leaves[k - 1]?.type;
  const after = leaves[j]?.type;
  if (!before || !RUN_BEFORE.has(before) || !after || !RUN_AFTER.has(after)) return null;
  return names;
}

const RUN_BEFORE: ReadonlySet<string> = new Set(['(', ',', '=', 'return']);
const RUN_AFTER: ReadonlySet<string> = new Set([')', ',', ';']);

/** Is the token the closing (`end`) or opening (`start`) quote of a string literal? */
function stringEdge(leaf: Node | undefined, edge: 'start' | 'end'): boolean {
  const lit = leaf?.parent;
  if (!leaf || lit?.type !== 'string_literal' || !leaf.type.endsWith('"')) return false;
  return edge === 'end' ? leaf.endIndex === lit.endIndex : leaf.startIndex === lit.startIndex;
}

/**
 * The item's tokens (but comments and missing ones) from the `(` token `open` to the `)` that closes it, both
 * included, or null when it is not closed in the item. The walk goes down to `open` and on from there: the
 * tokens before it are not visited.
 */
function parenthesized(item: Node, open: Node): Node[] | null {
  const out: Node[] = [];
  const cursor = item.walk();
  try {
    while (cursor.gotoFirstChildForIndex(open.startIndex));
    if (cursor.startIndex !== open.startIndex || cursor.nodeType !== '(') return null;
    let depth = 0;
    for (;;) {
      const t: string = cursor.nodeType;
      if (t !== 'comment' && !cursor.nodeIsMissing) {
        out.push(cursor.currentNode);
        if (t === '(') depth++;
        else if (t === ')' && --depth === 0) return out;
      }
      // The next token: up to the first ancestor with a next sibling, then down to that sibling's first token.
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return null;
      }
      while ((cursor.nodeType as string) !== 'comment' && cursor.gotoFirstChild());
    }
  } finally {
    cursor.delete();
  }
}

/**
 * The tokens under `root` but comments and missing ones, in order, that start on one of `rows`
 * (`first` and `last` the least and the greatest). A cursor walk: only the tokens kept are made nodes
 * (every `child(i)` would make one); the children that end before row `first` are passed over in one
 * step, and the siblings after one that starts below row `last` are not visited.
 */
function leavesOf(root: Node, rows: ReadonlySet<number>, first: number, last: number): Node[] {
  const out: Node[] = [];
  const cursor = root.walk();
  const from = { row: first, column: 0 };
  try {
    for (;;) {
      let below = false;
      if (cursor.nodeType !== 'comment') {
        if (cursor.startPosition.row > last) below = true;
        else {
          const end = cursor.endPosition;
          // A subtree that ends at the start of row `first` at the latest has no token on the rows.
          if (end.row > first || (end.row === first && end.column > 0)) {
            if (cursor.gotoFirstChildForPosition(from)) continue;
            if (!cursor.nodeIsMissing && rows.has(cursor.startPosition.row)) out.push(cursor.currentNode);
          }
        }
      }
      // The siblings after one that starts below row `last` start below it too.
      while (below || !cursor.gotoNextSibling()) {
        below = false;
        if (!cursor.gotoParent()) return out;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** The index of the `)` that closes the `(` at leaves[open] (within `reach` tokens), or -1. */
function closingParen(leaves: readonly Node[], open: number, reach = 400): number {
  let depth = 0;
  for (let i = open; i < leaves.length && i < open + reach; i++) {
    const t = leaves[i]!.type;
    if (t === '(') depth++;
    else if (t === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * A `;` after the `)` at leaves[close] when that `)` ends its line and the next token, on a later
 * line, starts a statement or item (a name, a keyword, a `(` cast, a `}`, a directive): in the blanks before that
 * token, else in a blank between two of the call's tokens or right before it, moved to its end.
 */
function semicolonAfter(leaves: readonly Node[], open: number, close: number, text: string): Rewrite | null {
  const paren = leaves[close]!;
  const following = nextLeaf(paren, text);
  // On the same row, only the `}` that closes the block (`{ RETURN_VALUE(x) }`).
  if (following && following.startPosition.row === paren.endPosition.row && following.type !== '}') return null;
  if (following && !/^[A-Za-z_(}*]/.test(following.type)) return null;
  const from = paren.endIndex;
  const to = following ? following.startIndex : text.length;
  // A blank after the `)` (up to a comment), or one just before the next token.
  for (let i = from; i < to && /\s/.test(text[i]!); i++) if (text[i] === ' ' || text[i] === '\t') return { start: i, end: i + 1, text: ';' };
  for (let i = to - 1; i >= from && /\s/.test(text[i]!); i--) if (text[i] === ' ' || text[i] === '\t') return { start: i, end: i + 1, text: ';' };
  // No blank there: one between two of the call's tokens moves to the end (the text between shifts
  // left by one; the lines stay).
  for (let k = close; k > open; k--) {
    const a = leaves[k - 1]!;
    const b = leaves[k]!;
    const gap = Math.max(text.lastIndexOf(' ', b.startIndex - 1), text.lastIndexOf('\t', b.startIndex - 1));
    if (gap >= a.endIndex) return { start: gap, end: from, text: text.slice(gap + 1, from) + ';' };
  }
  // Else the blank right before the call's name (its indentation: `    FOR_EACH_STATUS(CHECK)` then a directive).
  const name = leaves[open]!.startIndex;
  if (name > 0 && (text[name - 1] === ' ' || text[name - 1] === '\t')) return { start: name - 1, end: from, text: text.slice(name, from) + ';' };
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

/**
 * Is the directive (an include, or a directive but a definition) one whose only error is its line break, missing where
 * the grammar wants it: at the text's end, or before the blanks that end its line?
 */
function unfinishedDirective(item: Node, text: string): boolean {
  if (!item.hasError || (item.type === 'preproc_call' && !/^#\s*(include|include_next|import|pragma)\b/.test(item.text))) return false;
  const end = text.indexOf('\n', item.endIndex);
  if (!/^[ \t\r]*$/.test(text.slice(item.endIndex, end < 0 ? text.length : end))) return false;
  if (end < 0 ? text.endsWith('\n') : !/[ \t]/.test(text[item.endIndex] ?? '')) return false;
  // (The missing break is a hidden token: no child of the item; the item's visible children have no error.)
  for (let i = 0; i < item.childCount; i++) if (item.child(i)!.hasError || item.child(i)!.isMissing || item.child(i)!.type === 'ERROR') return false;
  return true;
}

/**
 * Is the text, but comments, only numbers, braces, commas and signs, with a number and a comma at least: the
 * elements of an initializer, kept in a file of their own to be included in one (ed25519's `base.h`)?
 */
function initializerElements(text: string): boolean {
  if (text.length > 4_000_000) return false;
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  if (!/[0-9]/.test(code) || !code.includes(',')) return false;
  ELEMENT_TOKEN.lastIndex = 0;
  while (ELEMENT_TOKEN.lastIndex < code.length) {
    const at = ELEMENT_TOKEN.lastIndex;
    if (!ELEMENT_TOKEN.exec(code) || ELEMENT_TOKEN.lastIndex === at) return false;
  }
  return true;
}

/** One token of an initializer's elements (or blanks), from where the last one ended. */
const ELEMENT_TOKEN = /\s+|[{},+-]|0[xX][0-9a-fA-F]+[uUlL]*(?![0-9A-Za-z_])|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?[uUlLfF]*(?![0-9A-Za-z_])/y;

/** The last token before `n` that is not a comment (null at the start of the text). */
function previousLeaf(n: Node, text: string): Node | null {
  const root = n.tree.rootNode;
  let i = n.startIndex;
  for (;;) {
    while (i > 0 && /\s/.test(text[i - 1]!)) i--;
    if (i <= 0) return null;
    const leaf = root.descendantForIndex(i - 1, i);
    if (!leaf || leaf.startIndex >= i) return null;
    if (leaf.type !== 'comment') return leaf;
    i = leaf.startIndex;
  }
}

/** Is the `#define` (or `#undef`) token read by the grammar as the start of a directive (a definition where one can stand)? */
function readAsDirective(leaf: Node): boolean {
  const p = leaf.parent;
  return !!p && DIRECTIVES.has(p.type) && p.startIndex === leaf.startIndex;
}

const DIRECTIVES: ReadonlySet<string> = new Set(['preproc_def', 'preproc_function_def', 'preproc_call']);

/**
 * A `#define` or `#undef` token; or an `#include` the grammar could not read as a directive (`{ #include "table.h" }`:
 * a file of an array's elements included in its initializer). An included file is no code of this one, and its
 * elements are data: the line goes like a misplaced definition.
 */
function isDefinition(leaf: Node): boolean {
  return leaf.type === '#define' || (leaf.type === 'preproc_directive' && /^#\s*undef$/.test(leaf.text))
    || (leaf.type === '#include' && leaf.parent?.type === 'ERROR');
}

function insideFunctionBody(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'compound_statement') return true;
  return false;
}
