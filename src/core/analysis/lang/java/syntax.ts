import type { Node } from 'web-tree-sitter';
import { firstKid, lastKid, namedKids, searchTree } from '../../syntax';

/** Small helpers over the tree-sitter Java syntax tree; the language-neutral ones come from ../syntax. */
import { callArgs } from '../../syntax';
export { callArgs };

/** Removes parentheses and casts around an expression. */
export function strip(node: Node | null): Node | null {
  let n = node;
  while (n) {
    if (n.type === 'parenthesized_expression') n = firstKid(n);
    else if (n.type === 'cast_expression') n = n.childForFieldName('value');
    else return n;
  }
  return n;
}

const NESTED_BODIES = new Set(['method_declaration', 'constructor_declaration', 'lambda_expression', 'class_body']);

/**
 * The nodes of `body` of the given types (in document order) not inside a nested function or class body. The walk is
 * tree-sitter's own (`descendantsOfType`): only the nodes returned, and the nested bodies, are made `Node`s.
 */
export function ownNodes(body: Node, types: readonly string[]): Node[] {
  const out: Node[] = [];
  // Pre-order: a nested body comes before everything inside it, and after its ancestors.
  let nestedEnd = -1;
  for (const n of body.descendantsOfType([...types, ...NESTED_BODIES])) {
    if (!n || n.id === body.id || n.startIndex < nestedEnd) continue;
    if (NESTED_BODIES.has(n.type)) nestedEnd = n.endIndex;
    else out.push(n);
  }
  return out;
}

/** The names of a method's or constructor's parameters, in order ('' for one whose name the tree lacks). */
export function paramNames(fn: Node): string[] {
  const out: string[] = [];
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p?.type !== 'formal_parameter' && p?.type !== 'spread_parameter') continue;
    out.push(p.childForFieldName('name')?.text ?? p.namedChildren.find((c) => c?.type === 'variable_declarator')?.childForFieldName('name')?.text ?? '');
  }
  return out;
}

/** How many parameters a method or constructor declares. */
export function arityOf(fn: Node): number {
  return paramNames(fn).length;
}

/** The node types bodyNames reads: give them to ownNodes with the caller's own. */
export const NAMING_NODES: readonly string[] = [
  'variable_declarator', 'resource', 'catch_formal_parameter', 'enhanced_for_statement', 'assignment_expression', 'update_expression',
];

/**
 * The names a method body (its ownNodes, with NAMING_NODES among their types) binds besides fields: the parameters,
 * its locals, resources, catch parameters and loop variables; and the parameters that may no longer hold what the
 * caller passed (assigned, incremented, or declared again) somewhere in it.
 */
export function bodyNames(params: readonly string[], nodes: readonly Node[]): { locals: Set<string>; reassigned: Set<string> } {
  const locals = new Set(params.filter((p) => p));
  const reassigned = new Set<string>();
  for (const n of nodes) {
    if (n.type === 'variable_declarator' || n.type === 'resource' || n.type === 'catch_formal_parameter' || n.type === 'enhanced_for_statement') {
      const name = n.childForFieldName('name')?.text;
      if (name) {
        if (params.includes(name)) reassigned.add(name);
        locals.add(name);
      }
    } else if (n.type === 'assignment_expression' || n.type === 'update_expression') {
      const left = strip(n.type === 'assignment_expression' ? n.childForFieldName('left') : n.namedChildren[0] ?? null);
      if (left?.type === 'identifier' && params.includes(left.text)) reassigned.add(left.text);
    }
  }
  return { locals, reassigned };
}

/** The field of the object `e` names: `f` when no local or parameter of `locals` is named so, or `this.f`. */
export function fieldNamed(e: Node | null, locals: ReadonlySet<string>): string | undefined {
  const x = strip(e);
  if (x?.type === 'identifier') return locals.has(x.text) ? undefined : x.text;
  if (x?.type === 'field_access' && x.childForFieldName('object')?.type === 'this') return x.childForFieldName('field')?.text;
  return undefined;
}

