import { Parser, type Language, type Node } from 'web-tree-sitter';
import type { CMacroDefinition } from '../../types';
import { definitionNodes } from './definitions';
import { callArgs } from '../../syntax';
import { EXPECT_HINTS, mentions } from './syntax';

/**
 * Function-like macros that are a branch-prediction hint around their first argument, so that a
 * condition written with one reads as that argument (`if (UNLIKELY(fd < 0)) goto out;` as
 * `if (fd < 0)`): a macro whose whole replacement is, up to parentheses,
 * - its first parameter (`#define LIKELY(x) x`), or `!!` of it (`!!(x)`, the same truth value);
 * - a call of a hint (`__builtin_expect(x, c)`, `__builtin_expect_with_probability(x, c, p)`, the
 *   names of EXPECT_HINTS, or another such macro) whose first argument is one of these and whose other
 *   arguments do not mention that parameter (`#define UNLIKELY(x) LIKELY_IS((x), 0)` with
 *   `#define LIKELY_IS(x, y) __builtin_expect((x), (y))`).
 * Each replacement text is parsed by tree-sitter as a statement, in one small document.
 */

/** For each function-like macro: the macros its replacement calls as hints (each must be one), or null when it is no hint. */
export type HintDependencies = ReadonlyMap<string, readonly string[] | null>;

export const NO_HINT_DEPENDENCIES: HintDependencies = new Map();

const MAX_VALUE = 200;
const MAX_DEPTH = 16;

interface Candidate {
  readonly name: string;
  readonly params: readonly string[];
  readonly value: string;
}

/** The hint dependencies of the file's own function-like macros (a name defined twice is a hint only if both are). */
export function fileHintDependencies(root: Node): HintDependencies {
  const candidates: Candidate[] = [];
  for (const def of definitionNodes(root)) {
    if (def.type !== 'preproc_function_def') continue;
    const name = def.childForFieldName('name')?.text;
    const params = def.childForFieldName('parameters')?.namedChildren.map((p) => (p?.type === 'identifier' ? p.text : '')) ?? [];
    const value = def.childForFieldName('value')?.text.trim() ?? '';
    if (name) candidates.push({ name, params, value });
  }
  return dependencies(candidates, root.tree.language);
}

const tableMemo = new WeakMap<ReadonlyMap<string, CMacroDefinition>, HintDependencies>();

/** The hint dependencies of a workspace macro table's function-like macros (once per table). */
export function tableHintDependencies(table: ReadonlyMap<string, CMacroDefinition> | undefined, lang: Language): HintDependencies {
  if (!table || !table.size) return NO_HINT_DEPENDENCIES;
  let out = tableMemo.get(table);
  if (!out) {
    const candidates: Candidate[] = [];
    for (const [name, def] of table) if (def.params) candidates.push({ name, params: def.params, value: def.value });
    tableMemo.set(table, (out = dependencies(candidates, lang)));
  }
  return out;
}

/**
 * The names that are hints (EXPECT_HINTS and every macro whose
 * dependencies are all hints), the file's own definitions over the workspace's.
 */
export function hintNames(own: HintDependencies, workspace: HintDependencies = NO_HINT_DEPENDENCIES): ReadonlySet<string> {
  const deps = new Map<string, readonly string[] | null>(workspace);
  for (const [k, v] of own) deps.set(k, v);
  const out = new Set<string>(EXPECT_HINTS);
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, d] of deps) {
      if (d === null || out.has(name) || !d.every((n) => out.has(n))) continue;
      out.add(name);
      changed = true;
    }
  }
  return out;
}

function dependencies(all: readonly Candidate[], lang: Language): HintDependencies {
  // A cheap look first: a parameter to hand on, a short one-line text that mentions it.
  const candidates = all.filter((c) => c.params.length > 0 && c.params[0] !== '' && c.value !== '' && c.value.length <= MAX_VALUE && !/[;{}\n#]/.test(c.value) && c.value.includes(c.params[0]!));
  const out = new Map<string, readonly string[] | null>();
  // A name the list defines otherwise too is no hint unless every definition is one.
  for (const c of all) if (!candidates.includes(c)) out.set(c.name, null);
  if (!candidates.length) return out;
  const parser = new Parser();
  try {
    parser.setLanguage(lang);
    const tree = parser.parse(candidates.map((c, i) => `void sockscope_h${i}(void) { ${c.value}; }`).join('\n'));
    if (!tree) return out;
    try {
      for (let i = 0; i < tree.rootNode.namedChildCount; i++) {
        const def = tree.rootNode.namedChild(i);
        const declared = def?.childForFieldName('declarator')?.childForFieldName('declarator')?.text ?? '';
        const c = candidates[Number(declared.slice('sockscope_h'.length))];
        if (!def || !c || !declared.startsWith('sockscope_h')) continue;
        const stmts = def.childForFieldName('body')?.namedChildren.filter((n): n is Node => !!n && n.type !== 'comment') ?? [];
        const deps: string[] = [];
        const ok = def.type === 'function_definition' && !def.hasError && stmts.length === 1 && stmts[0]!.type === 'expression_statement'
          && handsOn(stmts[0]!.namedChild(0), c.params[0]!, c.name, deps, 0);
        if (out.has(c.name) && out.get(c.name) === null) continue;
        const before = out.get(c.name);
        out.set(c.name, ok ? [...new Set([...(before ?? []), ...deps])] : null);
      }
      // A candidate the parse lost is no hint.
      for (const c of candidates) if (!out.has(c.name)) out.set(c.name, null);
      return out;
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}

function unparen(n: Node | null): Node | null {
  let e = n;
  while (e?.type === 'parenthesized_expression' && e.namedChildCount === 1) e = e.namedChild(0);
  return e;
}

/** Is `node` (a replacement's expression) the truth value of parameter `param`? Adds the macros it relies on to `deps`. */
function handsOn(node: Node | null, param: string, self: string, deps: string[], depth: number): boolean {
  const e = unparen(node);
  if (!e || depth > MAX_DEPTH) return false;
  if (e.type === 'identifier') return e.text === param;
  if (e.type === 'unary_expression' && e.child(0)?.type === '!') {
    const inner = unparen(e.childForFieldName('argument'));
    return inner?.type === 'unary_expression' && inner.child(0)?.type === '!' && handsOn(inner.childForFieldName('argument'), param, self, deps, depth + 1);
  }
  if (e.type !== 'call_expression') return false;
  const callee = e.childForFieldName('function');
  const args = callArgs(e);
  if (callee?.type !== 'identifier' || callee.text === self || !args.length) return false;
  if (args.slice(1).some((a) => mentions(a, param))) return false;
  if (!handsOn(args[0] ?? null, param, self, deps, depth + 1)) return false;
  if (!EXPECT_HINTS.has(callee.text)) deps.push(callee.text);
  return true;
}
