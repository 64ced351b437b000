import type { Node, Tree } from 'web-tree-sitter';
import { withTree } from '../../parser';
import { applyRewrites } from './preproc';
import { repairRounds, type RepairMemo } from './syntaxRepairs';
import type { Rewrite } from './macroRewrites';
import { firstKid } from '../../syntax';
import type { MacroWrapper } from './macroWrappers';
import { NO_RETURN } from './names';
import type { FileScan } from './scan';
import { calleeName, strip } from './syntax';
import type { CMacroDefinition } from '../../types';
import { objectDefineLines } from './definitions';

/**
 * What a file says about functions that never return, for the other files of its workspace:
 * `void fatal(const char *, ...) __attribute__((noreturn));` in a header, a function whose body has
 * no `return` and ends in a call (`static void die(...) { ...; exit(1); }`: it does not return when
 * that callee does not), and macros that are one call (`#define fatal(...) sshfatal(__FILE__, ...)`).
 */
export interface NoReturnFacts {
  /** Names declared or defined with `noreturn` / `_Noreturn`. */
  readonly declared: readonly string[];
  /**
   * Each function visible to other files, with the function its body ends by calling when it has no
   * `return` (null otherwise): [function, callee].
   */
  readonly tails: readonly (readonly [string, string | null])[];
  /** A call-like macro or alias: [macro, the function it calls]. */
  readonly macros: readonly (readonly [string, string])[];
}

export const NO_FACTS: NoReturnFacts = { declared: [], tails: [], macros: [] };

export function noReturnFacts(scan: FileScan, wrappers: readonly MacroWrapper[], visible: (def: Node) => boolean): NoReturnFacts {
  const tails: [string, string | null][] = [];
  for (const [name, def] of scan.definitions) if (visible(def)) tails.push([name, tailCall(def)]);
  return { declared: [...scan.noReturn], tails, macros: wrappers.map((w) => [w.name, w.target] as const) };
}

/**
 * The function a definition's body ends by calling, when the body has no `return`: every path that
 * could leave it runs that call last, so the function does not return if the callee does not.
 */
export function tailCall(def: Node): string | null {
  const body = def.childForFieldName('body');
  if (!body) return null;
  let last: Node | null = null;
  for (let i = body.namedChildCount - 1; i >= 0 && !last; i--) {
    const c = body.namedChild(i);
    if (c && c.type !== 'comment') last = c;
  }
  if (!last || last.type !== 'expression_statement') return null;
  const call = strip(firstKid(last));
  if (!call || call.type !== 'call_expression') return null;
  const name = calleeName(call);
  if (!name || body.descendantsOfType('return_statement').length > 0) return null;
  return name;
}

/**
 * The functions of a workspace that never return, from every file's facts: the library's
 * (`exit`, `abort`, …), those declared `noreturn`, and functions and macros that end in (or are) a
 * call of one. A name that is also defined, in some file, so that it may return is still taken as
 * not returning only when some file declares it so (a declaration is the author's word).
 */
export class NoReturnTable {
  private readonly declared = new Set<string>();
  private readonly tails = new Map<string, (string | null)[]>();
  private readonly memo = new Map<string, boolean | 'busy'>();

  constructor(files: Iterable<NoReturnFacts>) {
    for (const f of files) {
      for (const n of f.declared) this.declared.add(n);
      for (const [name, callee] of [...f.tails, ...f.macros]) {
        const list = this.tails.get(name);
        if (list) list.push(callee);
        else this.tails.set(name, [callee]);
      }
    }
  }

  has(name: string): boolean {
    if (NO_RETURN.has(name) || this.declared.has(name)) return true;
    const m = this.memo.get(name);
    if (m !== undefined) return m === true;
    const callees = this.tails.get(name);
    if (!callees) return false;
    this.memo.set(name, 'busy');
    // Every definition of the name (two files may define it differently) must end in a call that does not return.
    const result = callees.every((c) => c !== null && c !== name && this.has(c));
    this.memo.set(name, result);
    return result;
  }
}

const tableMacros = new WeakMap<object, readonly string[]>();

