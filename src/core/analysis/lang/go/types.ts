import { createHash } from 'crypto';
import type { Node } from 'web-tree-sitter';
import { kids, unparen as unparenOf, varSpecs } from './syntax';
import { methodResultType, packageFunctionResultType, packageVarType, packagePath, type GoType, type Imports } from './names';

/**
 * The declared types the Go analyzer needs to tell a standard API from a project one of the same
 * name (`client.Do` on an `*http.Client` against a project client's `Do`). Go is statically typed,
 * so a variable's type is fixed where it is declared: a typed parameter, receiver, named result or
 * `var`, a struct field of a type declared in the file, or `:=` from a composite literal, `new(T)`,
 * a type assertion, a standard function or method whose result type is known (names.ts), or a
 * function or method of the file with declared results. Anything else is unknown (null), and the
 * analyzer then stays silent. Pointers are dropped: `*http.Client` is `net/http`.Client.
 */

const MAX_DEPTH = 12;

/** Containers whose statements declare names visible to the statements after them. */
const STATEMENT_CONTAINERS = new Set(['block', 'statement_list', 'expression_case', 'type_case', 'default_case', 'communication_case']);

/** What declares a name: its type node, or the value it is initialised with (result `index` of it). */
interface Declaration {
  readonly type: Node | null;
  readonly value: Node | null;
  readonly index: number;
  /** Several values on the right of a multi-value call (`a, b := f()`): the value is the call. */
  readonly multi: boolean;
}

export class GoTypes {
  /** Struct fields of the file's types: type name -> field name -> type node. */
  private readonly fields = new Map<string, Map<string, Node>>();
  /** Interface methods of the file's types: type name -> method name -> the method_elem. */
  private readonly interfaceMethods = new Map<string, Map<string, Node>>();
  /** Methods declared in the file: `T.m` -> declaration. */
  private readonly methods = new Map<string, Node>();
  /** Functions declared in the file. */
  private readonly functions = new Map<string, Node>();
  /** Package-level variables of the file. */
  private readonly globals = new Map<string, Declaration>();
  private depth = 0;
  /**
   * What of the file the answers depend on besides a function's own text: the type and package
   * variable declarations and every function's and method's signature (its text up to the body).
   * Per-function reuse keys include it, so editing a struct field's type re-analyses its users.
   */
  readonly fingerprint: string;

  constructor(root: Node, readonly imports: Imports) {
    const declared: string[] = [];
    for (const top of kids(root)) {
      if (top.type === 'type_declaration' || top.type === 'var_declaration') declared.push(top.text);
      else if (top.type === 'function_declaration' || top.type === 'method_declaration') {
        const body = top.childForFieldName('body');
        declared.push(body ? top.text.slice(0, body.startIndex - top.startIndex) : top.text);
      }
    }
    // Hashed once here: every function's key holds it, and the declarations can be most of the file.
    this.fingerprint = createHash('sha1').update(declared.join('\n')).digest('hex');
    for (const top of kids(root)) {
      if (top.type === 'type_declaration') {
        for (const spec of kids(top)) {
          if (spec.type !== 'type_spec') continue;
          const name = spec.childForFieldName('name')?.text;
          const t = spec.childForFieldName('type');
          if (!name || !t) continue;
          if (t.type === 'struct_type') this.fields.set(name, structFields(t));
          else if (t.type === 'interface_type') this.interfaceMethods.set(name, interfaceMethods(t));
        }
      } else if (top.type === 'function_declaration') {
        const name = top.childForFieldName('name')?.text;
        if (name) this.functions.set(name, top);
      } else if (top.type === 'method_declaration') {
        const name = top.childForFieldName('name')?.text;
        const recv = kids(top.childForFieldName('receiver'))[0]?.childForFieldName('type') ?? null;
        const t = recv ? this.parseType(recv) : null;
        if (name && t && t.pkg === '') this.methods.set(`${t.name}.${name}`, top);
      } else if (top.type === 'var_declaration') {
        for (const spec of varSpecs(top)) for (const [n, d] of specDeclarations(spec)) this.globals.set(n, d);
      }
    }
  }

  /** The type a type node names, pointers and type arguments dropped; null for other type shapes. */
  parseType(t: Node | null): GoType | null {
    let x = t;
    for (let guard = 0; x && guard < 50; guard++) {
      switch (x.type) {
        case 'pointer_type':
        case 'parenthesized_type':
          x = kids(x)[0] ?? null;
          continue;
        case 'generic_type':
          x = x.childForFieldName('type');
          continue;
        case 'type_identifier':
          return { pkg: '', name: x.text };
        case 'qualified_type': {
          const pkg = x.childForFieldName('package')?.text;
          const name = x.childForFieldName('name')?.text;
          const path = pkg ? packagePath(this.imports, pkg) : undefined;
          return path && name ? { pkg: path, name } : null;
        }
        default:
          return null;
      }
    }
    return null;
  }