/** The nodes of the given types under `root`, by type, each list in document order: one walk of the tree. */
export class NodesByType {
  private readonly lists = new Map<string, Node[]>();

  constructor(root: Node, types: readonly string[]) {
    for (const t of types) this.lists.set(t, []);
    for (const n of root.descendantsOfType([...types])) if (n) this.lists.get(n.type)?.push(n);
  }

  /** The nodes of these types (each must be one the walk collected), in document order. */
  of(...types: string[]): Node[] {
    const lists = types.map((t) => {
      const l = this.lists.get(t);
      if (!l) throw new Error(`NodesByType: ${t} was not collected`);
      return l;
    });
    return lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => a.startIndex - b.startIndex);
  }
}

/** The simple name of a type node: `java.net.Socket` and `Socket` give `Socket`, `List<Socket>` gives `List`. */
export function simpleTypeName(type: Node | null): string {
  let t = type;
  for (let guard = 0; t && guard < 100; guard++) {
    switch (t.type) {
      case 'type_identifier':
      case 'identifier':
        return t.text;
      case 'generic_type':
        t = firstKid(t);
        break;
      case 'scoped_type_identifier':
      case 'annotated_type':
        t = lastKid(t);
        break;
      case 'scoped_identifier':
        t = t.childForFieldName('name');
        break;
      case 'field_access':
        t = t.childForFieldName('field');
        break;
      default:
        return t.text;
    }
  }
  return '';
}

/** The named children of `n`, comments left out. */
export function namedChildren(n: Node): Node[] {
  return namedKids(n);
}

export function isFunction(n: Node): boolean {
  return n.type === 'method_declaration' || n.type === 'constructor_declaration' || n.type === 'lambda_expression'
    || n.type === 'compact_constructor_declaration';
}

/** Name shown for a function: the method name, the class name for a constructor, `<lambda>`. */
export function functionName(fn: Node): string {
  if (fn.type === 'lambda_expression') return '<lambda>';
  return fn.childForFieldName('name')?.text ?? '<anonymous>';
}

/** Formal parameter names of a method, constructor or lambda (`x -> ...` and `(a, b) -> ...` too). */
export function parameterNames(fn: Node): { name: string; type: string }[] {
  const params = fn.childForFieldName('parameters');
  if (!params) return [];
  if (params.type === 'identifier') return [{ name: params.text, type: '' }];
  const out: { name: string; type: string }[] = [];
  for (const p of namedChildren(params)) {
    if (p.type === 'identifier') out.push({ name: p.text, type: '' });
    else if (p.type === 'formal_parameter' || p.type === 'spread_parameter') {
      const name = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'variable_declarator')?.childForFieldName('name') ?? null;
      if (name) out.push({ name: name.text, type: simpleTypeName(p.childForFieldName('type')) });
    }
  }
  return out;
}

/** The statement that contains `n` (itself if it is one), stopping at a function boundary. */
export function enclosingStatement(n: Node): Node {
  let cur: Node | null = n;
  while (cur) {
    const p: Node | null = cur.parent;
    if (!p || isFunction(p)) return cur;
    if (p.type === 'block' || p.type === 'constructor_body' || p.type === 'switch_block_statement_group' || p.type === 'switch_rule'
      || (p.type === 'labeled_statement')) return cur;
    if (isStatementField(p, cur)) return cur;
    cur = p;
  }
  return n;
}

/** Is `child` a sub-statement of `parent` (an if branch, a loop body)? */
function isStatementField(parent: Node, child: Node): boolean {
  switch (parent.type) {
    case 'if_statement':
      return child.id === parent.childForFieldName('consequence')?.id || child.id === parent.childForFieldName('alternative')?.id;
    case 'while_statement':
    case 'for_statement':
    case 'enhanced_for_statement':
    case 'do_statement':
      return child.id === parent.childForFieldName('body')?.id;
    default:
      return false;
  }
}

