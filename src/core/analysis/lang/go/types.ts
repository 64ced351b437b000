import { createHash } from 'crypto';
import type { Node } from 'web-tree-sitter';
import { NestingLimit } from '../../ir/builder';
import { kids, parameterNames, unparen as unparenOf, varSpecs } from './syntax';
import { isStandardPath, methodResultType, packageFunctionResultType, packageFunctionUse, packageVarType, packagePath, type GoType, type Imports } from './names';

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
const MAX_EMBEDDING = 4;

/** Containers whose statements declare names visible to the statements after them. */
const STATEMENT_CONTAINERS = new Set(['block', 'statement_list', 'expression_case', 'type_case', 'default_case', 'communication_case']);

/** A call's callee: a function by name (not a local function value), a package's function, or a method of a typed receiver. */
type Callee =
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'package'; readonly path: string; readonly name: string }
  | { readonly kind: 'method'; readonly recv: GoType; readonly name: string };

/** What declares a name: its type node, or the value it is initialised with (result `index` of it). */
interface Declaration {
  readonly type: Node | null;
  readonly value: Node | null;
  readonly index: number;
  /** Several values on the right of a multi-value call (`a, b := f()`): the value is the call. */
  readonly multi: boolean;
}

/** One declared result of a function or method, resolved with its file's imports. */
export interface ResultType {
  readonly type: GoType | null;
  /** The builtin `error`. */
  readonly error: boolean;
}

/**
 * What the other files of the package declare (see packageDecls.ts), resolved with each file's
 * imports: types of the analysed package have pkg ''. A name declared differently by two files
 * (build-tag alternatives) is left out.
 */
export interface PackageDecls {
  readonly functions: ReadonlyMap<string, readonly ResultType[]>;
  /** `T.m` for methods and interface methods. */
  readonly methods: ReadonlyMap<string, readonly ResultType[]>;
  /** `T.f` for struct fields. */
  readonly fields: ReadonlyMap<string, GoType | null>;
  /** Types embedded in struct or interface type T (fields and methods are promoted from them). */
  readonly embedded: ReadonlyMap<string, readonly GoType[]>;
  /** Package-level variables declared with a type. */
  readonly globals: ReadonlyMap<string, GoType | null>;
  /** Functions (`f`) and methods (`T.m`): which of their parameters they only use (see borrowedParameters). */
  readonly borrowing: ReadonlyMap<string, readonly boolean[]>;
  /** Functions (`f`) and methods (`T.m`) declared with a body. */
  readonly bodies: ReadonlySet<string>;
  /** Functions and methods whose returned first value never comes from a call (see returnsFresh): they hand out what exists. */
  readonly passing: ReadonlySet<string>;
  /** What the answers depend on, for cache keys. */
  readonly fingerprint: string;
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
  /** Types embedded in the file's struct and interface types. */
  private readonly embeddedTypes = new Map<string, Node[]>();
  private readonly nesting = new NestingLimit(MAX_DEPTH);
  /**
   * What of the file the answers depend on besides a function's own text: the type and package
   * variable declarations and every function's and method's signature (its text up to the body).
   * Per-function reuse keys include it, so editing a struct field's type re-analyses its users.
   */
  readonly fingerprint: string;

