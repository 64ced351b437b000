import type { Node } from 'web-tree-sitter';
import { namedKids as named, walk } from '../../syntax';

/**
 * Small helpers over the tree-sitter Python syntax tree; the language-neutral ones come from ../syntax.
 * Walks are iterative (no recursion on input depth).
 */
export { namedKids as named, walk } from '../../syntax';

/** Nodes whose bodies do not run where they are written (their names are captured, not evaluated). */
export const DEFERRED = new Set(['lambda', 'function_definition', 'class_definition', 'decorated_definition']);

/** Removes parentheses and `await` around an expression. */
export function strip(node: Node | null): Node | null {
  let n = node;
  while (n && (n.type === 'parenthesized_expression' || n.type === 'await')) {
    const inner = named(n);
    n = inner.length === 1 ? inner[0]! : null;
  }
  return n;
}

/** The identifiers bound by an assignment target (`a`, `a, b`, `(a, [b, c])`); attributes and subscripts give none. */
export function targetNames(target: Node | null): string[] {
  const out: string[] = [];
  if (!target) return out;
  walk(target, (n) => {
    if (n.type === 'identifier') {
      out.push(n.text);
      return false;
    }
    return n.type === 'pattern_list' || n.type === 'tuple_pattern' || n.type === 'list_pattern' ||
      n.type === 'parenthesized_expression' || n.type === 'list_splat_pattern' || n.type === 'tuple' ||
      n.type === 'list' || n.type === 'expression_list' || n.type === 'as_pattern_target' || n.type === 'list_splat';
  });
  return out;
}

/** The elements of a tuple-like target (`conn, addr` gives [conn, addr]), or null when it is not one. */
export function tupleElements(target: Node | null): Node[] | null {
  const t = strip(target);
  if (!t) return null;
  if (t.type === 'pattern_list' || t.type === 'tuple_pattern' || t.type === 'list_pattern' || t.type === 'tuple' ||
    t.type === 'list' || t.type === 'expression_list') return named(t);
  return null;
}

const PASS_THROUGH = new Set([
  'tuple', 'list', 'set', 'expression_list', 'parenthesized_expression', 'pattern_list', 'argument_list',
  'list_splat', 'dictionary_splat', 'conditional_expression', 'boolean_operator', 'dictionary', 'pair',
  'keyword_argument', 'yield', 'await',
]);

/**
 * Names whose object is handed on when `expr` is stored, returned or passed on: `s` in `s`, `(s, addr)`,
 * `[a, b]`, `{k: s}`, `x if c else s`, `key=s`, and `s.close` (its closer). A name used as a call's receiver or argument (`s.recv()`,
 * `f(s)`) is not handed on, unless `throughCalls`: then what a call returns is taken to keep its arguments.
 */
export function escapingNames(expr: Node | null, throughCalls = false): string[] {
  const out: string[] = [];
  if (!expr) return out;
  walk(expr, (n) => {
    if (n.type === 'identifier') {
      out.push(n.text);
      return false;
    }
    if (n.type === 'keyword_argument') {
      const v = n.childForFieldName('value');
      if (v) out.push(...escapingNames(v, throughCalls));
      return false;
    }
    // `return s.close, port`: the bound method is the closer of `s`, handed on with it (a call given
    // `s.close` keeps it on its own: see closeReferences in ./effects).
    if (n.type === 'attribute') {
      const o = n.childForFieldName('object');
      if (!throughCalls && n.childForFieldName('attribute')?.text === 'close' && o?.type === 'identifier') out.push(o.text);
      return false;
    }
    // `return cls(s)`, `self.conn = Wrapper(s)`: the object built from the argument is handed on, and keeps it.
    if (throughCalls && n.type === 'call') {
      out.push(...escapingNames(n.childForFieldName('arguments'), true));
      return false;
    }
    return PASS_THROUGH.has(n.type);
  });
  return out;
}

/** Every identifier read inside `root` (including inside lambdas and nested functions: captured names). */
export function identifiersIn(root: Node): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'identifier') {
      out.push(n);
      continue;
    }
    // `x.attr` and `f(key=x)`: only `x` is a variable.
    const only = n.type === 'attribute' ? n.childForFieldName('object') : n.type === 'keyword_argument' ? n.childForFieldName('value') : undefined;
    if (only !== undefined) {
      if (only) stack.push(only);
      continue;
    }
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
  return out;
}

/** The class a definition sits in directly (in its body, decorated or not), or null. */
export function enclosingClass(def: Node): Node | null {
  let p = def.parent;
  if (p?.type === 'decorated_definition') p = p.parent;
  return p?.type === 'block' && p.parent?.type === 'class_definition' ? p.parent : null;
}

