import { Parser, type Language, type Node } from 'web-tree-sitter';
import type { CMacroDefinition } from '../../types';
import { blankRewrite } from './preproc';
import { definitionNodes } from './definitions';

/**
 * Macro uses the C grammar cannot parse without their definitions, rewritten in place: each
 * rewrite replaces a span of the text by a text of the same length (padded with spaces), so every
 * offset and line stays where it was. Only macros whose meaning for the analysis is plain are
 * rewritten, from their definitions in the file or the workspace's headers:
 *
 * - qualifier and attribute macros (`#define ngx_inline inline`, `#define __maybe_unused
 *   __attribute__((unused))`, `#define CURL_EXTERN`): blanked, or `static` where they make the
 *   storage static (`#define THREAD_LOCAL __thread`), so a local so declared stays non-automatic;
 * - function-like macros that expand to nothing (`#define __decl_thread(d)` in a build without
 *   threads) are blanked with their arguments; those that expand to one of their parameters
 *   (`#define __decl_thread(d) d`) keep that argument where it is;
 * - loop macros (`#define list_for_each_entry(pos, head, member) for (...)`) used as a loop
 *   header: the name becomes `while`, the arguments stay, as the loop's condition; a macro that
 *   expands to an `if (…)` header (`#define every_ms(ms) if (due(ms))`) becomes `if` the same way.
 *
 * Whether a replacement text is a qualifier/attribute or a loop is decided by parsing it with
 * tree-sitter (as the specifiers of a declaration, or as a statement). Candidate uses are found by
 * reading identifiers, then confirmed with the file's tree: the span must be an identifier token
 * there (not a comment, string or directive line).
 */
export interface Rewrite {
  readonly start: number;
  readonly end: number;
  /** Exactly end - start characters. */
  readonly text: string;
}

type Role =
  | { kind: 'blank' }
  | { kind: 'static' }
  | { kind: 'attribute-call' }
  | { kind: 'call-blank' }
  | { kind: 'call-keep'; index: number }
  | { kind: 'loop'; keyword: 'while' | 'if' }
  | { kind: 'statement' };

type Table = ReadonlyMap<string, CMacroDefinition>;

const roleCache = new WeakMap<Table, Map<string, Role | null>>();

/** The file's own macro definitions (those that parsed), by name; the first one wins. */
function fileDefinitions(root: Node): Map<string, CMacroDefinition> {
  const out = new Map<string, CMacroDefinition>();
  for (const def of definitionNodes(root)) {
    const nameNode = def.childForFieldName('name');
    const name = nameNode?.type === 'identifier' ? nameNode.text : undefined;
    if (!name || out.has(name)) continue;
    const value = def.childForFieldName('value')?.text.trim() ?? '';
    const params = def.childForFieldName('parameters');
    out.set(name, { params: params ? params.namedChildren.filter((p) => p !== null).map((p) => p!.text) : null, value });
  }
  return out;
}

