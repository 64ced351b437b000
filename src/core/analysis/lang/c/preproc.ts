import { Parser, type Node, type Tree } from 'web-tree-sitter';
import { hashTokens } from './definitions';
import type { CMacroDefinition } from '../../types';
import { applyOffsetEdits } from '../../edits';
import type { Rewrite } from './macroRewrites';

/**
 * Build configurations of a C/C++ file. `#if`/`#ifdef`/`#elif`/`#else` parts are alternatives of
 * the build, not paths of one run, and `#if 0` code never runs. Parsed as it is, a file whose
 * conditionals split braces or statements gives syntax errors, and one whose function has two
 * conditionals on the same macro gives paths no build has (the first part of one, the `#else` of
 * the other). So the file is analysed in at most two consistent configurations, each the text
 * with the parts not taken (and the conditional lines themselves) blanked out: characters
 * replaced by spaces, line breaks kept, so every offset and line stays where it was.
 *
 * Each configuration runs the conditionals as the preprocessor does, in order, with the macros
 * `#define`d and `#undef`d so far by the file's own taken parts, then the macros the workspace's
 * headers define (`MacroTable`). A macro the file defines somewhere is the file's to define: before
 * that it is not defined (header guards). Any other macro is unknown, and each configuration
 * gives each unknown macro one value, chosen where it is first tested: in the first configuration
 * so that the conditional takes the part it tests, in the second the opposite (see Evaluator).
 * So every test of the same macro agrees within a configuration (`#ifdef X` … `#ifndef X`), and no
 * path of the analysis goes through two parts that exclude each other.
 *
 * The directive lines are found with the grammar's own tokens (a query, also inside parse errors);
 * their conditions and definitions are parsed by tree-sitter from one small document that holds
 * each directive line on its own.
 */

/** A macro the workspace's headers define: object-like (`params` null) or function-like. */
export type MacroDefinition = CMacroDefinition;

/** A definition of the file itself: its value parsed as a condition (`#if VALUE`). */
interface FileDefinition extends MacroDefinition {
  expr: Node | null;
}

/** The macros of the workspace's headers, by name (the first definition of a name wins). */
export type MacroTable = ReadonlyMap<string, MacroDefinition>;

type Kind = 'if' | 'ifdef' | 'ifndef' | 'elif' | 'elifdef' | 'elifndef' | 'else' | 'endif' | 'define' | 'undef' | 'error';

interface Directive {
  readonly kind: Kind;
  /** The directive's (possibly continued) line: from its start to its line break. */
  readonly lineStart: number;
  readonly lineEnd: number;
  /** The end of its token (`#if`, `#  define`). */
  readonly tokenEnd: number;
}

/** What one directive says once parsed: a condition, a name tested, defined or undefined. */
interface Parsed {
  readonly condition: Node | null;
  readonly name: string | null;
  readonly definition: FileDefinition | null;
}

const DIRECTIVE_TOKENS: ReadonlySet<string> = new Set([
  '#if', '#ifdef', '#ifndef', '#elif', '#elifdef', '#elifndef', '#else', '#endif', '#define',
  // In error recovery a conditional line can come out as an unknown directive (`#else`, `#endif`); `#undef` always does.
  'preproc_directive',
]);

/** The text with the rewrites applied (they are sorted and do not overlap). */
export function applyRewrites(text: string, rewrites: readonly Rewrite[]): string {
  return applyOffsetEdits(text, rewrites.map((r) => ({ start: r.start, end: r.end, newText: r.text })));
}

/** The end of the (possibly backslash-continued) line that contains `at`: the offset of its line break. */
export function lineEnd(text: string, at: number): number {
  let i = at;
  for (;;) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    let j = nl - 1;
    if (j >= 0 && text[j] === '\r') j--;
    if (j >= 0 && text[j] === '\\') {
      i = nl + 1;
      continue;
    }
    return nl;
  }
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

const KINDS: ReadonlySet<string> = new Set(['if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif', 'define', 'undef', 'error']);

/** The directive a token spells (`#else`, `#  endif`, `#undef`), or null for any other directive. */
function directiveKind(token: string): Kind | null {
  const kind = token.slice(1).trim();
  return KINDS.has(kind) ? (kind as Kind) : null;
}

