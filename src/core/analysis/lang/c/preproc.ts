import { Query, type Language, type Node } from 'web-tree-sitter';

/**
 * Build configurations of a C/C++ file. `#if`/`#ifdef`/`#elif`/`#else` parts are alternatives of
 * the build, not paths of one run, and `#if 0` code never runs. Parsed as it is, a file whose
 * conditionals split braces or statements gives syntax errors, and one whose function has two
 * conditionals on the same macro gives paths no build has (the first part of one, the `#else` of
 * the other). So the file is analysed in at most two consistent configurations, each the text
 * with the parts not taken (and the conditional lines themselves) blanked out: characters
 * replaced by spaces, line breaks kept, so every offset and line stays where it was.
 *
 * - the first configuration takes, in each conditional, its first part that can be taken;
 * - the second takes its last one (the `#else`, the last `#elif`); a conditional without `#else`
 *   keeps its first part (`#ifdef HAVE_X` code is not left out, and header guards stay).
 *
 * A part cannot be taken when its condition is known false (`#if 0`, `#ifndef X` with `X` defined
 * above) or an earlier part's condition is known true (`#if 1`, `#ifdef X` / `#if defined(X)` with
 * `X` defined above). Only the file's own top-level `#define`s before the line count as defined;
 * any other macro may or may not be defined by the build.
 * The directives are found with the grammar's own tokens (a query), also inside parse errors.
 */

/** One conditional part: the text after its directive line up to the next directive of its group. */
interface Part {
  readonly bodyStart: number;
  bodyEnd: number;
  /** true: taken for sure, false: never taken, null: either. */
  readonly known: boolean | null;
  readonly isElse: boolean;
}

interface Group {
  readonly parts: Part[];
}

const queries = new WeakMap<Language, Query>();

function directiveQuery(lang: Language): Query {
  let q = queries.get(lang);
  if (!q) {
    q = new Query(lang, [
      '["#if" "#ifdef" "#ifndef" "#elif" "#elifdef" "#elifndef" "#else" "#endif"] @d',
      // In error recovery a conditional line can come out as an unknown directive (`#else` as a preproc_call).
      '(preproc_call directive: (preproc_directive) @other)',
      '(translation_unit (preproc_def name: (identifier) @define))',
      '(translation_unit (preproc_function_def name: (identifier) @define))',
    ].join('\n'));
    queries.set(lang, q);
  }
  return q;
}