/** The rewrites for the file's macro uses (its own definitions first, then the workspace's). */
export function macroRewrites(root: Node, text: string, workspace: Table): Rewrite[] {
  const own = fileDefinitions(root);
  const lookup = (name: string): CMacroDefinition | undefined => own.get(name) ?? workspace.get(name);
  // Candidate uses: identifiers that name a macro with a role (roles are decided in one batch).
  // Calls of anything (a macro the workspace does not define, `offsetof`, `va_arg`) are candidates
  // too, for type arguments.
  const uses: { start: number; end: number; name: string }[] = [];
  const names = new Set<string>();
  // A call of a name no macro has gives nothing but type arguments, and those only in an item that did not
  // parse: calls elsewhere are passed over here (most of a file's calls), before the tree is asked about them.
  const broken = new BrokenItems(root);
  let called = false;
  for (const { start, end } of identifiers(text)) {
    const name = text.slice(start, end);
    const def = lookup(name);
    if (!def) {
      if (!followedByParen(text, end)) continue;
      called = true;
      if (!broken.holds(start, end)) continue;
    }
    uses.push({ start, end, name });
    if (def) names.add(name);
  }
  const members = nestedOffsetof(root, text);
  if (!uses.length && !called) return members;
  const lang = root.tree.language;
  const ownRoles = classify(root.tree.language, own, [...names].filter((n) => own.has(n)), lookup);
  const wsRoles = classify(root.tree.language, workspace, [...names].filter((n) => !own.has(n)), lookup);
  const out: Rewrite[] = [];
  const typeArgs: { spans: [number, number][]; close: number }[] = [];
  let after = 0;
  for (const u of uses) {
    if (u.start < after) continue;
    const def = lookup(u.name);
    const role = def ? (own.has(u.name) ? ownRoles.get(u.name) : wsRoles.get(u.name)) : null;
    const leaf = root.descendantForIndex(u.start, u.end);
    if (!leaf || leaf.startIndex !== u.start || leaf.endIndex !== u.end || !IDENTIFIER_TOKENS.has(leaf.type)) continue;
    // Not the name in a directive (`#define NAME`, `#ifdef NAME`).
    if (leaf.parent?.type.startsWith('preproc_')) continue;
    let rewrites = role ? rewriteUse(role, u.start, u.end, text, root, leaf) : null;
    const args = !rewrites && followedByParen(text, u.end) ? argumentSpans(text, u.end, root) : null;
    // A macro that opens or closes a brace on its own cannot leave the file without errors: where it
    // is, it needs its replacement (`TEST_BEGIN(f) {` reads as a function of type TEST_BEGIN, and
    // then its `TEST_END` is the error).
    if (!rewrites && def && (def.params === null || args)) rewrites = braceMacro(lang, def, u, args, text, lookup);
    if (!rewrites && def && def.params === null && aloneOnLine(text, u.start, u.end) && declaresMembers(lang, def.value) && topLevelItem(leaf)?.hasError) {
      rewrites = [{ start: u.start, end: u.end, text: ' '.repeat(u.end - u.start) }];
    }
    // A sole argument only in a call (not `f(void)` in a function's declarator).
    if (!rewrites && args && (args.spans.length > 1 || (args.spans.length === 1 && leaf.parent?.type === 'call_expression')) && topLevelItem(leaf)?.hasError) typeArgs.push(args);
    if (!rewrites) continue;
    out.push(...rewrites);
    after = Math.max(...rewrites.map((r) => r.end));
  }
  out.push(...typeArguments(lang, text, typeArgs), ...members);
  out.sort((a, b) => a.start - b.start);
  // Keep them apart (a type argument inside a call that was rewritten as a whole goes).
  const kept: Rewrite[] = [];
  for (const r of out) if (!kept.length || r.start >= kept[kept.length - 1]!.end) kept.push(r);
  return kept;
}

/**
 * The spans of the top-level items with syntax errors, asked in increasing order of offsets (each item's
 * node is made once, when the offsets asked reach it).
 */
class BrokenItems {
  private readonly count: number;
  private next = 0;
  private current: { start: number; end: number; broken: boolean } | null = null;

  constructor(private readonly root: Node) {
    this.count = root.childCount;
  }

  /**
   * Could the token at the span be in an item with errors (topLevelItem)? Spans asked start at or after the last one
   * asked. (Not under a translation unit: the root is the item.)
   */
  holds(start: number, end: number): boolean {
    if (this.root.type !== 'translation_unit') return this.root.hasError;
    while (!this.current || this.current.end <= start) {
      if (this.next >= this.count) return false;
      const item = this.root.child(this.next++);
      if (item) this.current = { start: item.startIndex, end: item.endIndex, broken: item.hasError };
    }
    return this.current.broken && this.current.start <= start && end <= this.current.end;
  }
}

/**
 * `offsetof(T, upstream.buffering)`: the grammar reads only a plain member name there. Renamed to an
 * identifier of the same length, with the type blanked, the use reads as a call of the field access,
 * which is all the analysis needs of it.
 */
function nestedOffsetof(root: Node, text: string): Rewrite[] {
  const out: Rewrite[] = [];
  // Its keyword is in the text (else no node to look for in the whole tree).
  if (!text.includes('offsetof')) return out;
  for (const n of root.descendantsOfType('offsetof_expression')) {
    const kw = n?.hasError ? n.child(0) : null;
    if (kw?.type !== 'offsetof' || kw.endIndex - kw.startIndex !== OFFSETOF_CALL.length) continue;
    out.push({ start: kw.startIndex, end: kw.endIndex, text: OFFSETOF_CALL });
    // The type goes with its comma: a call cannot take it (`__offset(a.b)` is left).
    const type = n!.namedChildren.find((c) => c?.type === 'type_descriptor');
    const comma = type?.nextSibling;
    if (type && comma?.type === ',') out.push({ start: type.startIndex, end: comma.endIndex, text: ' '.repeat(comma.endIndex - type.startIndex) });
  }
  return out;
}

const OFFSETOF_CALL = '__offset';

function followedByParen(text: string, from: number): boolean {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return text[i] === '(';
}