/** The object-like macros of a table whose value says `noreturn` (read once per table). */
function noReturnMacrosOf(table: ReadonlyMap<string, CMacroDefinition>): readonly string[] {
  let names = tableMacros.get(table);
  if (!names) {
    const found: string[] = [];
    for (const [name, def] of table) if (def.params === null && NORETURN_WORD.test(def.value)) found.push(name);
    tableMacros.set(table, (names = found));
  }
  return names;
}

const NORETURN_WORD = /\b(noreturn|__noreturn__|_Noreturn)\b/;

/**
 * The object-like macros that stand for `noreturn` (`#define EV_NORETURN __attribute__((noreturn))`):
 * the workspace table's and those the text's own `#define` lines give (all of its branches: a macro
 * also defined empty, for a compiler without the attribute, still says what the author declared).
 * Not a macro whose own name is the word (`#define noreturn _Noreturn`): the grammar reads that one.
 */
export function noReturnMacroNames(text: string, table: ReadonlyMap<string, CMacroDefinition> | undefined): string[] {
  const names = new Set<string>(table ? noReturnMacrosOf(table) : []);
  if (text.includes('noreturn') || text.includes('_Noreturn')) {
    for (const d of objectDefineLines(text)) if (NORETURN_WORD.test(d.value)) names.add(d.name);
  }
  return [...names].filter((m) => !NORETURN_WORD.test(m));
}

/**
 * Functions a tree declares with a macro that stands for `noreturn` (`macros`, noReturnMacroNames):
 * the repairs blank such a macro (the grammar cannot read it after the parameters), so the scan never
 * sees the attribute. `root`: the tree of `text` after the repairs (blanks keep every offset), `text`:
 * the text it was repaired from (a configuration's, where the macro is still written). Each use of the
 * macro is read in the tree: after the parameter list of a declaration (`void event_err(int, const
 * char *, ...) EV_CHECK_FMT(2,3) EV_NORETURN;`) or first, before a declaration or definition
 * (`EV_NORETURN void die(…)`).
 */
export function noReturnByMacro(root: Node, text: string, macros: readonly string[]): string[] {
  const out: string[] = [];
  for (const macro of macros) {
    for (let at = text.indexOf(macro); at >= 0; at = text.indexOf(macro, at + macro.length)) {
      const end = at + macro.length;
      if (isWordChar(text.charCodeAt(at - 1)) || isWordChar(text.charCodeAt(end))) continue;
      const name = declaredWithMacroAt(root, text, at, end);
      if (name) out.push(name);
    }
  }
  return out;
}

/**
 * noReturnByMacro on the tree analyzeC reads a configuration from: `tree` (of the configuration text
 * `config`, not repaired) with the macro uses the grammar cannot read rewritten and what still fails
 * repaired (index.ts does the same rounds). `text`: the file's text, whose `#define` lines say which
 * macros stand for `noreturn`. Repaired only when the configuration uses one of them.
 */
export async function noReturnByMacroRepaired(
  language: 'c' | 'cpp', tree: Tree, config: string, text: string, table: ReadonlyMap<string, CMacroDefinition> | undefined,
): Promise<string[]> {
  const macros = noReturnMacroNames(text, table);
  if (!macros.some((m) => config.includes(m))) return [];
  const memo: RepairMemo = new Map();
  const use = (root: Node): string[] => noReturnByMacro(root, config, macros);
  return repaired(language, tree, config, repairRounds(table ?? NO_TABLE, memo), 0, use);
}

const NO_TABLE: ReadonlyMap<string, CMacroDefinition> = new Map();