  /** The static type of an expression, or null when it is not known. */
  typeOf(expr: Node | null): GoType | null {
    if (!expr || this.depth > MAX_DEPTH) return null;
    this.depth++;
    try {
      return this.typeOfInner(expr);
    } finally {
      this.depth--;
    }
  }

  private typeOfInner(expr: Node): GoType | null {
    const x = unparenOf(expr);
    if (!x) return null;
    switch (x.type) {
      case 'unary_expression': {
        const op = x.childForFieldName('operator')?.text;
        return op === '&' || op === '*' ? this.typeOf(x.childForFieldName('operand')) : null;
      }
      case 'composite_literal':
        return this.parseType(x.childForFieldName('type'));
      case 'type_assertion_expression':
        return this.parseType(x.childForFieldName('type'));
      case 'identifier': {
        const d = this.declaration(x.text, x);
        return d ? this.declaredType(d) : null;
      }
      case 'selector_expression': {
        const op = unparenOf(x.childForFieldName('operand'));
        const field = x.childForFieldName('field')?.text;
        if (!op || !field) return null;
        if (op.type === 'identifier' && this.isPackage(op)) {
          const path = packagePath(this.imports, op.text);
          return path ? packageVarType(path, field) : null;
        }
        const t = this.typeOf(op);
        const f = t && t.pkg === '' ? this.fields.get(t.name)?.get(field) : undefined;
        return f ? this.parseType(f) : null;
      }
      case 'call_expression':
        return this.resultType(x, 0);
      default:
        return null;
    }
  }

  /** Does identifier `id` name an imported package here (not a local variable of that name)? */
  isPackage(id: Node): boolean {
    return packagePath(this.imports, id.text) !== undefined && this.declaration(id.text, id) === null;
  }

  private declaredType(d: Declaration): GoType | null {
    if (d.type) return this.parseType(d.type);
    if (!d.value) return null;
    if (d.multi) {
      const call = unparenOf(d.value);
      return call?.type === 'call_expression' ? this.resultType(call, d.index) : null;
    }
    return this.typeOf(d.value);
  }

  /** The type of result `index` of a call, when the callee is known. */
  resultType(call: Node, index: number): GoType | null {
    const f = unparenOf(call.childForFieldName('function'));
    if (!f) return null;
    if (f.type === 'identifier') {
      if (f.text === 'new' && index === 0) return this.parseType(kids(call.childForFieldName('arguments'))[0] ?? null);
      if (this.declaration(f.text, f)) return null; // a local function value
      const fn = this.functions.get(f.text);
      return fn ? this.parseType(this.results(fn)[index] ?? null) : null;
    }
    if (f.type !== 'selector_expression') return null;
    const op = unparenOf(f.childForFieldName('operand'));
    const name = f.childForFieldName('field')?.text;
    if (!op || !name) return null;
    if (op.type === 'identifier' && this.isPackage(op)) {
      const path = packagePath(this.imports, op.text)!;
      return packageFunctionResultType(path, name, index);
    }
    const recv = this.typeOf(op);
    if (!recv) return null;
    if (recv.pkg !== '') return methodResultType(recv, name, index);
    const m = this.methods.get(`${recv.name}.${name}`) ?? this.interfaceMethods.get(recv.name)?.get(name);
    return m ? this.parseType(this.results(m)[index] ?? null) : null;
  }

  /**
   * The declared result types of a call's callee when it is a function or method of this file (or
   * a method of an interface declared here), else null.
   */
  calleeResults(call: Node): Node[] | null {
    const f = unparenOf(call.childForFieldName('function'));
    if (f?.type === 'identifier') {
      if (this.declaration(f.text, f)) return null;
      const fn = this.functions.get(f.text);
      return fn ? this.results(fn) : null;
    }
    if (f?.type !== 'selector_expression') return null;
    const op = unparenOf(f.childForFieldName('operand'));
    const name = f.childForFieldName('field')?.text;
    if (!op || !name || (op.type === 'identifier' && this.isPackage(op))) return null;
    const recv = this.typeOf(op);
    if (!recv || recv.pkg !== '') return null;
    const m = this.methods.get(`${recv.name}.${name}`) ?? this.interfaceMethods.get(recv.name)?.get(name);
    return m ? this.results(m) : null;
  }

  /** The type nodes of a function's (or method_elem's) results, one per result. */
  results(fn: Node): Node[] {
    const r = fn.childForFieldName('result');
    if (!r) return [];
    if (r.type !== 'parameter_list') return [r];
    const out: Node[] = [];
    for (const p of kids(r)) {
      if (p.type !== 'parameter_declaration') continue;
      const t = p.childForFieldName('type');
      if (!t) continue;
      const n = Math.max(1, p.childrenForFieldName('name').filter((x) => x !== null).length);
      for (let i = 0; i < n; i++) out.push(t);
    }
    return out;
  }