/**
 * A macro whose replacement opens or closes a brace it does not close or open (a test harness's
 * `TEST_BEGIN(name)` … `TEST_END`, `UNITTEST_BEGIN_SIMPLE` … `UNITTEST_END_SIMPLE`): its
 * replacement when it fits in the use's span; else only its braces, with the function header
 * reduced to `void name()` when it opens a function, provided that the statements left out call
 * nothing that is given arguments (so they cannot close or keep a descriptor).
 */
function braceMacro(
  lang: Language, def: CMacroDefinition, use: { start: number; end: number; name: string }, args: { spans: [number, number][]; close: number } | null,
  text: string, lookup: (name: string) => CMacroDefinition | undefined,
): Rewrite[] | null {
  const end = def.params === null ? use.end : args!.close + 1;
  const span = end - use.start;
  const replacement = def.params === null ? def.value : substitute(def, args!.spans.map(([s, e]) => text.slice(s, e)));
  const e = expand(replacement, lookup, 0, new Set([use.name]));
  if (e === null) return null;
  const { opens, closes, firstOpen } = braces(e);
  if (opens === 0 && closes === 0) return null;
  const flat = e.replace(/\s+/g, ' ').trim();
  if (flat.length <= span && !flat.includes('//')) return [{ start: use.start, end, text: flat.padEnd(span) }];
  if (closes > 0 && opens === 0 && !callsWithArguments(e)) return [{ start: use.start, end, text: '}'.repeat(closes).padEnd(span) }];
  if (opens > 0 && closes === 0 && !callsWithArguments(e.slice(firstOpen + 1))) {
    const name = functionOpened(lang, e.slice(0, firstOpen + 1));
    const head = name ? `void ${name}()${'{'.repeat(opens)}` : '';
    if (name && head.length <= span) return [{ start: use.start, end, text: head.padEnd(span) }];
  }
  // A statement macro given code (`UNITTEST_BEGIN(setup(&easy))`, `UNITTEST_END(stop(easy))`): its
  // braces, then its arguments where they are, as one statement.
  if (args && args.spans.length && (opens === 0) !== (closes === 0) && !functionOpened(lang, e.slice(0, Math.max(firstOpen, 0) + 1))) {
    const brace = opens > 0 ? '{'.repeat(opens) : '}'.repeat(closes);
    const first = args.spans[0]![0];
    if (first - use.start < brace.length) return null;
    return [
      { start: use.start, end: first, text: brace.padEnd(first - use.start) },
      { start: args.close, end: args.close + 1, text: ';' },
    ];
  }
  return null;
}

/** Braces a replacement leaves open, and closes without opening (strings and characters skipped). */
function braces(e: string): { opens: number; closes: number; firstOpen: number } {
  let depth = 0;
  let closes = 0;
  let firstOpen = -1;
  for (let i = 0; i < e.length; i++) {
    const c = e[i];
    if (c === '"' || c === '\'') {
      for (i++; i < e.length && e[i] !== c; i++) if (e[i] === '\\') i++;
    } else if (c === '{') {
      if (depth === 0 && firstOpen < 0) firstOpen = i;
      depth++;
    } else if (c === '}') {
      if (depth === 0) closes++;
      else depth--;
    }
  }
  return { opens: depth, closes, firstOpen };
}

const KEYWORDS_WITH_PAREN: ReadonlySet<string> = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'defined', '_Alignof', 'typeof', '__typeof__']);

/**
 * Does the text call something with an argument that names anything (`p_test_fini()` and
 * `p_test_init(#f)` do not; `close(fd)` does)?
 */
function callsWithArguments(e: string): boolean {
  for (const { start, end } of identifiers(e)) {
    if (KEYWORDS_WITH_PAREN.has(e.slice(start, end))) continue;
    const call = callIn(e, end);
    if (!call) continue;
    for (const a of call.args) {
      const named = [...identifiers(a)].some(({ start: s }) => a[s - 1] !== '#' && !insideString(a, s));
      if (named) return true;
    }
  }
  return false;
}

/** Is offset `at` of `a` inside a string literal (counting unescaped quotes before it)? */
function insideString(a: string, at: number): boolean {
  let inside = false;
  for (let i = 0; i < at; i++) {
    if (a[i] === '\\') i++;
    else if (a[i] === '"') inside = !inside;
  }
  return inside;
}