/**
 * The configurations to analyse (one or two texts of the same length as `text`), or null when the
 * file has no conditional (then the file is analysed as it is).
 */
export function configurations(root: Node, text: string, language: 'c' | 'cpp' = 'c', workspace: MacroTable = new Map()): string[] | null {
  const directives = findDirectives(root, text);
  const comments = root.hasError ? definitionComments(root, text, directives) : [];
  if (!directives.some((d) => d.kind !== 'define' && d.kind !== 'undef' && d.kind !== 'error')) return comments.length ? [blank(text, comments)] : null;
  const lang = root.tree.language;
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const chunks: string[] = [];
    const offsets: number[] = [];
    let offset = 0;
    for (const d of directives) {
      const { lines } = synthLines(d, text);
      offsets.push(lines ? offset : -1);
      chunks.push(lines);
      offset += lines.length;
    }
    const tree = parser.parse(chunks.join(''));
    if (!tree) return null;
    let values: Tree | null = null;
    try {
      const parsed = offsets.map((o) => parse(tree.rootNode, o));
      values = parseValues(parser, parsed);
      const fileNames = new Set<string>();
      parsed.forEach((p, i) => {
        if (directives[i]!.kind === 'define' && p.name) fileNames.add(p.name);
      });
      const env = { language, workspace, fileNames };
      const guards = errorGuards(directives);
      const first = simulate(directives, parsed, text.length, env, null, guards);
      const runs = [first];
      if (first.chosen.size > first.pinned.size) {
        const second = simulate(directives, parsed, text.length, env, first, guards);
        if (!sameRanges(first.ranges, second.ranges)) runs.push(second);
      }
      // A configuration that reaches an `#error` is no build: the other one is analysed (if both do, both are).
      const builds = runs.some((r) => !r.error) ? runs.filter((r) => !r.error) : runs;
      return builds.map((r) => blank(text, [...r.ranges, ...comments]));
    } finally {
      values?.delete();
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}

/**
 * The values of the file's object-like macros, parsed as `#if` conditions in a second small
 * document (`#define LEVEL (2 + 1)` gives the expression `(2 + 1)`), set on their definitions.
 */
function parseValues(parser: Parser, parsed: readonly Parsed[]): Tree | null {
  const defs = parsed.map((p) => p.definition).filter((d): d is FileDefinition => !!d && d.params === null && d.value !== '' && !d.value.includes('\n'));
  if (!defs.length) return null;
  const starts: number[] = [];
  let offset = 0;
  const lines = defs.map((d) => {
    starts.push(offset);
    const line = `#if ${d.value}\n#endif\n`;
    offset += line.length;
    return line;
  });
  const tree = parser.parse(lines.join(''));
  if (!tree) return null;
  defs.forEach((d, i) => {
    const owner = tree.rootNode.descendantForIndex(starts[i]!, starts[i]! + 1)?.parent;
    d.expr = owner?.type === 'preproc_if' ? owner.childForFieldName('condition') : null;
  });
  return tree;
}

/**
 * Comments inside continued `#define` lines (`/* nbits. *\/ \`), which the grammar cannot read
 * there (the rest of the definition, and often the file after it, becomes a parse error). They
 * are blanked like any comment could be: a comment never changes what the code does.
 */
function definitionComments(root: Node, text: string, directives: readonly Directive[]): [number, number][] {
  const out: [number, number][] = [];
  for (const d of directives) {
    if (d.kind !== 'define') continue;
    const start = root.descendantForIndex(d.lineStart, d.lineStart + 1);
    const end = root.descendantForIndex(Math.max(d.lineStart, d.lineEnd - 1), d.lineEnd);
    if (!start || !end || start.startPosition.row === end.endPosition.row) continue;
    for (const c of root.descendantsOfType('comment', start.startPosition, end.endPosition)) {
      if (c && c.startIndex > d.tokenEnd && c.endIndex <= d.lineEnd) out.push(...keepingContinuations(text, c.startIndex, c.endIndex));
    }
  }
  return out;
}

/**
 * The range [from, to) less the backslashes that end its lines: a comment that spans lines of a
 * definition holds the definition's line continuations, which must stay for the definition to go on.
 */
function keepingContinuations(text: string, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let at = from;
  for (let nl = text.indexOf('\n', from); nl >= 0 && nl < to; nl = text.indexOf('\n', nl + 1)) {
    const slash = text[nl - 1] === '\r' ? nl - 2 : nl - 1;
    if (slash < at || text[slash] !== '\\') continue;
    out.push([at, slash]);
    at = slash + 1;
  }
  out.push([at, to]);
  return out;
}

/** Is text[from, to) blank but for comments (tokens of the tree)? */
function onlyCommentsBetween(root: Node, text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const n = root.descendantForIndex(i, i + 1);
    if (n?.type !== 'comment' || n.endIndex <= i) return false;
    i = n.endIndex;
  }
  return true;
}