/** `use` of `tree` (of `text`) after the repair rounds from `round` on: each round's rewrites are parsed from the tree before them. */
async function repaired<T>(
  language: 'c' | 'cpp', tree: Tree, text: string, rounds: ReadonlyArray<(root: Node, text: string) => Rewrite[]>, round: number, use: (root: Node) => T,
): Promise<T> {
  for (let k = round; k < rounds.length && tree.rootNode.hasError; k++) {
    const rewrites = rounds[k]!(tree.rootNode, text);
    if (!rewrites.length) continue;
    const next = applyRewrites(text, rewrites);
    const nextTree = await withTree(language, next, (t) => t.copy(), { tree, text, replacements: rewrites });
    try {
      return await repaired(language, nextTree, next, rounds, k + 1, use);
    } finally {
      nextTree.delete();
    }
  }
  return use(tree.rootNode);
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Where a use of the macro is no declaration's: its own definition and other directives, comments, literals. */
const OPAQUE: ReadonlySet<string> = new Set([
  'comment', 'string_literal', 'char_literal', 'system_lib_string', 'concatenated_string', 'raw_string_literal',
  'preproc_def', 'preproc_function_def', 'preproc_call', 'preproc_include', 'preproc_arg',
]);
/** Conditional blocks: declarations inside, but a use in the condition (`#ifdef EV_NORETURN`) is none. */
const CONDITIONAL: ReadonlySet<string> = new Set(['preproc_if', 'preproc_elif', 'preproc_ifdef', 'preproc_elifdef']);
const ITEMS: ReadonlySet<string> = new Set(['declaration', 'function_definition']);
/** Nodes whose children are items. */
const CONTAINERS: ReadonlySet<string> = new Set([
  'translation_unit', 'compound_statement', 'declaration_list', 'linkage_specification', 'preproc_if', 'preproc_elif', 'preproc_else',
  'preproc_ifdef', 'preproc_elifdef',
]);

/** The function the macro written at [at, end) of `text` declares, read in the tree (see noReturnByMacro). */
function declaredWithMacroAt(root: Node, text: string, at: number, end: number): string | null {
  const here = root.descendantForIndex(at, end);
  let item: Node | null = null;
  let container: Node | null = null;
  for (let p: Node | null = here; p; p = p.parent) {
    if (OPAQUE.has(p.type) || p.type === 'ERROR') return null;
    if (CONDITIONAL.has(p.type)) {
      const cond = p.childForFieldName('condition') ?? p.childForFieldName('name');
      if (cond && cond.startIndex < end && at < cond.endIndex) return null;
    }
    if (!item && !container && ITEMS.has(p.type)) item = p;
    if (!item && !container && CONTAINERS.has(p.type)) container = p;
  }
  if (item) {
    // The macro read as the item's first token (the grammar took it for a type): before the declaration.
    if (item.startIndex >= at) return functionDeclared(item);
    // After the parameter list of a declaration: `T name(params) [attributes] MACRO [attributes];`.
    if (item.type !== 'declaration') return null;
    let last: Node | null = null;
    for (const d of item.childrenForFieldName('declarator')) if (d.endIndex <= at) last = d;
    const fn = last && innermostFunctionDeclarator(last);
    const name = fn?.childForFieldName('declarator');
    return name?.type === 'identifier' && !name.text.startsWith('__') ? name.text : null;
  }
  if (!container) return null;
  // Before a declaration or definition (`MACRO [specifiers] T name(…)`): the first item after the
  // macro, with only comments between, and nothing of the container's but blanks before it since the
  // last item, token or directive.
  let before: Node | null = null;
  let next: Node | null = null;
  for (const c of container.children) {
    if (!c) continue;
    if (c.endIndex <= at) before = c;
    else if (c.startIndex >= end && c.type !== 'comment') {
      next = c;
      break;
    } else if (c.startIndex < end) return null;
  }
  if (!next || !ITEMS.has(next.type)) return null;
  if (text.slice(before ? before.endIndex : container.startIndex, at).trim() !== '') return null;
  return functionDeclared(next);
}

/** The plain name of the function a declaration or definition declares (its first declarator), or null. */
function functionDeclared(item: Node): string | null {
  const d = item.childForFieldName('declarator');
  const fn = d && innermostFunctionDeclarator(d);
  const name = fn?.childForFieldName('declarator');
  return name?.type === 'identifier' ? name.text : null;
}

/** The function declarator a declarator is or wraps (`*name(params)`), or null. */
function innermostFunctionDeclarator(d: Node): Node | null {
  for (let n: Node | null = d, guard = 0; n && guard < 16; guard++) {
    if (n.type === 'function_declarator') return n;
    if (n.type !== 'pointer_declarator' && n.type !== 'attributed_declarator' && n.type !== 'parenthesized_declarator') return null;
    n = n.childForFieldName('declarator') ?? firstKid(n);
  }
  return null;
}