/** The end of the (possibly backslash-continued) line that contains `at`: the offset of its line break. */
function lineEnd(text: string, at: number): number {
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

/**
 * The configurations to analyse (one or two texts of the same length as `text`), or null when the
 * file has no conditional to resolve or its conditionals do not pair up (then the file is analysed
 * as it is).
 */
export function configurations(root: Node, text: string): string[] | null {
  const defines: { name: string; at: number }[] = [];
  const tokens: { node: Node; type: string }[] = [];
  for (const m of directiveQuery(root.tree.language).matches(root)) {
    for (const c of m.captures) {
      if (c.name === 'define') defines.push({ name: c.node.text, at: c.node.startIndex });
      else if (c.name === 'other') {
        const kind = directiveKind(c.node.text);
        if (kind) tokens.push({ node: c.node, type: kind });
      } else tokens.push({ node: c.node, type: c.node.type });
    }
  }
  if (!tokens.length) return null;
  const definedBefore = (name: string, at: number): boolean => defines.some((d) => d.name === name && d.at < at);

  const directiveLines: [number, number][] = [];
  const groups: Group[] = [];
  const stack: Group[] = [];
  // A part's condition, known from the tree when it parsed: true, false or null.
  const known = (tok: Node): boolean | null => evaluate(tok, definedBefore);
  const seen = new Set<number>();
  for (const { node: tok, type } of tokens.sort((a, b) => a.node.startIndex - b.node.startIndex)) {
    if (seen.has(tok.startIndex)) continue;
    seen.add(tok.startIndex);
    const start = lineStart(text, tok.startIndex);
    const end = lineEnd(text, tok.endIndex);
    directiveLines.push([start, end]);
    if (type === '#if' || type === '#ifdef' || type === '#ifndef') {
      const g: Group = { parts: [{ bodyStart: end, bodyEnd: -1, known: known(tok), isElse: false }] };
      stack.push(g);
      groups.push(g);
      continue;
    }
    const g = stack[stack.length - 1];
    if (!g) return null;
    const last = g.parts[g.parts.length - 1]!;
    if (last.bodyEnd >= 0 || last.isElse && type !== '#endif') return null;
    last.bodyEnd = start;
    if (type === '#endif') stack.pop();
    else g.parts.push({ bodyStart: end, bodyEnd: -1, known: type === '#else' ? null : known(tok), isElse: type === '#else' });
  }
  if (stack.length) return null;

  const first: [number, number][] = [];
  const second: [number, number][] = [];
  let alternatives = false;
  for (const g of groups) {
    // The parts that can be taken: up to the first known-true one, without the known-false ones.
    const live: Part[] = [];
    for (const p of g.parts) {
      if (p.known === false) continue;
      live.push(p);
      if (p.known === true) break;
    }
    const hasElse = g.parts.some((p) => p.isElse) || live.some((p) => p.known === true);
    const a = live[0];
    const b = hasElse ? live[live.length - 1] : live[0];
    if (a !== b) alternatives = true;
    for (const p of g.parts) {
      if (p !== a) first.push([p.bodyStart, p.bodyEnd]);
      if (p !== b) second.push([p.bodyStart, p.bodyEnd]);
    }
  }
  const out = [blank(text, [...directiveLines, ...first])];
  if (alternatives) out.push(blank(text, [...directiveLines, ...second]));
  return out;
}

const CONDITIONAL_KINDS: ReadonlySet<string> = new Set(['#if', '#ifdef', '#ifndef', '#elif', '#elifdef', '#elifndef', '#else', '#endif']);

/** The conditional a directive token spells (`#else`, `#  endif`), or null for any other directive. */
function directiveKind(token: string): string | null {
  const kind = `#${token.slice(1).trim()}`;
  return CONDITIONAL_KINDS.has(kind) ? kind : null;
}

/** `text` with the characters in the ranges replaced by spaces (line breaks kept). */
function blank(text: string, ranges: [number, number][]): string {
  const chars = text.split('');
  for (const [s, e] of ranges) {
    for (let i = s; i < e; i++) {
      const c = chars[i];
      if (c !== '\n' && c !== '\r') chars[i] = ' ';
    }
  }
  return chars.join('');
}

/** What a directive's condition is known to be, from its parsed node (null when unknown). */
function evaluate(tok: Node, definedBefore: (name: string, at: number) => boolean): boolean | null {
  const owner = tok.parent;
  if (!owner) return null;
  const at = tok.startIndex;
  switch (tok.type) {
    case '#ifdef': case '#elifdef': case '#ifndef': case '#elifndef': {
      if (owner.type !== 'preproc_ifdef' && owner.type !== 'preproc_elifdef') return null;
      const name = owner.childForFieldName('name')?.text;
      if (!name || !definedBefore(name, at)) return null;
      return tok.type === '#ifdef' || tok.type === '#elifdef';
    }
    case '#if': case '#elif': {
      if (owner.type !== 'preproc_if' && owner.type !== 'preproc_elif') return null;
      return condition(owner.childForFieldName('condition'), at, definedBefore, 0);
    }
    default:
      return null;
  }
}

function condition(n: Node | null, at: number, definedBefore: (name: string, at: number) => boolean, depth: number): boolean | null {
  if (!n || depth > 20) return null;
  switch (n.type) {
    case 'number_literal': {
      const v = Number.parseInt(n.text, n.text.startsWith('0x') || n.text.startsWith('0X') ? 16 : 10);
      return Number.isNaN(v) ? null : v !== 0;
    }
    case 'parenthesized_expression':
      return condition(n.namedChild(0), at, definedBefore, depth + 1);
    case 'preproc_defined': {
      const id = n.namedChild(0);
      return id && definedBefore(id.text, at) ? true : null;
    }
    case 'unary_expression': {
      if (n.childForFieldName('operator')?.type !== '!') return null;
      const v = condition(n.childForFieldName('argument'), at, definedBefore, depth + 1);
      return v === null ? null : !v;
    }
    case 'binary_expression': {
      const op = n.childForFieldName('operator')?.type;
      const l = condition(n.childForFieldName('left'), at, definedBefore, depth + 1);
      const r = condition(n.childForFieldName('right'), at, definedBefore, depth + 1);
      if (op === '&&') return l === false || r === false ? false : l === true && r === true ? true : null;
      if (op === '||') return l === true || r === true ? true : l === false && r === false ? false : null;
      return null;
    }
    default:
      return null;
  }
}