/** The comment that spans the line break at `at`, if any. */
function commentAcross(root: Node, at: number): Node | null {
  if (at >= root.endIndex) return null;
  const n = root.descendantForIndex(at, at + 1);
  return n && n.type === 'comment' && n.startIndex < at && n.endIndex > at + 1 ? n : null;
}

function findDirectives(root: Node, text: string): Directive[] {
  const out: Directive[] = [];
  const seen = new Set<number>();
  const tokens: { start: number; end: number; kind: Kind }[] = [];
  for (const node of hashTokens(root, DIRECTIVE_TOKENS)) {
    const kind = directiveKind(node.text);
    if (!kind) continue;
    const start = node.startIndex;
    if (seen.has(start)) continue;
    seen.add(start);
    tokens.push({ start, end: node.endIndex, kind });
  }
  tokens.sort((a, b) => a.start - b.start);
  let last = -1;
  for (const t of tokens) {
    const s = lineStart(text, t.start);
    if (s < last) continue; // inside the continued line of the directive before
    // A directive starts its line (error recovery can read a `#if` in the middle of code as one).
    if (!onlyCommentsBetween(root, text, s, t.start)) continue;
    let e = lineEnd(text, t.end);
    // A comment that opens on the directive's line and closes on a later one belongs to it
    // (`#endif /* HAVE_A ||` then `HAVE_B */`): the line goes on to where the comment ends.
    for (let c = commentAcross(root, e); c; c = commentAcross(root, e)) e = lineEnd(text, c.endIndex);
    out.push({ kind: t.kind, lineStart: s, lineEnd: e, tokenEnd: t.end });
    last = e;
  }
  return out;
}

/**
 * The directive's line(s) in the small document: the same line, closed where it opens a conditional
 * (`#if C` + `#endif`); `#elif C` is written as `#if C`, `#elifdef N` as `#ifdef N`.
 */
function synthLines(d: Directive, text: string): { lines: string } {
  // The text after the directive's name up to its line break.
  const rest = text.slice(d.tokenEnd, d.lineEnd).replace(/\r/g, ' ');
  switch (d.kind) {
    case 'if': case 'elif': return { lines: `#if${rest}\n#endif\n` };
    case 'ifdef': case 'elifdef': return { lines: `#ifdef${rest}\n#endif\n` };
    case 'ifndef': case 'elifndef': return { lines: `#ifndef${rest}\n#endif\n` };
    case 'define': return { lines: `#define${rest}\n` };
    case 'undef': return { lines: `#undef${rest}\n` };
    default: return { lines: '' };
  }
}

/** One directive of the small document, read from its token at `at`. */
function parse(root: Node, at: number): Parsed {
  const none: Parsed = { condition: null, name: null, definition: null };
  if (at < 0) return none;
  const token = root.descendantForIndex(at, at + 1);
  const owner = token?.parent;
  if (!owner) return none;
  switch (owner.type) {
    case 'preproc_if':
      return { condition: owner.childForFieldName('condition'), name: null, definition: null };
    case 'preproc_ifdef':
      return { condition: null, name: owner.childForFieldName('name')?.text ?? null, definition: null };
    case 'preproc_def': {
      const value = owner.childForFieldName('value')?.text.trim() ?? '';
      return { condition: null, name: owner.childForFieldName('name')?.text ?? null, definition: { params: null, value, expr: null } };
    }
    case 'preproc_function_def': {
      const params = owner.childForFieldName('parameters');
      const names: string[] = [];
      for (let i = 0; params && i < params.namedChildCount; i++) {
        const p = params.namedChild(i);
        if (p) names.push(p.text);
      }
      return {
        condition: null, name: owner.childForFieldName('name')?.text ?? null,
        definition: { params: names, value: owner.childForFieldName('value')?.text.trim() ?? '', expr: null },
      };
    }
    case 'preproc_call': {
      const name = owner.childForFieldName('argument')?.text.trim().split(/\s/)[0];
      return { condition: null, name: name || null, definition: null };
    }
    default:
      return none;
  }
}

