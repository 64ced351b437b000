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
  const members = membersOf(call.tree);
  if (!members.names.has(simple)) return null;
  const owner = enclosingClass(members, call.startIndex);
  return owner && members.byClass.get(owner)?.has(simple) ? `${owner}::${simple}` : null;
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

/**
 * The class whose method contains `offset`: `X` of `int X::f() {…}`, or of a method defined in `class X {…}`
 * (the innermost function definition decides; found by offsets, as a node's parent costs a walk from the root).
 */
function enclosingClass(members: Members, offset: number): string | null {
  let owner: string | null = null;
  for (const d of members.definitions) {
    if (d.start > offset) break;
    if (offset < d.end) owner = d.owner;
  }
  return owner;
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

interface Members {
  /** Each class's member functions, by class name. */
  readonly byClass: Map<string, Set<string>>;
  /** Every member name of every class (a call of any other name is not a member's). */
  readonly names: Set<string>;
  /** The file's function definitions in source order, with the class each is a method of (or null). */
  readonly definitions: { start: number; end: number; owner: string | null }[];
}

const MEMBERS = new WeakMap<Tree, Members>();

/** Each class's member functions in the file: declared in its body or defined as `Class::name`. */
function membersOf(tree: Tree): Members {
  let table = MEMBERS.get(tree);
  if (table) return table;
  const t: Members = { byClass: new Map(), names: new Set(), definitions: [] };
  const add = (owner: string, member: string) => {
    let set = t.byClass.get(owner);
    if (!set) t.byClass.set(owner, (set = new Set()));
    set.add(member);
    t.names.add(member);
  };
  for (const n of tree.rootNode.descendantsOfType(['function_definition', 'field_declaration', 'declaration'])) {
    if (!n) continue;
    const name = declaredName(n);
    let owner: string | null = null;
    if (name?.type === 'qualified_identifier') {
      const scopes = qualifiers(name);
      let last: Node | null = name;
      while (last?.type === 'qualified_identifier') last = last.childForFieldName('name');
      owner = scopes.length ? scopes[scopes.length - 1]! : null;
      if (owner && last) add(owner, last.text);
    } else if (name && n.type !== 'declaration') {
      // A member is declared or defined in a class body (`declaration` is the grammar's outside one).
      const body = n.parent;
      owner = body?.type === 'field_declaration_list' ? (body.parent?.childForFieldName('name')?.text ?? null) : null;
      if (owner) add(owner, name.text);
    }
    if (n.type === 'function_definition') t.definitions.push({ start: n.startIndex, end: n.endIndex, owner });
  }
  MEMBERS.set(tree, (table = t));
  return table;
}