/** The name of the function a replacement's text up to its first `{` opens (`static void f(void) {`), or null. */
function functionOpened(lang: Language, head: string): string | null {
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const tree = parser.parse(`${head}}`);
    if (!tree) return null;
    try {
      const fn = tree.rootNode.namedChild(0);
      if (!fn || fn.type !== 'function_definition' || fn.hasError || tree.rootNode.namedChildCount !== 1) return null;
      let d = fn.childForFieldName('declarator');
      while (d && d.type !== 'identifier') d = d.childForFieldName('declarator');
      return d?.text ?? null;
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}

/**
 * Type arguments of calls in items that did not parse (`container_of(p, struct conn, list)`,
 * `va_arg(ap, const char *)`, `LIST_ELEM(n, struct listener *, by_fe)`, `arg_as(char *)`): only a macro takes a type,
 * and the grammar cannot read one as an argument. Each is blanked with its comma; whether an
 * argument is a type is decided by parsing it in `sizeof(…)`. The verdicts on plain arguments are kept
 * (typeVerdicts): the same arguments (`p`, `db`, `int`, `0`) come back in call after call.
 */
function typeArguments(lang: Language, text: string, calls: readonly { spans: [number, number][] }[]): Rewrite[] {
  let verdicts = typeVerdicts.get(lang);
  if (!verdicts) typeVerdicts.set(lang, (verdicts = new Map()));
  // Per argument not too long, in order: its verdict when known, else its line in the document parsed.
  const asked: (boolean | number)[] = [];
  const lines: string[] = [];
  const starts: number[] = [];
  const inDocument = new Map<string, number>();
  let offset = 0;
  for (const c of calls) {
    for (const [s, e] of c.spans) {
      if (!(e > s && e - s < 200)) continue;
      // A type starts with a name or a keyword (`::` in C++): not with a number, a string or an operator.
      if (NOT_A_TYPE.test(text[s]!)) {
        asked.push(false);
        continue;
      }
      const line = `sizeof(${text.slice(s, e).replace(/\r?\n/g, ' ')});`;
      const known = verdicts.get(line) ?? inDocument.get(line);
      if (known !== undefined) {
        asked.push(known);
        continue;
      }
      // A plain line once in the document (the same pointer in many calls of one function).
      if (PLAIN_ARGUMENT.test(line)) inDocument.set(line, lines.length);
      asked.push(lines.length);
      starts.push(offset);
      lines.push(line);
      offset += line.length + 1;
    }
  }
  if (!asked.length) return [];
  const parser = lines.length ? new Parser() : null;
  const out: Rewrite[] = [];
  try {
    parser?.setLanguage(lang);
    const tree = parser ? parser.parse(lines.join('\n')) : null;
    if (parser && !tree) return [];
    try {
      let i = 0;
      for (const c of calls) {
        for (let k = 0; k < c.spans.length; k++) {
          const [s, e] = c.spans[k]!;
          if (!(e > s && e - s < 200)) continue;
          const a = asked[i++]!;
          let isType: boolean;
          if (typeof a === 'boolean') isType = a;
          else {
            const at = starts[a]!;
            const n = tree!.rootNode.descendantForIndex(at, at + 1)?.parent;
            isType = n?.type === 'sizeof_expression' && !n.hasError && !!n.childForFieldName('type') && !callShaped(n.childForFieldName('type')!);
            if (PLAIN_ARGUMENT.test(lines[a]!)) {
              if (verdicts.size >= MAX_TYPE_VERDICTS) verdicts.clear();
              verdicts.set(lines[a]!, isType);
            }
          }
          if (!isType) continue;
          // With the comma before it (or after it, for the first argument); a sole argument alone.
          const from = k > 0 ? c.spans[k - 1]![1] : s;
          const to = k > 0 ? e : c.spans.length > 1 ? c.spans[1]![0] : e;
          out.push(blankRewrite(text, from, to));
        }
      }
    } finally {
      tree?.delete();
    }
  } finally {
    parser?.delete();
  }
  return out;
}

/**
 * What `sizeof(ARG);` says of ARG, by its line, per grammar; kept only for a line that is one statement whatever
 * comes before or after it in the document: no brace, quote, comment, directive, escape nor `;` in it (its
 * parentheses match: see argumentSpans).
 */
const typeVerdicts = new WeakMap<Language, Map<string, boolean>>();
const NOT_A_TYPE = /^[0-9"'&!~*(+-]/;
const PLAIN_ARGUMENT = /^sizeof\([^{}"'/#\\;]*\);$/;
/** Verdicts kept per grammar at most (then forgotten all at once). */
const MAX_TYPE_VERDICTS = 20_000;

/**
 * A type that reads as well as a call (`offset_of(struct s, b)`: a named type with a function declarator
 * and nothing around it, the parameters read as a type and a name): a call, which is what a macro is given.
 */
function callShaped(type: Node): boolean {
  const d = type.childForFieldName('declarator');
  return type.childForFieldName('type')?.type === 'type_identifier' && d?.type === 'abstract_function_declarator' && !d.childForFieldName('declarator');
}

/**
 * The tokens a macro's name can be read as. In C++ a qualifier macro before a qualified name is read as its namespace
 * (`bool SPDLOG_INLINE thread_pool::run()`: `SPDLOG_INLINE` then a missing `::`); the preprocessor expands the name
 * wherever it stands, so it is a use there too.
 */
const IDENTIFIER_TOKENS: ReadonlySet<string> = new Set(['identifier', 'type_identifier', 'primitive_type', 'namespace_identifier']);

function rewriteUse(role: Role, start: number, end: number, text: string, root: Node, leaf: Node): Rewrite[] | null {
  const spaces = (n: number): string => ' '.repeat(n);
  switch (role.kind) {
    case 'blank':
      return [{ start, end, text: spaces(end - start) }];
    case 'static':
      return [{ start, end, text: end - start >= 6 ? 'static'.padEnd(end - start) : spaces(end - start) }];
    case 'statement': {
      // `TEST("name") {` where TEST expands to a whole statement (`printf(...);`): without its `;`
      // the grammar cannot go on. Given only literals, the statement does nothing to descriptors:
      // it becomes `if(1)` over what follows.
      const args = argumentSpans(text, end, root);
      if (!args || nextToken(root, text, args.close + 1) === ';' || args.close + 1 - start < 5) return null;
      if (args.spans.some(([s, e]) => [...identifiers(text.slice(s, e))].some(({ start: i }) => !insideString(text.slice(s, e), i)))) return null;
      return [{ start, end: args.close + 1, text: 'if(1)'.padEnd(args.close + 1 - start) }];
    }
    case 'attribute-call': case 'call-blank': case 'call-keep': case 'loop': {
      // A macro that stands for code, not for an attribute, is rewritten only in a top-level item
      // that did not parse: where the grammar reads it (a call, a declaration), it stays.
      if (role.kind !== 'attribute-call' && !topLevelItem(leaf)?.hasError) return null;
      const args = argumentSpans(text, end, root);
      if (!args) return null;
      if (role.kind === 'call-blank' || role.kind === 'attribute-call') return [{ start, end: args.close + 1, text: spaces(args.close + 1 - start) }];
      if (role.kind === 'loop') {
        // Used as a loop (or `if`) header: followed by its body, not by `;`.
        if (end - start < role.keyword.length || nextToken(root, text, args.close + 1) === ';') return null;
        return [{ start, end, text: role.keyword.padEnd(end - start) }];
      }
      const kept = args.spans[role.index];
      if (!kept || args.spans.length === 0) return null;
      return [
        { start, end: kept[0], text: spaces(kept[0] - start) },
        { start: kept[1], end: args.close + 1, text: spaces(args.close + 1 - kept[1]) },
      ];
    }
  }
}

/**
 * The argument list after a macro name: the spans of its arguments and the offset of its `)`.
 * Parentheses nest; commas inside them, strings, characters and comments do not split. The
 * parentheses at both ends must be tokens of the tree.
 */
function argumentSpans(text: string, from: number, root: Node): { spans: [number, number][]; close: number } | null {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (text[i] !== '(') return null;
  const open = i;
  const spans: [number, number][] = [];
  let depth = 0;
  let argStart = open + 1;
  for (; i < text.length && i < open + 4000; i++) {
    const c = text[i];
    if (c === '"' || c === '\'') {
      for (i++; i < text.length && text[i] !== c && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      if (e < 0) return null;
      i = e + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const e = text.indexOf('\n', i);
      if (e < 0) return null;
      i = e;
    } else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        spans.push(trimSpan(text, argStart, i));
        if (!isToken(root, open, '(') || !isToken(root, i, ')')) return null;
        return { spans: spans.filter(([s, e]) => e > s || spans.length > 1), close: i };
      }
    } else if (c === ',' && depth === 1) {
      spans.push(trimSpan(text, argStart, i));
      argStart = i + 1;
    }
  }
  return null;
}

/** The child of the translation unit that holds the node. */
function topLevelItem(n: Node): Node | null {
  // As climbing `parent` up to the child of the translation unit, in one call: tree-sitter finds a
  // parent by going down from the root this way, so each `parent` costs as much.
  const root = n.tree.rootNode;
  if (root.type !== 'translation_unit' || n.equals(root)) return root;
  return root.childWithDescendant(n) ?? n;
}

/** The type of the first token at or after `from` that is not blank. */
function nextToken(root: Node, text: string, from: number): string | null {
  let i = from;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i < text.length ? root.descendantForIndex(i, i + 1)?.type ?? null : null;
}

function isToken(root: Node, at: number, type: string): boolean {
  return root.descendantForIndex(at, at + 1)?.type === type;
}

function trimSpan(text: string, s: number, e: number): [number, number] {
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  return [s, e];
}

/** The identifier-shaped words of the text, as spans (candidates only: each is checked against the tree). */
function* identifiers(text: string): Generator<{ start: number; end: number }> {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isIdentStart(c)) {
      const s = i;
      for (i++; i < n && isIdentPart(text.charCodeAt(i)); i++);
      yield { start: s, end: i };
    } else if (c >= 48 && c <= 57) {
      for (i++; i < n && isIdentPart(text.charCodeAt(i)); i++);
    } else i++;
  }
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

const MAX_DEPTH = 8;

/**
 * What each macro is, for the names asked: a qualifier/attribute, a loop, or a call that expands
 * to nothing or to one argument. Replacement texts are parsed together in one small document.
 * Results are kept per table (the workspace's table lives as long as the workspace's headers do not change).
 */
function classify(lang: Language, table: Table, names: readonly string[], lookup: (name: string) => CMacroDefinition | undefined): Map<string, Role | null> {
  let cache = roleCache.get(table);
  if (!cache) roleCache.set(table, (cache = new Map()));
  const todo = names.filter((n) => !cache!.has(n));
  if (todo.length) {
    const lines: string[] = [];
    const asked: Asked[] = [];
    let offset = 0;
    const push = (name: string, kind: Asked['kind'], line: string): void => {
      // Continued or multi-line replacement texts become one line.
      const flat = line.replace(/\\?\r?\n/g, ' ');
      asked.push({ name, kind, start: offset, end: offset + flat.length });
      lines.push(flat);
      offset += flat.length + 1;
    };
    for (const name of todo) {
      const def = table.get(name)!;
      cache.set(name, null);
      if (def.params === null) {
        const value = expand(def.value, lookup, 0, new Set([name]));
        if (value === null) continue;
        if (value === '') {
          cache.set(name, { kind: 'blank' });
          continue;
        }
        push(name, 'object', `${value} int sockscope_v;`);
        // Calling conventions (`__cdecl`) come after the type.
        push(name, 'object', `int ${value} sockscope_v;`);
      } else {
        const value = def.value;
        if (value === '') {
          cache.set(name, { kind: 'call-blank' });
          continue;
        }
        const index = def.params.indexOf(value);
        if (index >= 0) {
          cache.set(name, { kind: 'call-keep', index });
          continue;
        }
        const expanded = expand(value, lookup, 0, new Set([name]));
        if (expanded === null) continue;
        if (expanded === '') {
          cache.set(name, { kind: 'call-blank' });
          continue;
        }
        push(name, 'attribute', `${expanded} int sockscope_v;`);
        push(name, 'loop', `void sockscope_f(void) { ${expanded} ; }`);
      }
    }
    if (asked.length) classifyParsed(lang, lines, asked, cache);
  }
  const out = new Map<string, Role | null>();
  for (const n of names) out.set(n, cache.get(n) ?? null);
  return out;
}

/**
 * A replacement text with the macros in it replaced by theirs (so that `#define CURL_EXTERN
 * CURL_EXTERN_SYMBOL` and `#define __read_mostly HA_SECTION("read_mostly")` are seen through), as
 * the preprocessor would rescan it; null when it goes too deep or a call is not closed. A macro is
 * not expanded again inside its own replacement (`active`: the macros being expanded), as the
 * preprocessor does: `#define __attribute__(x) __attribute__(x)` stands for the attribute itself.
 */
function expand(value: string, lookup: (name: string) => CMacroDefinition | undefined, depth: number, active: ReadonlySet<string>): string | null {
  if (depth > MAX_DEPTH || value.length > 4000) return null;
  let out = '';
  let last = 0;
  let skipTo = 0;
  for (const { start, end } of identifiers(value)) {
    if (start < skipTo) continue;
    const name = value.slice(start, end);
    const def = active.has(name) ? undefined : lookup(name);
    if (!def) continue;
    let replacement: string;
    let upTo = end;
    if (def.params === null) replacement = def.value;
    else {
      const call = callIn(value, end);
      if (!call) continue;
      replacement = substitute(def, call.args);
      upTo = call.end;
    }
    const inner = expand(replacement, lookup, depth + 1, new Set([...active, name]));
    if (inner === null) return null;
    out += value.slice(last, start) + inner;
    last = upTo;
    skipTo = upTo;
  }
  return (out + value.slice(last)).replace(/\\?\r?\n/g, ' ').trim();
}

/** The arguments of a call in a replacement text (`(a, (b, c))` after a name), and the offset after its `)`. */
function callIn(value: string, from: number): { args: string[]; end: number } | null {
  let i = from;
  while (i < value.length && /\s/.test(value[i]!)) i++;
  if (value[i] !== '(') return null;
  const args: string[] = [];
  let depth = 0;
  let argStart = i + 1;
  for (; i < value.length; i++) {
    const c = value[i];
    if (c === '"' || c === '\'') {
      for (i++; i < value.length && value[i] !== c; i++) if (value[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (--depth === 0) {
        args.push(value.slice(argStart, i).trim());
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(value.slice(argStart, i).trim());
      argStart = i + 1;
    }
  }
  return null;
}

/** A function-like macro's replacement with its parameters replaced by the arguments (`#` and `##` left as they are). */
function substitute(def: CMacroDefinition, args: readonly string[]): string {
  const params = def.params ?? [];
  let out = '';
  let last = 0;
  for (const { start, end } of identifiers(def.value)) {
    const k = params.indexOf(def.value.slice(start, end));
    if (k < 0) continue;
    out += def.value.slice(last, start) + (args[k] ?? '');
    last = end;
  }
  return out + def.value.slice(last);
}

const STATIC_STORAGE: ReadonlySet<string> = new Set(['static', '__thread', 'thread_local', '_Thread_local']);

interface Asked {
  readonly name: string;
  readonly kind: 'object' | 'attribute' | 'loop';
  /** The offsets of its line in the small document. */
  readonly start: number;
  readonly end: number;
}

/**
 * What the parse of one line says (by grammar, then kind and line: a line parses the same way wherever it
 * comes from): for a loop, `loopRole` of its item; else `qualifierRole`; `skip` when the line is not one
 * item without errors (an error is allowed for a loop). Many files define the same macros, and a file's
 * configurations and rounds of rewrites ask about its own definitions again.
 */
type LineVerdict = { readonly skip: true } | { readonly skip: false; readonly role: Role | null };
const lineVerdicts = new WeakMap<Language, Map<string, LineVerdict>>();
/** Lines remembered per grammar at most (then forgotten all at once). */
const MAX_LINE_VERDICTS = 20_000;

function classifyParsed(lang: Language, lines: string[], asked: readonly Asked[], cache: Map<string, Role | null>): void {
  let verdicts = lineVerdicts.get(lang);
  if (!verdicts) lineVerdicts.set(lang, (verdicts = new Map()));
  let parser: Parser | undefined;
  const verdictOf = (kind: Asked['kind'], line: string, length: number): LineVerdict => {
    const key = `${kind}\n${line}`;
    let v = verdicts.get(key);
    if (v) return v;
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(lang);
    }
    const tree = parser.parse(line);
    if (!tree) return { skip: true };
    try {
      const root = tree.rootNode;
      // One top-level item that spans the whole line.
      const n = root.namedChildCount === 1 ? root.namedChild(0) : null;
      if (!n || n.startIndex !== 0 || n.endIndex !== length) v = { skip: true };
      else if (kind === 'loop') v = { skip: false, role: loopRole(n) };
      else v = n.hasError ? { skip: true } : { skip: false, role: qualifierRole(n) };
    } finally {
      tree.delete();
    }
    if (verdicts.size >= MAX_LINE_VERDICTS) verdicts.clear();
    verdicts.set(key, v);
    return v;
  };
  try {
    // Each text on its own: one with unbalanced braces would swallow the next ones.
    asked.forEach((a, i) => {
      const v = verdictOf(a.kind, lines[i]!, a.end - a.start);
      if (v.skip) return;
      if (a.kind === 'loop') {
        if (!cache.get(a.name)) cache.set(a.name, v.role);
        return;
      }
      if (cache.get(a.name)) return;
      const role = v.role;
      if (role && a.kind === 'attribute') cache.set(a.name, role.kind === 'blank' ? { kind: 'attribute-call' } : null);
      else if (a.kind === 'object') cache.set(a.name, role);
    });
  } finally {
    parser?.delete();
  }
}

/** `VALUE int sockscope_v;` parsed as a declaration of an `int` with only specifiers before it. */
function qualifierRole(decl: Node): Role | null {
  if (decl.type !== 'declaration') return null;
  const type = decl.childForFieldName('type');
  if (type?.type !== 'primitive_type' || type.text !== 'int') return null;
  let isStatic = false;
  let named = false;
  for (let i = 0; i < decl.childCount; i++) {
    const c = decl.child(i);
    if (!c || c.id === type.id || c.type === ';') continue;
    if (c.type === 'identifier' && c.text === 'sockscope_v') {
      named = true;
      continue;
    }
    // A cleanup attribute closes the variable: it is read by the analysis (macros.ts), not blanked.
    if (c.type === 'attribute_specifier' && c.descendantsOfType('identifier').some((i) => i?.text === 'cleanup' || i?.text === '__cleanup__')) return null;
    if (c.type === 'storage_class_specifier') {
      if (STATIC_STORAGE.has(c.text)) isStatic = true;
      else if (c.text !== 'inline' && c.text !== '__inline' && c.text !== '__inline__' && c.text !== 'extern' && c.text !== 'register') return null;
    } else if (c.type !== 'type_qualifier' && c.type !== 'attribute_specifier' && c.type !== 'ms_declspec_modifier' &&
      c.type !== 'attribute_declaration' && c.type !== 'ms_call_modifier' && c.type !== 'comment') return null;
  }
  if (!named) return null;
  return isStatic ? { kind: 'static' } : { kind: 'blank' };
}

/** `void sockscope_f(void) { VALUE ; }` whose body is one `for`/`while` loop header or `if` header (with the empty statement as its body). */
function loopRole(fn: Node): Role | null {
  const body = fn.childForFieldName('body');
  if (fn.type !== 'function_definition' || !body) return null;
  const stmts = body.namedChildren.filter((c) => c && c.type !== 'comment');
  // One statement of its own (`printf("test %s\n", name);`), then the `;` added after it.
  if (stmts.length === 2 && stmts[0]!.type === 'expression_statement' && !stmts[0]!.hasError && stmts[1]!.namedChildCount === 0) return { kind: 'statement' };
  if (stmts.length !== 1) return null;
  const s = stmts[0]!;
  if (s.type !== 'for_statement' && s.type !== 'while_statement' && !(s.type === 'if_statement' && !s.childForFieldName('alternative'))) return null;
  const loopBody = s.childForFieldName(s.type === 'if_statement' ? 'consequence' : 'body');
  return loopBody?.type === 'expression_statement' && loopBody.namedChildCount === 0 ? { kind: 'loop', keyword: s.type === 'if_statement' ? 'if' : 'while' } : null;
}

/**
 * A name alone on its line (but blanks and a trailing comment): a macro that stands for whole declarations
 * or statements, not for part of one.
 */
function aloneOnLine(text: string, start: number, end: number): boolean {
  const from = text.lastIndexOf('\n', start - 1) + 1;
  let to = text.indexOf('\n', end);
  if (to < 0) to = text.length;
  if (text.slice(from, start).trim() !== '') return false;
  const rest = text.slice(end, to).trim();
  return rest === '' || rest.startsWith('//') || (rest.startsWith('/*') && rest.endsWith('*/'));
}

const memberVerdicts = new WeakMap<Language, Map<string, boolean>>();

/**
 * Does an object-like macro's replacement declare struct members and nothing else: one or more declarations
 * each ended by its `;`, without an initializer, read by tree-sitter as the members of a struct
 * (`#define Identity uintptr_t Identity_verifier;`, cjdns's stamp at the end of its structs)? Used without a `;`
 * (`Identity` on its own line, then `};`) the grammar cannot read the struct; blanked, it loses only those
 * members' declarations, which say nothing of descriptors: no call, no initializer, no cleanup attribute
 * (that one closes the variable it is on: macros.ts reads it) is in them.
 */
function declaresMembers(lang: Language, value: string): boolean {
  const v = value.trim();
  if (!v.endsWith(';') || /\bcleanup\b|__cleanup__|[(){}=#]/.test(v) || v.length > 500) return false;
  let cache = memberVerdicts.get(lang);
  if (!cache) memberVerdicts.set(lang, (cache = new Map()));
  const known = cache.get(v);
  if (known !== undefined) return known;
  let verdict = false;
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const tree = parser.parse(`struct sockscope_s {\n${v}\n};\n`);
    if (tree) {
      try {
        const root = tree.rootNode;
        const decl = root.namedChildCount === 1 ? root.namedChild(0) : null;
        const body = decl?.type === 'struct_specifier' ? decl.childForFieldName('body') : null;
        verdict = !root.hasError && !!body && body.namedChildCount > 0 && body.namedChildren.every((c) => c?.type === 'field_declaration' || c?.type === 'comment');
      } finally {
        tree.delete();
      }
    }
  } finally {
    parser.delete();
  }
  if (cache.size > 1000) cache.clear();
  cache.set(v, verdict);
  return verdict;
}