interface Env {
  readonly language: 'c' | 'cpp';
  readonly workspace: MacroTable;
  /** Every macro the file itself defines (anywhere). */
  readonly fileNames: ReadonlySet<string>;
}

interface Frame {
  /** Is the conditional itself in taken code? */
  readonly outer: boolean;
  /** Is the current part taken? */
  active: boolean;
  /** Has a part of it been taken already? */
  done: boolean;
}

/**
 * The conditionals whose part (up to the next `#elif`/`#else`/`#endif` of the same conditional)
 * holds an `#error` of its own: `#ifndef USE_SSPI` / `#error "needs SSPI"`. Such a part is a check
 * of the build's configuration, not an alternative of it: an unknown macro it tests is chosen, in
 * both configurations, so that the part is not taken (else the file's code behind the same
 * conditionals is never analysed: one configuration stops at the `#error`, the other drops the
 * code). Indexed by directive.
 */
function errorGuards(directives: readonly Directive[]): boolean[] {
  const out = directives.map(() => false);
  const open: number[] = [];
  for (let i = 0; i < directives.length; i++) {
    switch (directives[i]!.kind) {
      case 'if': case 'ifdef': case 'ifndef':
        open.push(i);
        break;
      case 'elif': case 'elifdef': case 'elifndef': case 'else':
        if (open.length) open[open.length - 1] = i;
        break;
      case 'endif':
        open.pop();
        break;
      case 'error':
        if (open.length) out[open[open.length - 1]!] = true;
        break;
    }
  }
  return out;
}

interface Run {
  readonly ranges: [number, number][];
  readonly chosen: ReadonlyMap<string, number>;
  /** The choices made to keep out of an `#error` part: the same in the second configuration. */
  readonly pinned: ReadonlySet<string>;
  readonly error: boolean;
}

/** Runs the directives in one configuration (`firstRun`: the first configuration, for the second). */
function simulate(
  directives: readonly Directive[], parsed: readonly Parsed[], length: number, env: Env, firstRun: Run | null, guards: readonly boolean[],
): Run {
  const defs = new Map<string, FileDefinition | null>();
  const ev = new Evaluator(env, defs, firstRun?.chosen ?? null, firstRun?.pinned ?? null);
  const ranges: [number, number][] = [];
  const stack: Frame[] = [];
  let error = false;
  const active = (): boolean => stack.length === 0 || stack[stack.length - 1]!.active;
  for (let i = 0; i < directives.length; i++) {
    const d = directives[i]!;
    const p = parsed[i]!;
    const before = active();
    switch (d.kind) {
      case 'define':
        if (before && p.name) defs.set(p.name, p.definition);
        break;
      case 'undef':
        if (before && p.name) defs.set(p.name, null);
        break;
      case 'error':
        error ||= before;
        break;
      case 'if': case 'ifdef': case 'ifndef': {
        const v = before && ev.test(d.kind, p, guards[i]!);
        stack.push({ outer: before, active: v, done: v });
        break;
      }
      case 'elif': case 'elifdef': case 'elifndef': {
        const f = stack[stack.length - 1];
        if (!f) break;
        f.active = f.outer && !f.done && ev.test(d.kind, p, guards[i]!);
        f.done ||= f.active;
        break;
      }
      case 'else': {
        const f = stack[stack.length - 1];
        if (!f) break;
        f.active = f.outer && !f.done;
        f.done = true;
        break;
      }
      case 'endif':
        stack.pop();
        break;
    }
    const conditional = d.kind !== 'define' && d.kind !== 'undef' && d.kind !== 'error';
    if (conditional || !before) ranges.push([d.lineStart, d.lineEnd]);
    if (!active()) ranges.push([d.lineEnd, directives[i + 1]?.lineStart ?? length]);
  }
  return { ranges, chosen: ev.chosen, pinned: ev.pinned, error };
}