  /**
   * The declaration of `name` visible at `use`: the nearest enclosing block's earlier statements,
   * an if/for/switch initializer, a function's parameters, receiver and named results, then the
   * file's package-level variables. Null when the name is not declared in the file (a package,
   * a package-level name of another file, a builtin).
   */
  declaration(name: string, use: Node): Declaration | null {
    let child: Node = use;
    for (let p = use.parent; p; child = p, p = p.parent) {
      if (STATEMENT_CONTAINERS.has(p.type)) {
        let found: Declaration | null | undefined;
        for (const s of kids(p)) {
          if (s.startIndex >= child.startIndex) break;
          const d = statementDeclares(s, name);
          if (d !== undefined) found = d;
        }
        if (found !== undefined) return found ?? UNTYPED;
        continue;
      }
      switch (p.type) {
        case 'if_statement':
        case 'expression_switch_statement':
        case 'type_switch_statement': {
          const init = p.childForFieldName('initializer');
          if (init && init.id !== child.id) {
            const d = statementDeclares(init, name);
            if (d !== undefined) return d ?? UNTYPED;
          }
          if (p.type === 'type_switch_statement' && exprs(p.childForFieldName('alias')).some((a) => a.text === name)) return UNTYPED;
          break;
        }
        case 'for_statement': {
          for (const c of kids(p)) {
            if (c.id === child.id) continue;
            if (c.type === 'for_clause') {
              const init = c.childForFieldName('initializer');
              const d = init && init.id !== child.id ? statementDeclares(init, name) : undefined;
              if (d !== undefined) return d ?? UNTYPED;
            } else if (c.type === 'range_clause' && c.text.includes(':=')) {
              if (exprs(c.childForFieldName('left')).some((l) => l.text === name)) return UNTYPED;
            }
          }
          break;
        }
        case 'func_literal':
        case 'function_declaration':
        case 'method_declaration': {
          const lists = [p.childForFieldName('parameters'), p.type === 'method_declaration' ? p.childForFieldName('receiver') : null, p.childForFieldName('result')];
          for (const list of lists) {
            if (list?.type !== 'parameter_list') continue;
            for (const decl of kids(list)) {
              if (decl.type !== 'parameter_declaration' && decl.type !== 'variadic_parameter_declaration') continue;
              if (decl.childrenForFieldName('name').some((n) => n?.text === name)) {
                return decl.type === 'variadic_parameter_declaration' ? UNTYPED : { type: decl.childForFieldName('type'), value: null, index: 0, multi: false };
              }
            }
          }
          break;
        }
        case 'source_file':
          return this.globals.get(name) ?? null;
        default:
          break;
      }
    }
    return null;
  }
}

const UNTYPED: Declaration = { type: null, value: null, index: 0, multi: false };

/**
 * What statement `s` declares about `name`: a declaration (possibly untyped), or undefined when it
 * does not declare it. (`null` is never returned; UNTYPED stands for "declared, type unknown".)
 */
function statementDeclares(s: Node, name: string): Declaration | undefined {
  if (s.type === 'short_var_declaration') {
    const left = exprs(s.childForFieldName('left'));
    const right = exprs(s.childForFieldName('right'));
    const i = left.findIndex((l) => l.type === 'identifier' && l.text === name);
    if (i < 0) return undefined;
    if (right.length === left.length) return { type: null, value: right[i]!, index: 0, multi: false };
    if (right.length === 1) return { type: null, value: right[0]!, index: i, multi: true };
    return UNTYPED;
  }
  if (s.type === 'var_declaration') {
    let found: Declaration | undefined;
    for (const spec of varSpecs(s)) {
      const d = specDeclarations(spec).get(name);
      if (d) found = d;
    }
    return found;
  }
  if (s.type === 'labeled_statement') {
    const inner = kids(s).find((c) => c.type !== 'label_name');
    return inner ? statementDeclares(inner, name) : undefined;
  }
  return undefined;
}

function specDeclarations(spec: Node): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  const names = spec.childrenForFieldName('name').filter((x): x is Node => x !== null);
  const type = spec.childForFieldName('type');
  const values = exprs(spec.childForFieldName('value'));
  names.forEach((n, i) => {
    if (type) out.set(n.text, { type, value: null, index: 0, multi: false });
    else if (values.length === names.length) out.set(n.text, { type: null, value: values[i]!, index: 0, multi: false });
    else if (values.length === 1) out.set(n.text, { type: null, value: values[0]!, index: i, multi: true });
    else out.set(n.text, UNTYPED);
  });
  return out;
}

function exprs(n: Node | null): Node[] {
  if (!n) return [];
  return n.type === 'expression_list' ? kids(n) : [n];
}


function structFields(t: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const list of kids(t)) {
    if (list.type !== 'field_declaration_list') continue;
    for (const f of kids(list)) {
      if (f.type !== 'field_declaration') continue;
      const type = f.childForFieldName('type');
      if (!type) continue;
      for (const n of f.childrenForFieldName('name')) if (n) out.set(n.text, type);
    }
  }
  return out;
}

function interfaceMethods(t: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const m of kids(t)) {
    if (m.type !== 'method_elem' && m.type !== 'method_spec') continue;
    const name = m.childForFieldName('name')?.text;
    if (name) out.set(name, m);
  }
  return out;
}