/** The function a node sits in (its nearest `def`), or null at module level. */
export function enclosingFunction(n: Node): Node | null {
  for (let p: Node | null = n.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

/** A string literal without interpolation: its text; else null. */
export function plainString(e: Node | null): string | null {
  const s = strip(e);
  if (s?.type !== 'string') return null;
  const kids = named(s);
  if (!kids.every((c) => c.type === 'string_start' || c.type === 'string_content' || c.type === 'string_end')) return null;
  return kids.filter((c) => c.type === 'string_content').map((c) => c.text).join('');
}

/** The nodes of one type under a root, in document order (`nodesByType`). */
export type NodesOfType = (type: string) => readonly Node[];

/** `root.descendantsOfType(type)`, one type at a time. */
export function nodesOfType(root: Node): NodesOfType {
  return (type) => root.descendantsOfType(type).filter((n): n is Node => n !== null);
}

/**
 * The nodes of each of `types` under `root`, in document order, from one search in the parser (every search
 * goes through the whole tree). Asked for another type, it searches for that one.
 */
export function nodesByType(root: Node, types: readonly string[]): NodesOfType {
  const by = new Map<string, Node[]>(types.map((t) => [t, []]));
  for (const n of root.descendantsOfType([...types])) if (n) by.get(n.type)?.push(n);
  return (type) => by.get(type) ?? nodesOfType(root)(type);
}

/** Whether `inner` lies within `outer` (by byte range). */
export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** A short one-line rendering of a node's text for messages. */
export function snippet(n: Node, max = 48): string {
  const t = n.text.replace(/\s+/g, ' ');
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

/** How a scope's own code binds a name (`scopeBindings`). */
export type BindingKind = 'assign' | 'augmented' | 'walrus' | 'for' | 'comprehension' | 'as' | 'import' | 'star' | 'global' | 'nonlocal' | 'del' | 'def' | 'class';

/** A name a scope's own code binds, how, and the node that binds it (the assignment, the loop, the statement, the definition). */
export interface Binding {
  readonly name: string;
  readonly kind: BindingKind;
  readonly node: Node;
}

/** The local names an import statement binds: `import a.b` binds `a`, `import a.b as c` and `from m import x as c` bind `c`, `from m import *` any ('*'). */
function importedNames(stmt: Node): string[] {
  const out: string[] = [];
  const from = stmt.type === 'import_from_statement';
  for (const c of from ? stmt.childrenForFieldName('name') : named(stmt)) {
    if (c?.type === 'dotted_name') {
      const first = c.namedChild(0);
      if (first) out.push(from ? c.text : first.text);
    } else if (c?.type === 'aliased_import') {
      const alias = c.childForFieldName('alias');
      if (alias) out.push(alias.text);
    }
  }
  if (from && named(stmt).some((c) => c.type === 'wildcard_import')) out.push('*');
  return out;
}

/**
 * Every name the code of a scope (a function's or class's body, or a module) binds itself: assignments, `+=`,
 * `:=`, `for` targets and comprehension variables, `with … as` and `except … as`, imports (by the names they bind,
 * `*` for `from m import *`), `global`/`nonlocal` declarations, `del`, and the names of nested functions and
 * classes (whose bodies and lambdas' parameters are scopes of their own and are not entered).
 */
export function scopeBindings(body: Node): Binding[] {
  const out: Binding[] = [];
  const add = (names: readonly string[], kind: BindingKind, node: Node): void => {
    for (const name of names) out.push({ name, kind, node });
  };
  walk(body, (n) => {
    if (DEFERRED.has(n.type) && n !== body) {
      const def = n.type === 'decorated_definition' ? n.childForFieldName('definition') : n;
      const name = def && def.type !== 'lambda' ? def.childForFieldName('name') : null;
      if (name) add([name.text], def!.type === 'class_definition' ? 'class' : 'def', def!);
      return false;
    }
    switch (n.type) {
      case 'assignment': add(targetNames(n.childForFieldName('left')), 'assign', n); break;
      case 'augmented_assignment': add(targetNames(n.childForFieldName('left')), 'augmented', n); break;
      case 'for_statement': add(targetNames(n.childForFieldName('left')), 'for', n); break;
      case 'for_in_clause': add(targetNames(n.childForFieldName('left')), 'comprehension', n); break;
      case 'named_expression': add(targetNames(n.childForFieldName('name')), 'walrus', n); break;
      case 'as_pattern': add(targetNames(n.childForFieldName('alias')), 'as', n); break;
      case 'import_statement': case 'import_from_statement': {
        const names = importedNames(n);
        add(names.filter((v) => v !== '*'), 'import', n);
        if (names.includes('*')) add(['*'], 'star', n);
        return false;
      }
      case 'global_statement': add(named(n).filter((c) => c.type === 'identifier').map((c) => c.text), 'global', n); return false;
      case 'nonlocal_statement': add(named(n).filter((c) => c.type === 'identifier').map((c) => c.text), 'nonlocal', n); return false;
      case 'delete_statement': for (const c of named(n)) add(targetNames(c), 'del', n); return false;
    }
    return true;
  });
  return out;
}