  /**
   * `pkg`: what the package's other files declare. `imported`: what the packages of the workspace
   * that the file imports declare, by import path (their own types carry that path).
   */
  constructor(root: Node, readonly imports: Imports, private readonly pkg: PackageDecls | null = null, private readonly imported: ReadonlyMap<string, PackageDecls> = new Map()) {
    const declared: string[] = [];
    for (const top of kids(root)) {
      if (top.type === 'type_declaration' || top.type === 'var_declaration') declared.push(top.text);
      else if (top.type === 'function_declaration' || top.type === 'method_declaration') {
        const body = top.childForFieldName('body');
        declared.push(body ? top.text.slice(0, body.startIndex - top.startIndex) : top.text);
      }
    }
    // Hashed once here: every function's key holds it, and the declarations can be most of the file.
    const importedPrints = [...imported.values()].map((d) => `\n#imported ${d.fingerprint}`).sort().join('');
    this.fingerprint = createHash('sha1').update(declared.join('\n') + (pkg ? `\n#package ${pkg.fingerprint}` : '') + importedPrints).digest('hex');
    for (const top of kids(root)) {
      if (top.type === 'type_declaration') {
        for (const spec of kids(top)) {
          if (spec.type !== 'type_spec') continue;
          const name = spec.childForFieldName('name')?.text;
          const t = spec.childForFieldName('type');
          if (!name || !t) continue;
          if (t.type === 'struct_type') this.fields.set(name, structFields(t));
          else if (t.type === 'interface_type') this.interfaceMethods.set(name, interfaceMethods(t));
          const embedded = t.type === 'struct_type' ? structEmbedded(t) : t.type === 'interface_type' ? interfaceEmbedded(t) : [];
          if (embedded.length) this.embeddedTypes.set(name, embedded);
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
    return expr ? this.nesting.nest(() => this.typeOfInner(expr), () => null) : null;
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
        if (d) return this.declaredType(d);
        return this.pkg && !this.isPackage(x) ? this.pkg.globals.get(x.text) ?? null : null;
      }
      case 'selector_expression': {
        const op = unparenOf(x.childForFieldName('operand'));
        const field = x.childForFieldName('field')?.text;
        if (!op || !field) return null;
        if (op.type === 'identifier' && this.isPackage(op)) {
          const path = packagePath(this.imports, op.text);
          return path ? packageVarType(path, field) ?? this.imported.get(path)?.globals.get(field) ?? null : null;
        }
        const t = this.typeOf(op);
        if (!t) return null;
        return t.pkg === '' ? this.fieldType(t.name, field, 0) : this.importedField(t, field, 0);
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

  /** What a call's callee is, when it is a named function, a package's function or a method of a typed receiver. */
  private calleeOf(call: Node): Callee | null {
    const f = unparenOf(call.childForFieldName('function'));
    if (f?.type === 'identifier') return this.declaration(f.text, f) ? null : { kind: 'function', name: f.text };
    if (f?.type !== 'selector_expression') return null;
    const op = unparenOf(f.childForFieldName('operand'));
    const name = f.childForFieldName('field')?.text;
    if (!op || !name) return null;
    if (op.type === 'identifier' && this.isPackage(op)) return { kind: 'package', path: packagePath(this.imports, op.text)!, name };
    const recv = this.typeOf(op);
    return recv ? { kind: 'method', recv, name } : null;
  }

  /** The type of result `index` of a call, when the callee is known. */
  resultType(call: Node, index: number): GoType | null {
    const f = unparenOf(call.childForFieldName('function'));
    if (f?.type === 'identifier' && f.text === 'new' && !this.declaration(f.text, f)) {
      return index === 0 ? this.parseType(kids(call.childForFieldName('arguments'))[0] ?? null) : null;
    }
    const c = this.calleeOf(call);
    if (c?.kind === 'package') return packageFunctionResultType(c.path, c.name, index) ?? this.importedTarget(c)?.results?.[index]?.type ?? null;
    if (c?.kind === 'method' && c.recv.pkg !== '') return methodResultType(c.recv, c.name, index) ?? this.importedTarget(c)?.results?.[index]?.type ?? null;
    return c ? this.localResults(c)?.[index]?.type ?? null : null;
  }

  /**
   * The declared results of a call's callee when it is a function or method of this package (or a
   * method of an interface declared in it, promoted methods of embedded types included), or of one of
   * the workspace's Go packages that the file imports (see `imported`; standard ones are known by
   * table); null otherwise, and for a function or method of another file that only hands out a value
   * that exists already (a channel's, a field's, a parameter's) rather than what a call made.
   */
  declaredResults(call: Node): readonly ResultType[] | null {
    const c = this.calleeOf(call);
    if (!c) return null;
    if (c.kind === 'package' || (c.kind === 'method' && c.recv.pkg !== '')) {
      const t = this.importedTarget(c);
      return t && !t.decls.passing.has(t.key) ? t.results : null;
    }
    const key = this.elsewhereKey(c);
    return key !== null && this.pkg?.passing.has(key) ? null : this.localResults(c);
  }

  /**
   * For a call of a function or method (with a body) of an imported workspace package: which parameters
   * it only uses (see borrowedParameters), else null.
   */
  importedBorrowedBy(call: Node): readonly boolean[] | null {
    const c = this.calleeOf(call);
    const t = c ? this.importedTarget(c) : null;
    return t?.decls.bodies.has(t.key) ? t.decls.borrowing.get(t.key) ?? null : null;
  }

  /** The declaration of an imported workspace package's function or method (promoted ones included) a callee names, or null. */
  private importedTarget(c: Callee): { decls: PackageDecls; key: string; results: readonly ResultType[] | null } | null {
    if (c.kind === 'function') return null;
    if (c.kind === 'package') {
      const decls = this.imported.get(c.path);
      return decls ? { decls, key: c.name, results: decls.functions.get(c.name) ?? null } : null;
    }
    if (c.recv.pkg === '') return null;
    const owner = this.importedMethodOwner(c.recv, c.name, 0);
    if (!owner) return null;
    const decls = this.imported.get(owner.pkg)!;
    const key = `${owner.name}.${c.name}`;
    return { decls, key, results: decls.methods.get(key)! };
  }

  /** The type (`t` or one it embeds) of an imported workspace package that declares method `m`, or null. */
  private importedMethodOwner(t: GoType, m: string, depth: number): GoType | null {
    const decls = this.imported.get(t.pkg);
    if (!decls) return null;
    if (decls.methods.has(`${t.name}.${m}`)) return t;
    if (depth >= MAX_EMBEDDING) return null;
    for (const e of decls.embedded.get(t.name) ?? []) {
      const r = this.importedMethodOwner(e, m, depth + 1);
      if (r) return r;
    }
    return null;
  }

  /** The type of field `f` of an imported workspace package's struct type `t`, promoted fields included. */
  private importedField(t: GoType, f: string, depth: number): GoType | null {
    const decls = this.imported.get(t.pkg);
    if (!decls) return null;
    if (decls.fields.has(`${t.name}.${f}`)) return decls.fields.get(`${t.name}.${f}`) ?? null;
    if (depth >= MAX_EMBEDDING) return null;
    for (const e of decls.embedded.get(t.name) ?? []) {
      if (e.name === f) return e;
      const r = this.importedField(e, f, depth + 1);
      if (r) return r;
    }
    return null;
  }

  /** The declared results of a function or method of this package that a callee names, else null. */
  private localResults(c: Callee): readonly ResultType[] | null {
    if (c.kind === 'function') {
      const fn = this.functions.get(c.name);
      return fn ? this.resultsOf(fn) : this.pkg?.functions.get(c.name) ?? null;
    }
    return c.kind === 'method' && c.recv.pkg === '' ? this.methodResults(c.recv.name, c.name, 0) : null;
  }

  /** The results of method `m` of the package's type `t`, or of a method promoted from a type `t` embeds. */
  private methodResults(t: string, m: string, depth: number): readonly ResultType[] | null {
    const own = this.methods.get(`${t}.${m}`) ?? this.interfaceMethods.get(t)?.get(m);
    if (own) return this.resultsOf(own);
    const other = this.pkg?.methods.get(`${t}.${m}`);
    if (other) return other;
    if (depth >= MAX_EMBEDDING) return null;
    for (const e of this.embeddedOf(t)) {
      if (e.pkg !== '') continue;
      const r = this.methodResults(e.name, m, depth + 1);
      if (r) return r;
    }
    return null;
  }

  /** The type of field `f` of the package's struct type `t`, promoted fields of embedded structs included. */
  private fieldType(t: string, f: string, depth: number): GoType | null {
    const own = this.fields.get(t)?.get(f);
    if (own) return this.parseType(own);
    if (this.pkg?.fields.has(`${t}.${f}`)) return this.pkg.fields.get(`${t}.${f}`) ?? null;
    if (depth >= MAX_EMBEDDING) return null;
    for (const e of this.embeddedOf(t)) {
      // An embedded type is also a field under its own name.
      if (e.name === f) return e;
      if (e.pkg !== '') continue;
      const r = this.fieldType(e.name, f, depth + 1);
      if (r) return r;
    }
    return null;
  }

  private embeddedOf(t: string): readonly GoType[] {
    const own = this.embeddedTypes.get(t);
    if (own) return own.map((n) => this.parseType(n)).filter((x): x is GoType => x !== null);
    return this.pkg?.embedded.get(t) ?? [];
  }

  private resultsOf(fn: Node): ResultType[] {
    return this.results(fn).map((n) => ({ type: this.parseType(n), error: n.text === 'error' }));
  }

  /**
   * What this file declares, resolved with its imports, for the other files of its package (see
   * PackageDecls; the fingerprint is left to the caller).
   */
  exportDecls(): Omit<PackageDecls, 'fingerprint'> {
    const functions = new Map<string, ResultType[]>();
    for (const [n, fn] of this.functions) functions.set(n, this.resultsOf(fn));
    const methods = new Map<string, ResultType[]>();
    for (const [k, m] of this.methods) methods.set(k, this.resultsOf(m));
    for (const [t, ms] of this.interfaceMethods) for (const [n, m] of ms) methods.set(`${t}.${n}`, this.resultsOf(m));
    const fields = new Map<string, GoType | null>();
    for (const [t, fs] of this.fields) for (const [n, f] of fs) fields.set(`${t}.${n}`, this.parseType(f));
    const embedded = new Map<string, GoType[]>();
    for (const t of this.embeddedTypes.keys()) embedded.set(t, [...this.embeddedOf(t)]);
    const globals = new Map<string, GoType | null>();
    for (const [n, d] of this.globals) if (d.type) globals.set(n, this.parseType(d.type));
    const borrowing = new Map<string, boolean[]>();
    for (const [n, fn] of [...this.functions, ...this.methods]) {
      const b = borrowedParameters(fn, this.imports);
      if (b) borrowing.set(n, b);
    }
    const passing = new Set<string>();
    for (const [n, fn] of this.functions) if (!returnsFresh(fn)) passing.add(n);
    for (const [k, fn] of this.methods) if (!returnsFresh(fn)) passing.add(k);
    const bodies = new Set<string>([...this.functions.keys(), ...this.methods.keys()]);
    return { functions, methods, fields, embedded, globals, borrowing, passing, bodies };
  }

  /**
   * A call of a function or method that another file of the package declares with a body: its key
   * (`f` or `T.m`) and which parameters it only uses (never keeps or closes), when that is known.
   */
  elsewhere(call: Node): { readonly key: string; readonly borrowed: readonly boolean[] | null } | null {
    const pkg = this.pkg;
    if (!pkg) return null;
    const c = this.calleeOf(call);
    const key = c ? this.elsewhereKey(c) : null;
    return key !== null && pkg.bodies.has(key) ? { key, borrowed: pkg.borrowing.get(key) ?? null } : null;
  }

  /** `f` or `T.m` when a callee of this package is not declared in this file (another file may declare it), else null. */
  private elsewhereKey(c: Callee): string | null {
    if (c.kind === 'function') return this.functions.has(c.name) ? null : c.name;
    if (c.kind !== 'method' || c.recv.pkg !== '') return null;
    const key = `${c.recv.name}.${c.name}`;
    return this.methods.has(key) ? null : key;
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

/**
 * Which parameters a function only uses: each use of one is the operand of a selector (`p.M(…)`,
 * `p.f`), never closed (`p.Close()`, `p.Body.Close()`), a response's `p.Body` only as a receiver, or an
 * argument of a standard function that reads it, outside function literals. Such a parameter is
 * neither kept nor closed. Null for a variadic function or one without a body.
 */
function borrowedParameters(fn: Node, imports: Imports): boolean[] | null {
  const body = fn.childForFieldName('body');
  const params = fn.childForFieldName('parameters');
  if (!body || !params) return null;
  if (kids(params).some((d) => d.type === 'variadic_parameter_declaration')) return null;
  const order = parameterNames(fn);
  const names = new Set(order.filter((n): n is string => n !== null));
  const kept = new Set<string>();
  const ids = names.size ? body.descendantsOfType('identifier') : [];
  if (ids.length > 5000) return order.map(() => false);
  for (const id of ids) {
    if (!id || !names.has(id.text) || kept.has(id.text)) continue;
    if (!borrowedUse(id, body, imports, names)) kept.add(id.text);
  }
  return order.map((n) => n === null || !kept.has(n));
}

function borrowedUse(id: Node, body: Node, imports: Imports, names: ReadonlySet<string>): boolean {
  const p = id.parent;
  for (let a = p; a && a.id !== body.id; a = a.parent) if (a.type === 'func_literal') return false;
  if (p?.type === 'argument_list' && standardUse(p.parent, imports, names)) return true;
  if (p?.type !== 'selector_expression' || p.childForFieldName('operand')?.id !== id.id) return false;
  // The whole selector chain (`r.Body.Close`): never a close, and a response's body only as a method's receiver.
  let chain: Node = p;
  let viaBody = p.childForFieldName('field')?.text === 'Body';
  while (chain.parent?.type === 'selector_expression' && chain.parent.childForFieldName('operand')?.id === chain.id) {
    chain = chain.parent;
    if (chain.childForFieldName('field')?.text === 'Body') viaBody = true;
  }
  if (chain.childForFieldName('field')?.text === 'Close') return false;
  const called = chain.parent?.type === 'call_expression' && chain.parent.childForFieldName('function')?.id === chain.id;
  return called || !viaBody;
}

/**
 * Does some return of the function give, as its first value, a call's result or a variable the body
 * assigns from a call (`c, err := dial(); …; return c, nil`)? A bare return counts (named results).
 */
function returnsFresh(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return true;
  // A call of a function value the caller gives (`listen(…)`) makes whatever that caller's function makes.
  const params = new Set(parameterNames(fn));
  const made = (x: Node | null) => {
    const call = unparenOf(x);
    const f = call?.type === 'call_expression' ? unparenOf(call.childForFieldName('function')) : null;
    return !!call && call.type === 'call_expression' && !(f?.type === 'identifier' && params.has(f.text));
  };
  const fromCall = new Set<string>();
  for (const st of body.descendantsOfType(['short_var_declaration', 'assignment_statement'])) {
    if (!st) continue;
    const right = st.childForFieldName('right');
    const r = right?.type === 'expression_list' ? kids(right) : right ? [right] : [];
    if (r.length !== 1 || !made(r[0]!)) continue;
    const left = st.childForFieldName('left');
    const first = left?.type === 'expression_list' ? kids(left)[0] : left;
    if (first?.type === 'identifier') fromCall.add(first.text);
  }
  for (const ret of body.descendantsOfType('return_statement')) {
    if (!ret) continue;
    let inLiteral = false;
    for (let a = ret.parent; a && a.id !== body.id; a = a.parent) if (a.type === 'func_literal') inLiteral = true;
    if (inLiteral) continue;
    const values = kids(ret)[0];
    if (!values) return true;
    const first = unparenOf(values.type === 'expression_list' ? kids(values)[0] ?? null : values);
    if (!first) continue;
    if (made(first) || (first.type === 'identifier' && fromCall.has(first.text))) return true;
    if (first.type === 'unary_expression' || first.type === 'composite_literal') return true;
  }
  return false;
}

/**
 * A call of a standard package function that only reads its argument (`io.ReadAll(r)`), or wraps it in
 * a value used right away (`xml.NewDecoder(r).Decode(&v)`): the argument is borrowed.
 */
function standardUse(call: Node | null, imports: Imports, params: ReadonlySet<string>): boolean {
  if (call?.type !== 'call_expression') return false;
  const f = unparenOf(call.childForFieldName('function'));
  const op = f?.type === 'selector_expression' ? unparenOf(f.childForFieldName('operand')) : null;
  const name = f?.childForFieldName('field')?.text;
  if (op?.type !== 'identifier' || !name || params.has(op.text)) return false;
  const path = packagePath(imports, op.text);
  const use = path && isStandardPath(path) ? packageFunctionUse(path, name) : null;
  if (use === 'reads' || use === 'neutral') return true;
  const p = call.parent;
  return use === 'keeps' && p?.type === 'selector_expression' && p.childForFieldName('operand')?.id === call.id;
}

/** The types a struct embeds (`*BaseVisitor`, `net.Conn`). */
function structEmbedded(t: Node): Node[] {
  const out: Node[] = [];
  for (const list of kids(t)) {
    if (list.type !== 'field_declaration_list') continue;
    for (const f of kids(list)) {
      if (f.type !== 'field_declaration' || f.childrenForFieldName('name').some((n) => n !== null)) continue;
      const type = f.childForFieldName('type');
      if (type) out.push(type);
    }
  }
  return out;
}

/** The interfaces an interface embeds. */
function interfaceEmbedded(t: Node): Node[] {
  const out: Node[] = [];
  for (const m of kids(t)) {
    if (m.type === 'type_elem') {
      const only = kids(m);
      if (only.length === 1 && (only[0]!.type === 'type_identifier' || only[0]!.type === 'qualified_type')) out.push(only[0]!);
    } else if (m.type === 'type_identifier' || m.type === 'qualified_type' || m.type === 'interface_type_name') out.push(m);
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
