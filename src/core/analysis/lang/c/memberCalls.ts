import type { Node, Tree } from 'web-tree-sitter';

/**
 * C++ calls that spell a C library function's name but call a class or namespace member: C++ name
 * lookup finds a member before the global function. `Conn::open(p)` and `util::close(h)` name a
 * member explicitly; `open(p)` inside a method of a class that declares its own `open` (in its body,
 * or as a `Class::open` definition in the file) calls that member. `::open(p)` and `std::fopen(p)`
 * stay the library's.
 *
 * Returns the member's qualified name (`Conn::open`), which no library table lists, or null when the
 * call may be the library function.
 */
export function memberCallee(call: Node, simple: string): string | null {
  // C has no members (the C++ grammar's wasm carries no name, the C one says 'c').
  if (call.tree.language.name === 'c') return null;
  let f = call.childForFieldName('function');
  while (f?.type === 'parenthesized_expression') f = f.namedChild(0);
  if (!f) return null;
  if (f.type === 'qualified_identifier') {
    const scopes = qualifiers(f);
    if (scopes.length === 0 || (scopes.length === 1 && scopes[0] === 'std')) return null;
    return `${scopes.join('::')}::${simple}`;
  }
  if (f.type !== 'identifier') return null;
  const owner = enclosingClass(call);
  return owner && membersOf(call.tree).get(owner)?.has(simple) ? `${owner}::${simple}` : null;
}

/** The scope names of a qualified name, outermost first: `a::B::f` gives [a, B]; `::f` gives []. */
function qualifiers(q: Node): string[] {
  const out: string[] = [];
  let n: Node | null = q;
  while (n?.type === 'qualified_identifier') {
    const scope = n.childForFieldName('scope');
    if (scope) out.push(scopeName(scope));
    n = n.childForFieldName('name');
  }
  return out;
}

/** `Pool` of `Pool` or `Pool<T>`. */
function scopeName(scope: Node): string {
  return scope.type === 'template_type' ? (scope.childForFieldName('name')?.text ?? scope.text) : scope.text;
}

/** The class whose method contains the node: `X` of `int X::f() {…}`, or of a method defined in `class X {…}`. */
function enclosingClass(node: Node): string | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'function_definition') continue;
    const name = declaredName(p);
    if (name?.type === 'qualified_identifier') {
      const scopes = qualifiers(name);
      return scopes.length ? scopes[scopes.length - 1]! : null;
    }
    const body = p.parent;
    if (body?.type === 'field_declaration_list') return body.parent?.childForFieldName('name')?.text ?? null;
    return null;
  }
  return null;
}

/** The name a function definition or member declaration declares (through pointer and reference declarators). */
function declaredName(decl: Node): Node | null {
  let d = decl.childForFieldName('declarator');
  for (let i = 0; d && i < 8; i++) {
    if (d.type === 'function_declarator') return d.childForFieldName('declarator');
    d = d.childForFieldName('declarator') ?? d.namedChild(0);
  }
  return null;
}

const MEMBERS = new WeakMap<Tree, Map<string, Set<string>>>();

/** Each class's member functions in the file: declared in its body or defined as `Class::name`. */
function membersOf(tree: Tree): Map<string, Set<string>> {
  let table = MEMBERS.get(tree);
  if (table) return table;
  table = new Map();
  const add = (owner: string, member: string) => {
    let set = table!.get(owner);
    if (!set) table!.set(owner, (set = new Set()));
    set.add(member);
  };
  for (const n of tree.rootNode.descendantsOfType(['function_definition', 'field_declaration', 'declaration'])) {
    if (!n) continue;
    const name = declaredName(n);
    if (!name) continue;
    if (name.type === 'qualified_identifier') {
      const scopes = qualifiers(name);
      let last: Node | null = name;
      while (last?.type === 'qualified_identifier') last = last.childForFieldName('name');
      if (scopes.length && last) add(scopes[scopes.length - 1]!, last.text);
    } else if (n.parent?.type === 'field_declaration_list') {
      const owner = n.parent.parent?.childForFieldName('name')?.text;
      if (owner) add(owner, name.text);
    }
  }
  MEMBERS.set(tree, table);
  return table;
}