const MAX_DEPTH = 40;

/**
 * Evaluates conditions as the preprocessor does. An unknown macro (or other unknown atom, such as
 * `__has_include(<x>)`) gets one value for the whole configuration, chosen where it is first met:
 * in the first configuration so that the conditional takes the part it tests (the first part
 * that can be taken: `#if !defined(HAVE_X)` compat code is analysed), in the second the opposite
 * of the first configuration's choice (atoms the first never met are chosen against the part).
 */
class Evaluator {
  /** The values chosen for unknown atoms, by name (or text). */
  readonly chosen = new Map<string, number>();
  /** The atoms chosen to keep out of an `#error` part. */
  readonly pinned = new Set<string>();
  /** Testing a part that holds an `#error` (see errorGuards). */
  private avoiding = false;

  constructor(
    private readonly env: Env, private readonly defs: Map<string, FileDefinition | null>,
    /** The first configuration's choices, when this is the second. */
    private readonly flipOf: ReadonlyMap<string, number> | null,
    /** The first configuration's pinned atoms, kept as they were. */
    private readonly pinnedOf: ReadonlySet<string> | null = null,
  ) {}

  /** Does the conditional take its part? `errorPart`: the part holds an `#error`. */
  test(kind: Kind, p: Parsed, errorPart = false): boolean {
    this.avoiding = errorPart;
    try {
      if (kind === 'if' || kind === 'elif') return p.condition ? this.value(p.condition, 0, true) !== 0 : this.unknown('', true) !== 0;
      const want = kind === 'ifdef' || kind === 'elifdef';
      const defined = p.name ? this.defined(p.name, want) : this.unknown('', want) !== 0;
      return want ? defined : !defined;
    } finally {
      this.avoiding = false;
    }
  }

  /** The value of an unknown atom; `want`: would a non-zero value take the part being tested? */
  private unknown(key: string, want: boolean): number {
    const known = this.chosen.get(key);
    if (known !== undefined) return known;
    const first = this.flipOf?.get(key);
    let v: number;
    if (first !== undefined && this.pinnedOf?.has(key)) v = first;
    else if (this.avoiding) v = want ? 0 : 1;
    else v = first !== undefined ? (first ? 0 : 1) : (want === (this.flipOf === null) ? 1 : 0);
    if (this.avoiding && first === undefined) this.pinned.add(key);
    this.chosen.set(key, v);
    return v;
  }

  /** The macro's definition: a definition, null (known not defined) or undefined (unknown). */
  private lookup(name: string): FileDefinition | MacroDefinition | null | undefined {
    if (this.defs.has(name)) return this.defs.get(name)!;
    if (this.env.fileNames.has(name)) return null;
    if (name === '__cplusplus') return this.env.language === 'cpp' ? { params: null, value: '201703L', number: 201703 } : null;
    return this.env.workspace.get(name);
  }

  private defined(name: string, want: boolean): boolean {
    const d = this.lookup(name);
    return d === undefined ? this.unknown(name, want) !== 0 : d !== null;
  }