/** Is identifier `id` a member name (`obj.name` field access, a method name) rather than a reference to a local? */
export function isMemberName(id: Node): boolean {
  const p = id.parent;
  return !!p && ((p.type === 'field_access' && p.childForFieldName('field')?.id === id.id)
    || (p.type === 'method_invocation' && p.childForFieldName('name')?.id === id.id));
}

/** Does the subtree of `n` (not entering nested classes) mention identifier `name`? */
export function mentions(n: Node, names: ReadonlySet<string>): boolean {
  return searchTree(n, 200000, (c) => c.type === 'identifier' && names.has(c.text) && !isMemberName(c));
}

/** Every local-variable reference (identifier) in `n`, as names. */
export function referencedNames(n: Node): Set<string> {
  const out = new Set<string>();
  searchTree(n, 200000, (c) => {
    if (c.type === 'identifier' && !isMemberName(c)) out.add(c.text);
  });
  return out;
}

/** Names declared (locals, resources, catch and lambda parameters) anywhere in `n`. */
export function declaredNames(n: Node): Set<string> {
  const out = new Set<string>();
  searchTree(n, 200000, (c) => {
    if (c.type === 'variable_declarator' || c.type === 'resource' || c.type === 'catch_formal_parameter' || c.type === 'formal_parameter'
      || c.type === 'enhanced_for_statement') {
      const name = c.childForFieldName('name');
      if (name) out.add(name.text);
    }
  });
  return out;
}

/** The parts of a dotted name (`org.x.IOUtil`: org, x, IOUtil), whatever spaces or comments stand between them. */
function dottedName(n: Node | null): string[] {
  if (n?.type === 'identifier') return [n.text];
  if (n?.type !== 'scoped_identifier') return [];
  const name = n.childForFieldName('name');
  return [...dottedName(n.childForFieldName('scope')), ...(name ? [name.text] : [])];
}

/**
 * The classes a file imports by name (`import org.x.IOUtil;`, not `import static`, not `.*`), each
 * with the package the first such import names (`IOUtil`: org, x).
 */
export function importedClasses(root: Node): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const d of root.namedChildren) {
    if (d?.type !== 'import_declaration' || d.children.some((c) => c?.type === 'static' || c?.type === 'asterisk')) continue;
    const parts = dottedName(d.namedChildren.find((c) => c?.type === 'scoped_identifier' || c?.type === 'identifier') ?? null);
    const cls = parts.pop();
    if (cls !== undefined && parts.length && !out.has(cls)) out.set(cls, parts);
  }
  return out;
}

/** `System.exit(…)`, `Runtime.getRuntime().halt(…)`: a call that ends the process. */
export function endsProcess(call: Node): boolean {
  const name = call.childForFieldName('name')?.text;
  if (name !== 'exit' && name !== 'halt') return false;
  const recv = strip(call.childForFieldName('object'));
  if (recv?.type === 'identifier') return recv.text === 'System';
  const cls = recv?.type === 'method_invocation' ? recv.childForFieldName('object') : null;
  return !!cls && cls.type === 'identifier' && cls.text === 'Runtime' && recv!.childForFieldName('name')?.text === 'getRuntime' && callArgs(recv!).length === 0;
}

/** `x.name(...)`'s receiver when it is a plain identifier, else null. */
export function receiverName(call: Node): string | null {
  const o = strip(call.childForFieldName('object'));
  return o && o.type === 'identifier' ? o.text : null;
}

/** The leading whitespace of the line holding `offset`. */
export function lineIndent(text: string, offset: number): string {
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(start, end);
}

/** Is `offset` the first non-blank character of its line? */
export function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '\n' || ch === '\r') return true;
    if (ch !== ' ' && ch !== '\t') return false;
  }
  return true;
}