  private value(n: Node | null, depth: number, want: boolean): number {
    if (!n || depth > MAX_DEPTH) return this.unknown('', want);
    switch (n.type) {
      case 'number_literal':
        return numberValue(n.text) ?? this.unknown(n.text, want);
      case 'char_literal': {
        const body = n.text.slice(1, -1);
        return body.length === 1 ? body.charCodeAt(0) : this.unknown(n.text, want);
      }
      case 'true': return 1;
      case 'false': return 0;
      case 'parenthesized_expression':
        return this.value(n.namedChild(0), depth + 1, want);
      case 'preproc_defined': {
        const id = n.namedChild(0);
        return id ? (this.defined(id.text, want) ? 1 : 0) : this.unknown('', want);
      }
      case 'identifier':
        return this.macroValue(n.text, depth, want);
      case 'unary_expression': {
        const op = n.childForFieldName('operator')?.type;
        const v = this.value(n.childForFieldName('argument'), depth + 1, op === '!' ? !want : want);
        switch (op) {
          case '!': return v === 0 ? 1 : 0;
          case '-': return -v;
          case '+': return v;
          case '~': return ~v;
          default: return this.unknown(n.text, want);
        }
      }
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.type ?? '';
        const l = this.value(n.childForFieldName('left'), depth + 1, want);
        // Short-circuit as the preprocessor does: the right side is not looked at (nor chosen).
        if (op === '&&' && l === 0) return 0;
        if (op === '||' && l !== 0) return 1;
        const r = this.value(n.childForFieldName('right'), depth + 1, want);
        return binary(op, l, r) ?? this.unknown(n.text, want);
      }
      case 'conditional_expression': {
        const c = this.value(n.childForFieldName('condition'), depth + 1, true);
        return this.value(n.childForFieldName(c !== 0 ? 'consequence' : 'alternative'), depth + 1, want);
      }
      default:
        // Function-like macros (`__has_include(<x>)`, `__GNUC_PREREQ(4, 6)`) and anything else: one atom by its text.
        return this.unknown(n.text, want);
    }
  }

  /** An identifier in `#if`: its macro's value, 0 when known not defined, the chosen value when unknown. */
  private macroValue(name: string, depth: number, want: boolean): number {
    const d = this.lookup(name);
    if (d === undefined) return this.unknown(name, want);
    if (d === null) return 0;
    if (d.params !== null || depth > MAX_DEPTH) return this.unknown(name, want);
    // A definition of the file: its value as an expression (through other macros: `#define USE_X (HAVE_X && 1)`).
    if ('expr' in d) return d.expr ? this.value(d.expr, depth + 1, want) : this.unknown(name, want);
    return typeof d.number === 'number' ? d.number : this.unknown(name, want);
  }
}

/** A C integer literal's value (`10`, `0x1F`, `010`, `1UL`), or null. */
export function numberValue(text: string): number | null {
  const t = text.trim().replace(/[uUlL]+$/, '');
  if (!/^(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)$/.test(t)) return null;
  if (/^0[bB]/.test(t)) return Number.parseInt(t.slice(2), 2);
  if (/^0[0-7]+$/.test(t)) return Number.parseInt(t, 8);
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

function binary(op: string, l: number, r: number): number | null {
  const b = (x: boolean): number => (x ? 1 : 0);
  switch (op) {
    case '&&': return b(l !== 0 && r !== 0);
    case '||': return b(l !== 0 || r !== 0);
    case '==': return b(l === r);
    case '!=': return b(l !== r);
    case '<': return b(l < r);
    case '<=': return b(l <= r);
    case '>': return b(l > r);
    case '>=': return b(l >= r);
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': return r === 0 ? null : Math.trunc(l / r);
    case '%': return r === 0 ? null : l % r;
    case '&': return l & r;
    case '|': return l | r;
    case '^': return l ^ r;
    case '<<': return l * 2 ** r;
    case '>>': return Math.floor(l / 2 ** r);
    default: return null;
  }
}

function sameRanges(a: readonly [number, number][], b: readonly [number, number][]): boolean {
  return a.length === b.length && a.every((r, i) => r[0] === b[i]![0] && r[1] === b[i]![1]);
}

/**
 * `text` with the characters in the ranges replaced by spaces (line breaks kept). The ranges are
 * sorted and merged, and the text is rebuilt from slices: a large file has many ranges, and going
 * through an array of its characters for each configuration cost more than parsing it.
 */
export function blank(text: string, ranges: readonly (readonly [number, number])[]): string {
  const sorted = ranges.map(([s, e]) => [Math.max(0, s), Math.min(text.length, e)] as const).filter(([s, e]) => s < e).sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [s, e] of sorted) {
    if (e <= at) continue;
    const from = Math.max(s, at);
    parts.push(text.slice(at, from), spacesKeepingBreaks(text, from, e));
    at = e;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** A rewrite that blanks text[start, end) (line breaks kept). */
export function blankRewrite(text: string, start: number, end: number): Rewrite {
  return { start, end, text: spacesKeepingBreaks(text, start, end) };
}

/** The characters of text[from, to) as spaces, its line breaks (`\n`, `\r`) kept. */
function spacesKeepingBreaks(text: string, from: number, to: number): string {
  let out = '';
  let run = from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    out += ' '.repeat(i - run) + text[i];
    run = i + 1;
  }
  return out + ' '.repeat(to - run);
}
